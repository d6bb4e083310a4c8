package views

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

//go:embed locales
var localeFS embed.FS

// Languages Leaddesk speaks, in matching order (the first is the fallback).
var Languages = []string{"en", "ja"}

var langTags = []language.Tag{language.English, language.Japanese}

var matcher = language.NewMatcher(langTags)

// Catalog holds every user-facing string in every language: locales/<lang>/*.json, flat key → text.
// Texts may carry fmt verbs (%s, %d). A key with ".one" appended, when present, is used instead
// when the first argument is the number 1.
type Catalog struct {
	msgs map[string]map[string]string
}

// LoadCatalog reads the embedded catalog and checks that both languages have the same keys.
func LoadCatalog() (*Catalog, error) { return loadCatalog(localeFS) }

func loadCatalog(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]string{}}
	for _, lang := range Languages {
		c.msgs[lang] = map[string]string{}
		files, err := fs.Glob(fsys, "locales/"+lang+"/*.json")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			b, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, err
			}
			var m map[string]string
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("views: catalog %s: %w", f, err)
			}
			for k, v := range m {
				if _, dup := c.msgs[lang][k]; dup {
					return nil, fmt.Errorf("views: catalog key %q is defined twice in %s (again in %s)", k, lang, path.Base(f))
				}
				c.msgs[lang][k] = v
			}
		}
	}
	if missing := c.Missing(); len(missing) > 0 {
		return nil, fmt.Errorf("views: catalog keys missing in a language: %s", strings.Join(missing, ", "))
	}
	return c, nil
}

// Missing lists "lang:key" for every key that one language has and another lacks.
func (c *Catalog) Missing() []string {
	var out []string
	for _, a := range Languages {
		for k := range c.msgs[a] {
			for _, b := range Languages {
				if _, ok := c.msgs[b][k]; !ok {
					out = append(out, b+":"+k)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// Has reports whether key exists (in the fallback language; Missing checks the others).
func (c *Catalog) Has(key string) bool {
	_, ok := c.msgs[Languages[0]][key]
	return ok
}

// Keys returns every key.
func (c *Catalog) Keys() []string {
	var keys []string
	for k := range c.msgs[Languages[0]] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// T translates key into lang, formatting args into the text. An unknown key shows as ⟦key⟧ so it is
// seen at once (the catalog tests keep that from shipping).
func (c *Catalog) T(lang, key string, args ...any) string {
	m, ok := c.msgs[lang]
	if !ok {
		m = c.msgs[Languages[0]]
	}
	if len(args) > 0 && isOne(args[0]) {
		if s, ok := m[key+".one"]; ok {
			return fmt.Sprintf(s, args...)
		}
	}
	s, ok := m[key]
	if !ok {
		return "⟦" + key + "⟧"
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

func isOne(v any) bool {
	switch n := v.(type) {
	case int:
		return n == 1
	case int64:
		return n == 1
	}
	return false
}

// MatchLanguage picks the supported language for a stored choice, else an Accept-Language header.
func MatchLanguage(choice, acceptLanguage string) string {
	for _, l := range Languages {
		if choice == l {
			return l
		}
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Languages[0]
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return Languages[0]
	}
	return Languages[idx]
}

// ValidLanguage reports whether l is a supported language code.
func ValidLanguage(l string) bool {
	for _, x := range Languages {
		if x == l {
			return true
		}
	}
	return false
}
