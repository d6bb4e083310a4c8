// Package static embeds Leaddesk's stylesheet, script, icons and vendored htmx, and serves them under
// content-hashed URLs (/static/<hash>/<file>) with long-lived immutable caching.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed css js icons vendor
var files embed.FS

// Assets knows every embedded file and its content hash.
type Assets struct {
	hashes map[string]string // "css/app.css" → short hash
}

// New hashes every embedded file once.
func New() (*Assets, error) {
	a := &Assets{hashes: map[string]string{}}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.hashes[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	return a, err
}

// URL returns the hashed URL of an embedded file, e.g. URL("css/app.css") → /static/1a2b3c4d5e6f/css/app.css.
// An unknown name gives a URL that answers 404, so a typo shows up in tests rather than silently.
func (a *Assets) URL(name string) string {
	h, ok := a.hashes[name]
	if !ok {
		h = "missing"
	}
	return "/static/" + h + "/" + name
}

// ServeHTTP serves /static/<hash>/<file>. A current hash is cached for a year as immutable; a stale
// hash (a page from before an upgrade) still gets the file, but uncached.
func (a *Assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/static/")
	hash, name, ok := strings.Cut(rest, "/")
	name = path.Clean(name)
	want, known := a.hashes[name]
	if !ok || !known {
		http.NotFound(w, r)
		return
	}
	b, err := files.ReadFile(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	if hash == want {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(b)
}
