// Package money holds amounts exactly: whole minor units (cents; yen have none) of an ISO 4217
// currency, never floats. Every way money text becomes a stored amount (the deal form, the API, CSV
// import) goes through Parse, and every way an amount becomes text (pages, mail, CSV export, the API,
// the lead timeline) through the methods of Amount, so a value reads back exactly as it was typed.
// It imports only the standard library.
package money

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Max is the largest amount, in minor units, Parse accepts: far beyond any deal, and small enough that
// no arithmetic on it can overflow an int64.
const Max = 1_000_000_000_000_000

// Amount is an exact amount: Minor units of Currency (an ISO 4217 code, or "" when none is known).
type Amount struct {
	Minor    int64
	Currency string
}

// Digits is how many decimals an amount in currency carries: its ISO 4217 minor-unit exponent (JPY 0,
// USD 2, KWD 3), 2 for a currency the table does not list or for none.
func Digits(currency string) int {
	switch currency {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	case "CLF", "UYW":
		return 4
	}
	return 2
}

// Errors Parse wraps; callers that word their own message test for them with errors.Is.
var (
	ErrEmpty    = errors.New("no amount given")
	ErrSyntax   = errors.New("not an amount")
	ErrDecimals = errors.New("too many decimals")
	ErrRange    = errors.New("amount too large")
)

// Parse reads an amount as people and spreadsheets write it — "12500", "1,234.50", "12 500", "-5" — in
// currency. Grouping by commas, spaces (also no-break) and underscores is ignored; the decimal point is
// a dot. More decimals than the currency has are refused unless they are zeros ("1200.00" yen is 1200
// yen, "1.5" yen is an error); so are exponents, a leading "+" or "." and anything past Max. A negative
// amount parses: whether it is allowed is the caller's rule.
func Parse(text, currency string) (Amount, error) {
	a := Amount{Currency: currency}
	s := strings.NewReplacer(",", "", " ", "", "\u00a0", "", "\u202f", "", "_", "").Replace(strings.TrimSpace(text))
	if s == "" {
		return a, fmt.Errorf("money: %w", ErrEmpty)
	}
	neg := strings.HasPrefix(s, "-")
	whole, frac, hasDot := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if whole == "" || (hasDot && frac == "") || !digitsOnly(whole) || !digitsOnly(frac) {
		return a, fmt.Errorf("money: %q: %w such as 1,234.50", clip(text), ErrSyntax)
	}
	d := Digits(currency)
	if len(frac) > d {
		if strings.Trim(frac[d:], "0") != "" {
			if d == 0 {
				return a, fmt.Errorf("money: %q: %w: %s amounts have no decimals", clip(text), ErrDecimals, currency)
			}
			return a, fmt.Errorf("money: %q: %w: %s amounts have at most %d", clip(text), ErrDecimals, currencyName(currency), d)
		}
		frac = frac[:d]
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 19 {
		return a, fmt.Errorf("money: %q: %w", clip(text), ErrRange)
	}
	frac += strings.Repeat("0", d-len(frac))
	var w, f uint64
	if whole != "" {
		w, _ = strconv.ParseUint(whole, 10, 64) // at most 19 digits: fits
	}
	if frac != "" {
		f, _ = strconv.ParseUint(frac, 10, 64)
	}
	if w > Max/pow10(d) {
		return a, fmt.Errorf("money: %q: %w", clip(text), ErrRange)
	}
	m := w*pow10(d) + f
	if m > Max {
		return a, fmt.Errorf("money: %q: %w", clip(text), ErrRange)
	}
	a.Minor = int64(m)
	if neg {
		a.Minor = -a.Minor
	}
	return a, nil
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func pow10(n int) uint64 {
	p := uint64(1)
	for range n {
		p *= 10
	}
	return p
}

func currencyName(c string) string {
	if c == "" {
		return "such"
	}
	return c
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// parts splits the amount into sign, whole units and the fraction's digits (as many as the
// currency has).
func (a Amount) parts() (sign string, whole uint64, frac string) {
	m := uint64(a.Minor)
	if a.Minor < 0 {
		sign, m = "-", uint64(-a.Minor) // -MinInt64 wraps to itself, which as uint64 is its magnitude
	}
	d := Digits(a.Currency)
	p := pow10(d)
	whole = m / p
	if d > 0 {
		frac = strconv.FormatUint(m%p, 10)
		frac = strings.Repeat("0", d-len(frac)) + frac
	}
	return sign, whole, frac
}

// Plain is the amount as a plain decimal with the currency's decimals and no grouping — "12500.50",
// "980000" for yen — for CSV export and form inputs; Parse reads it back exactly.
func (a Amount) Plain() string {
	sign, whole, frac := a.parts()
	s := sign + strconv.FormatUint(whole, 10)
	if frac != "" {
		s += "." + frac
	}
	return s
}

// Number is the shortest exact decimal of the amount — "12500", "12500.5" — for a JSON number
// (the API has always sent dealValue this way); Parse reads it back exactly.
func (a Amount) Number() string {
	sign, whole, frac := a.parts()
	s := sign + strconv.FormatUint(whole, 10)
	if frac = strings.TrimRight(frac, "0"); frac != "" {
		s += "." + frac
	}
	return s
}

// FormatEach formats each amount for lang, in order: one line per currency (sums of different
// currencies are never added up).
func FormatEach(as []Amount, lang string) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.Format(lang))
	}
	return out
}

// Format is the amount for reading in a language (a catalog code such as "en" or "ja"): the currency
// code, then the amount grouped by thousands with the currency's decimals — "USD 12,500.00",
// "JPY 1,200,000". An amount without a currency is the grouped number alone, with the two decimals
// Parse gave it ("12,500.50").
func (a Amount) Format(lang string) string {
	group, point := separators(lang)
	sign, whole, frac := a.parts()
	s := sign + grouped(whole, group)
	if frac != "" {
		s += point + frac
	}
	if a.Currency == "" {
		return s
	}
	return a.Currency + " " + s
}

// separators are a language's thousands separator and decimal point. The catalog's languages,
// English and Japanese, both write 1,234.50; a language that writes 1.234,50 adds its case here.
func separators(lang string) (group, point string) {
	switch lang {
	default: // en, ja
		return ",", "."
	}
}

func grouped(n uint64, sep string) string {
	s := strconv.FormatUint(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	head := len(s) % 3
	if head > 0 {
		b.WriteString(s[:head])
	}
	for i := head; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// String is "minor currency", e.g. "1250000 USD": the lead timeline's stored form of a deal value
// (ParseStored reads it back), "" for no amount.
func (a Amount) String() string {
	if a.Currency == "" && a.Minor == 0 {
		return ""
	}
	return strconv.FormatInt(a.Minor, 10) + " " + a.Currency
}

// ParseStored reads what String wrote.
func ParseStored(s string) (Amount, bool) {
	minor, cur, _ := strings.Cut(s, " ")
	n, err := strconv.ParseInt(minor, 10, 64)
	if err != nil {
		return Amount{}, false
	}
	return Amount{Minor: n, Currency: cur}, true
}
