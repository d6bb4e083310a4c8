package handlers

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"leaddesk/insights"
	"leaddesk/lead"
	"leaddesk/leadfilter"
	"leaddesk/views"
)

// insightRanges are the presets of the date range picker; "custom" reads from and to.
var insightRanges = []string{"7d", "30d", "90d", "quarter", "12m", "custom"}

// maxInsightDays is the longest custom range: three years keeps one request's work bounded.
const maxInsightDays = 3 * 366

// insightsRange is the period the page shows and the equally long period before it.
type insightsRange struct {
	Preset   string
	From, To string // the period's first and last day, YYYY-MM-DD (To inclusive), as the custom inputs show them
	Period   insights.Period
	Prev     insights.Period
}

// parseInsightsRange reads range (a preset), and for custom from and to (YYYY-MM-DD, both inclusive),
// as days in loc. A bad custom range is an error naming the field.
func parseInsightsRange(q url.Values, now time.Time, loc *time.Location) (insightsRange, string, error) {
	r := insightsRange{Preset: q.Get("range")}
	if !slices.Contains(insightRanges, r.Preset) {
		r.Preset = "30d"
	}
	now = now.In(loc)
	end := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, loc) // tomorrow 00:00: today counts
	var from time.Time
	switch r.Preset {
	case "7d":
		from = end.AddDate(0, 0, -7)
	case "30d":
		from = end.AddDate(0, 0, -30)
	case "90d":
		from = end.AddDate(0, 0, -90)
	case "quarter":
		from = time.Date(now.Year(), (now.Month()-1)/3*3+1, 1, 0, 0, 0, 0, loc)
	case "12m":
		from = end.AddDate(-1, 0, 0)
	case "custom":
		r.From, r.To = strings.TrimSpace(q.Get("from")), strings.TrimSpace(q.Get("to")) // as typed, for the form on an error
		f, err := time.ParseInLocation("2006-01-02", r.From, loc)
		if err != nil {
			return r, "from", err
		}
		t, err := time.ParseInLocation("2006-01-02", r.To, loc)
		if err != nil {
			return r, "to", err
		}
		if t.Before(f) {
			return r, "to", fmt.Errorf("to before from")
		}
		from, end = f, t.AddDate(0, 0, 1)
		if insights.Days(from, end) > maxInsightDays {
			return r, "to", fmt.Errorf("range too long")
		}
	}
	r.Period = insights.Period{From: from, To: end}
	if r.Preset == "12m" {
		r.Prev = insights.Period{From: from.AddDate(-1, 0, 0), To: from}
	} else {
		r.Prev = insights.PreviousPeriod(r.Period)
	}
	r.From, r.To = from.Format("2006-01-02"), end.AddDate(0, 0, -1).Format("2006-01-02")
	return r, "", nil
}

// insightsFilter is the list's filter as insights reads it: either tab unless one is named, no
// favourites, no search, never test leads.
func insightsFilter(q url.Values) leadfilter.Filter {
	f := leadfilter.ParseView(q).Filter
	f.Tab = q.Get("tab")
	return insights.ReportFilter(f)
}

// insightsRequest is one request's range, filter and report.
type insightsRequest struct {
	Range  insightsRange
	Filter leadfilter.Filter
	Report *insights.Report // nil when the range is bad
	// Invalid is the custom range's field that is wrong (from or to), and Problem what to fix.
	Invalid, Problem string
}

// loadInsights parses the request and computes its report. A bad custom range is a 422 naming the
// field; the request is returned beside it, without a report, for the page to show the form again.
func (h *Handler) loadInsights(c echo.Context) (*insightsRequest, error) {
	q := c.Request().URL.Query()
	f := insightsFilter(q)
	rg, field, err := parseInsightsRange(q, h.Clock.Now(), h.Cfg.Location)
	if err != nil {
		key := "insights.err." + field // insights.err.from, insights.err.to
		ir := &insightsRequest{Range: rg, Filter: f, Invalid: field, Problem: h.T(c, key)}
		return ir, echo.NewHTTPError(http.StatusUnprocessableEntity, ir.Problem)
	}
	r, err := h.DB.Insights(c.Request().Context(), f, rg.Period, rg.Prev, h.Cfg.Location)
	if err != nil {
		return nil, err
	}
	return &insightsRequest{Range: rg, Filter: f, Report: r}, nil
}

