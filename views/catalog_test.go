package views

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestCatalogHasEveryKeyInBothLanguages(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if m := c.Missing(); len(m) > 0 {
		t.Fatalf("keys missing in a language: %v", m)
	}
	for _, k := range c.Keys() {
		for _, l := range Languages {
			if strings.TrimSpace(c.T(l, k)) == "" {
				t.Errorf("%s:%s is empty", l, k)
			}
		}
	}
}

func TestCatalogDetectsAMissingTranslation(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "locales/en"), 0o755)
	os.MkdirAll(filepath.Join(root, "locales/ja"), 0o755)
	os.WriteFile(filepath.Join(root, "locales/en/a.json"), []byte(`{"x.only_en": "Hello"}`), 0o644)
	os.WriteFile(filepath.Join(root, "locales/ja/a.json"), []byte(`{}`), 0o644)
	if _, err := loadCatalog(os.DirFS(root)); err == nil || !strings.Contains(err.Error(), "ja:x.only_en") {
		t.Fatalf("err = %v, want the missing Japanese key named", err)
	}
}

// Every key used in a template ({{t "key"}}) or in Go code (h.T(c, "key") / Catalog.T(lang, "key"))
// must exist, so no page ever shows ⟦key⟧.
func TestEveryUsedKeyExists(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	tmplKey := regexp.MustCompile(`\bt "([a-z0-9_.\-]+)"`)
	goKey := regexp.MustCompile(`\.T\((?:c|ctx|lang|l|[a-zA-Z.]+), "([a-z0-9_.\-]+)"`)
	check := func(path string, re *regexp.Regexp) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if !c.Has(m[1]) {
				t.Errorf("%s uses catalog key %q, which does not exist", path, m[1])
			}
		}
	}
	fs.WalkDir(os.DirFS("."), "templates", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".html") {
			check(p, tmplKey)
		}
		return nil
	})
	filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == "data") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			check(p, goKey)
		}
		return nil
	})
}

func TestMatchLanguage(t *testing.T) {
	cases := []struct{ choice, accept, want string }{
		{"", "ja-JP,ja;q=0.9,en;q=0.8", "ja"},
		{"", "en-US,en;q=0.9", "en"},
		{"", "fr-FR", "en"},
		{"", "", "en"},
		{"ja", "en-US", "ja"},
		{"en", "ja", "en"},
		{"xx", "ja", "ja"},
	}
	for _, tc := range cases {
		if got := MatchLanguage(tc.choice, tc.accept); got != tc.want {
			t.Errorf("MatchLanguage(%q, %q) = %q, want %q", tc.choice, tc.accept, got, tc.want)
		}
	}
}

func TestCountryNamesAreLocalized(t *testing.T) {
	if got := CountryNameIn("ja", "JP"); got != "日本" {
		t.Errorf("JP in Japanese = %q", got)
	}
	if got := CountryNameIn("en", "DE"); got != "Germany" {
		t.Errorf("DE in English = %q", got)
	}
}
