package handlers

import (
	"cmp"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/message"

	"leaddesk/insights"
	"leaddesk/lead"
)

// chart is one chart of the Insights page: its title and description, the geometry its template
// (partials/insights_charts.html) draws as SVG, and the same numbers as a table. Geometry is computed
// here so the templates stay simple; every string in it comes from the catalog.
type chart struct {
	ID, Title, Desc string
	Kind            string // columns, hbars or heat
	Linked          bool   // its bars are drill-down links (the SVG is then a group of links, not one image)
	CSV             string
	Legend          []legendItem
	Empty           bool

	// columns
	W, H    float64
	Bars    []svgBar
	YTicks  []svgText
	XLabels []svgText
	Marker  *svgMarker
	Left    float64 // the plot's left edge
	Right   float64 // the plot's right edge
	Base    float64 // the plot's baseline

	// hbars
	Rows []hbarRow

	// heat
	Cells []heatCell
	HeatX []svgText
	HeatY []svgText

	Table dataTable
}

type legendItem struct{ Class, Label string }

type svgBar struct {
	X, Y, W, H float64
	Class      string
	Link       string
	Label      string // accessible name and tooltip
}

type svgText struct {
	X, Y float64
	Text string
}

type svgMarker struct {
	X, Y1, Y2 float64
	Label     string
}

type hbarRow struct {
	Label, Value string
	Pct          float64 // bar length, percent of the longest
	Link, Class  string
}

type heatCell struct {
	X, Y, W, H float64
	Level      int // 0 (none) … 4 (busiest)
	Label      string
}

