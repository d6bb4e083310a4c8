package handlers

import (
	"bytes"
	"html/template"
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
	if err := h.Views.RenderPartial(&b, lang, "leads/index", name, data); err != nil {
		h.Log.Error("render lead cell", "cell", name, "err", err)
		return ""
	}
	out := template.HTML(b.String()) // html/template output
	h.cells.Store(k, out)
	return out
}
