package handlers

import (
	"bytes"
	"errors"
	"html/template"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/lifecycle"
	"leaddesk/money"
	"leaddesk/sla"
)

// The parts of a list's row that depend on only a few values of a lead (the marks after the company,
// the contact's validity marks, the country with the source, the call to action with the lead type,
// the status with the time left, the owner's avatar, the heart's button) are partials' output,
// rendered once per language and values and kept on the Handler: executing their templates for every
// row made a row several times slower, at about a microsecond a template action
// (BenchmarkLeadsFreshRows). Each kind of cell is a key type holding exactly what its partial reads,
// and the partial is rendered from the key alone, so a kept cell cannot differ from a fresh rendering
// (TestKeptCellsReadOnlyTheirKeys). The values are the leads' enumerations (CHECK constraints in the
// schema), countries, a team's owners and the phrases of time left, so the cache stays at a few
// thousand entries.

// cell is one kept rendering: the language, the partial of leads/index and its data, all from the key.
type cell interface {
	partial() (lang, name string, data any)
}

// marksCell is "ws-row-marks": the flame, the spam warning (email validity, quality) and the overdue
// mark.
type marksCell struct {
	lang, flame, emailValidity, quality string
	overdue                             bool
}

// validityCell is "ws-row-validity": an offer's email and phone validity.
type validityCell struct{ lang, leadType, email, phone string }

// placeCell is "ws-row-place": the country with the source (and the test badge) under it.
type placeCell struct {
	lang, country, source string
	test                  bool
}

// kindCell is "ws-row-kind": the call to action, or the classification on the Qualified tab, with the
// lead type.
type kindCell struct {
	lang                          string
	classColumn                   bool
	cta, classification, leadType string
}

// statusDueCell is "ws-row-status-due": the status and the time left to respond with its urgency.
type statusDueCell struct{ lang, status, outcome, due, urgency string }

// ownerCell is the owner column's avatar: initials, with the full name as its title (issue 17). A
// team has a few dozen owners at most, so the cache stays small.
type ownerCell struct{ lang, initials, label string }

type heartButtonCell struct {
	lang string
	on   bool
}

func (k marksCell) partial() (string, string, any) {
	return k.lang, "ws-row-marks", leadRow{Lead: &lead.Lead{EmailValidity: k.emailValidity, Quality: k.quality}, Flame: k.flame, Overdue: k.overdue}
}
func (k validityCell) partial() (string, string, any) {
	return k.lang, "ws-row-validity", leadRow{Lead: &lead.Lead{LeadType: k.leadType, EmailValidity: k.email, PhoneValidity: k.phone}}
}
func (k placeCell) partial() (string, string, any) {
	return k.lang, "ws-row-place", leadRow{Lead: &lead.Lead{Country: k.country, Source: k.source, IsTest: k.test}}
}
func (k kindCell) partial() (string, string, any) {
	return k.lang, "ws-row-kind", leadRow{Lead: &lead.Lead{CTA: k.cta, Classification: k.classification, LeadType: k.leadType}, ClassColumn: k.classColumn}
}
func (k statusDueCell) partial() (string, string, any) {
	return k.lang, "ws-row-status-due", leadRow{Lead: &lead.Lead{Status: k.status, Outcome: k.outcome}, Due: k.due, Urgency: k.urgency}
}
func (k ownerCell) partial() (string, string, any) {
	return k.lang, "ws-owner", map[string]string{"Initials": k.initials, "Label": k.label}
}
func (k heartButtonCell) partial() (string, string, any) { return k.lang, "heart-button", k.on }

// rowHeart is what the "heart" partial is given in a row: the lead and token are the row's own, the
// button (its pressed state and label) is a kept cell.
type rowHeart struct {
	ID     int64
	On     bool
	CSRF   string
	Button template.HTML
}

// rowCells are a row's kept cells, placed by the "ws-row" template.
type rowCells struct {
	Marks, Validity, Place, Kind, StatusDue template.HTML
}

