package handlers

import (
	"crypto/subtle"
	"errors"
	"io"
	"mime/multipart"
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
	// CSRFField and CSRFHeader carry the token (docs/design.md §8).
	CSRFField  = "csrf"
	CSRFHeader = "X-CSRF-Token"
)

// session keys
const (
	sessUserID   = "uid"
	sessID       = "sid" // the server-side session's secret id (db.CreateSession)
	sessEpoch    = "epoch"
	sessSignedIn = "signed_in_at"
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

// loadSession finds the signed-in user for the request. The session must still exist on the server
// (signing out removes it, so a copy of the cookie stops working) and the user is read from the
// database on every request, so a role change, a disabled account or "sign out everywhere" takes
// effect at once.
func (h *Handler) loadSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		s := h.session(c)
		uid, _ := s.Values[sessUserID].(int64)
		if uid == 0 {
			return next(c)
		}
		ctx := c.Request().Context()
		now := h.Clock.Now()
		sid, _ := s.Values[sessID].(string)
		var stored *db.Session
		if sid != "" {
			var err error
			stored, err = h.DB.SessionRemembered(ctx, sid)
			if err != nil && !errors.Is(err, db.ErrNotFound) {
				return err
			}
		}
		epoch, _ := s.Values[sessEpoch].(int64)
		expired := stored != nil && (now.Sub(stored.CreatedAt) > sessionAbsolute || now.Sub(stored.SeenAt) > sessionIdle)
		u, err := h.DB.UserRemembered(ctx, uid)
		switch {
		case errors.Is(err, db.ErrNotFound):
			u = nil
		case err != nil:
			return err
		}
		if stored == nil || stored.UserID != uid || expired || u == nil || u.Disabled || u.SessionEpoch != epoch {
			if err := h.endSession(c, s); err != nil {
				return err
			}
			if expired && u != nil {
				h.setFlash(c, "info", "auth.session_expired")
			}
			return next(c)
		}
		c.Set(ctxUser, u)
		// Refresh the idle clock at most once a minute, to spare a write and a Set-Cookie on every request.
		// The server's record decides, not the cookie: a client that keeps sending the cookie it got at
		// sign-in (a script, a load tester) wrote the session on every request, and waited for the write
		// lock whenever a job held it.
		if now.Sub(stored.SeenAt) > time.Minute {
			if err := h.DB.TouchSession(ctx, sid, now); err != nil {
				return err
			}
			if err := s.Save(c.Request(), c.Response()); err != nil {
				return err
			}
		}
		return next(c)
	}
}

// startSession signs u in on this browser: a new session on the server, whose secret id the cookie
// carries.
func (h *Handler) startSession(c echo.Context, u *db.User) error {
	s := h.session(c)
	// A fresh session at sign-in, never one an attacker could have planted; a session this browser
	// still had (signing in as someone else) ends.
	if err := h.endSession(c, s); err != nil {
		return err
	}
	now := h.Clock.Now()
	sid, err := h.DB.CreateSession(c.Request().Context(), u.ID, now, sessionIdle, sessionAbsolute)
	if err != nil {
		return err
	}
	s.Values[sessUserID] = u.ID
	s.Values[sessID] = sid
	s.Values[sessEpoch] = u.SessionEpoch
	s.Values[sessSignedIn] = now.Unix()
	s.Options.MaxAge = int(sessionAbsolute / time.Second)
	c.Set(ctxUser, u)
	h.rotateCSRF(c)
	return s.Save(c.Request(), c.Response())
}

// endSession signs this browser out, on the server too. The cookie stays, emptied, so a flash message
// set afterwards ("you are signed out") still reaches the next page.
func (h *Handler) endSession(c echo.Context, s *sessions.Session) error {
	if sid, _ := s.Values[sessID].(string); sid != "" {
		if err := h.DB.EndSession(c.Request().Context(), sid); err != nil {
			return err
		}
	}
	for k := range s.Values {
		delete(s.Values, k)
	}
	c.Set(ctxUser, nil)
	return s.Save(c.Request(), c.Response())
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

// csrfToken issues a per-browser token in an HttpOnly cookie and makes it available to the pages. The
// check itself (verifyCSRF) runs per route, after authorize: a request the route would refuse anyway is
// refused before a byte of its body is read.
func (h *Handler) csrfToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if p := c.Request().URL.Path; strings.HasPrefix(p, "/intake/") || strings.HasPrefix(p, "/api/") {
			return next(c) // token routes: no browser, no cookie
		}
		if ck, err := c.Cookie(csrfCookie); err == nil && len(ck.Value) >= 32 {
			c.Set(ctxCSRF, ck.Value)
		} else {
			h.rotateCSRF(c)
		}
		return next(c)
	}
}

