package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
)

const auditPerPage = 50

// auditRow is one audit entry with its details made readable ("roles: [] → [account-admin]").
type auditRow struct {
	db.AuditEntry
	Changes []string
}

// auditData is one page of the audit log.
type auditData struct {
	Rows               []auditRow
	Page, Pages, Total int
	From, To           int
}

// adminAudit lists the audit log, newest first, paged.
func (h *Handler) adminAudit(c echo.Context) error {
	page, _ := strconv.Atoi(c.QueryParam("page"))
	if page < 1 {
		page = 1
	}
	entries, total, err := h.DB.ListAudit(c.Request().Context(), auditPerPage, (page-1)*auditPerPage)
	if err != nil {
		return err
	}
	d := auditData{Page: page, Total: total, Pages: (total + auditPerPage - 1) / auditPerPage}
	for _, e := range entries {
		d.Rows = append(d.Rows, auditRow{AuditEntry: e, Changes: auditChanges(e.Details)})
	}
	if len(entries) > 0 {
		d.From, d.To = (page-1)*auditPerPage+1, (page-1)*auditPerPage+len(entries)
	}
	return h.render(c, http.StatusOK, "admin/audit", h.page(c, h.T(c, "users.audit_title"), "admin", d))
}

// auditChanges turns {"field": [old, new], "other": value} into readable lines, sorted by field.
func auditChanges(details string) []string {
	var m map[string]any
	if json.Unmarshal([]byte(details), &m) != nil {
		return []string{details}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		if pair, ok := m[k].([]any); ok && len(pair) == 2 {
			out = append(out, fmt.Sprintf("%s: %s → %s", k, auditValue(pair[0]), auditValue(pair[1])))
			continue
		}
		out = append(out, k+": "+auditValue(m[k]))
	}
	return out
}

func auditValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = auditValue(p)
		}
		if len(parts) == 0 {
			return "—"
		}
		return strings.Join(parts, ", ")
	case string:
		return x
	}
	return fmt.Sprint(v)
}
