package partnercenter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"leaddesk/money"
)

// Decimal is an amount as the API writes it, a JSON number or a string holding one, kept as its
// decimal text so that no float ever rounds a deal value.
type Decimal string

// UnmarshalJSON implements json.Unmarshaler: 12500.5, "12500.50" and null are all read.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		*d = ""
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	// Kept even when it is no number: Referral.Validate names the field, which a decoding error
	// from here could not.
	*d = Decimal(strings.TrimSpace(s))
	return nil
}

// Valid reports whether the text is a non-negative decimal number.
func (d Decimal) Valid() bool {
	_, _, err := parseDecimal(string(d))
	return err == nil
}

// MarshalJSON implements json.Marshaler; the amount is written as a JSON number.
func (d Decimal) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("null"), nil
	}
	if _, _, err := parseDecimal(string(d)); err != nil {
		return nil, fmt.Errorf("partnercenter: %q is not a decimal number", string(d))
	}
	return []byte(d), nil
}

// ErrAmount is an amount that cannot be held in minor units: negative, too large or not a number.
var ErrAmount = errors.New("not an amount")

// Amount turns the decimal into an exact money.Amount of currency. The API's JSON numbers may use an
// exponent ("1e3") or carry more decimals than the currency has; both are settled here on the text
// (the exponent shifts the decimal point, extra decimals round half away from zero: "0.005" USD is
// one cent), and the result goes through money.Parse, the one way text becomes an amount, which also
// owns the range (money.Max).
func (d Decimal) Amount(currency string) (money.Amount, error) {
	digits, exp, err := parseDecimal(string(d))
	if err != nil {
		return money.Amount{}, err
	}
	decimals := money.Digits(currency)
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return money.Amount{Currency: currency}, nil
	}
	// value = digits × 10^exp, written with exactly `decimals` decimals.
	var whole, frac string
	switch shift := exp + decimals; {
	case shift >= 0:
		if len(digits)+shift > 40 {
			return money.Amount{}, fmt.Errorf("%w: %s is too large", ErrAmount, string(d))
		}
		units := digits + strings.Repeat("0", shift)
		whole, frac = splitUnits(units, decimals)
	case len(digits)+shift < 0:
		return money.Amount{Currency: currency}, nil // far below one minor unit
	default:
		cut := len(digits) + shift
		units, drop := digits[:cut], digits[cut:]
		if drop[0] >= '5' {
			units = incrementDigits(units)
		}
		whole, frac = splitUnits(units, decimals)
	}
	text := whole
	if frac != "" {
		text += "." + frac
	}
	a, err := money.Parse(text, currency)
	if err != nil {
		return money.Amount{}, fmt.Errorf("%w: %s: %v", ErrAmount, string(d), err)
	}
	return a, nil
}

// splitUnits writes a count of minor units as whole and fractional digits.
func splitUnits(units string, decimals int) (whole, frac string) {
	if len(units) <= decimals {
		units = strings.Repeat("0", decimals-len(units)+1) + units
	}
	return units[:len(units)-decimals], units[len(units)-decimals:]
}

// incrementDigits adds one to a decimal digit string ("" is 0).
func incrementDigits(s string) string {
	b := []byte(s)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < '9' {
			b[i]++
			return string(b)
		}
		b[i] = '0'
	}
	return "1" + string(b)
}

// parseDecimal splits a non-negative decimal in JSON number syntax ("12.50", "1e3", "0.5E-1") into
// its digits and a power of ten: 12.50 → ("1250", -2).
func parseDecimal(s string) (digits string, exp int, err error) {
	bad := fmt.Errorf("%w: %q", ErrAmount, s)
	if s == "" {
		return "", 0, bad
	}
	if s[0] == '-' {
		return "", 0, fmt.Errorf("%w: %s is negative", ErrAmount, s)
	}
	s = strings.TrimPrefix(s, "+")
	mant, e, hasExp := strings.Cut(strings.ToLower(s), "e")
	if hasExp {
		n, perr := strconv.Atoi(e)
		if perr != nil || n > 1000 || n < -1000 {
			return "", 0, bad
		}
		exp = n
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" {
		return "", 0, bad
	}
	for _, c := range intPart + frac {
		if c < '0' || c > '9' {
			return "", 0, bad
		}
	}
	return intPart + frac, exp - len(frac), nil
}

// DecimalOf writes an amount as the API's decimal text with the currency's decimals:
// 1250050 USD → "12500.50"; 1200000 JPY → "1200000".
func DecimalOf(a money.Amount) Decimal { return Decimal(a.Plain()) }
