package handlers

import (
	"errors"
	"net/http"

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
// something went wrong with the request id, and the detail goes to the log only.
func (h *Handler) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		h.Log.Error("error after response started", "err", err, "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
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
			h.Log.Warn("http error", "status", status, "err", he.Internal)
		}
	case errors.Is(err, db.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, db.ErrConflict):
		status = http.StatusConflict
	}
	reqID := c.Response().Header().Get(echo.HeaderXRequestID)
	if status >= 500 {
		h.Log.Error("request failed", "err", err, "method", c.Request().Method, "path", logPath(c.Request().URL.Path), "request_id", reqID)
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
		h.Log.Error("render error page", "err", rerr, "request_id", reqID)
		_ = c.String(status, msg)
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
