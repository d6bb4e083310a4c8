package handlers

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/partnercenter"
	"leaddesk/views"
)

// Session settings.
const (
	sessionName     = "leaddesk"
	csrfCookie      = "leaddesk_csrf"
	langCookie      = "leaddesk_lang"
	sessionIdle     = 8 * time.Hour      // signed out after this long without a request
	sessionAbsolute = 7 * 24 * time.Hour // signed out this long after signing in, whatever happens
	// CSRFField and CSRFHeader carry the token (DESIGN §8).
	CSRFField  = "csrf"
	CSRFHeader = "X-CSRF-Token"
)

// session keys
const (
	sessUserID   = "uid"
	sessEpoch    = "epoch"
	sessSignedIn = "signed_in_at"
	sessSeen     = "seen_at"
	sessFlash    = "flash"
)

// newSessionStore builds the cookie store from keys (hash key first, then encryption key).
func newSessionStore(hashKey, blockKey []byte, secure bool) *sessions.CookieStore {
	s := sessions.NewCookieStore(hashKey, blockKey)
	s.Options = &sessions.Options{
		Path:     "/",
		MaxAge:   int(sessionAbsolute / time.Second),
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	}
	s.MaxAge(int(sessionAbsolute / time.Second))
	return s
}

func (h *Handler) session(c echo.Context) *sessions.Session {
	s, err := h.Sessions.Get(c.Request(), sessionName)
	if err != nil {
		// A tampered or outdated cookie: start over with an empty session.
		s, _ = h.Sessions.New(c.Request(), sessionName)
	}
	return s
}

// loadSession finds the signed-in user for the request. The user is read from the database on every
// request, so a role change, a disabled account or "sign out everywhere" takes effect at once.
func (h *Handler) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s := h.session(c)
		uid, _ := s.Values[sessUserID].(int64)
		if uid == 0 {
			return next(c)
		}
		now := h.Clock.Now()
		signedIn, _ := s.Values[sessSignedIn].(int64)
		seen, _ := s.Values[sessSeen].(int64)
		epoch, _ := s.Values[sessEpoch].(int64)
		expired := now.Sub(time.Unix(signedIn, 0)) > sessionAbsolute || now.Sub(time.Unix(seen, 0)) > sessionIdle
		u, err := h.DB.UserByID(c.Request().Context(), uid)
		switch {
		case errors.Is(err, db.ErrNotFound):
			u = nil
		case err != nil:
			return err
		}
		if expired || u == nil || u.Disabled || u.SessionEpoch != epoch {
			h.endSession(c, s)
			if expired && u != nil {
				h.setFlash(c, "info", "auth.session_expired")
			}
			return next(c)
		}
		c.Set(ctxUser, u)
		// Refresh the idle clock at most once a minute, to spare a Set-Cookie on every request.
		if now.Unix()-seen > 60 {
			s.Values[sessSeen] = now.Unix()
			if err := s.Save(c.Request(), c.Response()); err != nil {
				return err
			}
		}
		return next(c)
	}
}

// startSession signs u in on this browser.
func (h *Handler) startSession(c echo.Context, u *db.User) error {
	s := h.session(c)
	// A fresh session at sign-in, never one an attacker could have planted.
	for k := range s.Values {
		delete(s.Values, k)
	}
	now := h.Clock.Now().Unix()
	s.Values[sessUserID] = u.ID
	s.Values[sessEpoch] = u.SessionEpoch
	s.Values[sessSignedIn] = now
	s.Values[sessSeen] = now
	s.Options.MaxAge = int(sessionAbsolute / time.Second)
	c.Set(ctxUser, u)
	h.rotateCSRF(c)
	return s.Save(c.Request(), c.Response())
}

// endSession signs this browser out. The cookie stays, emptied, so a flash message set afterwards
// ("you are signed out") still reaches the next page.
func (h *Handler) endSession(c echo.Context, s *sessions.Session) {
	for k := range s.Values {
		delete(s.Values, k)
	}
	_ = s.Save(c.Request(), c.Response())
	c.Set(ctxUser, nil)
}

