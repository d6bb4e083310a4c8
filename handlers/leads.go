package handlers

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/leadfilter"
	"leaddesk/lifecycle"
	"leaddesk/views"
)

// leadsData is the Leads page (docs/design.md §3): the view, its page of leads, and what the filter bar,
// chips, sort headers and pager need.
type leadsData struct {
	F      leadfilter.View
	Query  string // the canonical query of the view, for links that keep it
	Result *db.LeadPage
	Rows   []leadRow
	// RowHTML is Rows rendered by "ws-row", kept rendered rows reused (leads_rows.go).
	RowHTML template.HTML
	// Head and Pager are the results' head ("ws-results-head") and pager ("ws-pager"); FilterMenu
	// and FilterPills the filter panel ("ws-filter-menu") and the pills ("ws-filter-pills"), made for
	// full pages only. All four are kept renderings (fragments.go).
	Head, Pager             template.HTML
	FilterMenu, FilterPills template.HTML
	Show                    filterShow
	Chips                   []leadChip
	Options                 []filterGroup
	Countries               []countryOption
	Locations               []filterOption // the business profile's locations, for the location filter
	// Owners is the owner filter's choices (me, unassigned, each Referrals admin); Assignees the
	// Referrals admins the bulk assignment offers; MyLeads the "My leads" view of this tab and
	// MyLeadsOn whether it is the view shown (issue 17).
	Owners    []filterOption
	Assignees []db.Owner
	MyLeads   string
	MyLeadsOn bool
	First     int // 1-based index of the first row shown
	Last      int
	CanWork   bool // favourites, bulk actions and export (not for Business profile admins)
	ClearURL  string
	Export    exportControl
	Swap      bool // only the results are sent (htmx): the live region announces the new range
	// ClassColumn: the Qualified tab shows a Classification column where the others show the call
	// to action (qualified leads have a classification, not a call to action).
	ClassColumn bool
	Saved       *savedViewsBar // the saved views beside the tabs (saved_views.go)
}

// exportControl is the Export button and its menu (the "export-control" template): both flavours
// of docs/design.md §3.5 for exactly the view on screen, with its count; Total 0 disables it. The results
// fragment sends it out of band, so it follows every in-place filter, search and sort.
type exportControl struct {
	URL    string // for spreadsheets (formula-guarded, the default)
	CRMURL string // for CRM import (format=crm)
	Total  int
	OOB    bool
}

// leadRow is one lead in the list with what its row (the "ws-row" template) shows beside the lead.
type leadRow struct {
	*lead.Lead
	Link    string
	Flame   string // lifecycle.Flame: "", "hot" or "calm"
	Due     string // time left to respond, for received actionable leads
	Urgency string // lifecycle.Urgency: "", "warning" or "danger"
	// Owner is the owner's avatar ("ws-owner"); empty for an unassigned lead.
	Owner template.HTML
	// Text and Cells are made from the rest when the row is rendered (renderParts).
	Text rowText
	// ClassColumn: the row shows the Classification column (leadsData.ClassColumn).
	ClassColumn bool
	// Overdue: the lead has a next step past its day ("ws-overdue").
	Overdue bool
	CanWork bool     // the bulk checkbox and the heart (leadsData.CanWork)
	Heart   rowHeart // this user's favourite toggle
	Cells   rowCells
	// SLA is the response-target badge ("ws-sla"), made per request: it depends on the time, so it is
	// not one of the kept Cells.
	SLA *slaBadge
}

// filterShow is the filter panel's "Show N leads" button label ("filter-show").
type filterShow struct {
	Total int
	OOB   bool // sent with the results, out of band
}

// filterPanel is what the filter panel and the pills above the list show ("ws-filter-menu",
// "ws-filter-pills").
type filterPanel struct {
	Countries []countryOption
	Locations []filterOption
	Owners    []filterOption
	Options   []filterGroup
	Test      bool
	Applied   int // how many filters are applied: the count on the Filters button
	Show      filterShow
	ClearURL  string
}

