// Package views renders Leaddesk's pages: html/template files embedded in the binary, parsed once per
// language at start (so {{t "key"}} works in every template), executed into a buffer, then written.
package views

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/static"
)

//go:embed templates
var templateFS embed.FS

// htmx request headers (https://htmx.org/reference/#request_headers).
const (
	HXRequest        = "HX-Request"
	HXBoosted        = "HX-Boosted"
	HXHistoryRestore = "HX-History-Restore-Request"
	HXTarget         = "HX-Target"
	HXCurrentURL     = "HX-Current-URL" // the browser's address when htmx sent the request
)

// Page is what every template receives: the layout's needs plus the page's own Data.
type Page struct {
	Title     string // already translated; the layout appends " · Leaddesk"
	Nav       string // active left-navigation item: "leads", "profile", "settings", "admin"
	Layout    string // "" = the workspace shell; "auth" = the centred sign-in card
	Fragment  string // block rendered for an htmx request; "" = "content"
	User      *db.User
	CSRF      string
	Lang      string
	Path      string // request URI, for the language switch to come back to
	RequestID string
	Flash     *Flash
	Data      any
}

// Flash is a one-time message shown at the top of the next page.
type Flash struct {
	Kind string // success, info, warning, danger
	Text string
}

// Renderer implements echo.Renderer.
type Renderer struct {
	Catalog *Catalog
	Assets  *static.Assets
	Loc     *time.Location

	base  map[string]*template.Template // lang → layout and partials, never executed (cloned per page)
	pages map[string]string             // page name → file

	// A page's set (the layout and every partial, cloned, plus the page) takes ≈ 0.7 MB; most servers
	// only ever show a few of the 70-odd (pages × languages), so each is made on its first use and kept.
	mu   sync.Mutex
	sets map[string]map[string]*template.Template // lang → page name → template set
	// bufs are render buffers used again: a Leads page is 100–250 KB, and growing a fresh buffer to
	// that size for every request was half of what a page allocated (BenchmarkLeadsPage).
	bufs sync.Pool
}

// maxPooledBuffer: a buffer that grew past it (an unusually large page) is left to the collector.
const maxPooledBuffer = 1 << 20

func (r *Renderer) buffer() *bytes.Buffer {
	if b, ok := r.bufs.Get().(*bytes.Buffer); ok {
		return b
	}
	return new(bytes.Buffer)
}

func (r *Renderer) release(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBuffer {
		b.Reset()
		r.bufs.Put(b)
	}
}

