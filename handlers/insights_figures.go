package handlers

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/message"

	"leaddesk/insights"
	"leaddesk/money"
)

// durationText is a time to first answer as people say it: minutes under an hour, hours under two
// days, else days with one decimal.
func (h *Handler) durationText(c echo.Context, pr *message.Printer, d time.Duration) string {
	switch {
	case d < time.Hour:
		return h.T(c, "insights.dur.minutes", int(d.Round(time.Minute)/time.Minute))
	case d < 48*time.Hour:
		return h.T(c, "insights.dur.hours", pr.Sprintf("%.1f", d.Hours()))
	default:
		return h.T(c, "insights.dur.days", pr.Sprintf("%.1f", d.Hours()/24))
	}
}

func percentText(pr *message.Printer, r insights.Rate) string {
	p, ok := r.Percent()
	if !ok {
		return "–"
	}
	return pr.Sprintf("%.1f%%", p)
}

// insightsFigures fills the headline figures and their table.
func (h *Handler) insightsFigures(c echo.Context, pr *message.Printer, d *insightsData, r *insights.Report, fq url.Values) {
	now, prev := &r.Now, &r.Prev
	count := func(a, b int) (string, string) {
		if a == b {
			return h.T(c, "insights.change.same"), "flat"
		}
		s := pr.Sprintf("%+d", a-b)
		if b > 0 {
			s += pr.Sprintf(" (%+.0f%%)", 100*float64(a-b)/float64(b))
		}
		if a > b {
			return s, "up"
		}
		return s, "down"
	}
	rate := func(a, b insights.Rate) (string, string) {
		pa, oka := a.Percent()
		pb, okb := b.Percent()
		if !oka || !okb {
			return h.T(c, "insights.change.none"), "flat"
		}
		diff := pa - pb
		if diff > -0.05 && diff < 0.05 {
			return h.T(c, "insights.change.same"), "flat"
		}
		s := h.T(c, "insights.change.points", pr.Sprintf("%+.1f", diff))
		if diff > 0 {
			return s, "up"
		}
		return s, "down"
	}
	dur := func(a, b *insights.Figures, p90 bool) (string, string) {
		if a.Answered == 0 || b.Answered == 0 {
			return h.T(c, "insights.change.none"), "flat"
		}
		x, y := a.Median, b.Median
		if p90 {
			x, y = a.P90, b.P90
		}
		if x == y {
			return h.T(c, "insights.change.same"), "flat"
		}
		diff := x - y
		sign, tr := "+", "up"
		if diff < 0 {
			sign, tr, diff = "−", "down", -diff
		}
		return sign + h.durationText(c, pr, diff), tr
	}
	add := func(id, value, sub, link string, change, trend string) {
		key := "insights.fig." + id
		d.Figures = append(d.Figures, figureCard{ID: id, Label: h.T(c, key), Value: value, Sub: sub, Change: change, Trend: trend, Link: link})
	}
	ch, tr := count(now.Received, prev.Received)
	add("received", pr.Sprint(now.Received), "", drill(fq), ch, tr)
	ch, tr = count(now.Answered, prev.Answered)
	add("answered", pr.Sprint(now.Answered), h.T(c, "insights.of_actionable", pr.Sprint(now.Actionable), percentText(pr, now.AnsweredRate())), "", ch, tr)
	noAnswer := h.T(c, "insights.no_answers")
	med, p90 := noAnswer, noAnswer
	if now.Answered > 0 {
		med, p90 = h.durationText(c, pr, now.Median), h.durationText(c, pr, now.P90)
	}
	ch, tr = dur(now, prev, false)
	add("median", med, "", "", ch, tr)
	ch, tr = dur(now, prev, true)
	add("p90", p90, "", "", ch, tr)
	ch, tr = rate(now.ExpiredRate(), prev.ExpiredRate())
	add("expired", percentText(pr, now.ExpiredRate()), h.T(c, "insights.n_of_m", pr.Sprint(now.Expired), pr.Sprint(now.Actionable)), drill(fq, "outcome", "expired"), ch, tr)
	ch, tr = rate(now.AcceptRate(), prev.AcceptRate())
	add("accept", percentText(pr, now.AcceptRate()), h.T(c, "insights.n_of_m", pr.Sprint(now.Accepted), pr.Sprint(now.Answered)), "", ch, tr) // accepted ever (later won or lost too) is no view of the list
	ch, tr = rate(now.WinRate(), prev.WinRate())
	add("win", percentText(pr, now.WinRate()), h.T(c, "insights.n_of_m", pr.Sprint(now.Won), pr.Sprint(now.Won+now.Lost)), drill(fq, "outcome", "won"), ch, tr)

	lang := h.lang(c)
	amounts := func(id string, a, b []money.Amount, link string) {
		key := "insights.fig." + id
		mc := moneyCard{ID: id, Label: h.T(c, key), Link: link}
		mc.Lines = money.FormatEach(a, lang)
		ps := money.FormatEach(b, lang)
		if len(ps) > 0 {
			mc.Prev = h.T(c, "insights.previous", strings.Join(ps, " · "))
		}
		d.Money = append(d.Money, mc)
	}
	amounts("pipeline", now.Pipeline, prev.Pipeline, drill(fq, "status", "accepted"))
	amounts("won_value", now.WonValue, prev.WonValue, drill(fq, "outcome", "won"))

	t := dataTable{Head: []string{h.T(c, "insights.col.figure"), h.T(c, "insights.col.period"), h.T(c, "insights.col.previous")}}
	row := func(label, a, b string) {
		t.Rows = append(t.Rows, []tableCell{{Text: label}, {Text: a, Num: true}, {Text: b, Num: true}})
	}
	durOr := func(f *insights.Figures, p90 bool) string {
		if f.Answered == 0 {
			return noAnswer
		}
		if p90 {
			return h.durationText(c, pr, f.P90)
		}
		return h.durationText(c, pr, f.Median)
	}
	row(h.T(c, "insights.fig.received"), pr.Sprint(now.Received), pr.Sprint(prev.Received))
	row(h.T(c, "insights.fig.actionable"), pr.Sprint(now.Actionable), pr.Sprint(prev.Actionable))
	row(h.T(c, "insights.fig.answered"), pr.Sprint(now.Answered), pr.Sprint(prev.Answered))
	row(h.T(c, "insights.fig.median"), durOr(now, false), durOr(prev, false))
	row(h.T(c, "insights.fig.p90"), durOr(now, true), durOr(prev, true))
	row(h.T(c, "insights.fig.expired"), percentText(pr, now.ExpiredRate()), percentText(pr, prev.ExpiredRate()))
	row(h.T(c, "insights.fig.accept"), percentText(pr, now.AcceptRate()), percentText(pr, prev.AcceptRate()))
	row(h.T(c, "insights.fig.win"), percentText(pr, now.WinRate()), percentText(pr, prev.WinRate()))
	for _, cur := range currencies(now.Pipeline, prev.Pipeline) {
		row(h.T(c, "insights.fig.pipeline")+" "+cur, amountIn(now.Pipeline, cur).Plain(), amountIn(prev.Pipeline, cur).Plain())
	}
	for _, cur := range currencies(now.WonValue, prev.WonValue) {
		row(h.T(c, "insights.fig.won_value")+" "+cur, amountIn(now.WonValue, cur).Plain(), amountIn(prev.WonValue, cur).Plain())
	}
	d.FiguresTable = t
}

// currencies is every currency of a and b, sorted.
func currencies(a, b []money.Amount) []string {
	var out []string
	for _, x := range append(slices.Clone(a), b...) {
		if !slices.Contains(out, x.Currency) {
			out = append(out, x.Currency)
		}
	}
	slices.Sort(out)
	return out
}

// amountIn is list's amount in currency cur (zero when it has none).
func amountIn(list []money.Amount, cur string) money.Amount {
	for _, x := range list {
		if x.Currency == cur {
			return x
		}
	}
	return money.Amount{Currency: cur}
}
