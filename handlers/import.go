package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/intake"
	"leaddesk/lead"
)

// importUploadLimit caps an uploaded CSV (about a million rows of our export).
const importUploadLimit = 512 << 20

// importPreviewRows is how many rows the preview shows; every row with a problem is listed anyway, up
// to importListedProblems.
const (
	importPreviewRows    = 50
	importListedProblems = 500
)

var importIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// importData is the upload form, the preview and the result.
type importData struct {
	Error    string
	ID       string
	FileName string
	Report   intake.Report
	Rows     []intake.RowResult // the preview's first rows
	Problems []intake.RowResult // rows that were (or will be) skipped, and duplicates after import
	More     int                // problems not listed
	Done     bool
}

// importPath is where an upload waits between preview and confirmation: under the data directory,
// named by the uploader and a random id, so nobody can confirm someone else's file.
func (h *Handler) importPath(c echo.Context, id string) string {
	return filepath.Join(h.Cfg.DataDir, "imports", strconv.FormatInt(h.user(c).ID, 10)+"-"+id+".csv")
}

// importForm shows the upload form.
func (h *Handler) importForm(c echo.Context) error {
	return h.render(c, http.StatusOK, "leads/import", h.page(c, h.T(c, "intake.import.title"), "leads", importData{}))
}

// ImportLimits bound CSV uploads. Unconfirmed uploads are bounded per user, so nobody fills the data
// directory with previews they never confirm (they are removed a day after upload, or when imported).
type ImportLimits struct {
	File         int64 // one file
	PendingCount int   // a user's unconfirmed uploads
	PendingBytes int64 // their bytes together
}

func defaultImportLimits() ImportLimits {
	return ImportLimits{File: importUploadLimit, PendingCount: 10, PendingBytes: 1 << 30}
}

// importFormOverhead is the room in the body for the multipart framing around the file.
const importFormOverhead = 64 << 10

// importUpload streams the uploaded file to the data directory and checks it; a broken file is refused
// right here. It runs after the role and the CSRF token are checked (handleUpload), and only then lifts
// the body limit — to what this user's unconfirmed uploads leave free.
func (h *Handler) importUpload(c echo.Context) error {
	fail := func(key string, args ...any) error {
		return h.render(c, http.StatusUnprocessableEntity, "leads/import", h.page(c, h.T(c, "intake.import.title"), "leads",
			importData{Error: h.T(c, key, args...)}))
	}
	uid := h.user(c).ID
	if !h.uploads.start(uid) {
		return fail("intake.import.busy")
	}
	defer h.uploads.done(uid)
	dir := filepath.Dir(h.importPath(c, "x"))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	h.removeStaleImports(dir)
	lim := h.ImportLimits
	count, used := pendingImports(dir, uid)
	if count >= lim.PendingCount {
		return fail("intake.import.pending_count", count)
	}
	allowed := min(lim.File, lim.PendingBytes-used)
	tooLarge := func() error {
		if allowed < lim.File {
			return fail("intake.import.pending_bytes", used>>20, lim.PendingBytes>>20)
		}
		return fail("intake.import.too_large", lim.File>>20)
	}
	if allowed <= 0 || c.Request().ContentLength > allowed+importFormOverhead {
		return tooLarge()
	}
	raiseBodyLimit(c, allowed+importFormOverhead)
	mr, err := uploadParts(c)
	if err != nil {
		return fail("intake.import.no_file")
	}
	var src *multipart.Part
	for {
		p, err := mr.NextPart()
		if tooBig := new(http.MaxBytesError); errors.As(err, &tooBig) {
			return tooLarge()
		}
		if err != nil {
			return fail("intake.import.no_file")
		}
		if p.FormName() == "file" && p.FileName() != "" {
			src = p
			break
		}
	}
	b := make([]byte, 16)
	rand.Read(b)
	id := hex.EncodeToString(b)
	path := h.importPath(c, id)
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	body := &uploadReader{r: io.LimitReader(src, allowed+1)}
	n, err := io.Copy(dst, body)
	if err == nil {
		err = dst.Close()
	} else {
		dst.Close()
	}
	if err != nil || n > allowed {
		os.Remove(path)
	}
	switch tooBig := new(http.MaxBytesError); {
	case errors.As(err, &tooBig) || n > allowed:
		return tooLarge()
	case body.err != nil:
		return fail("intake.import.no_file") // the upload broke off: the sender's side, not ours
	case err != nil:
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	_, cerr := intake.Check(f, h.Clock.Now(), nil)
	f.Close()
	if cerr != nil {
		os.Remove(path)
		return fail("intake.import.file_error", cerr.Error())
	}
	return h.redirect(c, "/leads/import/"+id)
}

// uploadReader remembers a read error, to tell a broken-off upload from a failing disk.
type uploadReader struct {
	r   io.Reader
	err error
}

func (u *uploadReader) Read(p []byte) (int, error) {
	n, err := u.r.Read(p)
	if err != nil && err != io.EOF {
		u.err = err
	}
	return n, err
}

// pendingImports counts the user's uploads waiting for confirmation, and their bytes.
func pendingImports(dir string, uid int64) (count int, bytes int64) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, 0
	}
	prefix := strconv.FormatInt(uid, 10) + "-"
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), prefix) || !strings.HasSuffix(e.Name(), ".csv") {
			continue
		}
		if info, err := e.Info(); err == nil {
			count++
			bytes += info.Size()
		}
	}
	return count, bytes
}

