package handlers

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/labstack/echo/v4"
)

// compressor gzips responses for clients that accept it, with klauspost/compress at its fastest
// level: a Leads page is 130–150 KB of repetitive HTML, which level 1 shrinks about eightfold, and
// this encoder does it in less than half the CPU time of the standard library's (measured under
// load, compressing was a fifth of a page's cost). Writers are pooled: each holds its window.
type compressor struct {
	skip  func(path string) bool
	pool  sync.Pool
	level int
}

func newCompressor(skip func(path string) bool) *compressor {
	return &compressor{skip: skip, level: gzip.BestSpeed}
}

func (z *compressor) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req, res := c.Request(), c.Response()
		res.Header().Add("Vary", "Accept-Encoding")
		if !acceptsGzip(req.Header.Get("Accept-Encoding")) || z.skip(req.URL.Path) || req.Method == http.MethodHead {
			return next(c)
		}
		w := &gzipResponse{ResponseWriter: res.Writer, z: z}
		res.Writer = w
		defer func() {
			w.finish()
			res.Writer = w.ResponseWriter
		}()
		return next(c)
	}
}

// acceptsGzip reads Accept-Encoding: gzip (or *) listed and not refused with q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if name = strings.TrimSpace(name); name != "gzip" && name != "*" {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

func (z *compressor) writer(w http.ResponseWriter) *gzip.Writer {
	if gz, ok := z.pool.Get().(*gzip.Writer); ok {
		gz.Reset(w)
		return gz
	}
	gz, _ := gzip.NewWriterLevel(w, z.level) // the level is a constant known to be valid
	return gz
}

// gzipResponse compresses what the handler writes. The status line waits for the first bytes of the
// body: a response without one (a redirect, 204, 304) passes as it is, and so does a body the handler
// already encoded or that is a compressed format; a body without a Content-Type gets the one its
// first bytes show, as net/http would give it, before they are compressed.
type gzipResponse struct {
	http.ResponseWriter
	z       *compressor
	gz      *gzip.Writer
	code    int  // the status the handler wrote, 0 = none yet
	started bool // the status line is sent
}

func (w *gzipResponse) WriteHeader(code int) {
	if w.started || w.code != 0 {
		return
	}
	w.code = code
	if !bodyAllowed(code) {
		w.start(nil)
	}
}

// start sends the status line, compressing from here on when the body allows it.
func (w *gzipResponse) start(first []byte) {
	w.started = true
	if w.code == 0 {
		w.code = http.StatusOK
	}
	h := w.Header()
	if len(first) > 0 && h.Get("Content-Type") == "" {
		h.Set("Content-Type", http.DetectContentType(first))
	}
	if len(first) > 0 && bodyAllowed(w.code) && h.Get("Content-Encoding") == "" && compressible(h.Get("Content-Type")) {
		h.Set("Content-Encoding", "gzip")
		h.Del("Content-Length")
		w.gz = w.z.writer(w.ResponseWriter)
	}
	w.ResponseWriter.WriteHeader(w.code)
}

func (w *gzipResponse) Write(b []byte) (int, error) {
	if !w.started {
		if len(b) == 0 {
			return 0, nil
		}
		w.start(b)
	}
	if w.gz == nil {
		return w.ResponseWriter.Write(b)
	}
	return w.gz.Write(b)
}

// Flush sends what is compressed so far (a streamed CSV reaches the browser as it is made).
func (w *gzipResponse) Flush() {
	if !w.started {
		return // nothing to send yet: the status line waits for the body
	}
	if w.gz != nil {
		_ = w.gz.Flush()
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *gzipResponse) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

func (w *gzipResponse) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// finish sends the status line of a response the handler wrote no body for, or else the gzip
// trailer, and returns the writer to the pool.
func (w *gzipResponse) finish() {
	if !w.started && w.code != 0 {
		w.start(nil)
	}
	if w.gz == nil {
		return
	}
	_ = w.gz.Close()
	w.gz.Reset(nil)
	w.z.pool.Put(w.gz)
	w.gz = nil
}

func bodyAllowed(code int) bool {
	return code >= 200 && code != http.StatusNoContent && code != http.StatusNotModified
}

// compressible is false for formats that are compressed already (images, archives), where gzip
// costs CPU for nothing.
func compressible(contentType string) bool {
	ct, _, _ := strings.Cut(contentType, ";")
	ct = strings.TrimSpace(strings.ToLower(ct))
	switch {
	case strings.HasPrefix(ct, "image/") && ct != "image/svg+xml":
		return false
	case ct == "application/zip", ct == "application/gzip", ct == "application/x-gzip", ct == "font/woff2":
		return false
	}
	return true
}
