package partnercenter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
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

// MinorUnits turns the decimal into minor units of a currency with the given number of decimals
// (2 for USD, 0 for JPY), rounding half away from zero when the text has more decimals than the
// currency: "12500.5" USD → 1250050, "1200000" JPY → 1200000, "1e3" USD → 100000.
func (d Decimal) MinorUnits(decimals int) (int64, error) {
	digits, exp, err := parseDecimal(string(d))
	if err != nil {
		return 0, err
	}
	// value = digits × 10^exp; minor = digits × 10^(exp+decimals)
	shift := exp + decimals
	if shift >= 0 {
		if shift > 18 {
			if strings.Trim(digits, "0") == "" {
				return 0, nil
			}
			return 0, fmt.Errorf("%w: %s is too large", ErrAmount, string(d))
		}
		digits += strings.Repeat("0", shift)
		return parseMinor(digits, string(d))
	}
	cut := len(digits) + shift
	if cut < 0 {
		return 0, nil // far below one minor unit
	}
	keep, drop := digits[:cut], digits[cut:]
	if keep == "" {
		keep = "0"
	}
	v, err := parseMinor(keep, string(d))
	if err != nil {
		return 0, err
	}
	if drop[0] >= '5' {
		if v == math.MaxInt64 {
			return 0, fmt.Errorf("%w: %s is too large", ErrAmount, string(d))
		}
		v++
	}
	return v, nil
}

func parseMinor(digits, orig string) (int64, error) {
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %s is too large", ErrAmount, orig)
	}
	return v, nil
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

// DecimalFromMinor writes minor units of a currency with the given number of decimals as a decimal:
// 1250050, 2 → "12500.50"; 1200000, 0 → "1200000".
func DecimalFromMinor(minor int64, decimals int) Decimal {
	neg := minor < 0
	u := strconv.FormatUint(uint64(minor), 10)
	if neg {
		u = strconv.FormatUint(uint64(-minor), 10)
	}
	if decimals > 0 {
		if len(u) <= decimals {
			u = strings.Repeat("0", decimals-len(u)+1) + u
		}
		u = u[:len(u)-decimals] + "." + u[len(u)-decimals:]
	}
	if neg {
		u = "-" + u
	}
	return Decimal(u)
}
