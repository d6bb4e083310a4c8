package handlers

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/leads"
)

// Admin › Privacy (issue 19): erasure on request — find a person by email address or phone number,
// preview what will be erased, erase with a reason — and the record of past erasures and retention
// runs. The address travels in POST bodies only, never in a URL that logs would keep.

// privacyData is the Privacy page.
type privacyData struct {
	Email, Phone, Reason string
	Found                *db.PersonData // the preview, once searched
	Runs                 []db.PrivacyRun
	Errors               map[string]string
	Settings             db.PrivacySettings
	Rules                []retentionRow
	SettingsErrors       map[string]string
	Kinds, Actions       []string
}

// retentionRow is one outcome's rule as the settings form shows it; Days is text, as typed.
type retentionRow struct {
	Outcome, Kind, Action, Days string
}

func (h *Handler) renderPrivacy(c echo.Context, status int, d privacyData) error {
	runs, err := h.DB.PrivacyRuns(c.Request().Context(), 20)
	if err != nil {
		return err
	}
	d.Runs = runs
	if d.Rules == nil {
		settings, err := h.DB.PrivacySettings(c.Request().Context())
		if err != nil {
			return err
		}
		rules, err := leads.ParseRetention(settings.Retention)
		if err != nil {
			rules = leads.DefaultRetention() // shown for correction; the job logs the stored rules' fault
		}
		d.Settings = settings
		d.Rules = retentionRows(rules)
	}
	d.Kinds, d.Actions = leads.RetentionKinds, leads.RetentionActions
	return h.render(c, status, "admin/privacy", h.page(c, h.T(c, "privacy.title"), "admin", d))
}

// adminPrivacy shows the page.
func (h *Handler) adminPrivacy(c echo.Context) error {
	return h.renderPrivacy(c, http.StatusOK, privacyData{})
}

// privacyFieldError turns the service's ErrInvalid into the form field it names and a message.
func (h *Handler) privacyFieldError(c echo.Context, err error) map[string]string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, ": reason: "):
		return map[string]string{"reason": h.T(c, "privacy.err.reason")}
	case strings.Contains(msg, ": phone: "):
		return map[string]string{"phone": h.T(c, "privacy.err.phone")}
	}
	return map[string]string{"email": h.T(c, "privacy.err.email")}
}

// adminPrivacyPreview finds everything held about the person and shows it with the erase form.
func (h *Handler) adminPrivacyPreview(c echo.Context) error {
	d := privacyData{Email: strings.TrimSpace(c.FormValue("email")), Phone: strings.TrimSpace(c.FormValue("phone"))}
	found, err := h.Leads.FindPerson(c.Request().Context(), d.Email, d.Phone)
	if errors.Is(err, leads.ErrInvalid) {
		d.Errors = h.privacyFieldError(c, err)
		return h.renderPrivacy(c, http.StatusUnprocessableEntity, d)
	}
	if err != nil {
		return err
	}
	d.Found = &found
	return h.renderPrivacy(c, http.StatusOK, d)
}

// adminPrivacyErase erases the person through the leads service and returns to the page, whose list
// of runs shows the counts.
func (h *Handler) adminPrivacyErase(c echo.Context) error {
	req := leads.ErasureRequest{Email: c.FormValue("email"), Phone: c.FormValue("phone"), Reason: c.FormValue("reason")}
	ctx := c.Request().Context()
	_, err := h.Leads.Erase(ctx, h.user(c).LeadActor(), req)
	if errors.Is(err, leads.ErrInvalid) {
		d := privacyData{Email: strings.TrimSpace(req.Email), Phone: strings.TrimSpace(req.Phone), Reason: req.Reason, Errors: h.privacyFieldError(c, err)}
		if found, ferr := h.Leads.FindPerson(ctx, req.Email, req.Phone); ferr == nil {
			d.Found = &found
		}
		return h.renderPrivacy(c, http.StatusUnprocessableEntity, d)
	}
	if errors.Is(err, leads.ErrRole) {
		return echo.NewHTTPError(http.StatusForbidden, h.T(c, "error.forbidden"))
	}
	if err != nil {
		return err
	}
	h.setFlash(c, "success", "privacy.erased")
	return h.redirect(c, "/admin/privacy")
}

