package pcsim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"leaddesk/partnercenter"
)

// query is a parsed list request.
type query struct {
	filters []func(*partnercenter.Referral) bool
	orderBy string // updatedDateTime or createdDateTime
	desc    bool
	top     int
	after   *skipKey
	count   bool
}

// skipKey is the $skiptoken: the sort key of the last referral sent. Keyset paging means a referral
// updated while a client pages moves behind the cursor and is sent again, never skipped.
type skipKey struct {
	T  time.Time `json:"t"`
	ID string    `json:"id"`
}

func (s *Sim) listReferrals(w http.ResponseWriter, r *http.Request) {
	q, err := s.parseQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	s.mu.Lock()
	s.stats.Pages++
	matched := make([]*partnercenter.Referral, 0, len(s.referrals))
	for _, ref := range s.referrals {
		if q.keep(ref) {
			matched = append(matched, ref)
		}
	}
	slices.SortFunc(matched, func(a, b *partnercenter.Referral) int { return q.compare(a, b) })
	total := len(matched)
	start := 0
	if q.after != nil {
		start, _ = slices.BinarySearchFunc(matched, *q.after, func(ref *partnercenter.Referral, k skipKey) int {
			c := q.compareKey(ref, k)
			if c == 0 {
				return -1 // start after the key itself
			}
			return c
		})
	}
	end := min(start+q.top, len(matched))
	page := make([]json.RawMessage, 0, end-start)
	for _, ref := range matched[start:end] {
		b, _ := json.Marshal(ref)
		page = append(page, b)
	}
	body := map[string]any{"@odata.context": s.baseFor(r) + "/v1.0/$metadata#referrals", "value": page}
	if q.count {
		body["@odata.count"] = total
	}
	if end < len(matched) {
		last := matched[end-1]
		key, _ := json.Marshal(skipKey{T: q.sortTime(last), ID: last.ID})
		next := r.URL.Query()
		next.Set("$skiptoken", base64.RawURLEncoding.EncodeToString(key))
		next.Set("$top", strconv.Itoa(q.top))
		base := s.nextBase
		if base == "" {
			base = s.baseFor(r)
		}
		body["@odata.nextLink"] = base + partnercenter.ReferralsPath + "?" + strings.ReplaceAll(next.Encode(), "%24", "$")
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

// baseFor is scheme://host as the client reached the simulator.
func (s *Sim) baseFor(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Sim) parseQuery(v url.Values) (query, error) {
	q := query{orderBy: "updatedDateTime", top: s.opts.MaxPageSize}
	if f := strings.TrimSpace(v.Get("$filter")); f != "" {
		for _, clause := range strings.Split(f, " and ") {
			fn, err := parseClause(strings.TrimSpace(clause))
			if err != nil {
				return q, err
			}
			q.filters = append(q.filters, fn)
		}
	}
	if o := strings.Fields(v.Get("$orderby")); len(o) > 0 {
		if len(o) > 2 || (o[0] != "updatedDateTime" && o[0] != "createdDateTime") || (len(o) == 2 && o[1] != "asc" && o[1] != "desc") {
			return q, fmt.Errorf("$orderby %q is not supported: use updatedDateTime or createdDateTime, asc or desc", v.Get("$orderby"))
		}
		q.orderBy, q.desc = o[0], len(o) == 2 && o[1] == "desc"
	}
	if t := v.Get("$top"); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 1 {
			return q, fmt.Errorf("$top %q is not a positive number", t)
		}
		q.top = min(n, s.opts.MaxPageSize)
	}
	if st := v.Get("$skiptoken"); st != "" {
		b, err := base64.RawURLEncoding.DecodeString(st)
		var k skipKey
		if err != nil || json.Unmarshal(b, &k) != nil || k.ID == "" {
			return q, fmt.Errorf("$skiptoken is not valid")
		}
		q.after = &k
	}
	q.count = v.Get("$count") == "true"
	return q, nil
}

// parseClause reads one comparison: a date-time field with gt/ge/lt/le and an unquoted date-time, or
// status, substatus, type, qualification or direction with eq and a quoted value.
func parseClause(c string) (func(*partnercenter.Referral) bool, error) {
	parts := strings.SplitN(c, " ", 3)
	if len(parts) != 3 {
		return nil, fmt.Errorf("$filter clause %q is not understood", c)
	}
	field, op, val := parts[0], parts[1], strings.TrimSpace(parts[2])
	switch field {
	case "updatedDateTime", "createdDateTime":
		t, err := time.Parse(time.RFC3339Nano, val)
		if err != nil {
			return nil, fmt.Errorf("$filter: %q is not a date-time", val)
		}
		get := func(r *partnercenter.Referral) time.Time { return r.UpdatedDateTime.Time }
		if field == "createdDateTime" {
			get = func(r *partnercenter.Referral) time.Time { return r.CreatedDateTime.Time }
		}
		switch op {
		case "gt":
			return func(r *partnercenter.Referral) bool { return get(r).After(t) }, nil
		case "ge":
			return func(r *partnercenter.Referral) bool { return !get(r).Before(t) }, nil
		case "lt":
			return func(r *partnercenter.Referral) bool { return get(r).Before(t) }, nil
		case "le":
			return func(r *partnercenter.Referral) bool { return !get(r).After(t) }, nil
		}
	case "status", "substatus", "type", "qualification", "direction":
		s, ok := strings.CutPrefix(val, "'")
		s, ok2 := strings.CutSuffix(s, "'")
		if op != "eq" || !ok || !ok2 {
			break
		}
		return func(r *partnercenter.Referral) bool {
			return map[string]string{"status": r.Status, "substatus": r.Substatus, "type": r.Type,
				"qualification": r.Qualification, "direction": r.Direction}[field] == s
		}, nil
	}
	return nil, fmt.Errorf("$filter clause %q is not supported", c)
}

func (q query) keep(r *partnercenter.Referral) bool {
	for _, f := range q.filters {
		if !f(r) {
			return false
		}
	}
	return true
}

func (q query) sortTime(r *partnercenter.Referral) time.Time {
	if q.orderBy == "createdDateTime" {
		return r.CreatedDateTime.Time
	}
	return r.UpdatedDateTime.Time
}

func (q query) compareKey(r *partnercenter.Referral, k skipKey) int {
	c := r.UpdatedDateTime.Compare(k.T)
	if q.orderBy == "createdDateTime" {
		c = r.CreatedDateTime.Compare(k.T)
	}
	if c == 0 {
		c = strings.Compare(r.ID, k.ID)
	}
	if q.desc {
		return -c
	}
	return c
}

func (q query) compare(a, b *partnercenter.Referral) int {
	return q.compareKey(a, skipKey{T: q.sortTime(b), ID: b.ID})
}

func (s *Sim) getReferral(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	ref, ok := s.referrals[r.PathValue("id")]
	var body []byte
	if ok {
		body, _ = json.Marshal(ref)
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "NotFound", "Referral not found.")
		return
	}
	w.Header().Set("ETag", ref.ETag)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(body)
}