// rowCells are r's kept cells, from its lead and its Flame, Overdue, ClassColumn, Due and Urgency.
func (h *Handler) rowCells(lang string, r *leadRow) rowCells {
	l := r.Lead
	return rowCells{
		Marks:     h.cell(marksCell{lang, r.Flame, l.EmailValidity, l.Quality, r.Overdue}),
		Validity:  h.cell(validityCell{lang, l.LeadType, l.EmailValidity, l.PhoneValidity}),
		Place:     h.cell(placeCell{lang, l.Country, l.Source, l.IsTest}),
		Kind:      h.cell(kindCell{lang, r.ClassColumn, l.CTA, l.Classification, l.LeadType}),
		StatusDue: h.cell(statusDueCell{lang, l.Status, l.Outcome, r.Due, r.Urgency}),
	}
}

// rowText is a row's words and figures, made from its lead in the row's language: formatting them
// through template functions was a fifth of a row's rendering.
type rowText struct {
	// Select is the bulk checkbox's label; empty for an archived lead (bulk decline skips what it
	// cannot decline, bulk assignment what is archived) and without CanWork: no checkbox.
	Select  string
	Contact string // lead.ContactName
	Value   string // the deal value with its currency; empty when there is none
	Created string // the day the lead came in, as the row shows it
	// CreatedISO is the instant it came in, for <time>.
	CreatedISO string
}

func (h *Handler) rowText(lang string, r *leadRow) rowText {
	l := r.Lead
	t := rowText{Contact: l.ContactName(), Created: h.Views.FormatTime(l.CreatedAt, lang, false), CreatedISO: l.CreatedAt.UTC().Format(time.RFC3339)}
	if l.DealValue != 0 {
		t.Value = money.Amount{Minor: l.DealValue, Currency: l.Currency}.Format(lang)
	}
	if r.CanWork && l.Status != "archived" {
		t.Select = h.Catalog.T(lang, "ws.select_lead", l.CustomerCompany)
	}
	return t
}

// renderParts makes what r's rendering takes from the rest of r: its words and figures, its kept
// cells and its heart's button. They follow from the row's key (the lead's values, the row's flame,
// time left, view and heart, the language), which therefore leaves them out (keyOfRow); so they are
// made only for a row rendered afresh, and a kept row neither formats nor looks them up.
func (h *Handler) renderParts(lang string, r *leadRow) {
	r.Text = h.rowText(lang, r)
	r.Cells = h.rowCells(lang, r)
	if r.CanWork {
		r.Heart.Button = h.cell(heartButtonCell{lang, r.Heart.On})
	}
}

// rowsOf is what the rows of a page share.
type rowsOf struct {
	lang                 string
	now                  time.Time
	query                string // the view, carried by each row's link
	canWork, classColumn bool   // leadRow.CanWork, leadRow.ClassColumn
	csrf                 string // the session's token, for the hearts
	sla                  *sla.Policy
}

// leadRow is l's row on page p: what depends on the time, the user and the view (what the row shows
// of these is made only if it is rendered afresh, renderParts). overdue: l has a next step past its
// day; favorite: the user's heart is on; owner: l's owner, nil when unassigned.
func (h *Handler) leadRow(p *rowsOf, l *lead.Lead, overdue, favorite bool, owner *db.Owner) leadRow {
	r := leadRow{Lead: l, Link: "/leads/" + strconv.FormatInt(l.ID, 10) + "?" + p.query, Flame: lifecycle.Flame(l, p.now), CanWork: p.canWork,
		ClassColumn: p.classColumn, Overdue: overdue}
	r.SLA = h.slaBadgeOf(p.lang, p.sla, l, p.now)
	if p.canWork {
		r.Heart = rowHeart{ID: l.ID, On: favorite, CSRF: p.csrf}
	}
	if by := lifecycle.RespondBy(l); !by.IsZero() {
		r.Due = h.timeLeft(p.lang, by.Sub(p.now))
		if u := lifecycle.Urgency(l, p.now); u == lifecycle.UrgencyWarning || u == lifecycle.UrgencyDanger {
			r.Urgency = u // the list colours only the last two days; "calm" stays plain
		}
	}
	if owner != nil {
		r.Owner = h.cell(ownerCell{p.lang, owner.Initials(), owner.Label()})
	}
	return r
}

