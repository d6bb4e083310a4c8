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

	"leaddesk/money"
)

// funcs are the template functions, bound to one language.
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
		"date":     func(t any) string { return r.formatTime(t, lang, false) },
		"datetime": func(t any) string { return r.formatTime(t, lang, true) },
		"isodate":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"num":      func(n any) string { return printer.Sprint(n) },
		"money": func(minor int64, currency string) string {
			return money.Amount{Minor: minor, Currency: currency}.Format(lang)
		},
		"lang":     func() string { return lang },
		"initials": initials,
		"add":      func(a, b int) int { return a + b },
		"sub":      func(a, b int) int { return a - b },
		"dict":     dict,
		"list":     func(v ...any) []any { return v },
		"join":     strings.Join,
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

func (r *Renderer) formatTime(v any, lang string, withTime bool) string {
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
	if lang == "ja" {
		if withTime {
			return t.Format("2006/01/02 15:04")
		}
		return t.Format("2006/01/02")
	}
	if withTime {
		return t.Format("Jan 2, 2006 15:04")
	}
	return t.Format("Jan 2, 2006")
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