// setFlash keeps a message (a catalog key) for the next page.
func (h *Handler) setFlash(c echo.Context, kind, key string) {
	s := h.session(c)
	s.Values[sessFlash] = kind + "|" + key
	_ = s.Save(c.Request(), c.Response())
}

func (h *Handler) popFlash(c echo.Context) *views.Flash {
	s, err := h.Sessions.Get(c.Request(), sessionName)
	if err != nil {
		return nil
	}
	v, ok := s.Values[sessFlash].(string)
	if !ok || v == "" {
		return nil
	}
	delete(s.Values, sessFlash)
	_ = s.Save(c.Request(), c.Response())
	for i := 0; i < len(v); i++ {
		if v[i] == '|' {
			return &views.Flash{Kind: v[:i], Text: h.T(c, v[i+1:])}
		}
	}
	return nil
}

// csrf issues a per-browser token in an HttpOnly cookie and, on every state-changing request, requires
// the same token in the form field `csrf` or the header X-CSRF-Token (the double-submit pattern; the
// cookie is SameSite=Lax, so another site can neither read nor send it along a cross-site POST).
func (h *Handler) csrf(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token := ""
		if ck, err := c.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
			token = ck.Value
		} else {
			token = h.rotateCSRF(c)
		}
		c.Set(ctxCSRF, token)
		switch c.Request().Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return next(c)
		}
		sent := c.Request().Header.Get(CSRFHeader)
		if sent == "" {
			// Reading the form here reads the whole body, so its size limit (limitBody) must say so
			// itself: otherwise the missing field would pass for a forged request.
			if _, err := c.FormParams(); err != nil {
				if tooBig := new(http.MaxBytesError); errors.As(err, &tooBig) {
					return echo.NewHTTPError(http.StatusRequestEntityTooLarge, h.T(c, "error.too_large"))
				}
			}
			sent = c.FormValue(CSRFField)
		}
		if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 {
			return echo.NewHTTPError(http.StatusForbidden, h.T(c, "error.csrf"))
		}
		return next(c)
	}
}

// formBodyLimit caps a request body: the largest form (a business profile description, a bulk decline
// of 500 leads) is a few tens of kilobytes. Without a cap, a form post from anyone, signed in or not,
// would be read in full (multipart files spilling to disk) before the CSRF check even ran.
const formBodyLimit = 1 << 20

// limitBody caps every request body at formBodyLimit, and a CSV upload at importUploadLimit.
func (h *Handler) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Body != nil && req.Body != http.NoBody {
			limit := int64(formBodyLimit)
			if req.Method == http.MethodPost && req.URL.Path == "/leads/import" {
				limit = importUploadLimit
			}
			if strings.HasPrefix(req.URL.Path, "/intake/partnercenter/") {
				limit = partnercenter.MaxEventBytes // a webhook event is a small pointer
			}
			req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
		}
		return next(c)
	}
}

// rotateCSRF sets a new CSRF token (at sign-in and sign-out) and returns it.
func (h *Handler) rotateCSRF(c echo.Context) string {
	token := db.NewSecretToken()
	c.SetCookie(&http.Cookie{Name: csrfCookie, Value: token, Path: "/", HttpOnly: true, Secure: h.Cfg.Secure(),
		SameSite: http.SameSiteLaxMode, MaxAge: int(sessionAbsolute / time.Second)})
	c.Set(ctxCSRF, token)
	return token
}

// language picks the request's language: the user's choice, else the language cookie (set by the
// switch before signing in), else Accept-Language.
func (h *Handler) language(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		choice := ""
		if u := h.user(c); u != nil {
			choice = u.Lang
		}
		if choice == "" {
			if ck, err := c.Cookie(langCookie); err == nil {
				choice = ck.Value
			}
		}
		c.Set(ctxLang, views.MatchLanguage(choice, c.Request().Header.Get("Accept-Language")))
		return next(c)
	}
}
