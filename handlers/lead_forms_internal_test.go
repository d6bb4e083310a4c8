package handlers

import (
	"testing"

	"leaddesk/views"
)

func TestParseDealValue(t *testing.T) {
	cases := []struct {
		in       string
		decimals int
		want     int64
		ok       bool
	}{
		{"12500", 2, 1250000, true},
		{"12,500.5", 2, 1250050, true},
		{"12 500.05", 2, 1250005, true},
		{"1,200,000", 0, 1200000, true},
		{"1.5", 0, 0, false}, // JPY has no minor unit
		{"1.234", 2, 0, false},
		{"-5", 2, -500, true}, // parsed; the form refuses ≤ 0 with its own message
		{"+5", 2, 0, false},
		{"1e5", 2, 0, false},
		{"", 2, 0, false},
		{".5", 2, 0, false},
		{"5.", 2, 0, false},
		{"99999999999999999", 2, 0, false}, // beyond any deal: refused, never overflowing
	}
	for _, c := range cases {
		got, ok := parseDealValue(c.in, c.decimals)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("parseDealValue(%q, %d) = %d, %v; want %d, %v", c.in, c.decimals, got, ok, c.want, c.ok)
		}
	}
	for _, c := range []struct {
		minor int64
		cur   string
		want  string
	}{{1250050, "USD", "12500.50"}, {1250005, "EUR", "12500.05"}, {980000, "JPY", "980000"}, {0, "", ""}} {
		if got := dealValueInput(c.minor, c.cur); got != c.want {
			t.Errorf("dealValueInput(%d, %s) = %q, want %q", c.minor, c.cur, got, c.want)
		}
		if c.cur != "" {
			if back, ok := parseDealValue(dealValueInput(c.minor, c.cur), views.MinorUnits(c.cur)); !ok || back != c.minor {
				t.Errorf("round trip of %d %s = %d", c.minor, c.cur, back)
			}
		}
	}
}