// execute runs the template into a pooled buffer and, when it succeeded, writes the buffer to w:
// a template that fails half-way writes nothing.
func (r *Renderer) execute(w io.Writer, t *template.Template, block string, data any) error {
	buf := r.buffer()
	defer r.release(buf)
	if err := t.ExecuteTemplate(buf, block, data); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// NewRenderer parses the layout and partials once per language, and checks that every page parses
// with them: a template that does not parse stops the start, not a request.
func NewRenderer(cat *Catalog, assets *static.Assets, loc *time.Location) (*Renderer, error) {
	r := &Renderer{Catalog: cat, Assets: assets, Loc: loc, base: map[string]*template.Template{}, pages: map[string]string{},
		sets: map[string]map[string]*template.Template{}}
	err := fs.WalkDir(templateFS, "templates/pages", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".html") {
			r.pages[strings.TrimSuffix(strings.TrimPrefix(p, "templates/pages/"), ".html")] = p
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, lang := range Languages {
		base, err := template.New("root").Funcs(r.funcs(lang)).ParseFS(templateFS, "templates/layout/*.html", "templates/partials/*.html")
		if err != nil {
			return nil, fmt.Errorf("views: parse layout: %w", err)
		}
		r.base[lang] = base
		r.sets[lang] = map[string]*template.Template{}
		for name := range r.pages {
			if _, err := r.parse(lang, name); err != nil { // checked, then left to the collector
				return nil, err
			}
		}
	}
	return r, nil
}

// parse makes page name's template set in lang.
func (r *Renderer) parse(lang, name string) (*template.Template, error) {
	t, err := template.Must(r.base[lang].Clone()).ParseFS(templateFS, r.pages[name])
	if err != nil {
		return nil, fmt.Errorf("views: parse %s: %w", r.pages[name], err)
	}
	return t, nil
}

// set is page name's template set in lang, made on first use; false when there is no such page.
func (r *Renderer) set(lang, name string) (*template.Template, bool) {
	if _, ok := r.pages[name]; !ok {
		return nil, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if t, ok := r.sets[lang][name]; ok {
		return t, true
	}
	t, err := r.parse(lang, name)
	if err != nil { // not reached: NewRenderer parsed every page
		return nil, false
	}
	r.sets[lang][name] = t
	return t, true
}

// Has reports whether a page template exists.
func (r *Renderer) Has(name string) bool { _, ok := r.pages[name]; return ok }

// WantsFragment is the one htmx rule: an htmx request that is neither boosted nor a history restore
// gets only the fragment; anything else gets the whole page.
func WantsFragment(req *http.Request) bool {
	return req.Header.Get(HXRequest) == "true" && req.Header.Get(HXBoosted) != "true" && req.Header.Get(HXHistoryRestore) != "true"
}

// Render implements echo.Renderer (v4 signature). data must be *Page; name is the page, e.g. "leads/list".
func (r *Renderer) Render(w io.Writer, name string, data any, c echo.Context) error {
	p, ok := data.(*Page)
	if !ok {
		return fmt.Errorf("views: render %s: data is %T, want *views.Page", name, data)
	}
	t, block, err := r.pageBlock(name, p, c)
	if err != nil {
		return err
	}
	if err := r.execute(w, t, block, p); err != nil {
		return fmt.Errorf("views: render %s/%s: %w", name, block, err)
	}
	return nil
}

// Respond renders the page as Render does and sends it with code. It is echo's Context.Render
// without its fresh buffer per page: the page is executed into a pooled buffer and written from it.
func (r *Renderer) Respond(c echo.Context, code int, name string, p *Page) error {
	t, block, err := r.pageBlock(name, p, c)
	if err != nil {
		return err
	}
	buf := r.buffer()
	defer r.release(buf)
	if err := t.ExecuteTemplate(buf, block, p); err != nil {
		return fmt.Errorf("views: render %s/%s: %w", name, block, err)
	}
	return c.HTMLBlob(code, buf.Bytes())
}

// pageBlock is the template set of page name in p's language and the block to execute: the layout,
// or, for an htmx request that wants a fragment, p.Fragment ("content" by default).
func (r *Renderer) pageBlock(name string, p *Page, c echo.Context) (*template.Template, string, error) {
	lang := p.Lang
	if !ValidLanguage(lang) {
		lang = Languages[0]
	}
	t, ok := r.set(lang, name)
	if !ok {
		return nil, "", fmt.Errorf("views: no template %q", name)
	}
	block := "layout"
	if p.Layout == "auth" {
		block = "auth-layout"
	}
	if c != nil {
		c.Response().Header().Add("Vary", HXRequest)
		if WantsFragment(c.Request()) {
			block = p.Fragment
			if block == "" {
				block = "content"
			}
		}
	}
	return t, block, nil
}

// RenderBlock renders one named block of a page into w, whatever the request (for fragments sent
// out of band, e.g. a row and a counter after an action).
func (r *Renderer) RenderBlock(w io.Writer, name, block string, p *Page) error {
	lang := p.Lang
	if !ValidLanguage(lang) {
		lang = Languages[0]
	}
	t, ok := r.set(lang, name)
	if !ok {
		return fmt.Errorf("views: no template %q", name)
	}
	if err := r.execute(w, t, block, p); err != nil {
		return fmt.Errorf("views: render %s/%s: %w", name, block, err)
	}
	return nil
}

// RenderPartial renders one partial (a {{define}} of the layout, the partials or the page) of a
// page's set in lang with data as its dot, for output kept and reused by a handler.
func (r *Renderer) RenderPartial(w io.Writer, lang, page, partial string, data any) error {
	if !ValidLanguage(lang) {
		lang = Languages[0]
	}
	t, ok := r.set(lang, page)
	if !ok {
		return fmt.Errorf("views: no template %q", page)
	}
	if err := r.execute(w, t, partial, data); err != nil {
		return fmt.Errorf("views: render %s/%s: %w", page, partial, err)
	}
	return nil
}
