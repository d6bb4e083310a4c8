package partnercenter

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Webhook event names of the referrals.
const (
	EventReferralCreated = "referral-created"
	EventReferralUpdated = "referral-updated"
	// MaxEventBytes is more than any event needs; a receiver reads no more than this.
	MaxEventBytes = 64 << 10
)

// Event is a Partner Center webhook event: a pointer to a changed resource, never its content.
type Event struct {
	EventName             string  `json:"EventName"`
	ResourceURI           string  `json:"ResourceUri"`
	ResourceName          string  `json:"ResourceName"`
	AuditURI              *string `json:"AuditUri"`
	ResourceChangeUtcDate string  `json:"ResourceChangeUtcDate"`
	// ReferralID is the referral to fetch, set for referral-created and referral-updated events
	// whose ResourceUri is under the configured API base (or a documented referral event prefix).
	ReferralID string `json:"-"`
}

// ParseEvent reads a webhook event. Events of other kinds (test-created, related-referral-…) come
// back without ReferralID and without error, to be acknowledged and ignored. A referral event whose
// ResourceUri points anywhere else is ErrForeignLink: the URI is never followed, the referral is
// always fetched from the configured API base by its id.
func (c *Client) ParseEvent(body []byte) (Event, error) {
	var ev Event
	if len(body) > MaxEventBytes {
		return ev, fmt.Errorf("%w: webhook event of %d bytes", ErrTooLarge, len(body))
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		return ev, &FieldError{Field: "(event)", Problem: "malformed: " + err.Error()}
	}
	if ev.EventName == "" {
		return ev, &FieldError{Field: "EventName", Problem: "missing"}
	}
	if ev.EventName != EventReferralCreated && ev.EventName != EventReferralUpdated {
		return ev, nil
	}
	if ev.ResourceURI == "" {
		return ev, &FieldError{Field: "ResourceUri", Problem: "missing"}
	}
	for _, p := range c.prefixes {
		if id, ok := idUnder(ev.ResourceURI, p); ok {
			ev.ReferralID = id
			return ev, nil
		}
	}
	return ev, fmt.Errorf("%w: ResourceUri on %s", ErrForeignLink, hostOf(ev.ResourceURI))
}

// idUnder returns the single path segment following prefix in uri, comparing scheme and host
// without regard to case.
func idUnder(uri, prefix string) (string, bool) {
	u, err := url.Parse(uri)
	p, perr := url.Parse(prefix)
	if err != nil || perr != nil || u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
		!strings.EqualFold(u.Scheme, p.Scheme) || !strings.EqualFold(u.Host, p.Host) {
		return "", false
	}
	rest, ok := strings.CutPrefix(u.EscapedPath(), p.EscapedPath())
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return "", false
	}
	id, err := url.PathUnescape(rest)
	if err != nil || id == "" || id == "." || id == ".." {
		return "", false
	}
	return id, true
}