// retentionRows is one row per outcome: its rule, or "keep" when it has none.
func retentionRows(rules []leads.RetentionRule) []retentionRow {
	var out []retentionRow
	for _, o := range leads.RetentionOutcomes {
		row := retentionRow{Outcome: o, Action: "keep"}
		for _, r := range rules {
			if r.Outcome == o {
				row.Kind, row.Action = r.Kind, r.Action
				if r.Days > 0 {
					row.Days = strconv.Itoa(r.Days)
				}
				break
			}
		}
		out = append(out, row)
	}
	return out
}

// adminPrivacySettings saves the mail setting and the retention rules (one per outcome).
func (h *Handler) adminPrivacySettings(c echo.Context) error {
	d := privacyData{SettingsErrors: map[string]string{}}
	d.Settings.MailWithoutPersonalData = c.FormValue("mail_without_personal_data") == "on"
	var rules []leads.RetentionRule
	for _, o := range leads.RetentionOutcomes {
		row := retentionRow{Outcome: o, Kind: c.FormValue("kind_" + o), Action: c.FormValue("action_" + o), Days: strings.TrimSpace(c.FormValue("days_" + o))}
		d.Rules = append(d.Rules, row)
		r := leads.RetentionRule{Outcome: o, Kind: row.Kind, Action: row.Action}
		if row.Action != "keep" {
			n, err := strconv.Atoi(row.Days)
			if err != nil || n < 1 || n > leads.MaxRetentionDays {
				d.SettingsErrors["days_"+o] = h.T(c, "privacy.retention.days_invalid", leads.MaxRetentionDays)
				continue
			}
			r.Days = n
		}
		if err := leads.ValidateRetention([]leads.RetentionRule{r}); err != nil {
			d.SettingsErrors["action_"+o] = h.T(c, "error.bad_request")
			continue
		}
		rules = append(rules, r)
	}
	if len(d.SettingsErrors) > 0 {
		return h.renderPrivacy(c, http.StatusUnprocessableEntity, d)
	}
	b, err := json.Marshal(rules)
	if err != nil {
		return err
	}
	d.Settings.Retention = string(b)
	if err := h.DB.SavePrivacySettings(c.Request().Context(), d.Settings, h.user(c).ID, h.Clock.Now()); err != nil {
		return err
	}
	h.setFlash(c, "success", "privacy.settings.saved")
	return h.redirect(c, "/admin/privacy")
}

// adminPrivacyExport answers everything held about the person as a JSON or CSV download (access on
// request). The address comes in the POST body; the file name names no one.
func (h *Handler) adminPrivacyExport(c echo.Context) error {
	email, phone := strings.TrimSpace(c.FormValue("email")), strings.TrimSpace(c.FormValue("phone"))
	exp, err := h.Leads.Export(c.Request().Context(), email, phone)
	if errors.Is(err, leads.ErrInvalid) {
		return h.renderPrivacy(c, http.StatusUnprocessableEntity, privacyData{Email: email, Phone: phone, Errors: h.privacyFieldError(c, err)})
	}
	if err != nil {
		return err
	}
	name := "leaddesk-personal-data-" + exp.Exported.Format("20060102-150405")
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	if c.FormValue("format") == "csv" {
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
		c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		c.Response().WriteHeader(http.StatusOK)
		w := csv.NewWriter(c.Response())
		if err := w.WriteAll(exp.CSVRows()); err != nil {
			return err
		}
		return nil
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`.json"`)
	return c.JSONPretty(http.StatusOK, exp, "  ")
}

// processingRecord is one category of personal data on the records-of-processing page: what is
// stored, how long (the current rules), who can see it (roles).
type processingRecord struct {
	Category, What, Keep string
	Roles                []string
}

