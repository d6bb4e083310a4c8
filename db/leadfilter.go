package db

import (
	"leaddesk/lead"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// LeadSorts are the sortable columns of the Leads list (DESIGN §3.2); the list never sorts by
// anything else, so a sort parameter can never reach SQL.
var LeadSorts = []string{"created", "customer", "value", "status", "expiry"}

// Page sizes the list offers; DefaultPageSize is the first view's.
var (
	PageSizes       = []int{25, 50, 100}
	DefaultPageSize = 50
)

// MaxQueryRunes is how much of a search is used; longer input is cut, not refused.
const MaxQueryRunes = 100

// LeadFilter is one view of the Leads list: tab, filters, search, sort and page, exactly as the URL
// holds it. Each filter holds the allowed values (any of them matches); an empty filter matches all.
type LeadFilter struct {
	Tab           string // marketplace, qualified, favorites
	CTA           []string
	Country       []string
	Source        []string
	Type          []string
	Quality       []string
	Status        []string // actionable leads only
	Outcome       []string // archived actionable leads only
	EmailValidity []string // offer leads only
	PhoneValidity []string // offer leads only
	Test          bool     // include test leads (shown with a Test badge)
	Q             string
	Sort          string
	Desc          bool
	Page          int
	Size          int
}

// ParseLeadFilter reads a view from query parameters. Unknown values, sorts, page sizes and pages are
// ignored (the default is used), so any URL gives a valid view.
func ParseLeadFilter(q url.Values) LeadFilter {
	f := LeadFilter{Tab: "marketplace", Sort: "created", Desc: true, Page: 1, Size: DefaultPageSize}
	if t := q.Get("tab"); t == "qualified" || t == "favorites" {
		f.Tab = t
	}
	f.CTA = pick(q["cta"], lead.CTAs)
	f.Source = pick(q["source"], lead.Sources)
	f.Type = pick(q["type"], lead.LeadTypes)
	f.Quality = pick(q["quality"], lead.Qualities)
	f.Status = pick(q["status"], lead.Statuses)
	f.Outcome = pick(q["outcome"], lead.Outcomes)
	f.EmailValidity = pick(q["email_validity"], lead.EmailValidities)
	f.PhoneValidity = pick(q["phone_validity"], lead.PhoneValidities)
	for _, c := range q["country"] {
		for _, c := range strings.Split(c, ",") {
			c = strings.ToUpper(strings.TrimSpace(c))
			if len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z' && !slices.Contains(f.Country, c) {
				f.Country = append(f.Country, c)
			}
		}
	}
	slices.Sort(f.Country)
	f.Test = q.Get("test") == "1"
	f.Q = strings.TrimSpace(q.Get("q"))
	if r := []rune(f.Q); len(r) > MaxQueryRunes {
		f.Q = string(r[:MaxQueryRunes])
	}
	if s := q.Get("sort"); slices.Contains(LeadSorts, s) {
		f.Sort = s
		f.Desc = s == "created" // created is newest first unless asked otherwise
	}
	switch q.Get("dir") {
	case "asc":
		f.Desc = false
	case "desc":
		f.Desc = true
	}
	// per_page is the documented name (DESIGN §8); size is what links and saved views used before.
	size := q.Get("per_page")
	if size == "" {
		size = q.Get("size")
	}
	if n, err := strconv.Atoi(size); err == nil && slices.Contains(PageSizes, n) {
		f.Size = n
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 && n < 1_000_000 {
		f.Page = n
	}
	return f
}

// pick keeps the values of vs that are known codes, in the codes' order, once each.
func pick(vs, codes []string) []string {
	var out []string
	for _, c := range codes {
		if slices.Contains(vs, c) {
			out = append(out, c)
		}
	}
	return out
}

// Query is the view as canonical query parameters (defaults left out, except the tab), so the same
// view always has the same URL.
func (f LeadFilter) Query() url.Values {
	v := url.Values{}
	v.Set("tab", f.Tab)
	set := func(k string, vs []string) {
		if len(vs) > 0 {
			v[k] = append([]string(nil), vs...)
		}
	}
	set("cta", f.CTA)
	set("country", f.Country)
	set("source", f.Source)
	set("type", f.Type)
	set("quality", f.Quality)
	set("status", f.Status)
	set("outcome", f.Outcome)
	set("email_validity", f.EmailValidity)
	set("phone_validity", f.PhoneValidity)
	if f.Test {
		v.Set("test", "1")
	}
	if f.Q != "" {
		v.Set("q", f.Q)
	}
	if f.Sort != "created" || !f.Desc {
		v.Set("sort", f.Sort)
		if f.Desc {
			v.Set("dir", "desc")
		} else {
			v.Set("dir", "asc")
		}
	}
	if f.Size != DefaultPageSize {
		v.Set("per_page", strconv.Itoa(f.Size))
	}
	if f.Page > 1 {
		v.Set("page", strconv.Itoa(f.Page))
	}
	return v
}

// Filtered reports whether any filter or search narrows the tab.
func (f LeadFilter) Filtered() bool {
	return len(f.CTA)+len(f.Country)+len(f.Source)+len(f.Type)+len(f.Quality)+len(f.Status)+len(f.Outcome)+
		len(f.EmailValidity)+len(f.PhoneValidity) > 0 || f.Q != "" || f.Test
}

// Offset is the index of the page's first row.
func (f LeadFilter) Offset() int { return (f.Page - 1) * f.Size }

// attrs is a lead's filterable attributes as small codes (index into the code lists, 0 = none).
type attrs struct {
	tab, ltype, source, cta, quality, status, outcome, email, phone uint8
	actionable, test                                                bool
	country                                                         string
}

func code(list []string, v string) uint8 {
	for i, c := range list {
		if c == v {
			return uint8(i + 1)
		}
	}
	return 0
}

func codesOf(vs, list []string) []uint8 {
	out := make([]uint8, 0, len(vs))
	for _, v := range vs {
		out = append(out, code(list, v))
	}
	return out
}

// matcher is a compiled LeadFilter (without tab and search) for the in-memory index.
type matcher struct {
	tab                                                        uint8 // 0 = any tab (favorites)
	cta, source, ltype, quality, status, outcome, email, phone []uint8
	country                                                    []string
	test                                                       bool
}

func (f LeadFilter) matcher() matcher {
	m := matcher{
		cta: codesOf(f.CTA, lead.CTAs), source: codesOf(f.Source, lead.Sources), ltype: codesOf(f.Type, lead.LeadTypes),
		quality: codesOf(f.Quality, lead.Qualities), status: codesOf(f.Status, lead.Statuses), outcome: codesOf(f.Outcome, lead.Outcomes),
		email: codesOf(f.EmailValidity, lead.EmailValidities), phone: codesOf(f.PhoneValidity, lead.PhoneValidities),
		country: f.Country, test: f.Test,
	}
	if f.Tab != "favorites" {
		m.tab = code(lead.Tabs, f.Tab)
	}
	return m
}

func in(set []uint8, v uint8) bool { return len(set) == 0 || slices.Contains(set, v) }

// match applies DESIGN §3.2 with each filter's applicability: status and outcome narrow to actionable
// leads, email and phone validity to offer leads.
func (m *matcher) match(a *attrs) bool {
	if a.test && !m.test {
		return false
	}
	if m.tab != 0 && a.tab != m.tab {
		return false
	}
	if !in(m.cta, a.cta) || !in(m.source, a.source) || !in(m.ltype, a.ltype) || !in(m.quality, a.quality) {
		return false
	}
	if (len(m.status) > 0 || len(m.outcome) > 0) && !a.actionable {
		return false
	}
	if !in(m.status, a.status) {
		return false
	}
	if len(m.outcome) > 0 && (a.status != code(lead.Statuses, "archived") || !in(m.outcome, a.outcome)) {
		return false
	}
	offer := code(lead.LeadTypes, "offer")
	if len(m.email) > 0 && (a.ltype != offer || !in(m.email, a.email)) {
		return false
	}
	if len(m.phone) > 0 && (a.ltype != offer || !in(m.phone, a.phone)) {
		return false
	}
	if len(m.country) > 0 && !slices.Contains(m.country, a.country) {
		return false
	}
	return true
}

// matchKey identifies the filters of f that matchTable depends on (not search, sort or page).
func (f LeadFilter) matchKey() string {
	f.Q, f.Sort, f.Desc, f.Page, f.Size = "", "created", true, 1, DefaultPageSize
	return f.Query().Encode()
}