// resultsHead is what the bulk bar, the caption and the table's head show ("ws-results-head").
type resultsHead struct {
	CanWork     bool
	CSRF        string
	Query       string
	Tab         string
	Total       int
	Shown       int // rows on this page
	First, Last int
	Assignees   []db.Owner
	Sorts       sortLinks  // the column headers
	SortMenu    []sortLink // the card layout's menu, in sortMenu's order
	ClassColumn bool
}

// pager is the pager and the page size menu ("ws-pager").
type pager struct {
	First, Last, Total int
	Prev, Next         string
	Pages              []pageLink
	Sizes              []int
	Size               int
}

type leadChip struct {
	Label  string
	Remove string
}

type filterGroup struct {
	Param   string
	Label   string
	Hint    string
	Options []filterOption
}

type filterOption struct {
	Value   string
	Label   string
	Checked bool
}

type countryOption struct {
	Code, Name string
	Checked    bool
}

type sortLink struct {
	Key  string // the sort (leadfilter.Sorts)
	URL  string
	Dir  string // "asc", "desc" or "" when not sorted by this column
	Next string // accessible description of what a click does
	// Label is the column's header, MenuLabel the sort's name in the card layout's menu.
	Label, MenuLabel string
	Class            string // the header cell's class ("num" for the value)
	AriaSort         string // "ascending", "descending" or "none"
	Icon             string // the arrow: "sort-up", "sort-down", or "sort" when not sorted by this column
}

// sortLinks are the sortable columns' headers, one for each of leadfilter.Sorts.
type sortLinks struct{ Customer, Value, Created, Status, Expiry sortLink }

// sortMenu is the order of the card layout's sort menu ("ws-sort-select").
var sortMenu = []string{"created", "expiry", "customer", "value", "status"}

// sortColumns are the sorts' column headers with their cells' classes, and their names in the menu.
var sortColumns = map[string]struct{ label, class, menu string }{
	"customer": {"ws.col.customer", "", "mobile.sort.customer"}, "value": {"ws.col.value", "num", "mobile.sort.value"},
	"created": {"ws.col.created", "", "mobile.sort.created"}, "status": {"ws.col.status", "", "mobile.sort.status"},
	"expiry": {"ws.col.due", "", "mobile.sort.expiry"},
}

type pageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool
}

func (h *Handler) leadsIndex(c echo.Context) error {
	req := c.Request()
	u := h.user(c)
	lastView := u.LastView
	if v, ok := h.lastViews.get(u.ID); ok {
		lastView = v
	}
	// A bare /leads opened as a page restores the user's last view, across sign-ins.
	if req.URL.RawQuery == "" && req.Header.Get(views.HXRequest) != "true" && lastView != "" {
		if v, err := url.ParseQuery(lastView); err == nil {
			return c.Redirect(http.StatusSeeOther, "/leads?"+leadfilter.ParseView(v).Query().Encode())
		}
	}
	f := leadfilter.ParseView(req.URL.Query())
	f.Me, f.Loc = u.ID, h.Cfg.Location
	res, err := h.DB.ListLeads(req.Context(), f, u.ID)
	if err != nil {
		return err
	}
	f.Page = res.Page
	query := f.Query().Encode()
	if req.URL.RawQuery != "" && query != lastView {
		h.lastViews.set(u.ID, query) // written by FlushLastViews
	}
	data, err := h.leadsView(c, f, res)
	if err != nil {
		return err
	}
	data.Saved = h.savedViewsBar(c, f)
	p := h.page(c, h.T(c, "leads.title"), "leads", data)
	if req.Header.Get(views.HXTarget) == "results" && views.WantsFragment(req) {
		p.Fragment = "results"
		data.Swap = true
		data.Export.OOB = true
		data.Show.OOB = true
	} else if err := h.filterFragments(c, data); err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "leads/index", p)
}