// patchReferral applies a JSON Patch (replace and add only) under If-Match, checking the transition
// table; the referral gets a new eTag and updatedDateTime.
func (s *Sim) patchReferral(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); strings.TrimSpace(mt) != "application/json-patch+json" {
		writeError(w, http.StatusUnsupportedMediaType, "UnsupportedMediaType", "Content-Type must be application/json-patch+json.")
		return
	}
	var ops []partnercenter.PatchOp
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	if err := dec.Decode(&ops); err != nil || len(ops) == 0 {
		writeError(w, http.StatusBadRequest, "BadRequest", "The body must be a non-empty JSON Patch array.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Patches++
	cur, ok := s.referrals[r.PathValue("id")]
	if !ok {
		writeError(w, http.StatusNotFound, "NotFound", "Referral not found.")
		return
	}
	if im := r.Header.Get("If-Match"); im != "" && im != "*" && im != cur.ETag {
		writeError(w, http.StatusPreconditionFailed, "PreconditionFailed", "The referral was changed by someone else (eTag mismatch).")
		return
	}
	next, err := applyPatch(*cur, ops)
	if err != nil {
		writeError(w, http.StatusBadRequest, "BadRequest", err.Error())
		return
	}
	if err := checkTransition(cur, &next); err != nil {
		writeError(w, http.StatusBadRequest, "InvalidStatusTransition", err.Error())
		return
	}
	s.touch(&next)
	s.referrals[next.ID] = &next
	w.Header().Set("ETag", next.ETag)
	if strings.Contains(r.Header.Get("Prefer"), "return=representation") {
		writeJSON(w, http.StatusOK, next)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// applyPatch applies ops to a copy of ref; only the paths a partner may change are accepted.
func applyPatch(ref partnercenter.Referral, ops []partnercenter.PatchOp) (partnercenter.Referral, error) {
	ref.Team = slices.Clone(ref.Team)
	for i, op := range ops {
		if op.Op != "replace" && op.Op != "add" {
			return ref, fmt.Errorf("operation %d: %q is not supported; only replace and add are", i, op.Op)
		}
		str := func() (string, error) {
			s, ok := op.Value.(string)
			if !ok {
				return "", fmt.Errorf("operation %d: %s takes a string", i, op.Path)
			}
			return s, nil
		}
		var err error
		switch op.Path {
		case "/status":
			ref.Status, err = str()
		case "/substatus":
			ref.Substatus, err = str()
		case "/statusReason":
			ref.StatusReason, err = str()
		case "/externalReferenceId":
			ref.ExternalReferenceID, err = str()
		case "/name":
			ref.Name, err = str()
		case "/details/notes":
			ref.Details.Notes, err = str()
		case "/details/currency":
			var c string
			if c, err = str(); err == nil {
				if len(c) != 3 || strings.ToUpper(c) != c {
					err = fmt.Errorf("operation %d: currency %q is not an ISO 4217 code", i, c)
				}
				ref.Details.Currency = c
			}
		case "/details/dealValue":
			raw, _ := json.Marshal(op.Value)
			var d partnercenter.Decimal
			if e := json.Unmarshal(raw, &d); e != nil || d == "" || !d.Valid() {
				err = fmt.Errorf("operation %d: dealValue %s is not a non-negative decimal", i, raw)
			}
			ref.Details.DealValue = &d
		case "/details/closingDateTime":
			raw, _ := json.Marshal(op.Value)
			var t partnercenter.Time
			if e := json.Unmarshal(raw, &t); e != nil || !t.Valid() {
				err = fmt.Errorf("operation %d: closingDateTime %s is not a date-time", i, raw)
			}
			ref.Details.ClosingDateTime = t
		case "/team/-":
			raw, _ := json.Marshal(op.Value)
			var m partnercenter.Member
			if op.Op != "add" || json.Unmarshal(raw, &m) != nil || m.Email == "" {
				err = fmt.Errorf("operation %d: /team/- takes add with a member that has an email", i)
			}
			ref.Team = append(ref.Team, m)
		default:
			err = fmt.Errorf("operation %d: path %q cannot be changed", i, op.Path)
		}
		if err != nil {
			return ref, err
		}
	}
	return ref, nil
}

// checkTransition enforces the transition table and the substatuses each status allows; a closed
// referral is final (its substatus stays).
func checkTransition(from, to *partnercenter.Referral) error {
	if !partnercenter.CanMove(from.Status, to.Status) {
		return fmt.Errorf("status cannot move from %s to %s", from.Status, to.Status)
	}
	if !partnercenter.SubstatusAllowed(to.Status, to.Substatus) {
		return fmt.Errorf("substatus %s is not allowed with status %s", to.Substatus, to.Status)
	}
	if from.Status == partnercenter.StatusClosed && to.Substatus != from.Substatus {
		return fmt.Errorf("a closed referral keeps its substatus %s", from.Substatus)
	}
	return nil
}

// touch gives a written referral a new eTag and an updatedDateTime later than any before, so
// "updatedDateTime gt <last seen>" never misses a write; s.mu is held.
func (s *Sim) touch(r *partnercenter.Referral) {
	now := s.opts.Clock.Now().UTC()
	if !now.After(s.lastWrite) {
		now = s.lastWrite.Add(time.Microsecond)
	}
	s.lastWrite = now
	r.UpdatedDateTime = partnercenter.Time{Time: now}
	if r.CreatedDateTime.IsZero() {
		r.CreatedDateTime = r.UpdatedDateTime
	}
	if r.Status == partnercenter.StatusActive && r.AcceptedDateTime.IsZero() {
		r.AcceptedDateTime = r.UpdatedDateTime
	}
	id := randomID(16)
	r.ETag = `"` + id[:8] + "-0000-0000-0000-" + id[8:20] + `"`
}

// registration is the webhook registration body.
type registration struct {
	WebhookURL    string   `json:"WebhookUrl"`
	WebhookEvents []string `json:"WebhookEvents"`
}

func (s *Sim) registerWebhook(w http.ResponseWriter, r *http.Request) {
	var reg registration
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&reg); err != nil || reg.WebhookURL == "" {
		writeError(w, http.StatusBadRequest, "BadRequest", "WebhookUrl is required.")
		return
	}
	if u, err := url.Parse(reg.WebhookURL); err != nil || !u.IsAbs() {
		writeError(w, http.StatusBadRequest, "BadRequest", "WebhookUrl must be an absolute URL.")
		return
	}
	s.RegisterWebhook(reg.WebhookURL)
	writeJSON(w, http.StatusOK, reg)
}

// Referral returns the referral as the simulator holds it.
func (s *Sim) Referral(id string) (partnercenter.Referral, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.referrals[id]
	if !ok {
		return partnercenter.Referral{}, false
	}
	return *r, true
}

// Create adds a referral as Microsoft sending it (an id is given if it has none) and POSTs
// referral-created to the registered receiver; the delivery's failure is returned.
func (s *Sim) Create(r partnercenter.Referral) (partnercenter.Referral, error) {
	s.mu.Lock()
	if r.ID == "" {
		r.ID = newReferralID()
	}
	s.touch(&r)
	s.referrals[r.ID] = &r
	s.mu.Unlock()
	return r, s.deliver(partnercenter.EventReferralCreated, r.ID)
}

// ChangeAsMicrosoft applies change to a referral as a Microsoft seller or a colleague in Partner
// Center would (accepting it, expiring it, editing the deal), gives it a new eTag and POSTs
// referral-updated to the registered receiver.
func (s *Sim) ChangeAsMicrosoft(id string, change func(*partnercenter.Referral)) (partnercenter.Referral, error) {
	s.mu.Lock()
	cur, ok := s.referrals[id]
	if !ok {
		s.mu.Unlock()
		return partnercenter.Referral{}, fmt.Errorf("pcsim: no referral %s", id)
	}
	next := *cur
	change(&next)
	next.ID = id
	s.touch(&next)
	s.referrals[id] = &next
	s.mu.Unlock()
	return next, s.deliver(partnercenter.EventReferralUpdated, id)
}

// deliver POSTs one event to the receiver, if one is registered.
func (s *Sim) deliver(event, id string) error {
	s.mu.Lock()
	hook, base := s.webhook, s.opts.BaseURL
	if hook != "" {
		s.stats.WebhookCalls++
	}
	s.mu.Unlock()
	if hook == "" {
		return nil
	}
	body, _ := json.Marshal(partnercenter.Event{EventName: event, ResourceURI: base + partnercenter.ReferralsPath + "/" + url.PathEscape(id),
		ResourceName: "referral", ResourceChangeUtcDate: s.opts.Clock.Now().UTC().Format("2006-01-02T15:04:05.0000000+00:00")})
	resp, err := s.opts.WebhookClient.Post(hook, "application/json", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("pcsim: webhook %s: %w", event, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("pcsim: webhook %s: receiver answered %d", event, resp.StatusCode)
	}
	return nil
}

func newReferralID() string {
	id := randomID(16)
	return id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:]
}
