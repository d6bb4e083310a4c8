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
	if _, err := os.Stat("../go.mod"); err != nil {
		t.Fatalf("the module root is not at ..: %v", err)
	}
	tmplKey := regexp.MustCompile(`\bt "([a-z0-9_.\-]+)"`)
	goKey := regexp.MustCompile(`\.T\((?:c|ctx|lang|l|[a-zA-Z.]+), "([a-z0-9_.\-]+)"`)
	// found counts the uses each pattern matched: a pattern that matches nothing (a renamed helper, a
	// new template syntax, a walk that starts in the wrong place) would otherwise pass in silence.
	found := map[*regexp.Regexp]int{}
	files := map[*regexp.Regexp]int{}
	check := func(path string, re *regexp.Regexp) {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files[re]++
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			found[re]++
			if !c.Has(m[1]) {
				t.Errorf("%s uses catalog key %q, which does not exist", path, m[1])
			}
		}
	}
	err = fs.WalkDir(os.DirFS("."), "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".html") {
			check(p, tmplKey)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk templates: %v", err)
	}
	err = filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == "data" || d.Name() == "bin") {
			return filepath.SkipDir
		}
		if strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
			check(p, goKey)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk Go files: %v", err)
	}
	// The application uses hundreds of keys from templates and well over a hundred from Go code;
	// far fewer means a pattern no longer sees how keys are used.
	for _, p := range []struct {
		name string
		re   *regexp.Regexp
		min  int
	}{{"templates", tmplKey, 100}, {"Go code", goKey, 50}} {
		t.Logf("%s: %d key uses in %d files", p.name, found[p.re], files[p.re])
		if found[p.re] < p.min {
			t.Errorf("%s: the pattern %s found %d key uses in %d files, want at least %d", p.name, p.re, found[p.re], files[p.re], p.min)
		}
	}
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