// Column charts are drawn in a viewBox about as wide as they show on a laptop, so their text reads at
// the app's size: wide charts span the page, the others half of it.
const (
	wideW, halfW, colH                  = 1000.0, 480.0, 240.0
	colLeft, colRight, colTop, colBelow = 44.0, 10.0, 12.0, 30.0
)

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// niceMax is a round axis maximum at or above v, with four ticks of a 1, 2, 2.5 or 5 step.
func niceMax(v float64, whole bool) float64 {
	if v <= 0 {
		return 4
	}
	step := v / 4
	mag := math.Pow(10, math.Floor(math.Log10(step)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= step && (!whole || m*mag >= 1 && math.Mod(m*mag, 1) == 0) {
			return 4 * m * mag
		}
	}
	return 4 * 10 * mag
}

// column is one column of a column chart: stacked segments (value, class, link, label).
type column struct {
	Label    string
	Segments []segment
}

type segment struct {
	Value             float64
	Class, Link, Text string
}

// columns lays out a column chart; unit formats a tick value.
func (ch *chart) columns(w float64, cols []column, whole bool, unit func(float64) string, every int) {
	ch.Kind, ch.W, ch.H = "columns", w, colH
	ch.Left, ch.Right, ch.Base = colLeft, w-colRight, colH-colBelow
	top := 0.0
	for _, c := range cols {
		sum := 0.0
		for _, s := range c.Segments {
			sum += s.Value
		}
		top = max(top, sum)
	}
	ymax := niceMax(top, whole)
	plotH := ch.Base - colTop
	for i := 0; i <= 4; i++ {
		v := ymax * float64(i) / 4
		ch.YTicks = append(ch.YTicks, svgText{X: colLeft - 6, Y: round1(ch.Base - plotH*float64(i)/4), Text: unit(v)})
	}
	if len(cols) == 0 {
		return
	}
	slot := (ch.Right - ch.Left) / float64(len(cols))
	bw := min(slot*0.72, 56)
	for i, c := range cols {
		x := ch.Left + slot*float64(i) + (slot-bw)/2
		y := ch.Base
		for _, s := range c.Segments {
			if s.Value <= 0 {
				continue
			}
			h := plotH * s.Value / ymax
			y -= h
			ch.Bars = append(ch.Bars, svgBar{X: round1(x), Y: round1(y), W: round1(bw), H: round1(h), Class: s.Class, Link: s.Link, Label: s.Text})
		}
		if every <= 1 || i%every == 0 {
			ch.XLabels = append(ch.XLabels, svgText{X: round1(x + bw/2), Y: ch.Base + 18, Text: c.Label})
		}
	}
}

// hbars lays out a horizontal bar chart.
func (ch *chart) hbars(rows []hbarRow) {
	ch.Kind = "hbars"
	top := 0.0
	for _, r := range rows {
		top = max(top, r.Pct)
	}
	for i := range rows {
		if top > 0 {
			rows[i].Pct = round1(100 * rows[i].Pct / top)
		}
		if rows[i].Class == "" {
			rows[i].Class = "series-0"
		}
	}
	ch.Rows = rows
}

// insightsCharts builds every chart of the report.
//
// fq is the list's query for the period's leads; weekQ a week's (its drill-downs open that week's leads).
func (h *Handler) insightsCharts(c echo.Context, pr *message.Printer, r *insights.Report, fq url.Values, weekQ func(time.Time) url.Values,
	locations map[int64]string) []chart {
	lang := h.lang(c)
	t := func(key string, args ...any) string { return h.T(c, key, args...) }
	n := func(v int) string { return pr.Sprint(v) }
	pct := func(r insights.Rate) string { return percentText(pr, r) }
	var out []chart
	newChart := func(id string, linked bool) chart {
		return chart{ID: id, Title: t("insights.chart." + id), Desc: t("insights.chart." + id + ".desc"), Linked: linked,
			CSV: "/insights/" + id + ".csv?" + c.Request().URL.Query().Encode()}
	}
	every := max(1, (len(r.Weeks)+9)/10) // about ten week labels, whatever the range

	// Leads per week by source.
	ch := newChart("weeks", true)
	keys := sourceKeys()
	ch.Table.Head = []string{t("insights.col.week")}
	for i, k := range keys {
		label := t("insights.source.none")
		if k != "" {
			label = t("lead.source." + k)
		}
		ch.Legend = append(ch.Legend, legendItem{Class: "series-" + strconv.Itoa(i), Label: label})
		ch.Table.Head = append(ch.Table.Head, label)
	}
	ch.Table.Head = append(ch.Table.Head, t("insights.col.total"))
	var cols []column
	for _, w := range r.Weeks {
		col := column{Label: shortDay(lang, w.Start)}
		row := []tableCell{{Text: dayText(lang, w.Start)}}
		for i, k := range keys {
			v := w.BySource[k]
			link := ""
			if k != "" {
				link = drill(weekQ(w.Start), "source", k)
			}
			col.Segments = append(col.Segments, segment{Value: float64(v), Class: "series-" + strconv.Itoa(i), Link: link,
				Text: t("insights.bar.week_source", dayText(lang, w.Start), ch.Legend[i].Label, n(v))})
			row = append(row, tableCell{Text: n(v), Link: link, Num: true})
		}
		cols = append(cols, col)
		ch.Table.Rows = append(ch.Table.Rows, append(row, tableCell{Text: n(w.Received), Num: true, Link: drill(weekQ(w.Start))}))
	}
	ch.columns(wideW, cols, true, func(v float64) string { return pr.Sprint(int(v)) }, every)
	ch.Empty = r.Now.Received == 0
	out = append(out, ch)

	// Funnel: received → actionable → answered → accepted → won.
	ch = newChart("funnel", true)
	ch.Table.Head = []string{t("insights.col.stage"), t("insights.col.leads"), t("insights.col.share")}
	now := &r.Now
	stages := []struct {
		key  string
		v    int
		link string
	}{
		{"received", now.Received, drill(fq)},
		// A status filter narrows to actionable leads, so all of them is every actionable lead.
		{"actionable", now.Actionable, drill(fq, "status", strings.Join(lead.Statuses, ","))},
		// Answered and accepted (ever, later won or lost included) are no view of the list: no link
		// rather than one that opens a different number of leads.
		{"answered", now.Answered, ""},
		{"accepted", now.Accepted, ""},
		{"won", now.Won, drill(fq, "outcome", "won")},
	}
	var rows []hbarRow
	for _, s := range stages {
		label := t("insights.stage." + s.key)
		share := pct(insights.Rate{Num: s.v, Den: now.Received})
		rows = append(rows, hbarRow{Label: label, Value: n(s.v) + " · " + share, Pct: float64(s.v), Link: s.link})
		ch.Table.Rows = append(ch.Table.Rows, []tableCell{{Text: label, Link: s.link}, {Text: n(s.v), Num: true}, {Text: share, Num: true}})
	}
	ch.hbars(rows)
	ch.Empty = now.Received == 0
	out = append(out, ch)

	// Time to first answer, with the 14-day line.
	ch = newChart("answers", false)
	ch.Table.Head = []string{t("insights.col.answered_within"), t("insights.col.leads")}
	cols = nil
	for i, v := range r.Answers {
		label := t("insights.bucket." + strconv.Itoa(i))
		cols = append(cols, column{Label: label, Segments: []segment{{Value: float64(v), Class: "series-0", Text: label + ": " + n(v)}}})
		ch.Table.Rows = append(ch.Table.Rows, []tableCell{{Text: label}, {Text: n(v), Num: true}})
	}
	ch.columns(halfW, cols, true, func(v float64) string { return pr.Sprint(int(v)) }, 1)
	slot := (ch.Right - ch.Left) / float64(len(cols))
	x := round1(ch.Left + slot*float64(len(insights.AnswerBuckets)))
	ch.Marker = &svgMarker{X: x, Y1: colTop - 4, Y2: ch.Base, Label: t("insights.expiry_line", int(lead.ExpiryWindow/(24*time.Hour)))}
	ch.Empty = now.Answered == 0
	out = append(out, ch)

	// Expiry rate per week.
	ch = newChart("expiry", true)
	ch.Table.Head = []string{t("insights.col.week"), t("insights.col.actionable"), t("insights.col.expired"), t("insights.col.rate")}
	cols = nil
	top := 0.0
	for _, w := range r.Weeks {
		expLink := drill(weekQ(w.Start), "outcome", "expired")
		p, _ := w.ExpiredRate().Percent()
		top = max(top, p)
		cols = append(cols, column{Label: shortDay(lang, w.Start), Segments: []segment{{Value: p, Class: "series-warn", Link: expLink,
			Text: t("insights.bar.week_expired", dayText(lang, w.Start), pct(w.ExpiredRate()), n(w.Expired), n(w.Actionable))}}})
		ch.Table.Rows = append(ch.Table.Rows, []tableCell{{Text: dayText(lang, w.Start)}, {Text: n(w.Actionable), Num: true},
			{Text: n(w.Expired), Num: true, Link: expLink}, {Text: pct(w.ExpiredRate()), Num: true}})
	}
	ch.columns(wideW, cols, false, func(v float64) string { return pr.Sprintf("%.0f%%", v) }, every)
	ch.Empty = now.Actionable == 0
	out = append(out, ch)

	// Decline and lost reasons.
	for _, rs := range []struct {
		id, outcome string
		counts      map[string]int
	}{{"decline_reasons", "declined", r.DeclineReasons}, {"lost_reasons", "lost", r.LostReasons}} {
		ch = newChart(rs.id, true)
		ch.Table.Head = []string{t("insights.col.reason"), t("insights.col.leads")}
		link := drill(fq, "outcome", rs.outcome)
		keys := make([]string, 0, len(rs.counts))
		total := 0
		for k, v := range rs.counts {
			keys = append(keys, k)
			total += v
		}
		slices.SortFunc(keys, func(a, b string) int {
			if c := cmp.Compare(rs.counts[b], rs.counts[a]); c != 0 {
				return c
			}
			return cmp.Compare(a, b)
		})
		rows = nil
		for _, k := range keys {
			label := t("insights.reason.none")
			if k != "" {
				label = t("lifecycle.reason." + k)
			}
			v := rs.counts[k]
			rows = append(rows, hbarRow{Label: label, Value: n(v), Pct: float64(v), Link: link})
			ch.Table.Rows = append(ch.Table.Rows, []tableCell{{Text: label, Link: link}, {Text: n(v), Num: true}})
		}
		ch.hbars(rows)
		ch.Empty = total == 0
		out = append(out, ch)
	}

	// Top countries, offers and locations: by leads, with their win rate.
	for _, gs := range []struct {
		id     string
		groups []insights.Group
	}{{"countries", r.Countries}, {"offers", r.Offers}, {"locations", r.Locations}} {
		if gs.id == "locations" && len(locations) == 0 {
			continue // no Business profile locations: nothing to chart
		}
		ch = newChart(gs.id, gs.id == "countries")
		ch.Table.Head = []string{t("insights.col." + gs.id), t("insights.col.leads"), t("insights.col.won"), t("insights.col.lost"), t("insights.col.win_rate")}
		rows = nil
		for i, g := range gs.groups {
			label, link := g.Key, ""
			switch gs.id {
			case "countries":
				label, link = h.countryName(lang, g.Key), drill(fq, "country", g.Key)
			case "locations":
				id, _ := strconv.ParseInt(g.Key, 10, 64)
				if name := locations[id]; name != "" {
					label = name
				}
			}
			wr := pct(g.WinRate())
			ch.Table.Rows = append(ch.Table.Rows, []tableCell{{Text: label, Link: link}, {Text: n(g.Leads), Num: true}, {Text: n(g.Won), Num: true},
				{Text: n(g.Lost), Num: true}, {Text: wr, Num: true}})
			if i < 10 {
				rows = append(rows, hbarRow{Label: label, Value: t("insights.leads_win", n(g.Leads), wr), Pct: float64(g.Leads), Link: link})
			}
		}
		ch.hbars(rows)
		ch.Empty = len(gs.groups) == 0
		out = append(out, ch)
	}

	// Arrivals by weekday and hour.
	ch = newChart("heat", false)
	ch.Kind, ch.W = "heat", 640.0
	cw, chh, left, topY := (ch.W-40)/24, 24.0, 40.0, 20.0
	ch.H = topY + 7*chh + 4
	busiest := 0
	for _, d := range r.Heat {
		for _, v := range d {
			busiest = max(busiest, v)
		}
	}
	ch.Table.Head = []string{t("insights.col.weekday")}
	for hr := 0; hr < 24; hr++ {
		ch.Table.Head = append(ch.Table.Head, strconv.Itoa(hr))
		if hr%3 == 0 {
			ch.HeatX = append(ch.HeatX, svgText{X: round1(left + cw*float64(hr) + cw/2), Y: topY - 6, Text: strconv.Itoa(hr)})
		}
	}
	for d := 0; d < 7; d++ {
		day := t("insights.weekday." + strconv.Itoa(d))
		ch.HeatY = append(ch.HeatY, svgText{X: left - 6, Y: round1(topY + chh*float64(d) + chh/2 + 4), Text: day})
		row := []tableCell{{Text: day}}
		for hr := 0; hr < 24; hr++ {
			v := r.Heat[d][hr]
			lvl := 0
			if v > 0 {
				lvl = int(math.Ceil(4 * float64(v) / float64(busiest)))
			}
			ch.Cells = append(ch.Cells, heatCell{X: round1(left + cw*float64(hr) + 1), Y: round1(topY + chh*float64(d) + 1), W: round1(cw - 2), H: chh - 2,
				Level: lvl, Label: t("insights.bar.heat", day, hr, n(v))})
			row = append(row, tableCell{Text: n(v), Num: true})
		}
		ch.Table.Rows = append(ch.Table.Rows, row)
	}
	ch.Empty = now.Received == 0
	out = append(out, ch)
	return out
}
