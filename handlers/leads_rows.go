package handlers

import (
	"bytes"
	"errors"
	"html/template"
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"

	"leaddesk/lead"
)

// The list's cells that depend on only one or two values of a lead (status label, validity marks,
// source badge, call to action, lead type, spam warning, flame, the heart's button) are the shared
// partials' output, rendered once per language and value and kept on the Handler: executing those
// partials for every row of every page made a results page several times slower (BenchmarkLeadsRows,
// BenchmarkLeadsPage). Each kind of cell is a key type holding exactly what its partial is given, and
// the partial is rendered from the key alone, so a kept cell cannot differ from a fresh rendering
// (TestKeptCellsMatchThePartialsForWholeLeads). The values are the leads' enumerations (CHECK
// constraints in the schema), so the cache stays under a hundred entries per language.

// cell is one kept rendering: the language, the partial of leads/index and its data, all from the key.
type cell interface {
	partial() (lang, name string, data any)
}

type statusCell struct{ lang, status, outcome string }
type validityCell struct{ lang, kind, value string }
type sourceCell struct {
	lang, source string
	test         bool
}
type ctaCell struct{ lang, cta, classification string }
type leadTypeCell struct{ lang, leadType string }
type classificationCell struct{ lang, classification string }
type spamCell struct{ lang, emailValidity, quality string }
type flameCell struct{ lang, flame string }

// ownerCell is the owner column's avatar: initials, with the full name as its title (issue 17). A
// team has a few dozen owners at most, so the cache stays small.
type ownerCell struct{ lang, initials, label string }

// overdueCell is the mark of a lead with a next step past its day.
type overdueCell struct{ lang string }
type heartButtonCell struct {
	lang string
	on   bool
}

func (k statusCell) partial() (string, string, any) {
	return k.lang, "status-label", &lead.Lead{Status: k.status, Outcome: k.outcome}
}
func (k validityCell) partial() (string, string, any) {
	return k.lang, "validity", map[string]any{"Kind": k.kind, "Value": k.value}
}
func (k sourceCell) partial() (string, string, any) {
	return k.lang, "source-badge", &lead.Lead{Source: k.source, IsTest: k.test}
}
func (k ctaCell) partial() (string, string, any) {
	return k.lang, "cta", &lead.Lead{CTA: k.cta, Classification: k.classification}
}
func (k leadTypeCell) partial() (string, string, any) {
	return k.lang, "lead-type", &lead.Lead{LeadType: k.leadType}
}
func (k classificationCell) partial() (string, string, any) {
	return k.lang, "ws-classification", &lead.Lead{Classification: k.classification}
}
func (k spamCell) partial() (string, string, any) {
	return k.lang, "spam-icon", &lead.Lead{EmailValidity: k.emailValidity, Quality: k.quality}
}
func (k flameCell) partial() (string, string, any) { return k.lang, "ws-flame", k.flame }
func (k ownerCell) partial() (string, string, any) {
	return k.lang, "ws-owner", map[string]string{"Initials": k.initials, "Label": k.label}
}
func (k overdueCell) partial() (string, string, any)     { return k.lang, "ws-overdue", nil }
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
	Flame, Spam, EmailValidity, PhoneValidity, Source, CTA, Type, Status, Classification template.HTML
	// Owner is the owner's avatar ("ws-owner"); empty for an unassigned lead.
	Owner template.HTML
	// Overdue marks a lead with a next step past its day ("ws-overdue"); empty otherwise.
	Overdue template.HTML
}

func (h *Handler) rowCells(lang string, l *lead.Lead, flame string) rowCells {
	return rowCells{
		Flame:         h.cell(flameCell{lang, flame}),
		Spam:          h.cell(spamCell{lang, l.EmailValidity, l.Quality}),
		EmailValidity: h.cell(validityCell{lang, "email", l.EmailValidity}),
		PhoneValidity: h.cell(validityCell{lang, "phone", l.PhoneValidity}),
		Source:        h.cell(sourceCell{lang, l.Source, l.IsTest}),
		CTA:           h.cell(ctaCell{lang, l.CTA, l.Classification}),
		Type:          h.cell(leadTypeCell{lang, l.LeadType}),
		Status:        h.cell(statusCell{lang, l.Status, l.Outcome}),
		// Only the Qualified tab has the column; the cell is kept like the others, so it costs a map
		// lookup elsewhere.
		Classification: h.cell(classificationCell{lang, l.Classification}),
	}
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
// nothing but its data. A kept row's key is therefore everything "ws-row" is given — the lead's
// values (rowKey.lead) and the rest of the leadRow, link, heart and cells included — with the
// language, so a row is reused only where a fresh rendering would be byte for byte the same: a lead
// that changed, another language, another view (the link carries the view), another session (the
// heart carries its CSRF token), a favourite, an owner or a next step, and the time-dependent parts
// (flame, time left, urgency, overdue mark, all computed per request and placed in the row's data)
// each make another key. Nothing has to be invalidated; rows no page asks for any more age out of
// the bounded cache. This holds while the row's template functions read only their arguments and the
// language (views/funcs.go), which is what views.Renderer promises.

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

func (h *Handler) renderRowsOf(lang string, rows []leadRow, which []int, out []template.HTML) error {
	var b bytes.Buffer
	for _, i := range which {
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
