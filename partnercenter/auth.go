package partnercenter

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// AuthRequest is the start of a connect: send the admin's browser to URL, keep State and Verifier
// in the session, and give them back to Exchange when Entra redirects with the code.
type AuthRequest struct {
	URL      string
	State    string
	Verifier string
}

// StartAuth builds the authorization-code URL with a fresh state and a PKCE (S256) challenge.
func (c *Client) StartAuth() (AuthRequest, error) {
	if c.cfg.RedirectURL == "" {
		return AuthRequest{}, errors.New("partnercenter: a redirect URL is required to connect")
	}
	state, err := randomToken(24)
	if err != nil {
		return AuthRequest{}, err
	}
	verifier, err := randomToken(48) // 64 characters, within RFC 7636's 43–128
	if err != nil {
		return AuthRequest{}, err
	}
	q := url.Values{
		"client_id":             {c.cfg.ClientID},
		"response_type":         {"code"},
		"redirect_uri":          {c.cfg.RedirectURL},
		"response_mode":         {"query"},
		"scope":                 {c.cfg.Scope},
		"state":                 {state},
		"code_challenge":        {PKCEChallenge(verifier)},
		"code_challenge_method": {"S256"},
	}
	return AuthRequest{URL: c.authority + "/oauth2/v2.0/authorize?" + q.Encode(), State: state, Verifier: verifier}, nil
}

// StateMatches compares the state kept in the session with the one Entra sent back.
func StateMatches(kept, got string) bool {
	return kept != "" && subtle.ConstantTimeCompare([]byte(kept), []byte(got)) == 1
}

// PKCEChallenge is the S256 code challenge of a verifier: BASE64URL(SHA256(verifier)).
func PKCEChallenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func randomToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("partnercenter: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Exchange trades the authorization code (and the PKCE verifier of its AuthRequest) for tokens,
// keeps them and hands the refresh token to OnRefreshToken.
func (c *Client) Exchange(ctx context.Context, code, verifier string) error {
	if code == "" {
		return errors.New("partnercenter: the authorization code is missing")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tokenCall(ctx, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {c.cfg.RedirectURL},
		"code_verifier": {verifier},
	})
}

// token returns a valid access token, refreshing it when missing, near expiry or when force is set
// (after a 401).
func (c *Client) token(ctx context.Context, force bool) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !force && c.accessToken != "" && c.cfg.Clock.Now().Before(c.accessExpiry.Add(-tokenSkew)) {
		return c.accessToken, nil
	}
	if c.refreshToken == "" {
		return "", ErrNotConnected
	}
	if err := c.tokenCall(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {c.refreshToken}}); err != nil {
		return "", err
	}
	return c.accessToken, nil
}

// tokenResponse is the Entra v2 token endpoint's answer, success or error.
type tokenResponse struct {
	TokenType        string `json:"token_type"`
	AccessToken      string `json:"access_token"`
	RefreshToken     string `json:"refresh_token"`
	ExpiresIn        int64  `json:"expires_in"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// tokenCall posts to the token endpoint and stores what it gives; c.mu is held.
func (c *Client) tokenCall(ctx context.Context, form url.Values) error {
	form.Set("client_id", c.cfg.ClientID)
	form.Set("client_secret", c.cfg.ClientSecret)
	form.Set("scope", c.cfg.Scope)
	endpoint := c.authority + "/oauth2/v2.0/token"
	status, h, body, err := c.roundTrip(ctx, http.MethodPost, endpoint, []byte(form.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
	if err != nil {
		return err
	}
	var tr tokenResponse
	_ = json.Unmarshal(body, &tr) // an unreadable answer is judged by its status below
	if status != http.StatusOK {
		if tr.Error == "invalid_grant" || tr.Error == "interaction_required" {
			c.accessToken, c.accessExpiry = "", time.Time{}
			return fmt.Errorf("%w (%s)", ErrGrantRevoked, firstLine(tr.ErrorDescription))
		}
		if tr.Error != "" {
			// Entra's description names the problem (wrong secret, unknown client) and never echoes it.
			body = []byte(tr.Error + ": " + firstLine(tr.ErrorDescription))
		}
		return c.apiError(http.MethodPost, endpoint, status, h, body)
	}
	if tr.AccessToken == "" || !strings.EqualFold(tr.TokenType, "Bearer") {
		return errors.New("partnercenter: the token endpoint answered without a bearer access token")
	}
	c.accessToken = tr.AccessToken
	c.accessExpiry = c.cfg.Clock.Now().Add(time.Duration(tr.ExpiresIn) * time.Second)
	if tr.RefreshToken != "" && tr.RefreshToken != c.refreshToken {
		c.refreshToken = tr.RefreshToken
		if c.cfg.OnRefreshToken != nil {
			if err := c.cfg.OnRefreshToken(ctx, tr.RefreshToken); err != nil {
				return fmt.Errorf("partnercenter: storing the new refresh token: %w", err)
			}
		}
	}
	if c.refreshToken == "" {
		return errors.New("partnercenter: the token endpoint gave no refresh token (is offline_access in the scope?)")
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	s = strings.TrimSpace(strings.TrimSuffix(s, "\r"))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