// cell is the kept rendering of k, rendered on first use.
func (h *Handler) cell(k cell) template.HTML {
	if v, ok := h.cells.Load(k); ok {
		return v.(template.HTML)
	}
	lang, name, data := k.partial()
	var b bytes.Buffer
	out, err := h.partialHTML(&b, lang, name, data)
	if err != nil {
		h.Log.Error("render lead cell", "cell", name, "err", err)
		return ""
	}
	h.cells.Store(k, out)
	return out
}

// Whole rows are kept too: executing "ws-row" for each of a page's rows was most of a results page's
// time (about 40 µs a row in BenchmarkLeadsRows, half of BenchmarkLeadsPage's 4 ms), and a row reads
// nothing but its data. A kept row's key is therefore everything "ws-row" is given — the lead's values
// (rowKey.lead) and the rest of the leadRow, link, heart and owner included, but not the parts made
// from the rest (renderParts) — with the language, so a row is reused only where a fresh rendering would be
// byte for byte the same: a lead that changed, another language, another view (the link carries the
// view), another session (the heart carries its CSRF token), a favourite, an owner or a next step, and
// the time-dependent parts (flame, time left, urgency, overdue mark, all computed per request and
// placed in the row's data) each make another key. Nothing has to be invalidated; rows no page asks
// for any more age out of the bounded cache. This holds while the row's template functions read only
// their arguments and the language (views/funcs.go), which is what views.Renderer promises.

// maxKeptRowBytes bounds the kept rows: about 3,000 rows of 50-row pages (60 pages) for 8 MB, enough
// for the views a team works in, and small beside the lead index on a 1 GB VM.
const maxKeptRowBytes = 8 << 20

// rowKey is what a row's rendering depends on. It is comparable (a map key) by construction: a
// field of leadRow or lead.Lead that a map key cannot hold (a slice, a map) stops the build here, so
// a new input to the row cannot be left out of the key unnoticed.
type rowKey struct {
	lang string
	lead leadValues
	row  leadRow  // with Lead and SLA nil: their values are in lead and sla
	sla  slaBadge // the response-target badge by value (the zero badge: none)
}

// leadValues is a lead by value: the Lead with its pointer fields nil and what they point to
// beside it, so that two loads of an unchanged lead give the same key.
type leadValues struct {
	lead.Lead
	acceptedAt, archivedAt, expiresAt, lastActivityAt, firstContactAt optionalTime
}

type optionalTime struct {
	set bool
	t   time.Time
}

func optional(t *time.Time) optionalTime {
	if t == nil {
		return optionalTime{}
	}
	return optionalTime{true, *t}
}

func keyOfRow(lang string, r leadRow) rowKey {
	v := leadValues{Lead: *r.Lead, acceptedAt: optional(r.AcceptedAt), archivedAt: optional(r.ArchivedAt), expiresAt: optional(r.ExpiresAt),
		lastActivityAt: optional(r.LastActivityAt), firstContactAt: optional(r.FirstContactAt)}
	v.AcceptedAt, v.ArchivedAt, v.ExpiresAt, v.LastActivityAt, v.FirstContactAt = nil, nil, nil, nil, nil
	r.Lead = nil
	r.Text, r.Cells, r.Heart.Button = rowText{}, rowCells{}, "" // made from the rest (renderParts)
	var badge slaBadge
	if r.SLA != nil {
		badge = *r.SLA
	}
	r.SLA = nil
	return rowKey{lang: lang, lead: v, row: r, sla: badge}
}

// keptRowOverhead is what a kept row holds besides its HTML: its key and the map's slot (the key's
// strings are mostly shared with the kept cells).
const keptRowOverhead = int(unsafe.Sizeof(rowKey{})) + 64

// keptRowSize is what a kept row counts for against maxKeptRowBytes.
func keptRowSize(k *rowKey, v template.HTML) int { return len(v) + len(k.row.Link) + keptRowOverhead }

// keptHTML is kept renderings bounded by limit bytes in two generations: renderings are added to the
// newer one, and when it holds half the bound, the older one is dropped and the newer one takes its
// place. A rendering found in the older generation moves to the newer one, so the ones in use stay
// and the others go (an LRU without per-entry bookkeeping). It holds the kept rows (keyed by rowKey)
// and the kept fragments of a page (fragments.go).
type keptHTML[K comparable] struct {
	limit     int
	mu        sync.Mutex
	cur, prev map[K]keptEntry
	curBytes  int
}

