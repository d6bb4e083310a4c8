package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// GitHub sign-in (issue 11): the profile's public email is whatever the user chose to show, so the
// address Leaddesk admits by is always the primary one that GitHub marks verified (GET /user/emails,
// which the user:email scope allows), whatever the profile says.

// githubURLs are the web and API roots: github.com and api.github.com, or an Enterprise Server's
// host and its /api/v3.
func (h *Handler) githubURLs() (web, api string) {
	web = strings.TrimRight(h.Cfg.GitHubURL, "/")
	if web == "" || web == "https://github.com" {
		return "https://github.com", "https://api.github.com"
	}
	return web, web + "/api/v3"
}

// githubVerifiedEmail returns the user's verified primary address, or "" when there is none.
func (h *Handler) githubVerifiedEmail(ctx context.Context, accessToken string) (string, error) {
	_, api := h.githubURLs()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api+"/user/emails", nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/vnd.github+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("github: emails: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("github: emails: %s", res.Status)
	}
	var emails []struct {
		Email    string `json:"email"`
		Primary  bool   `json:"primary"`
		Verified bool   `json:"verified"`
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&emails); err != nil {
		return "", fmt.Errorf("github: emails: %w", err)
	}
	for _, e := range emails {
		if e.Primary && e.Verified {
			return e.Email, nil
		}
	}
	return "", nil
}
