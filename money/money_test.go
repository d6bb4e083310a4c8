package money

import (
	"errors"
	"math"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in, cur string
		want    int64
	}{
		{"12500", "USD", 1250000},
		{"1,234.50", "USD", 123450},
		{"12,500.5", "USD", 1250050},
		{"12 500.05", "EUR", 1250005},
		{"12\u00a0500", "EUR", 1250000},
		{"1_000", "USD", 100000},
		{" 0.01 ", "USD", 1},
		{"1234", "JPY", 1234},
		{"1,200,000", "JPY", 1200000},
		{"1200.00", "JPY", 1200}, // zero decimals lose nothing
		{"12.50", "", 1250},      // no currency yet: two decimals, as ISO's default
		{"1.234", "KWD", 1234},
		{"-5", "USD", -500}, // parsed; whether it is allowed is the caller's rule
		{"0", "USD", 0},
		{"007", "JPY", 7},
		{"10000000000000.00", "USD", Max},
		{"1000000000000000", "JPY", Max},
	} {
		got, err := Parse(c.in, c.cur)
		if err != nil || got != (Amount{c.want, c.cur}) {
			t.Errorf("Parse(%q, %s) = %+v, %v; want %d", c.in, c.cur, got, err, c.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, c := range []struct {
		in, cur string
		want    error
	}{
		{"", "USD", ErrEmpty},
		{"  ", "USD", ErrEmpty},
		{"lots", "USD", ErrSyntax},
		{"1e5", "USD", ErrSyntax},
		{"+5", "USD", ErrSyntax},
		{".5", "USD", ErrSyntax},
		{"5.", "USD", ErrSyntax},
		{"-", "USD", ErrSyntax},
		{"--5", "USD", ErrSyntax},
		{"1.2.3", "USD", ErrSyntax},
		{"NaN", "USD", ErrSyntax},
		{"Inf", "USD", ErrSyntax},
		{"0x10", "USD", ErrSyntax},
		{"１２", "JPY", ErrSyntax}, // full-width digits are not guessed at
		{"1.5", "JPY", ErrDecimals},
		{"1.234", "USD", ErrDecimals},
		{"1.2345", "KWD", ErrDecimals},
		{"10000000000000.01", "USD", ErrRange},
		{"1000000000000001", "JPY", ErrRange},
		{"99999999999999999999999", "USD", ErrRange},
		{"18446744073709551616", "JPY", ErrRange},
	} {
		got, err := Parse(c.in, c.cur)
		if !errors.Is(err, c.want) {
			t.Errorf("Parse(%q, %s) = %+v, %v; want %v", c.in, c.cur, got, err, c.want)
		}
	}
	// The message says what is wrong in words an operator can act on.
	if _, err := Parse("1.5", "JPY"); err == nil || err.Error() != `money: "1.5": too many decimals: JPY amounts have no decimals` {
		t.Errorf("JPY decimals: %v", err)
	}
	if _, err := Parse("1.234", "USD"); err == nil || err.Error() != `money: "1.234": too many decimals: USD amounts have at most 2` {
		t.Errorf("USD decimals: %v", err)
	}
}

func TestDigitsFollowISO4217(t *testing.T) {
	for cur, want := range map[string]int{"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "USD": 2, "EUR": 2, "GBP": 2, "INR": 2,
		"KWD": 3, "BHD": 3, "CLF": 4, "": 2, "XYZ": 2} {
		if got := Digits(cur); got != want {
			t.Errorf("Digits(%q) = %d, want %d", cur, got, want)
		}
	}
}

func TestTextForms(t *testing.T) {
	for _, c := range []struct {
		a                          Amount
		plain, number, en, ja, str string
	}{
		{Amount{1250050, "USD"}, "12500.50", "12500.5", "USD 12,500.50", "USD 12,500.50", "1250050 USD"},
		{Amount{1250000, "USD"}, "12500.00", "12500", "USD 12,500.00", "USD 12,500.00", "1250000 USD"},
		{Amount{1250005, "EUR"}, "12500.05", "12500.05", "EUR 12,500.05", "EUR 12,500.05", "1250005 EUR"},
		{Amount{5, "USD"}, "0.05", "0.05", "USD 0.05", "USD 0.05", "5 USD"},
		{Amount{-123456, "USD"}, "-1234.56", "-1234.56", "USD -1,234.56", "USD -1,234.56", "-123456 USD"},
		{Amount{980000, "JPY"}, "980000", "980000", "JPY 980,000", "JPY 980,000", "980000 JPY"},
		{Amount{1234567, "KWD"}, "1234.567", "1234.567", "KWD 1,234.567", "KWD 1,234.567", "1234567 KWD"},
		{Amount{1234567, ""}, "12345.67", "12345.67", "12,345.67", "12,345.67", "1234567 "},
		{Amount{0, ""}, "0.00", "0", "0.00", "0.00", ""},
		{Amount{Max, "JPY"}, "1000000000000000", "1000000000000000", "JPY 1,000,000,000,000,000", "JPY 1,000,000,000,000,000", "1000000000000000 JPY"},
		{Amount{math.MinInt64, "JPY"}, "-9223372036854775808", "-9223372036854775808", "JPY -9,223,372,036,854,775,808", "JPY -9,223,372,036,854,775,808", "-9223372036854775808 JPY"},
	} {
		if got := c.a.Plain(); got != c.plain {
			t.Errorf("%+v.Plain() = %q, want %q", c.a, got, c.plain)
		}
		if got := c.a.Number(); got != c.number {
			t.Errorf("%+v.Number() = %q, want %q", c.a, got, c.number)
		}
		if got := c.a.Format("en"); got != c.en {
			t.Errorf("%+v.Format(en) = %q, want %q", c.a, got, c.en)
		}
		if got := c.a.Format("ja"); got != c.ja {
			t.Errorf("%+v.Format(ja) = %q, want %q", c.a, got, c.ja)
		}
		if got := c.a.String(); got != c.str {
			t.Errorf("%+v.String() = %q, want %q", c.a, got, c.str)
		}
	}
}

// Every text form the app writes reads back as the same amount.
func TestRoundTrips(t *testing.T) {
	for _, cur := range []string{"USD", "JPY", "KWD", "EUR", ""} {
		for _, minor := range []int64{0, 1, 9, 10, 99, 100, 101, 999, 1000, 123456, 1250050, 99999999, 1234567890123, Max, -1, -100, -123456} {
			a := Amount{minor, cur}
			for name, text := range map[string]string{"Plain": a.Plain(), "Number": a.Number(), "Format": a.Format("en")[len(cur):]} {
				if got, err := Parse(text, cur); err != nil || got != a {
					t.Errorf("%s of %+v = %q, reads back as %+v, %v", name, a, text, got, err)
				}
			}
			if a.String() != "" {
				if got, ok := ParseStored(a.String()); !ok || got != a {
					t.Errorf("String of %+v = %q, reads back as %+v", a, a.String(), got)
				}
			}
		}
	}
}

// FuzzParse: any text either is refused or reads as an amount within Max whose every written form
// reads back the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"12500", "1,234.50", "1.5", "-0.01", "1e5", "", "١٢", "99999999999999999999", "0.000", "1 2 3", "-"} {
		f.Add(s, "USD")
		f.Add(s, "JPY")
	}
	f.Fuzz(func(t *testing.T, text, cur string) {
		a, err := Parse(text, cur)
		if err != nil {
			return
		}
		if a.Minor > Max || a.Minor < -Max {
			t.Fatalf("%q → %d, beyond Max", text, a.Minor)
		}
		for _, back := range []string{a.Plain(), a.Number()} {
			if b, err := Parse(back, cur); err != nil || b != a {
				t.Fatalf("%q → %+v → %q → %+v, %v", text, a, back, b, err)
			}
		}
	})
}