// verifyCSRF requires, on every state-changing request, the browser's token in the form field `csrf`
// or the header X-CSRF-Token (the double-submit pattern; the cookie is SameSite=Lax, so another site
// can neither read nor send it along a cross-site POST).
func (h *Handler) verifyCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if safeMethod(c.Request().Method) {
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
		if !h.csrfMatches(c, sent) {
			return echo.NewHTTPError(http.StatusForbidden, h.T(c, "error.csrf"))
		}
		return next(c)
	}
}

// verifyUploadCSRF is verifyCSRF for a multipart upload, without reading the file: the token comes
// from the header, else from the form's first part, which must be the `csrf` field (the upload form
// puts it first, and browsers send fields in document order). The rest of the body is left unread for
// the handler, which takes the parts from uploadParts. A body that is not multipart is an ordinary
// form under the 1 MB limit, checked as any other.
func (h *Handler) verifyUploadCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	plain := h.verifyCSRF(next)
	return func(c echo.Context) error {
		if !strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) {
			return plain(c)
		}
		sent := c.Request().Header.Get(CSRFHeader)
		if sent == "" {
			if mr, err := c.Request().MultipartReader(); err == nil {
				c.Set(ctxUploadParts, mr)
				if part, err := mr.NextPart(); err == nil && part.FormName() == CSRFField {
					b, _ := io.ReadAll(io.LimitReader(part, 256))
					sent = string(b)
				}
			}
		}
		if !h.csrfMatches(c, sent) {
			return echo.NewHTTPError(http.StatusForbidden, h.T(c, "error.csrf"))
		}
		return next(c)
	}
}

// uploadParts returns the multipart reader of an upload, positioned after the CSRF field when
// verifyUploadCSRF read it from the body.
func uploadParts(c echo.Context) (*multipart.Reader, error) {
	if mr, ok := c.Get(ctxUploadParts).(*multipart.Reader); ok {
		return mr, nil
	}
	return c.Request().MultipartReader()
}

func (h *Handler) csrfMatches(c echo.Context, sent string) bool {
	token, _ := c.Get(ctxCSRF).(string)
	return sent != "" && token != "" && subtle.ConstantTimeCompare([]byte(sent), []byte(token)) == 1
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// formBodyLimit caps a request body: the largest form (a business profile description, a bulk decline
// of 500 leads) is a few tens of kilobytes. Without a cap, a form post from anyone, signed in or not,
// would be read in full (multipart files spilling to disk) before the CSRF check even ran.
const formBodyLimit = 1 << 20

// limitBody caps every request body at formBodyLimit. Only a route that has checked who is asking
// may raise the cap (raiseBodyLimit): the CSV upload, once sign-in, role and CSRF token are known good.
func (h *Handler) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Body != nil && req.Body != http.NoBody {
			limit := int64(formBodyLimit)
			if strings.HasPrefix(req.URL.Path, "/intake/partnercenter/") {
				limit = partnercenter.MaxEventBytes // a webhook event is a small pointer
			}
			b := &cappedBody{w: c.Response(), orig: req.Body}
			b.cur = http.MaxBytesReader(b.w, b.orig, limit)
			req.Body = b
		}
		return next(c)
	}
}

// cappedBody is a request body behind http.MaxBytesReader whose cap can be raised later.
type cappedBody struct {
	w    http.ResponseWriter
	orig io.ReadCloser
	cur  io.ReadCloser
	read int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	n, err := b.cur.Read(p)
	b.read += int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.orig.Close() }

// raiseBodyLimit lets the request body be read up to limit bytes in all.
func raiseBodyLimit(c echo.Context, limit int64) {
	if b, ok := c.Request().Body.(*cappedBody); ok {
		b.cur = http.MaxBytesReader(b.w, b.orig, max(limit-b.read, 0))
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
