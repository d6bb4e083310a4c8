package handlers

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
)

// errorData is what the error page shows.
type errorData struct {
	Status  int
	Heading string
	Message string
}

// errorHandler is the one place where returned errors become responses: 4xx says what to fix, 5xx says
// something went wrong with the request id, and the detail goes to the log only — on the request's
// one line (logRequests).
func (h *Handler) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		noteLogError(c, err, true)
		return
	}
	status := http.StatusInternalServerError
	msg := ""
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		status = he.Code
		if m, ok := he.Message.(string); ok {
			msg = m
		}
		if he.Internal != nil {
			noteLogError(c, he.Internal, false)
		}
	case errors.Is(err, db.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, db.ErrConflict):
		status = http.StatusConflict
	}
	reqID := c.Response().Header().Get(echo.HeaderXRequestID)
	if status >= 500 {
		noteLogError(c, err, false)
		msg = h.T(c, "error.internal", reqID)
	}
	if msg == "" || msg == http.StatusText(status) {
		msg = h.defaultMessage(c, status)
	}
	if wantsJSON(c) {
		_ = c.JSON(status, map[string]any{"error": msg, "status": status})
		return
	}
	if c.Request().Method == http.MethodHead {
		_ = c.NoContent(status)
		return
	}
	heading := h.defaultHeading(c, status)
	p := h.page(c, heading, "", errorData{Status: status, Heading: heading, Message: msg})
	if h.user(c) == nil {
		p.Layout = "auth"
	}
	if rerr := h.render(c, status, "error", p); rerr != nil {
		noteLogError(c, fmt.Errorf("%w; rendering the error page: %w", err, rerr), false)
		_ = c.String(status, msg)
	}
}

// Context keys for the request log.
const (
	ctxLogErr  = "log_err"  // the error detail to log with the request
	ctxLogLate = "log_late" // the error came after the response had started
)

// noteLogError keeps an error's detail for the request's log line.
func noteLogError(c echo.Context, err error, late bool) {
	c.Set(ctxLogErr, err)
	if late {
		c.Set(ctxLogLate, true)
	}
}

// logRequests writes one line per request once it is answered: the path without its query or the
// secrets some paths carry (logPath), the status, the time taken, the request id and the client's
// address. Server errors, and errors after the response started, are logged at ERROR with their
// detail; a client's mistake (4xx) is not the server's, so it stays at INFO (WARN when it carries an
// internal detail worth a look).
func (h *Handler) logRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		req, res := c.Request(), c.Response()
		errDetail, _ := c.Get(ctxLogErr).(error)
		late, _ := c.Get(ctxLogLate).(bool)
		lvl := slog.LevelInfo
		switch {
		case res.Status >= 500 || late:
			lvl = slog.LevelError
		case errDetail != nil:
			lvl = slog.LevelWarn
		}
		attrs := []slog.Attr{slog.String("method", req.Method), slog.String("path", logPath(req.URL.Path)),
			slog.Int("status", res.Status), slog.Duration("latency", time.Since(start)),
			slog.String("request_id", res.Header().Get(echo.HeaderXRequestID)), slog.String("ip", c.RealIP())}
		if errDetail != nil {
			attrs = append(attrs, slog.String("err", errDetail.Error()))
		}
		h.Log.LogAttrs(req.Context(), lvl, "request", attrs...)
		return nil
	}
}

func (h *Handler) defaultHeading(c echo.Context, status int) string {
	switch status {
	case http.StatusNotFound:
		return h.T(c, "error.not_found_title")
	case http.StatusForbidden:
		return h.T(c, "error.forbidden_title")
	case http.StatusUnauthorized:
		return h.T(c, "error.signin_title")
	case http.StatusConflict:
		return h.T(c, "error.conflict_title")
	case http.StatusTooManyRequests:
		return h.T(c, "error.too_many_title")
	}
	if status >= 500 {
		return h.T(c, "error.internal_title")
	}
	return h.T(c, "error.bad_request_title")
}

func (h *Handler) defaultMessage(c echo.Context, status int) string {
	switch status {
	case http.StatusNotFound:
		return h.T(c, "error.not_found")
	case http.StatusForbidden:
		return h.T(c, "error.forbidden")
	case http.StatusUnauthorized:
		return h.T(c, "error.signin_required")
	case http.StatusMethodNotAllowed:
		return h.T(c, "error.method_not_allowed")
	case http.StatusRequestEntityTooLarge:
		return h.T(c, "error.too_large")
	}
	return h.T(c, "error.bad_request")
}
