package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
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

// importUpload stores the uploaded file and checks it; a broken file is refused right here.
func (h *Handler) importUpload(c echo.Context) error {
	c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, importUploadLimit)
	fail := func(key string, args ...any) error {
		return h.render(c, http.StatusUnprocessableEntity, "leads/import", h.page(c, h.T(c, "intake.import.title"), "leads",
			importData{Error: h.T(c, key, args...)}))
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fail("intake.import.too_large", importUploadLimit>>20)
		}
		return fail("intake.import.no_file")
	}
	src, err := fh.Open()
	if err != nil {
		return err
	}
	defer src.Close()
	b := make([]byte, 16)
	rand.Read(b)
	id := hex.EncodeToString(b)
	path := h.importPath(c, id)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	h.removeStaleImports(filepath.Dir(path))
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		os.Remove(path)
		return err
	}
	if err := dst.Close(); err != nil {
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
				if err := intake.Validate(r.Lead, spam); err != nil {
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
	path := h.importPath(c, id)
	f, err := os.Open(path)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "intake.import.gone"))
	}
	defer os.Remove(path)
	defer f.Close()
	u := h.user(c)
	d := importData{ID: id, Done: true}
	im, err := h.Leads.StartImport(c.Request().Context(), lead.Actor{UserID: u.ID, Label: "import", Roles: u.Roles})
	if err != nil {
		return err
	}
	defer im.Close()
	now := im.Now()
	rep, err := intake.Import(c.Request().Context(), h.DB, f, intake.ImportOptions{Now: now, Store: im.Save,
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