// insightsIndex is the Insights page (DESIGN §11); an htmx request for #insights-body gets the figures
// and charts only, like the Leads list's results. A bad custom range shows the page again with 422,
// the message in place of the figures and the field marked, for htmx in place as well.
func (h *Handler) insightsIndex(c echo.Context) error {
	gen := h.DB.LeadGeneration()
	ir, err := h.loadInsights(c)
	status := http.StatusOK
	switch {
	case ir != nil && ir.Invalid != "":
		status = http.StatusUnprocessableEntity
	case err != nil:
		return err
	}
	data, err := h.insightsView(c, ir)
	if err != nil {
		return err
	}
	req := c.Request()
	p := h.page(c, h.T(c, "insights.title"), "insights", data)
	if req.Header.Get(views.HXTarget) == "insights-body" && views.WantsFragment(req) {
		p.Fragment = "insights-body"
		data.Swap = true
	}
	if ir.Report != nil {
		// The generation did not move while the report was made (it moves only under the index's
		// write lock), so the body is that generation's.
		current := h.DB.LeadGeneration() == gen
		if data.Body, err = h.insightsBody(p, data, gen, current, req.URL.RawQuery); err != nil {
			return err
		}
	}
	return h.render(c, status, "insights/index", p)
}

// insightsBody is the rendered figures and charts of the page, kept per lead generation when current.
func (h *Handler) insightsBody(p *views.Page, d *insightsData, gen uint64, current bool, rawQuery string) (template.HTML, error) {
	r := d.report
	key := []string{p.Lang, strconv.FormatBool(d.Swap), strconv.FormatInt(r.Period.From.Unix(), 10), strconv.FormatInt(r.Period.To.Unix(), 10),
		strconv.FormatInt(r.Previous.From.Unix(), 10), d.Query, rawQuery}
	for _, l := range d.Locations {
		key = append(key, l.Value+"="+l.Label) // names can change without a lead changing
	}
	k := strings.Join(key, "\x00")
	if body, ok := h.insightsBodies.get(gen, k); ok && current {
		return body, nil
	}
	var b bytes.Buffer
	if err := h.Views.RenderPartial(&b, p.Lang, "insights/index", "insights-body-html", p); err != nil {
		return "", err
	}
	body := template.HTML(b.String()) // html/template output
	if current {
		h.insightsBodies.put(gen, k, body)
	}
	return body, nil
}

