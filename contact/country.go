package contact

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// countryNames maps lower-cased country names (English and Japanese, as x/text names them, plus the
// usual informal spellings) to ISO 3166-1 alpha-2 codes.
var countryNames = func() map[string]string {
	m := map[string]string{}
	en, ja := display.English.Regions(), display.Japanese.Regions()
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			r, err := language.ParseRegion(code)
			if err != nil || !r.IsCountry() || r.String() != code || r.Canonicalize().String() != code {
				continue
			}
			for _, n := range []string{en.Name(r), ja.Name(r)} {
				if _, taken := m[strings.ToLower(n)]; n != "" && !taken && code != "UK" {
					m[strings.ToLower(n)] = code
				}
			}
		}
	}
	for name, code := range map[string]string{
		"usa": "US", "united states of america": "US", "america": "US", "u.s.": "US", "u.s.a.": "US",
		"uk": "GB", "great britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "britain": "GB",
		"south korea": "KR", "korea": "KR", "republic of korea": "KR", "russia": "RU", "russian federation": "RU",
		"czech republic": "CZ", "holland": "NL", "the netherlands": "NL", "uae": "AE", "viet nam": "VN",
		"hong kong sar": "HK", "macau": "MO", "taiwan, province of china": "TW", "turkey": "TR", "türkiye": "TR",
		"ivory coast": "CI", "日本国": "JP", "米国": "US", "アメリカ": "US", "アメリカ合衆国": "US", "韓国": "KR", "中国": "CN",
	} {
		m[name] = code
	}
	return m
}()

// CountryCode turns what a sender wrote for a country into an ISO 3166-1 alpha-2 code: an alpha-2 or
// alpha-3 code in any case, or a country name in English or Japanese. ok is false when it names no
// country; an empty input gives "", true (the country is optional).
func CountryCode(s string) (code string, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	if c, ok := countryNames[strings.ToLower(s)]; ok {
		return c, true
	}
	if len(s) == 2 || len(s) == 3 {
		if r, err := language.ParseRegion(s); err == nil && r.IsCountry() {
			c := r.String()
			if c == "UK" {
				c = "GB" // exceptionally reserved; the ISO code is GB
			}
			if len(c) == 2 {
				return c, true
			}
		}
	}
	return "", false
}