// processingRecords states what Leaddesk stores under the current retention rules, in the request's
// language.
func (h *Handler) processingRecords(c echo.Context) ([]processingRecord, error) {
	settings, err := h.DB.PrivacySettings(c.Request().Context())
	if err != nil {
		return nil, err
	}
	rules, err := leads.ParseRetention(settings.Retention)
	if err != nil {
		rules = leads.DefaultRetention()
	}
	var keep []string
	for _, r := range rules {
		kind := h.T(c, "privacy.kind.any")
		if r.Kind != "" {
			kind = h.catalogOr(c, "privacy.kind."+r.Kind, r.Kind)
		}
		if r.Action == "keep" {
			keep = append(keep, h.T(c, "privacy.records.rule_keep", h.catalogOr(c, "lead.outcome."+r.Outcome, r.Outcome), kind))
			continue
		}
		keep = append(keep, h.T(c, "privacy.records.rule", h.catalogOr(c, "lead.outcome."+r.Outcome, r.Outcome), kind, h.catalogOr(c, "privacy.action."+r.Action, r.Action), r.Days))
	}
	keep = append(keep, h.T(c, "privacy.records.rule_test"))
	leadKeep := strings.Join(keep, "; ")
	everyone := []string{db.RoleReferrals, db.RoleProfile, db.RoleAccount}
	account := []string{db.RoleAccount}
	return []processingRecord{
		{h.T(c, "privacy.records.contacts"), h.T(c, "privacy.records.contacts_what"), leadKeep, everyone},
		{h.T(c, "privacy.records.extra"), h.T(c, "privacy.records.extra_what"), h.T(c, "privacy.records.with_lead"), everyone},
		{h.T(c, "privacy.records.timeline"), h.T(c, "privacy.records.timeline_what"), h.T(c, "privacy.records.with_lead"), everyone},
		{h.T(c, "privacy.records.mail"), h.T(c, "privacy.records.mail_what"), h.T(c, "privacy.records.mail_keep"), account},
		{h.T(c, "privacy.records.webhooks"), h.T(c, "privacy.records.webhooks_what"), h.T(c, "privacy.records.with_lead"), account},
		{h.T(c, "privacy.records.users"), h.T(c, "privacy.records.users_what"), h.T(c, "privacy.records.users_keep"), account},
		{h.T(c, "privacy.records.audit"), h.T(c, "privacy.records.audit_what"), h.T(c, "privacy.records.audit_keep"), account},
		{h.T(c, "privacy.records.backups"), h.T(c, "privacy.records.backups_what"), h.T(c, "privacy.records.backups_keep"), []string{}},
	}, nil
}

// adminPrivacyRecords shows the records of processing, or downloads them as CSV (?format=csv) for
// the controller's own records.
func (h *Handler) adminPrivacyRecords(c echo.Context) error {
	recs, err := h.processingRecords(c)
	if err != nil {
		return err
	}
	if c.QueryParam("format") == "csv" {
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="leaddesk-records-of-processing.csv"`)
		c.Response().Header().Set(echo.HeaderContentType, "text/csv; charset=utf-8")
		c.Response().WriteHeader(http.StatusOK)
		w := csv.NewWriter(c.Response())
		_ = w.Write([]string{h.T(c, "privacy.records.category"), h.T(c, "privacy.records.what"), h.T(c, "privacy.records.keep"), h.T(c, "privacy.records.who")})
		for _, r := range recs {
			roles := make([]string, len(r.Roles))
			for i, role := range r.Roles {
				roles[i] = h.catalogOr(c, "role."+role, role)
			}
			_ = w.Write([]string{r.Category, r.What, r.Keep, strings.Join(roles, ", ")})
		}
		w.Flush()
		return w.Error()
	}
	return h.render(c, http.StatusOK, "admin/privacy_records", h.page(c, h.T(c, "privacy.records.title"), "admin", recs))
}