// insightsCSV downloads the numbers behind one chart: exactly its "show as table", UTF-8 with a BOM,
// formula-like cells neutralized as the export does.
func (h *Handler) insightsCSV(c echo.Context) error {
	id := strings.TrimSuffix(c.Param("chart"), ".csv")
	ir, err := h.loadInsights(c)
	if err != nil {
		return err
	}
	data, err := h.insightsView(c, ir)
	if err != nil {
		return err
	}
	var tbl *dataTable
	if id == "figures" {
		tbl = &data.FiguresTable
	}
	for i := range data.Charts {
		if data.Charts[i].ID == id {
			tbl = &data.Charts[i].Table
		}
	}
	if tbl == nil {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	res := c.Response()
	name := "insights-" + id + "-" + ir.Range.From + "-" + ir.Range.To + ".csv"
	res.Header().Set("Content-Type", "text/csv; charset=utf-8")
	res.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	res.Header().Set("Cache-Control", "no-store")
	res.WriteHeader(http.StatusOK)
	bw := bufio.NewWriter(res)
	bw.WriteString("\ufeff")
	w := csv.NewWriter(bw)
	rec := make([]string, len(tbl.Head))
	for i, s := range tbl.Head {
		rec[i] = csvSafe(s)
	}
	w.Write(rec)
	for _, row := range tbl.Rows {
		rec = rec[:0]
		for _, cell := range row {
			rec = append(rec, csvSafe(cell.Text))
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		h.Log.Warn("insights csv stopped", "err", err)
		return nil
	}
	return bw.Flush()
}

// insightsData is the Insights page.
type insightsData struct {
	Range        insightsRange
	Presets      []filterOption
	PeriodText   string
	PrevText     string
	Tab          string
	Options      []filterGroup
	Countries    []countryOption
	Locations    []filterOption // the Business profile's locations
	Query        string         // range and filters, for links that keep them
	LeadsURL     string         // the Leads list with the same filters
	Figures      []figureCard
	Money        []moneyCard
	FiguresTable dataTable
	Charts       []chart
	Empty        bool // no lead in the period
	Swap         bool
	// Invalid is the custom range's field that is wrong (from or to) and Problem what to fix; the page
	// then shows the form and the message, no figures.
	Invalid, Problem string
	// Body is the figures and charts rendered (insights-body-html), kept per lead generation.
	Body   template.HTML
	report *insights.Report
}

// figureCard is one headline figure with its change against the previous period.
type figureCard struct {
	ID, Label, Value, Sub string
	Change                string
	Trend                 string // up, down or flat (neutral colour: more is not always better)
	Link                  string
}

// moneyCard is a per-currency value figure: one line per currency, never summed across them.
type moneyCard struct {
	ID, Label string
	Lines     []string
	Prev      string
	Link      string
}

// insightsView turns a report into the page's figures and charts, in the request's language.
func (h *Handler) insightsView(c echo.Context, ir *insightsRequest) (*insightsData, error) {
	lang := h.lang(c)
	pr := message.NewPrinter(language.Make(lang))
	r := ir.Report
	q := listQuery(ir.Filter)
	q.Set("range", ir.Range.Preset)
	if ir.Range.Preset == "custom" {
		q.Set("from", ir.Range.From)
		q.Set("to", ir.Range.To)
	}
	d := &insightsData{Range: ir.Range, Tab: ir.Filter.Tab, Query: q.Encode(), Invalid: ir.Invalid, Problem: ir.Problem}
	d.LeadsURL = drill(listQuery(ir.Filter))
	for _, p := range insightRanges {
		key := "insights.range." + p
		d.Presets = append(d.Presets, filterOption{Value: p, Label: h.T(c, key), Checked: p == ir.Range.Preset})
	}

	// Filters: the list's, limited to those that describe where leads come from.
	labels := map[string]struct{ label, prefix string }{
		"source": {"ws.filter.source", "lead.source."}, "cta": {"ws.filter.cta", "lead.cta."}, "type": {"ws.filter.type", "lead.type."},
		"quality": {"ws.filter.quality", "lead.quality."}, "classification": {"ws.filter.classification", "lead.classification."},
	}
	for _, g := range ir.Filter.Fields() {
		lb, ok := labels[g.Param]
		if !ok {
			continue
		}
		fg := filterGroup{Param: g.Param, Label: h.T(c, lb.label)}
		if g.Only == "qualified" {
			if ir.Filter.Tab == "marketplace" && len(g.Selected) == 0 {
				continue // selects nothing there, as on the Leads list
			}
			fg.Hint = h.T(c, "ws.filter.qualified_only")
		}
		for _, code := range g.Codes {
			fg.Options = append(fg.Options, filterOption{Value: code, Label: h.T(c, lb.prefix+code), Checked: slices.Contains(g.Selected, code)})
		}
		d.Options = append(d.Options, fg)
	}
	codes, err := h.DB.LeadCountries(c.Request().Context())
	if err != nil {
		return nil, err
	}
	for _, code := range append(codes, ir.Filter.Country...) {
		if !slices.ContainsFunc(d.Countries, func(o countryOption) bool { return o.Code == code }) {
			d.Countries = append(d.Countries, countryOption{Code: code, Name: h.countryName(lang, code), Checked: slices.Contains(ir.Filter.Country, code)})
		}
	}
	slices.SortFunc(d.Countries, func(a, b countryOption) int { return strings.Compare(a.Name, b.Name) })

	locs, err := h.DB.LocationNames(c.Request().Context())
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(locs))
	for _, l := range locs {
		names[l.ID] = l.Name
		id := strconv.FormatInt(l.ID, 10)
		d.Locations = append(d.Locations, filterOption{Value: id, Label: l.Name, Checked: slices.Contains(ir.Filter.Location, id)})
	}
	if r == nil {
		return d, nil // a bad range: the form and the message only
	}
	fq := drillQuery(ir.Filter, r.Period, r.Period.From, r.Period.To)
	weekQ := func(start time.Time) url.Values {
		return drillQuery(ir.Filter, r.Period, start, start.AddDate(0, 0, 7))
	}
	d.Empty, d.LeadsURL, d.report = r.Now.Received == 0, drill(fq), r
	d.PeriodText = h.T(c, "insights.period", dayText(lang, r.Period.From), dayText(lang, r.Period.To.AddDate(0, 0, -1)))
	d.PrevText = h.T(c, "insights.vs", dayText(lang, r.Previous.From), dayText(lang, r.Previous.To.AddDate(0, 0, -1)))
	h.insightsFigures(c, pr, d, r, fq)
	d.Charts = h.insightsCharts(c, pr, r, fq, weekQ, names)
	return d, nil
}

// listQuery is the Leads list's query for filter f (its canonical parameters).
func listQuery(f leadfilter.Filter) url.Values {
	return leadfilter.View{Filter: f, Sort: "created", Desc: true, Page: 1, Size: leadfilter.DefaultPageSize}.Query()
}

// drillQuery is the list's query for the leads f admits that were received in [from, to) within
// period p (to a week's drill-down, only the part of it inside the period counts): days in the
// configured time zone, as created_from and created_to (the last day included).
func drillQuery(f leadfilter.Filter, p insights.Period, from, to time.Time) url.Values {
	if from.Before(p.From) {
		from = p.From
	}
	if to.After(p.To) {
		to = p.To
	}
	f.CreatedFrom, f.CreatedTo = from.Format(dayLayout), to.AddDate(0, 0, -1).Format(dayLayout)
	return listQuery(f)
}

// dayLayout is how the date inputs and the list's created_from and created_to write a day.
const dayLayout = "2006-01-02"

// drill is a link to the Leads list with the insights filter and extra parameters (pairs). The list
// shows one tab at a time (and a bare /leads restores the user's last view), so insights over both
// tabs drill into Marketplace leads.
func drill(fq url.Values, pairs ...string) string {
	v := url.Values{"tab": {"marketplace"}}
	for k, vs := range fq {
		v[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Set(pairs[i], pairs[i+1])
	}
	return "/leads?" + v.Encode()
}

func dayText(lang string, t time.Time) string {
	if lang == "ja" {
		return t.Format("2006/01/02")
	}
	return t.Format("Jan 2, 2006")
}

func shortDay(lang string, t time.Time) string {
	if lang == "ja" {
		return t.Format("1/2")
	}
	return t.Format("Jan 2")
}

// dataTable is the numbers of a chart as a table: the page's "show as table" and the CSV download.
type dataTable struct {
	Head []string
	Rows [][]tableCell
}

type tableCell struct {
	Text string
	Link string
	Num  bool
}

// sourceKeys are the stacked series of leads per week: the sources, then leads without one.
func sourceKeys() []string { return append(slices.Clone(lead.Sources), "") }
