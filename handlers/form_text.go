package handlers

import (
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
)

// refuseInvalidText answers 422, naming the field, when a form field or query parameter of a browser
// route is not valid UTF-8 (issue 11). One rule for every form, so no handler can store bytes that
// later break a page, an export or a mail. Token routes (intake, API) keep their own rules.
// Multipart bodies are checked only as far as an earlier step already parsed them: reading an upload
// here would bypass the limits its handler applies.
func (h *Handler) refuseInvalidText(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		sets := []url.Values{r.URL.Query()}
		if ct, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); ct == echo.MIMEApplicationForm && r.Method != http.MethodGet {
			if err := r.ParseForm(); err == nil {
				sets = append(sets, r.PostForm)
			}
		}
		if r.MultipartForm != nil {
			sets = append(sets, r.MultipartForm.Value)
		}
		for _, vals := range sets {
			if field, bad := invalidTextField(vals); bad {
				return echo.NewHTTPError(http.StatusUnprocessableEntity, h.T(c, "form.invalid_text", field))
			}
		}
		return next(c)
	}
}

// invalidTextField returns the first field (in name order) whose name or a value is not valid UTF-8.
func invalidTextField(vals url.Values) (string, bool) {
	names := make([]string, 0, len(vals))
	for k := range vals {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if !utf8.ValidString(k) || slices.ContainsFunc(vals[k], func(v string) bool { return !utf8.ValidString(v) }) {
			return strings.ToValidUTF8(k, "\uFFFD"), true
		}
	}
	return "", false
}
