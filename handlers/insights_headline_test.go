package handlers_test

import (
	"testing"
	"time"

	"leaddesk/insights"
	"leaddesk/internal/testkit"
	"leaddesk/leadfilter"
)

// TestInsightsHeadlineForAWeek: insights.Headline (what the weekly summary mail reports) gives a week's
// headline figures beside the week before, on the fixture's hand-computed numbers: the week of
// 9 November holds D, E, F, G and H (actionable D, E, F, H; answered D 2 h and H 10 h), the week of
// 2 November A, B and C (answered 1, 3 and 5 h); a filter applies, a test lead never counts.
func TestInsightsHeadlineForAWeek(t *testing.T) {
	s := testkit.NewServer(t)
	insightsFixture(t, s)
	tokyo := s.Cfg.Location
	monday := time.Date(2026, 11, 9, 0, 0, 0, 0, tokyo)
	sum, err := insights.Headline(t.Context(), s.DB, leadfilter.Filter{Test: true}, monday, monday.AddDate(0, 0, 7), tokyo)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Previous.From.Equal(monday.AddDate(0, 0, -7)) || !sum.Previous.To.Equal(monday) {
		t.Errorf("previous period %v – %v, want the week before", sum.Previous.From, sum.Previous.To)
	}
	now, prev := sum.Now, sum.Prev
	if now.Received != 5 || now.Actionable != 4 || now.Answered != 2 || now.Expired != 1 || now.Median != 6*time.Hour || now.P90 != 9*time.Hour+12*time.Minute {
		t.Errorf("week of Nov 9: %+v", now)
	}
	if prev.Received != 3 || prev.Answered != 3 || prev.Median != 3*time.Hour || prev.Won != 1 || prev.Lost != 1 || len(prev.WonValue) != 1 || prev.WonValue[0].Minor != 250000 {
		t.Errorf("week of Nov 2 (the test lead T not counted): %+v", prev)
	}
	if d, pct, ok := insights.CountChange(now.Received, prev.Received); d != 2 || !ok || pct < 66.6 || pct > 66.7 {
		t.Errorf("received change %d %.2f%% %v, want +2 (+66.67%%)", d, pct, ok)
	}
	if pts, ok := insights.RateChange(now.WinRate(), prev.WinRate()); ok {
		t.Errorf("win rate change %.1f pts, want none (no deal ended in the week of Nov 9)", pts)
	}
	jp, err := insights.Headline(t.Context(), s.DB, leadfilter.Filter{Country: []string{"JP"}}, monday, monday.AddDate(0, 0, 7), tokyo)
	if err != nil || jp.Now.Received != 2 || jp.Prev.Received != 1 {
		t.Errorf("Japan: %d and %d received, want 2 (D, H) and 1 (C) (%v)", jp.Now.Received, jp.Prev.Received, err)
	}
}
