package partnercenter

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Page is one page of a list call. A referral that does not decode or validate is set aside in
// Invalid with its error, so one bad referral never stops the rest of the batch.
type Page struct {
	Referrals []Referral
	Invalid   []InvalidReferral
}

// InvalidReferral is a referral of a page that could not be used; ID is set when it could be read.
type InvalidReferral struct {
	ID  string
	Err error
}

// listResponse is an OData collection.
type listResponse struct {
	Value    []json.RawMessage `json:"value"`
	NextLink string            `json:"@odata.nextLink"`
}

// List pulls the referrals updated after since (all of them when since is zero), oldest change
// first, page by page, following @odata.nextLink only while it stays under the API base. Iteration
// stops after the first error, which is yielded with a nil page. A page whose next link leaves the
// API base is not handed over at all. The caller's watermark for the next pull is the largest
// UpdatedDateTime of the pages it has fully stored; re-reading a referral is harmless (the eTag says
// whether anything changed), missing one is not.
//
//	for page, err := range client.List(ctx, since) { ... }
func (c *Client) List(ctx context.Context, since time.Time) iter.Seq2[*Page, error] {
	return func(yield func(*Page, error) bool) {
		q := url.Values{}
		if !since.IsZero() {
			q.Set("$filter", "updatedDateTime gt "+since.UTC().Format(time.RFC3339Nano))
		}
		q.Set("$orderby", "updatedDateTime asc")
		q.Set("$top", strconv.Itoa(c.cfg.PageSize))
		next := c.api.String() + ReferralsPath + "?" + encodeOData(q)
		for next != "" {
			page, link, err := c.listPage(ctx, next)
			if err != nil {
				yield(nil, err)
				return
			}
			if link != "" {
				if err := c.underAPI(link, ReferralsPath); err != nil {
					yield(nil, err)
					return
				}
			}
			if !yield(page, nil) {
				return
			}
			next = link
		}
	}
}

// encodeOData encodes a query keeping "$" readable, as OData documentation writes it.
func encodeOData(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "%24", "$")
}

func (c *Client) listPage(ctx context.Context, u string) (*Page, string, error) {
	status, h, body, err := c.send(ctx, request{method: http.MethodGet, url: u})
	if err != nil {
		return nil, "", err
	}
	if status != http.StatusOK {
		return nil, "", c.apiError(http.MethodGet, u, status, h, body)
	}
	var lr listResponse
	if err := json.Unmarshal(body, &lr); err != nil {
		return nil, "", fmt.Errorf("partnercenter: GET %s: the page is not an OData collection: %w", ReferralsPath, err)
	}
	page := &Page{Referrals: make([]Referral, 0, len(lr.Value))}
	for _, raw := range lr.Value {
		r, err := DecodeReferral(raw)
		if err != nil {
			page.Invalid = append(page.Invalid, InvalidReferral{ID: r.ID, Err: err})
			continue
		}
		page.Referrals = append(page.Referrals, r)
	}
	return page, lr.NextLink, nil
}

// underAPI refuses a link that leaves the configured API base (another scheme, host or port, or a
// path outside prefix).
func (c *Client) underAPI(link, prefix string) error {
	u, err := url.Parse(link)
	if err != nil || u.User != nil || !strings.EqualFold(u.Scheme, c.api.Scheme) || !strings.EqualFold(u.Host, c.api.Host) {
		return fmt.Errorf("%w: %s", ErrForeignLink, hostOf(link))
	}
	want := strings.TrimRight(c.api.Path, "/") + prefix
	if u.Path != want && !strings.HasPrefix(u.Path, want+"/") {
		return fmt.Errorf("%w: path %s", ErrForeignLink, u.Path)
	}
	return nil
}

// hostOf names a link's host for an error, without the rest of it.
func hostOf(link string) string {
	if u, err := url.Parse(link); err == nil && u.Host != "" {
		return u.Scheme + "://" + u.Host
	}
	return "an unreadable link"
}

func (c *Client) referralURL(id string) (string, error) {
	if strings.TrimSpace(id) == "" {
		return "", &FieldError{Field: "id", Problem: "missing"}
	}
	return c.api.String() + ReferralsPath + "/" + url.PathEscape(id), nil
}

// Get reads one referral; its ETag is what Patch sends as If-Match.
func (c *Client) Get(ctx context.Context, id string) (Referral, error) {
	u, err := c.referralURL(id)
	if err != nil {
		return Referral{}, err
	}
	status, h, body, err := c.send(ctx, request{method: http.MethodGet, url: u})
	if err != nil {
		return Referral{}, err
	}
	if status != http.StatusOK {
		return Referral{}, c.apiError(http.MethodGet, u, status, h, body)
	}
	r, err := DecodeReferral(body)
	if err != nil {
		return r, err
	}
	if r.ETag == "" {
		r.ETag = h.Get("ETag")
	}
	return r, nil
}

// PatchOp is one JSON Patch (RFC 6902) operation; the API takes "replace" and "add" only.
type PatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// Patch applies ops to a referral if it still has eTag (If-Match) and returns the referral as it now
// is, with its new eTag. A 412 is ErrStale (re-read and compare), a 400 an APIError that is not
// retryable and carries Microsoft's answer, a 429/503 a retryable APIError with its RetryAfter.
func (c *Client) Patch(ctx context.Context, id, eTag string, ops []PatchOp) (Referral, error) {
	u, err := c.referralURL(id)
	if err != nil {
		return Referral{}, err
	}
	if eTag == "" {
		return Referral{}, &FieldError{ReferralID: id, Field: "eTag", Problem: "missing: a PATCH always sends If-Match"}
	}
	if len(ops) == 0 {
		return Referral{}, &FieldError{ReferralID: id, Field: "ops", Problem: "nothing to change"}
	}
	for _, op := range ops {
		if op.Op != "replace" && op.Op != "add" {
			return Referral{}, &FieldError{ReferralID: id, Field: "ops", Problem: fmt.Sprintf("operation %q is not supported (replace and add only)", op.Op)}
		}
	}
	body, err := json.Marshal(ops)
	if err != nil {
		return Referral{}, fmt.Errorf("partnercenter: patch %s: %w", id, err)
	}
	status, h, resp, err := c.send(ctx, request{method: http.MethodPatch, url: u, body: body, headers: map[string]string{
		"Content-Type": "application/json-patch+json",
		"If-Match":     eTag,
		"Prefer":       "return=representation",
	}})
	if err != nil {
		return Referral{}, err
	}
	switch status {
	case http.StatusOK:
		r, err := DecodeReferral(resp)
		if r.ETag == "" {
			r.ETag = h.Get("ETag")
		}
		return r, err
	case http.StatusNoContent:
		// The server ignored Prefer; read the referral back for its new eTag.
		return c.Get(ctx, id)
	}
	return Referral{}, c.apiError(http.MethodPatch, u, status, h, resp)
}
