package handlers

import (
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/intake"
)

// The changes feed (issue 18): GET /api/v1/leads?updated_since=RFC3339 starts it, and the answer's
// nextCursor (a feed cursor, "c…") continues it, now or at the next poll. Each lead changed since is
// served once, at its latest change, in the order of the changes (the domain_events sequence), with
// expirations and other job changes among them, and a tombstone ({"id", "deleted": true}) for a lead
// that no longer exists. A lead that changes again is served again later; none is skipped.

// feedCursorPrefix tells a feed cursor from the list's paging cursor.
const feedCursorPrefix = "c"

func encodeFeedCursor(seq int64) string {
	return feedCursorPrefix + base64.RawURLEncoding.EncodeToString([]byte("seq."+strconv.FormatInt(seq, 10)))
}

func decodeFeedCursor(s string) (int64, bool) {
	if !strings.HasPrefix(s, feedCursorPrefix) {
		return 0, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s[len(feedCursorPrefix):])
	if err != nil {
		return 0, false
	}
	n, ok := strings.CutPrefix(string(b), "seq.")
	if !ok {
		return 0, false
	}
	seq, err := strconv.ParseInt(n, 10, 64)
	return seq, err == nil && seq >= 0
}

// isFeedRequest reports whether a list request asks for the changes feed.
func isFeedRequest(c echo.Context) bool {
	q := c.QueryParams()
	_, feed := decodeFeedCursor(q.Get("cursor"))
	return q.Has("updated_since") || feed
}

// apiChange is one entry of the feed.
type apiChange struct {
	ID        int64    `json:"id"`
	ChangeSeq int64    `json:"changeSeq"`
	Deleted   bool     `json:"deleted,omitempty"`
	Lead      *apiLead `json:"lead,omitempty"`
}

// apiChanges answers the changes feed.
func (h *Handler) apiChanges(c echo.Context) error {
	q := c.QueryParams()
	var errs intake.Errors
	for k := range q {
		if k != "updated_since" && k != "cursor" && k != "limit" {
			errs = append(errs, intake.FieldError{Field: k, Message: h.T(c, "integ.api.unknown_field")})
		}
	}
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			errs = append(errs, intake.FieldError{Field: "limit", Message: "must be a number from 1 to 500"})
		}
		limit = n
	}
	var after int64
	var since time.Time
	switch cur, hasSince := q.Get("cursor"), q.Has("updated_since"); {
	case cur != "" && hasSince:
		errs = append(errs, intake.FieldError{Field: "cursor", Message: h.T(c, "integ.api.feed_exclusive")})
	case hasSince:
		t, err := time.Parse(time.RFC3339, q.Get("updated_since"))
		if err != nil {
			errs = append(errs, intake.FieldError{Field: "updated_since", Message: h.T(c, "integ.api.updated_since")})
		}
		since = t
	default:
		seq, ok := decodeFeedCursor(cur)
		if !ok {
			errs = append(errs, intake.FieldError{Field: "cursor", Message: h.T(c, "integ.api.feed_cursor")})
		}
		after = seq
	}
	if len(errs) > 0 {
		return h.intakeBadRequest(c, errs)
	}
	ctx := c.Request().Context()
	if !since.IsZero() {
		seq, err := h.DB.ChangeSeqAt(ctx, since)
		if err != nil {
			return err
		}
		after = seq
	}
	changes, err := h.DB.LeadChangesAfter(ctx, after, limit)
	if err != nil {
		return err
	}
	out := struct {
		Value      []apiChange `json:"value"`
		NextCursor string      `json:"nextCursor"`
		More       bool        `json:"more"`
	}{Value: make([]apiChange, 0, len(changes)), More: len(changes) == limit}
	next := after
	for _, ch := range changes {
		item := apiChange{ID: ch.LeadID, ChangeSeq: ch.Seq, Deleted: ch.Lead == nil}
		if ch.Lead != nil {
			a := toAPILead(ch.Lead)
			item.Lead = &a
		}
		out.Value = append(out.Value, item)
		next = ch.Seq
	}
	out.NextCursor = encodeFeedCursor(next)
	return c.JSON(http.StatusOK, out)
}
