package handlers

import (
	"testing"

	"leaddesk/money"
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
	// The form reads the deal value with money.Parse; a currency with the case's decimals stands in.
	currencyWith := map[int]string{2: "USD", 0: "JPY"}
	for _, c := range cases {
		a, err := money.Parse(c.in, currencyWith[c.decimals])
		got, ok := a.Minor, err == nil
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("money.Parse(%q, %s) = %d, %v; want %d, %v", c.in, currencyWith[c.decimals], got, ok, c.want, c.ok)
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
			if back, err := money.Parse(dealValueInput(c.minor, c.cur), c.cur); err != nil || back.Minor != c.minor {
				t.Errorf("round trip of %d %s = %d", c.minor, c.cur, back.Minor)
			}
		}
	}
}
