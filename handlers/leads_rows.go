package handlers

import (
	"bytes"
	"html"
	"html/template"
	"strconv"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"leaddesk/money"
	"leaddesk/views"
)

// The list's rows are built here rather than in the template: executing a template action costs a
// reflective call, and a page of 100 rows with a dozen partials each took several milliseconds. The
// markup still comes from the shared partials (status-label, validity, heart, …): each is rendered
// once per language and distinct value through the "ws-bit" blocks of leads/index.html and kept, and
// rows are assembled from those pieces and escaped fields. TestLeadRowsMatchPartials keeps the two
// in step.

type bitKey struct{ lang, block, key string }

// bit renders block of leads/index with data as .Data, once per key.
func (h *Handler) bit(lang, block, key string, data any) template.HTML {
	cache := &h.bits
	k := bitKey{lang, block, key}
	if v, ok := cache.Load(k); ok {
		return v.(template.HTML)
	}
	var b bytes.Buffer
	if err := h.Views.RenderBlock(&b, "leads/index", block, &views.Page{Lang: lang, Data: data}); err != nil {
		h.Log.Error("render lead bit", "block", block, "err", err)
		return ""
	}
	out := template.HTML(b.String())
	cache.Store(k, out)
	return out
}

// Sentinels rendered into the cached heart and replaced per row.
const (
	heartIDSentinel   = int64(987654321987654)
	heartCSRFSentinel = "CSRFSENTINELXYZ"
)

func (h *Handler) heartHTML(lang string, id int64, on bool, csrf string) string {
	tpl := string(h.bit(lang, "ws-bit-heart", strconv.FormatBool(on), map[string]any{"ID": heartIDSentinel, "On": on, "CSRF": heartCSRFSentinel}))
	tpl = strings.ReplaceAll(tpl, strconv.FormatInt(heartIDSentinel, 10), strconv.FormatInt(id, 10))
	return strings.Replace(tpl, heartCSRFSentinel, html.EscapeString(csrf), 1)
}

// rowHTML is one table row of the list.
func (h *Handler) rowHTML(lang string, p *message.Printer, r *leadRow, canWork bool, csrf string) template.HTML {
	l := r.Lead
	var b strings.Builder
	b.Grow(2048)
	esc := html.EscapeString
	b.WriteString("<tr>")
	if canWork {
		b.WriteString(`<td class="ws-narrow">`)
		if l.Status == "received" {
			b.WriteString(`<input type="checkbox" name="ids" value="` + strconv.FormatInt(l.ID, 10) + `" form="bulk" aria-label="` +
				esc(h.Catalog.T(lang, "ws.select_lead", l.CustomerCompany)) + `">`)
		}
		b.WriteString(`</td><td class="ws-narrow">` + h.heartHTML(lang, l.ID, r.Fav, csrf) + `</td>`)
	}
	b.WriteString(`<td class="ws-customer"><a href="` + esc(r.Link) + `" class="ws-company">`)
	b.WriteString(string(h.bit(lang, "ws-bit-flame", r.Flame, r.Flame)))
	b.WriteString(esc(l.CustomerCompany) + `</a>`)
	b.WriteString(string(h.bit(lang, "ws-bit-spam", l.EmailValidity+"/"+l.Quality, l)))
	b.WriteString(`<div class="sub">`)
	if l.ContactHidden() {
		b.WriteString(`<span class="ws-hidden-contact">` + string(h.bit(lang, "ws-bit-icon", "lock", "lock")) + esc(h.Catalog.T(lang, "ws.contact_hidden")) + `</span>`)
	} else {
		b.WriteString(esc(l.ContactName()))
		if l.LeadType == "offer" {
			b.WriteString(` <span class="ws-validity">`)
			b.WriteString(string(h.bit(lang, "ws-bit-validity", "email/"+l.EmailValidity, map[string]any{"Kind": "email", "Value": l.EmailValidity})))
			b.WriteString(string(h.bit(lang, "ws-bit-validity", "phone/"+l.PhoneValidity, map[string]any{"Kind": "phone", "Value": l.PhoneValidity})))
			b.WriteString(`</span>`)
		}
	}
	b.WriteString(`</div></td><td>`)
	if l.Country != "" {
		b.WriteString(`<span title="` + esc(l.Country) + `">` + string(h.bit(lang, "ws-bit-country", l.Country, l.Country)) + `</span>`)
	}
	b.WriteString(`<div class="sub">` + string(h.bit(lang, "ws-bit-source", l.Source+"/"+strconv.FormatBool(l.IsTest), l)) + `</div></td>`)
	b.WriteString(`<td>` + string(h.bit(lang, "ws-bit-cta", l.CTA+"/"+l.Classification, l)))
	b.WriteString(`<div class="sub">` + string(h.bit(lang, "ws-bit-type", l.LeadType, l)) + `</div></td>`)
	b.WriteString(`<td class="num ws-nowrap">`)
	if l.DealValue != 0 {
		b.WriteString(esc(money.Amount{Minor: l.DealValue, Currency: l.Currency}.Format(lang)))
	}
	day := l.CreatedAt.In(h.Cfg.Location).Format("2006-01-02")
	b.WriteString(`</td><td class="ws-nowrap"><time datetime="` + l.CreatedAt.UTC().Format("2006-01-02T15:04:05Z07:00") + `">` +
		string(h.bit(lang, "ws-bit-date", day, l.CreatedAt)) + `</time></td>`)
	b.WriteString(`<td>` + string(h.bit(lang, "ws-bit-status", l.Status+"/"+l.Outcome, l)) + `</td><td>`)
	if r.Due != "" {
		cls := "ws-due"
		if r.DueSoon {
			cls += " soon"
		}
		b.WriteString(`<span class="` + cls + `">` + string(h.bit(lang, "ws-bit-icon", "clock", "clock")) + esc(r.Due) + `</span>`)
	}
	b.WriteString("</td></tr>")
	return template.HTML(b.String()) // every field above is escaped; the pieces are rendered partials
}

// printer is a number printer for lang (money in the rows).
func printer(lang string) *message.Printer { return message.NewPrinter(language.Make(lang)) }