// keptEntry is a kept rendering with the bytes it counts for (its HTML, its key and the map's slot).
type keptEntry struct {
	html template.HTML
	size int
}

func newKeptHTML[K comparable](limit int) *keptHTML[K] { return &keptHTML[K]{limit: limit} }

func (kc *keptHTML[K]) get(k *K) (template.HTML, bool) {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	if e, ok := kc.cur[*k]; ok {
		return e.html, true
	}
	e, ok := kc.prev[*k]
	if ok {
		delete(kc.prev, *k)
		kc.addLocked(k, e)
	}
	return e.html, ok
}

// put keeps v under k; size is what it counts for against the bound.
func (kc *keptHTML[K]) put(k *K, v template.HTML, size int) {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	kc.addLocked(k, keptEntry{v, size})
}

func (kc *keptHTML[K]) addLocked(k *K, e keptEntry) {
	if kc.cur == nil {
		kc.cur = map[K]keptEntry{}
	}
	if _, ok := kc.cur[*k]; ok {
		return
	}
	if kc.curBytes+e.size > kc.limit/2 && len(kc.cur) > 0 {
		kc.prev, kc.cur, kc.curBytes = kc.cur, map[K]keptEntry{}, 0
	}
	kc.cur[*k] = e
	kc.curBytes += e.size
}

// len is how many renderings are kept.
func (kc *keptHTML[K]) len() int {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	return len(kc.cur) + len(kc.prev)
}

// renderRows is the rows rendered by "ws-row" in lang, one after the other, kept ones reused. Rows
// not kept yet (a view's first look, a search never made before) are rendered on all cores: at 40 µs
// each, a page of 50 of them was most of such a request's time.
func (h *Handler) renderRows(lang string, rows []leadRow) (template.HTML, error) {
	out := make([]template.HTML, len(rows))
	keys := make([]rowKey, len(rows))
	var fresh []int
	for i := range rows {
		keys[i] = keyOfRow(lang, rows[i])
		if v, ok := h.rows.get(&keys[i]); ok {
			out[i] = v
		} else {
			fresh = append(fresh, i)
		}
	}
	if err := h.renderFreshRows(lang, rows, fresh, out); err != nil {
		return "", err
	}
	for _, i := range fresh {
		h.rows.put(&keys[i], out[i], keptRowSize(&keys[i], out[i]))
	}
	n := 0
	for _, v := range out {
		n += len(v)
	}
	var all strings.Builder
	all.Grow(n) // one allocation for the page's rows
	for _, v := range out {
		all.WriteString(string(v))
	}
	return template.HTML(all.String()), nil // html/template output, row after row
}

// minRowsPerWorker: fewer fresh rows than this each are rendered on one core (a goroutine costs
// more than it saves).
const minRowsPerWorker = 8

// renderFreshRows renders rows[i] into out[i] for each i of fresh, split between the cores.
func (h *Handler) renderFreshRows(lang string, rows []leadRow, fresh []int, out []template.HTML) error {
	workers := min(runtime.GOMAXPROCS(0), len(fresh)/minRowsPerWorker)
	if workers <= 1 {
		return h.renderRowsOf(lang, rows, fresh, out)
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	per := (len(fresh) + workers - 1) / workers
	for w := range workers {
		part := fresh[w*per : min((w+1)*per, len(fresh))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = h.renderRowsOf(lang, rows, part, out)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// renderRowsOf renders rows[i] into out[i] for each i of which, making its parts first.
func (h *Handler) renderRowsOf(lang string, rows []leadRow, which []int, out []template.HTML) error {
	var b bytes.Buffer
	for _, i := range which {
		h.renderParts(lang, &rows[i])
		var err error
		if out[i], err = h.partialHTML(&b, lang, "ws-row", rows[i]); err != nil {
			return err
		}
	}
	return nil
}

// partialHTML is the partial name of leads/index rendered in lang with data, through b (emptied first).
func (h *Handler) partialHTML(b *bytes.Buffer, lang, name string, data any) (template.HTML, error) {
	b.Reset()
	if err := h.Views.RenderPartial(b, lang, "leads/index", name, data); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil // html/template output
}
