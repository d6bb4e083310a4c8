package mail

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"leaddesk/insights"
	"leaddesk/money"
)

// summaryRow is one headline figure of the weekly summary as the mail shows it: the figure, a detail
// under it ("4 of 5"), and its change against the week before.
type summaryRow struct {
	Label, Value, Detail, Change string
	Lines                        []string // per-currency values (never summed across currencies)
}

// summaryRows turns a weekly summary's stored figures into rows in lang, with the Insights page's
// labels and arithmetic (rates and their change in points, durations as people say them).
func (r *Renderer) summaryRows(lang string, p map[string]any) ([]summaryRow, error) {
	var now, prev summaryFigures
	for key, dst := range map[string]*summaryFigures{"now": &now, "prev": &prev} {
		b, err := json.Marshal(p[key])
		if err != nil {
			return nil, fmt.Errorf("mail: summary %s: %w", key, err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			return nil, fmt.Errorf("mail: summary %s: %w", key, err)
		}
	}
	pr := message.NewPrinter(language.Make(lang))
	t := func(key string, args ...any) string { return r.cat.T(lang, key, args...) }
	count := func(a, b int) string {
		if a == b {
			return t("insights.change.same")
		}
		s := pr.Sprintf("%+d", a-b)
		if b > 0 {
			s += pr.Sprintf(" (%+.0f%%)", 100*float64(a-b)/float64(b))
		}
		return s
	}
	percent := func(x insights.Rate) string {
		v, ok := x.Percent()
		if !ok {
			return "–"
		}
		return pr.Sprintf("%.1f%%", v)
	}
	rate := func(a, b insights.Rate) string {
		pa, oka := a.Percent()
		pb, okb := b.Percent()
		if !oka || !okb {
			return t("insights.change.none")
		}
		if diff := pa - pb; diff <= -0.05 || diff >= 0.05 {
			return t("insights.change.points", pr.Sprintf("%+.1f", diff))
		}
		return t("insights.change.same")
	}
	duration := func(d time.Duration) string {
		switch {
		case d < time.Hour:
			return t("insights.dur.minutes", int(d.Round(time.Minute)/time.Minute))
		case d < 48*time.Hour:
			return t("insights.dur.hours", pr.Sprintf("%.1f", d.Hours()))
		default:
			return t("insights.dur.days", pr.Sprintf("%.1f", d.Hours()/24))
		}
	}
	durRow := func(label string, a, b int64) summaryRow {
		row := summaryRow{Label: t(label), Value: t("insights.no_answers"), Change: t("insights.change.none")}
		if now.Answered == 0 {
			return row
		}
		row.Value = duration(time.Duration(a) * time.Second)
		switch {
		case prev.Answered == 0:
		case a == b:
			row.Change = t("insights.change.same")
		case a > b:
			row.Change = "+" + duration(time.Duration(a-b)*time.Second)
		default:
			row.Change = "−" + duration(time.Duration(b-a)*time.Second)
		}
		return row
	}
	amounts := func(label string, a, b []money.Amount) summaryRow {
		row := summaryRow{Label: t(label), Value: "–"}
		row.Lines = money.FormatEach(a, lang)
		ps := money.FormatEach(b, lang)
		if len(ps) > 0 {
			row.Change = t("mail.weekly.previous", strings.Join(ps, " · "))
		} else {
			row.Change = t("insights.change.none")
		}
		if len(row.Lines) > 0 {
			row.Value = strings.Join(row.Lines, " · ")
		}
		return row
	}
	expired := func(f summaryFigures) insights.Rate { return insights.Rate{Num: f.Expired, Den: f.Actionable} }
	accept := func(f summaryFigures) insights.Rate { return insights.Rate{Num: f.Accepted, Den: f.Answered} }
	win := func(f summaryFigures) insights.Rate { return insights.Rate{Num: f.Won, Den: f.Won + f.Lost} }
	answered := func(f summaryFigures) insights.Rate { return insights.Rate{Num: f.Answered, Den: f.Actionable} }
	return []summaryRow{
		{Label: t("insights.fig.received"), Value: pr.Sprint(now.Received), Change: count(now.Received, prev.Received)},
		{Label: t("insights.fig.answered"), Value: pr.Sprint(now.Answered), Detail: t("insights.of_actionable", pr.Sprint(now.Actionable), percent(answered(now))),
			Change: count(now.Answered, prev.Answered)},
		durRow("insights.fig.median", now.MedianSec, prev.MedianSec),
		durRow("insights.fig.p90", now.P90Sec, prev.P90Sec),
		{Label: t("insights.fig.expired"), Value: percent(expired(now)), Detail: t("insights.n_of_m", pr.Sprint(now.Expired), pr.Sprint(now.Actionable)),
			Change: rate(expired(now), expired(prev))},
		{Label: t("insights.fig.accept"), Value: percent(accept(now)), Detail: t("insights.n_of_m", pr.Sprint(now.Accepted), pr.Sprint(now.Answered)),
			Change: rate(accept(now), accept(prev))},
		{Label: t("insights.fig.win"), Value: percent(win(now)), Detail: t("insights.n_of_m", pr.Sprint(now.Won), pr.Sprint(now.Won+now.Lost)),
			Change: rate(win(now), win(prev))},
		amounts("insights.fig.pipeline", now.Pipeline, prev.Pipeline),
		amounts("insights.fig.won_value", now.WonValue, prev.WonValue),
	}, nil
}