// canWorkLeads: Business profile admins see leads read-only (docs/design.md §2).
func canWorkLeads(u *db.User) bool { return leadWorkers.Allows(u) }

func (h *Handler) leadsView(c echo.Context, f leadfilter.View, res *db.LeadPage) (*leadsData, error) {
	lang := h.lang(c)
	q := f.Query()
	d := &leadsData{F: f, Query: q.Encode(), Result: res, CanWork: canWorkLeads(h.user(c))}
	d.ClearURL = "/leads?" + url.Values{"tab": {f.Tab}}.Encode()
	exp := f.Query()
	exp.Del("page")
	exp.Del("per_page")
	d.Export = exportControl{URL: "/leads/export.csv?" + exp.Encode(), Total: res.Total}
	exp.Set("format", "crm")
	d.Export.CRMURL = "/leads/export.csv?" + exp.Encode()
	d.ClassColumn = f.Tab == "qualified"

	now := h.Clock.Now()
	csrf, _ := c.Get(ctxCSRF).(string)
	d.Rows = make([]leadRow, 0, len(res.Leads))
	ids := make([]int64, len(res.Leads))
	for i, l := range res.Leads {
		ids[i] = l.ID
	}
	overdue, err := h.DB.OverdueNextSteps(c.Request().Context(), ids, now.In(h.Cfg.Location).Format(leadDateInput))
	if err != nil {
		h.Log.Warn("overdue next steps", "err", err) // the list still works without the mark
	}
	page := &rowsOf{lang: lang, now: now, query: d.Query, canWork: d.CanWork, classColumn: d.ClassColumn, csrf: csrf, sla: h.slaPolicy(c)}
	for _, l := range res.Leads {
		var owner *db.Owner
		if o, ok := res.Owners[l.OwnerID]; ok {
			owner = &o
		}
		d.Rows = append(d.Rows, h.leadRow(page, l, overdue[l.ID], res.Favorites[l.ID], owner))
	}
	if d.RowHTML, err = h.renderRows(lang, d.Rows); err != nil {
		return nil, err
	}
	d.Show = filterShow{Total: res.Total}
	if res.Total > 0 {
		d.First = (res.Page-1)*f.Size + 1
		d.Last = d.First + len(res.Leads) - 1
	}

	// Filter groups with their chips, in docs/design.md §3.2 order; which leads each narrows comes from
	// leadfilter's applicability table, the labels from here.
	labels := map[string]struct{ label, prefix string }{
		"cta": {"ws.filter.cta", "lead.cta."}, "source": {"ws.filter.source", "lead.source."}, "type": {"ws.filter.type", "lead.type."},
		"quality": {"ws.filter.quality", "lead.quality."}, "status": {"ws.filter.status", "lead.status."},
		"outcome": {"ws.filter.outcome", "lead.outcome."}, "email_validity": {"lead.email_validity", "lead.validity."},
		"phone_validity": {"lead.phone_validity", "lead.validity."},
		"classification": {"ws.filter.classification", "lead.classification."},
		"sync":           {"ws.filter.sync", "pc.state."},
	}
	for _, g := range f.Fields() {
		lb, ok := labels[g.Param]
		if !ok || g.Codes == nil {
			continue // country and location have lists of their own below
		}
		fg := filterGroup{Param: g.Param, Label: h.T(c, lb.label)}
		switch g.Only {
		case "actionable":
			fg.Hint = h.T(c, "ws.filter.actionable_only")
		case "offer":
			fg.Hint = h.T(c, "ws.filter.offer_only")
		case "qualified":
			fg.Hint = h.T(c, "ws.filter.qualified_only")
		}
		// A filter of qualified leads only selects nothing on the Marketplace tab: it is not
		// offered there (a chip still shows one a URL brought along).
		offered := g.Only != "qualified" || f.Tab != "marketplace"
		if g.Param == "sync" {
			// Only qualified leads come from Partner Center, and only when the sync is set up.
			offered = h.PC != nil && f.Tab != "marketplace"
		}
		for _, code := range g.Codes {
			on := slices.Contains(g.Selected, code)
			fg.Options = append(fg.Options, filterOption{Value: code, Label: h.T(c, lb.prefix+code), Checked: on})
			if on {
				d.Chips = append(d.Chips, leadChip{Label: fg.Label + ": " + h.T(c, lb.prefix+code), Remove: without(q, g.Param, code)})
			}
		}
		if offered {
			d.Options = append(d.Options, fg)
		}
	}
	for _, code := range f.Country {
		d.Chips = append(d.Chips, leadChip{Label: h.T(c, "ws.filter.country") + ": " + h.countryName(lang, code), Remove: without(q, "country", code)})
	}
	locs, err := h.DB.LocationNames(c.Request().Context())
	if err != nil {
		h.Log.Warn("location filter", "err", err) // the list still works without the filter's names
	}
	for _, l := range locs {
		id := strconv.FormatInt(l.ID, 10)
		d.Locations = append(d.Locations, filterOption{Value: id, Label: l.Name, Checked: slices.Contains(f.Location, id)})
	}
	for _, id := range f.Location {
		name := h.T(c, "ws.filter.location_unknown", id) // removed since the link was made
		if i := slices.IndexFunc(d.Locations, func(o filterOption) bool { return o.Value == id }); i >= 0 {
			name = d.Locations[i].Label
		}
		d.Chips = append(d.Chips, leadChip{Label: h.T(c, "ws.filter.location") + ": " + name, Remove: without(q, "location", id)})
	}
	if err := h.ownerFilter(c, f, q, d); err != nil {
		h.Log.Warn("owner filter", "err", err) // the list still works without the owners' names
	}
	h.arrivalChip(c, f, q, d) // insights_drill.go
	if f.Q != "" {
		d.Chips = append(d.Chips, leadChip{Label: h.T(c, "ws.chip.search", f.Q), Remove: without(q, "q", f.Q)})
	}
	if f.Test {
		d.Chips = append(d.Chips, leadChip{Label: h.T(c, "mobile.chip.test"), Remove: without(q, "test", "1")})
	}
	codes, err := h.DB.LeadCountries(c.Request().Context())
	if err == nil {
		for _, code := range append(codes, f.Country...) {
			if !slices.ContainsFunc(d.Countries, func(o countryOption) bool { return o.Code == code }) {
				d.Countries = append(d.Countries, countryOption{Code: code, Name: h.countryName(lang, code), Checked: slices.Contains(f.Country, code)})
			}
		}
		slices.SortFunc(d.Countries, func(a, b countryOption) int { return strings.Compare(a.Name, b.Name) })
	}

	// Sort headers: a click sorts by the column, a second click reverses it.
	sorts := map[string]sortLink{}
	for _, s := range leadfilter.Sorts {
		v := f.Query()
		v.Del("page")
		v.Set("sort", s)
		sl := sortLink{Key: s, Label: h.T(c, sortColumns[s].label), MenuLabel: h.T(c, sortColumns[s].menu), Class: sortColumns[s].class,
			AriaSort: "none", Icon: "sort"}
		dir := "asc"
		if s == "created" {
			dir = "desc"
		}
		if f.Sort == s {
			sl.Dir = "asc"
			if f.Desc {
				sl.Dir = "desc"
			}
			dir = map[string]string{"asc": "desc", "desc": "asc"}[sl.Dir]
			sl.AriaSort = map[string]string{"asc": "ascending", "desc": "descending"}[sl.Dir]
			sl.Icon = map[string]string{"asc": "sort-up", "desc": "sort-down"}[sl.Dir]
		}
		v.Set("dir", dir)
		sl.URL = "/leads?" + v.Encode()
		sl.Next = h.T(c, "ws.sort.asc")
		if dir == "desc" {
			sl.Next = h.T(c, "ws.sort.desc")
		}
		sorts[s] = sl
	}
	heads := sortLinks{Customer: sorts["customer"], Value: sorts["value"], Created: sorts["created"], Status: sorts["status"], Expiry: sorts["expiry"]}
	menu := make([]sortLink, len(sortMenu))
	for i, s := range sortMenu {
		menu[i] = sorts[s]
	}

	// Pager: first, last and two around the current page.
	pageURL := func(n int) string {
		v := f.Query()
		v.Del("page")
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		return "/leads?" + v.Encode()
	}
	pg := pager{First: d.First, Last: d.Last, Total: res.Total, Sizes: leadfilter.PageSizes, Size: f.Size}
	last := 0
	for n := 1; n <= res.Pages; n++ {
		if n == 1 || n == res.Pages || (n >= res.Page-2 && n <= res.Page+2) {
			if last != 0 && n > last+1 {
				pg.Pages = append(pg.Pages, pageLink{Gap: true})
			}
			pg.Pages = append(pg.Pages, pageLink{N: n, URL: pageURL(n), Current: n == res.Page})
			last = n
		} else if n < res.Page-2 {
			n = res.Page - 3
		} else {
			n = res.Pages - 1
		}
	}
	if res.Page > 1 {
		pg.Prev = pageURL(res.Page - 1)
	}
	if res.Page < res.Pages {
		pg.Next = pageURL(res.Page + 1)
	}
	if len(d.Rows) > 0 {
		d.Head, err = h.fragment(lang, "ws-results-head", resultsHead{CanWork: d.CanWork, CSRF: csrf, Query: d.Query, Tab: f.Tab, Total: res.Total,
			Shown: len(d.Rows), First: d.First, Last: d.Last, Assignees: d.Assignees, Sorts: heads, SortMenu: menu, ClassColumn: d.ClassColumn})
		if err != nil {
			return nil, err
		}
		if d.Pager, err = h.fragment(lang, "ws-pager", pg); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// filterFragments are the filter panel and the pills of a full page.
func (h *Handler) filterFragments(c echo.Context, d *leadsData) error {
	lang := h.lang(c)
	fp := filterPanel{Countries: d.Countries, Locations: d.Locations, Owners: d.Owners, Options: d.Options, Test: d.F.Test,
		Applied: len(d.Chips), Show: d.Show, ClearURL: d.ClearURL}
	var err error
	if d.FilterMenu, err = h.fragment(lang, "ws-filter-menu", fp); err != nil {
		return err
	}
	d.FilterPills, err = h.fragment(lang, "ws-filter-pills", fp)
	return err
}

// without is the view's URL with one filter value removed (and back to page 1).
func without(q url.Values, param, value string) string {
	v := url.Values{}
	for k, vs := range q {
		if k == "page" {
			continue
		}
		for _, x := range vs {
			if k != param || x != value {
				v.Add(k, x)
			}
		}
	}
	return "/leads?" + v.Encode()
}

// timeLeft says how long a received lead has left to be answered (lifecycle.TimeLeft) for the list's
// cell; how urgent that is comes from lifecycle.Urgency.
func (h *Handler) timeLeft(lang string, d time.Duration) string {
	switch unit, n := lifecycle.TimeLeft(d); unit {
	case "days":
		return h.Catalog.T(lang, "ws.due.days", n)
	case "hours":
		return h.Catalog.T(lang, "ws.due.hours", n)
	default:
		return h.Catalog.T(lang, "ws.due.overdue")
	}
}

// countryName is views.CountryNameIn, kept in h.countryNames: it builds a namer per call.
func (h *Handler) countryName(lang, code string) string {
	if v, ok := h.countryNames.Load(lang + code); ok {
		return v.(string)
	}
	n := views.CountryNameIn(lang, code)
	h.countryNames.Store(lang+code, n)
	return n
}
