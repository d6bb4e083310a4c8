package contact

import (
	"strings"
	"testing"
)

type spamMap map[string]bool

func (m spamMap) IsSpam(addr string, domains []string) (bool, error) {
	if m[addr] {
		return true, nil
	}
	for _, d := range domains {
		if m[d] {
			return true, nil
		}
	}
	return false, nil
}

func TestCheckEmail(t *testing.T) {
	spam := spamMap{"mailinator.com": true, "bad.person@example.com": true}
	for addr, want := range map[string]string{
		"aiko.sato@contoso.co.jp":         Valid,
		"someone@contoso.com":             Valid,
		"Someone@Contoso.COM":             Valid,
		"x@mail.mailinator.com":           Spam, // a listed domain covers its subdomains
		"anything@mailinator.com":         Spam,
		"BAD.PERSON@example.com":          Spam,
		"good.person@example.com":         Valid,
		"someone@contoso.notarealtld":     Unknown,
		"":                                Unknown,
		"not an address":                  Invalid,
		"no-at-sign.example.com":          Invalid,
		"two@@example.com":                Invalid,
		"Aiko <aiko@contoso.com>":         Invalid, // a display name is not an address
		"a@localhost":                     Invalid,
		"a@-bad-.com":                     Invalid,
		"a@exa mple.com":                  Invalid,
		"a@example.c":                     Invalid,
		strings.Repeat("x", 65) + "@a.jp": Invalid,
	} {
		got, err := CheckEmail(t.Context(), addr, spam, nil)
		if err != nil || got != want {
			t.Errorf("CheckEmail(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
}

func TestCheckPhone(t *testing.T) {
	for _, c := range []struct{ phone, country, want string }{
		{"+81 3-1234-5678", "", Valid},
		{"03-1234-5678", "JP", Valid},
		{"16175555555", "US", Valid},     // the documented example: a national number with its trunk prefix
		{"+1 123 456 7890", "", Invalid}, // no area code starts with 1
		{"+1 425 882 8080", "", Valid},
		{"(425) 882-8080", "US", Valid},
		{"12", "JP", Invalid},
		{"call me maybe", "JP", Invalid},
		{"", "JP", Unknown},
		{"03-1234-5678", "", Unknown}, // a national number needs a country
	} {
		if got := CheckPhone(c.phone, c.country); got != c.want {
			t.Errorf("CheckPhone(%q, %q) = %q, want %q", c.phone, c.country, got, c.want)
		}
	}
}

func TestQuality(t *testing.T) {
	for _, c := range []struct{ email, phone, want string }{
		{Valid, Valid, "high"}, {Valid, Invalid, "high"}, {Unknown, Unknown, "high"}, {Unknown, Valid, "high"},
		{Spam, Valid, "low"}, {Invalid, Valid, "low"}, {Unknown, Invalid, "low"},
	} {
		if got := Quality(c.email, c.phone); got != c.want {
			t.Errorf("Quality(%s, %s) = %s, want %s", c.email, c.phone, got, c.want)
		}
	}
}

func TestCountryCode(t *testing.T) {
	for in, want := range map[string]string{
		"JP": "JP", "jp": "JP", "USA": "US", "United States": "US", "united kingdom": "GB", "UK": "GB",
		"Japan": "JP", "日本": "JP", "Germany": "DE", "DEU": "DE", "": "",
	} {
		if got, ok := CountryCode(in); !ok || got != want {
			t.Errorf("CountryCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"Atlantis", "XX", "ZZZ", "1"} {
		if got, ok := CountryCode(bad); ok {
			t.Errorf("CountryCode(%q) = %q, want not ok", bad, got)
		}
	}
}

// PhoneSyntaxOK is the one check for numbers typed into the profile and lead forms.
func TestPhoneSyntaxOK(t *testing.T) {
	for phone, want := range map[string]bool{
		"+81 3-5555-0100":           true,
		"(03) 5555-0100":            true,
		"+44 20.7946.0958":          true,
		"123456":                    true,
		"12345":                     false, // too few digits
		"+1234567890123456":         false, // 16 digits: more than E.164 allows
		"03+5555":                   false, // + only in front
		"+81 3 CALL NOW":            false,
		"+81 3 5555 0100 ext 12":    false,
		"":                          false,
		"1 2 3 4 5 6 7 8 9 0 1 2 3": true,
	} {
		if got := PhoneSyntaxOK(phone); got != want {
			t.Errorf("PhoneSyntaxOK(%q) = %v, want %v", phone, got, want)
		}
	}
}