// uploadGuard lets each user run one upload at a time, so the per-user bounds hold under parallel
// uploads too.
type uploadGuard struct {
	mu     sync.Mutex
	active map[int64]bool
}

func (g *uploadGuard) start(uid int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.active[uid] {
		return false
	}
	if g.active == nil {
		g.active = map[int64]bool{}
	}
	g.active[uid] = true
	return true
}

func (g *uploadGuard) done(uid int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.active, uid)
}

// importPreview shows what the import would do: counts, the first rows with their contact validity,
// and every row that would be skipped, with the reason.
func (h *Handler) importPreview(c echo.Context) error {
	id := c.Param("id")
	if !importIDPattern.MatchString(id) {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	f, err := os.Open(h.importPath(c, id))
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "intake.import.gone"))
	}
	defer f.Close()
	d := importData{ID: id}
	ctx := c.Request().Context()
	spam := db.SpamChecker{Ctx: ctx, Q: h.DB}
	rep, err := intake.Check(f, h.Clock.Now(), func(r intake.RowResult) {
		r.Reason = h.importReason(c, r.Problems)
		if r.Status == "skipped" {
			if len(d.Problems) < importListedProblems {
				d.Problems = append(d.Problems, r)
			} else {
				d.More++
			}
		}
		if len(d.Rows) < importPreviewRows {
			if r.Lead != nil {
				if err := intake.Validate(ctx, r.Lead, spam, h.DNS); err != nil {
					h.Log.Warn("preview validation", "err", err)
				}
			}
			d.Rows = append(d.Rows, r)
		}
	})
	if err != nil {
		return h.render(c, http.StatusUnprocessableEntity, "leads/import", h.page(c, h.T(c, "intake.import.title"), "leads",
			importData{Error: h.T(c, "intake.import.file_error", err.Error())}))
	}
	d.Report = rep
	return h.render(c, http.StatusOK, "leads/import_preview", h.page(c, h.T(c, "intake.import.preview_title"), "leads", d))
}

// importConfirm imports the previewed file and shows the report; the file is deleted afterwards.
func (h *Handler) importConfirm(c echo.Context) error {
	id := c.Param("id")
	if !importIDPattern.MatchString(id) {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	// Claim the file by renaming it: of two confirms at once (a double click, two tabs) only one
	// rename succeeds, so the file is imported once.
	path := h.importPath(c, id)
	claimed := path + ".importing"
	if err := os.Rename(path, claimed); err != nil {
		if _, serr := os.Stat(claimed); serr == nil {
			return echo.NewHTTPError(http.StatusConflict, h.T(c, "intake.import.already"))
		}
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "intake.import.gone"))
	}
	f, err := os.Open(claimed)
	if err != nil {
		return err
	}
	defer os.Remove(claimed)
	defer f.Close()
	u := h.user(c)
	d := importData{ID: id, Done: true}
	im, err := h.Leads.StartImport(c.Request().Context(), lead.Actor{UserID: u.ID, Label: "import", Roles: u.Roles})
	if err != nil {
		return err
	}
	defer im.Close()
	now := im.Now()
	rep, err := intake.Import(c.Request().Context(), h.DB, f, intake.ImportOptions{Now: now, Store: im.Save, DNS: h.DNS,
		OnRow: func(r intake.RowResult) {
			if r.Status == "imported" {
				return
			}
			r.Reason = h.importReason(c, r.Problems)
			if len(d.Problems) < importListedProblems {
				d.Problems = append(d.Problems, r)
			} else {
				d.More++
			}
		}})
	if err != nil {
		return h.render(c, http.StatusUnprocessableEntity, "leads/import", h.page(c, h.T(c, "intake.import.title"), "leads",
			importData{Error: h.T(c, "intake.import.file_error", err.Error())}))
	}
	d.Report = rep
	if err := db.Audit(c.Request().Context(), h.DB, now, u.ID, "", "leads.import", strconv.Itoa(rep.Imported)+" leads",
		`{"rows":`+strconv.Itoa(rep.Rows)+`,"imported":`+strconv.Itoa(rep.Imported)+`,"duplicates":`+strconv.Itoa(rep.Duplicates)+`,"skipped":`+strconv.Itoa(rep.Skipped)+`}`); err != nil {
		h.Log.Warn("audit import", "err", err)
	}
	return h.render(c, http.StatusOK, "leads/import_preview", h.page(c, h.T(c, "intake.import.done_title"), "leads", d))
}

// importReason is a skipped row's reasons in the reader's language.
func (h *Handler) importReason(c echo.Context, ps []intake.Problem) string {
	out := ""
	for i, p := range ps {
		if i > 0 {
			out += h.T(c, "intake.row.separator")
		}
		key := "intake.row." + p.Code
		out += h.T(c, key, p.Args...)
	}
	return out
}

// removeStaleImports deletes uploads that were previewed but never confirmed within a day.
func (h *Handler) removeStaleImports(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		// File times are real time, so compare with real time, not the app clock.
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
