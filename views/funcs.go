package views

import (
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"

	"leaddesk/lifecycle"
	"leaddesk/money"
)

// funcs are the template functions, bound to one language. Each reads only its arguments, the
// language and what is fixed at start (catalog, assets, time zone), never the clock or the request:
// the Leads list keeps rendered rows keyed by the data they were given (handlers/leads_rows.go), so
// a template's output must follow from its data.
func (r *Renderer) funcs(lang string) template.FuncMap {
	tag := language.Make(lang)
	regions := display.Regions(tag)
	printer := message.NewPrinter(tag)
	return template.FuncMap{
		"t": func(key string, args ...any) string { return r.Catalog.T(lang, key, args...) },
		// country shows an ISO 3166-1 alpha-2 code as the region's name in this language.
		"country": func(code string) string { return CountryName(regions, code) },
		"static":  func(name string) string { return r.Assets.URL(name) },
		// icon is a decorative SVG from the sprite; the control around it carries the accessible name.
		"icon": func(name string, class ...string) template.HTML {
			cls := "icon"
			if len(class) > 0 {
				cls += " " + template.HTMLEscapeString(class[0])
			}
			return template.HTML(`<svg class="` + cls + `" aria-hidden="true" focusable="false"><use href="` +
				template.HTMLEscapeString(r.Assets.URL("icons/icons.svg")) + `#` + template.HTMLEscapeString(name) + `"></use></svg>`)
		},
		"date":     func(t any) string { return r.FormatTime(t, lang, false) },
		"datetime": func(t any) string { return r.FormatTime(t, lang, true) },
		"num":      func(n any) string { return printer.Sprint(n) },
		"money": func(minor int64, currency string) string {
			return money.Amount{Minor: minor, Currency: currency}.Format(lang)
		},
		"lang": func() string { return lang },
		// declineTellsCustomer is lifecycle.CustomerToldOnDecline, for the decline dialog's wording.
		"declineTellsCustomer": lifecycle.CustomerToldOnDecline,
		"initials":             initials,
		"add":                  func(a, b int) int { return a + b },
		"sub":                  func(a, b int) int { return a - b },
		"dict":                 dict,
		"list":                 func(v ...any) []any { return v },
		"join":                 strings.Join,
		"contains": func(list []string, v string) bool {
			for _, x := range list {
				if x == v {
					return true
				}
			}
			return false
		},
	}
}

// CountryName is the localized name of a region code, or the code itself when unknown.
func CountryName(n display.Namer, code string) string {
	if code == "" {
		return ""
	}
	reg, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if name := n.Name(reg); name != "" {
		return name
	}
	return code
}

// CountryNameIn is CountryName for a language code, for handlers sorting country lists.
func CountryNameIn(lang, code string) string {
	return CountryName(display.Regions(language.Make(lang)), code)
}

// FormatTime is the one way dates are written in each language, in the configured time zone: English
// "Dec 14, 2026" and "Dec 14, 2026 18:00 JST", Japanese "2026/12/14" and "2026/12/14 18:00 JST"; a time
// always names its zone (a zone without an abbreviation shows as UTC+5:30). t is a time.Time, a
// *time.Time or Unix seconds; anything else, nil or zero is "".
func (r *Renderer) FormatTime(v any, lang string, withTime bool) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return ""
		}
		t = *x
	case int64:
		t = time.Unix(x, 0)
	default:
		return ""
	}
	if t.IsZero() {
		return ""
	}
	t = t.In(r.Loc)
	day := "Jan 2, 2006"
	if lang == "ja" {
		day = "2006/01/02"
	}
	if !withTime {
		return t.Format(day)
	}
	return t.Format(day+" 15:04") + " " + zoneName(t)
}

// zoneName is t's zone abbreviation (JST, CET, UTC), or its offset from UTC where the zone database
// has only a number ("+0530" → "UTC+5:30").
func zoneName(t time.Time) string {
	abbr, off := t.Zone()
	if abbr != "" && abbr[0] != '+' && abbr[0] != '-' {
		return abbr
	}
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	h, m := off/3600, off%3600/60
	if m != 0 {
		return fmt.Sprintf("UTC%s%d:%02d", sign, h, m)
	}
	return fmt.Sprintf("UTC%s%d", sign, h)
}

func initials(name string) string {
	f := strings.Fields(name)
	switch {
	case len(f) == 0:
		return "?"
	case len(f) == 1:
		r := []rune(f[0])
		return strings.ToUpper(string(r[:min(2, len(r))]))
	default:
		return strings.ToUpper(string([]rune(f[0])[:1]) + string([]rune(f[len(f)-1])[:1]))
	}
}

// dict builds a map for passing several values to a partial: {{template "x" dict "A" 1 "B" 2}}.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
