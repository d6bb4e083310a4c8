package handlers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/intake"
	"leaddesk/lead"
	"leaddesk/leads"
	"leaddesk/lifecycle"
)

// The write API (issue 18): PATCH /api/v1/leads/{id} with JSON Merge Patch (RFC 7396) or JSON Patch
// (RFC 6902, "replace" and "add" as Partner Center's API takes them) for the deal fields a Referrals
// admin may edit, and POST …/accept|decline|won|lost. Every write needs If-Match with the lead's ETag
// (its version): 428 without, 412 when the lead changed since. The fields go through the very
// validation of the pages' forms (readDealForm, readReasonForm) and the change through the leads
// service, which records the token's name as the actor.

// apiFields maps the API's patchable paths to the deal form's field names, in the form's order.
var apiFields = []struct{ path, form string }{
	{"/name", "deal_name"},
	{"/details/dealValue", "deal_value"},
	{"/details/currency", "currency"},
	{"/details/closingDateTime", "close_date"},
	{"/details/notes", "notes"},
	{"/campaignId", "campaign_id"},
	{"/crmId", "crm_id"},
}

// apiFieldName turns a form field or a patch path into the field name the API's errors use
// ("details.dealValue").
func apiFieldName(formOrPath string) string {
	for _, f := range apiFields {
		if f.form == formOrPath || f.path == formOrPath {
			return strings.ReplaceAll(strings.TrimPrefix(f.path, "/"), "/", ".")
		}
	}
	return strings.ReplaceAll(strings.TrimPrefix(formOrPath, "/"), "/", ".")
}

// etag is a lead's entity tag: its version, which every change bumps.
func etag(l *lead.Lead) string { return `"` + strconv.FormatInt(l.Version, 10) + `"` }

// ifMatch reads If-Match: 428 without one; the version it names ("N" or W/"N"), 0 for "*"; a tag
// that is no version of ours can match nothing, so it is 412.
func (h *Handler) ifMatch(c echo.Context, l *lead.Lead) (int64, error) {
	raw := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if raw == "" {
		return 0, echo.NewHTTPError(http.StatusPreconditionRequired, h.T(c, "integ.api.if_match_required"))
	}
	if raw == "*" {
		return 0, nil
	}
	for _, tag := range strings.Split(raw, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if v, err := strconv.ParseInt(strings.Trim(tag, `"`), 10, 64); err == nil && v == l.Version {
			return v, nil
		}
	}
	c.Response().Header().Set("ETag", etag(l))
	return 0, echo.NewHTTPError(http.StatusPreconditionFailed, h.T(c, "integ.api.stale", etag(l)))
}

// apiWriteTarget loads the lead of a write route, checks If-Match against it, and refuses (409) an
// action the lead's state does not offer before its body is looked at.
func (h *Handler) apiWriteTarget(c echo.Context, a lifecycle.Action) (*lead.Lead, int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, 0, echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	l, err := h.DB.LeadByID(c.Request().Context(), id)
	if err != nil {
		return nil, 0, err
	}
	v, err := h.ifMatch(c, l)
	if err != nil {
		return nil, 0, err
	}
	if err := lifecycle.Check(l, h.apiActor(c), a); err != nil {
		return nil, 0, h.apiRefused(c, l, err)
	}
	return l, v, nil
}

// apiActor is who a token's write is recorded as: the token's name, with the powers of a Referrals
// admin (the write scope is what lets it work leads).
func (h *Handler) apiActor(c echo.Context) lead.Actor {
	return lead.Actor{Label: "api:" + h.apiToken(c).Name, Roles: []string{db.RoleReferrals}}
}

// apiInvalid answers 422 naming each field.
func (h *Handler) apiInvalid(c echo.Context, errs intake.Errors) error {
	return c.JSON(http.StatusUnprocessableEntity, intakeErrors{Error: h.T(c, "intake.api.bad_fields", errs.Error()),
		Status: http.StatusUnprocessableEntity, Fields: errs})
}

// apiSaved answers a write with the lead as saved and its new ETag.
func (h *Handler) apiSaved(c echo.Context, id int64) error {
	l, err := h.DB.LeadByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	one := []apiLead{toAPILead(l)}
	if err := h.withActivities(c.Request().Context(), one); err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(l))
	return c.JSON(http.StatusOK, one[0])
}

// apiRefused maps the service's refusals: a lead changed between our read and the save is 412 like
// a stale If-Match; a state that offers no such action is 409.
func (h *Handler) apiRefused(c echo.Context, l *lead.Lead, err error) error {
	if errors.Is(err, leads.ErrStale) {
		return echo.NewHTTPError(http.StatusPreconditionFailed, h.T(c, "integ.api.stale_now"))
	}
	if status, msg := h.lifecycleRefusal(c, l, err); status != 0 {
		return echo.NewHTTPError(status, msg)
	}
	return err
}

// dealValues are a lead's deal as the deal form's values, the base a patch changes.
func dealValues(l *lead.Lead) url.Values {
	v := url.Values{}
	v.Set("deal_name", l.DealName)
	if l.Currency != "" {
		v.Set("deal_value", apiDealNumber(l))
	}
	v.Set("currency", l.Currency)
	v.Set("close_date", l.PurchaseDate)
	v.Set("notes", l.Notes)
	v.Set("campaign_id", l.CampaignID)
	v.Set("crm_id", l.CRMID)
	return v
}

func apiDealNumber(l *lead.Lead) string {
	a := toAPILead(l)
	if a.Details.DealValue == nil {
		return ""
	}
	return a.Details.DealValue.String()
}

// patchValue turns one JSON value of a patch into the form's text for field, or says why it can't.
func patchValue(field string, raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if bytes.Equal(raw, []byte("null")) {
		return "", true // Merge Patch: null removes, i.e. empties the field
	}
	if field == "deal_value" {
		var n json.Number
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		if err := d.Decode(&n); err != nil {
			return "", false
		}
		return n.String(), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	if field == "close_date" {
		// The API writes closingDateTime as a date-time at midnight UTC; a plain date is taken too.
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t.UTC().Format("2006-01-02"), true
		}
	}
	return s, true
}

// typeKey is the message for a value of the wrong JSON type for a deal form field.
func typeKey(field string) string {
	if field == "deal_value" {
		return "integ.api.type_number"
	}
	return "integ.api.type_string"
}

// formField is the deal form's field for a patch path, or "".
func formField(path string) string {
	for _, f := range apiFields {
		if f.path == path {
			return f.form
		}
	}
	return ""
}

// readPatch reads a PATCH body into path → raw value by its media type: a Merge Patch object, or a
// JSON Patch array of replace/add operations.
func (h *Handler) readPatch(c echo.Context) (map[string]json.RawMessage, intake.Errors, error) {
	body, err := h.readIntakeBody(c)
	if err != nil {
		return nil, nil, err
	}
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type"))
	out := map[string]json.RawMessage{}
	var errs intake.Errors
	bad := func(field, key string, args ...any) {
		errs = append(errs, intake.FieldError{Field: field, Message: h.T(c, key, args...)})
	}
	switch mt {
	case "application/merge-patch+json":
		var top map[string]json.RawMessage
		if err := json.Unmarshal(body, &top); err != nil || top == nil {
			return nil, nil, echo.NewHTTPError(http.StatusBadRequest, h.T(c, "integ.api.bad_json"))
		}
		for k, v := range top {
			if k != "details" {
				out["/"+k] = v
				continue
			}
			var details map[string]json.RawMessage
			if err := json.Unmarshal(v, &details); err != nil || details == nil {
				bad("details", "integ.api.type_object")
				continue
			}
			for dk, dv := range details {
				out["/details/"+dk] = dv
			}
		}
	case "application/json-patch+json":
		var ops []struct {
			Op    string          `json:"op"`
			Path  string          `json:"path"`
			Value json.RawMessage `json:"value"`
		}
		if err := json.Unmarshal(body, &ops); err != nil {
			return nil, nil, echo.NewHTTPError(http.StatusBadRequest, h.T(c, "integ.api.bad_json"))
		}
		for i, op := range ops {
			if op.Op != "replace" && op.Op != "add" {
				bad(fmt.Sprintf("[%d].op", i), "integ.api.op", op.Op)
				continue
			}
			if op.Value == nil {
				bad(fmt.Sprintf("[%d].value", i), "integ.api.value_missing")
				continue
			}
			out[op.Path] = op.Value
		}
	default:
		return nil, nil, echo.NewHTTPError(http.StatusUnsupportedMediaType, h.T(c, "integ.api.patch_type"))
	}
	if len(out) == 0 && len(errs) == 0 {
		bad("body", "integ.api.patch_empty")
	}
	return out, errs, nil
}

// apiPatchLead is PATCH /api/v1/leads/:id: the accepted lead's deal (name, value, currency, closing
// date, notes, campaign and CRM ids), validated as the edit form validates it.
func (h *Handler) apiPatchLead(c echo.Context) error {
	l, version, err := h.apiWriteTarget(c, lifecycle.Edit)
	if err != nil {
		return err
	}
	patch, errs, err := h.readPatch(c)
	if err != nil {
		return err
	}
	values := dealValues(l)
	for path, raw := range patch {
		if fe := h.setAPIField(c, values, path, raw, "integ.api.not_patchable"); fe != nil {
			errs = append(errs, *fe)
		}
	}
	if len(errs) > 0 {
		return h.apiInvalid(c, errs)
	}
	team, err := db.LeadTeam(c.Request().Context(), h.DB, l.ID)
	if err != nil {
		return err
	}
	for _, m := range team {
		values.Add("team", strconv.FormatInt(m.ID, 10))
	}
	users, err := h.teamCandidates(c)
	if err != nil {
		return err
	}
	deal, teamIDs, ferrs := h.dealFromValues(c, values, users)
	if len(ferrs) > 0 {
		return h.apiInvalid(c, ferrs)
	}
	if _, err := h.Leads.Edit(c.Request().Context(), h.apiActor(c), l.ID, version, deal, teamIDs); err != nil {
		return h.apiRefused(c, l, err)
	}
	return h.apiSaved(c, l.ID)
}

// dealFromValues runs the deal form's validation (readDealForm) on values and answers the deal and
// team, or the form's messages under the API's field names.
func (h *Handler) dealFromValues(c echo.Context, values url.Values, users []*db.User) (lifecycle.Deal, []int64, intake.Errors) {
	req := c.Request()
	req.Form, req.PostForm = values, values
	f, deal, team, _ := h.readDealForm(c, users, false)
	return deal, team, h.formErrors(f.Errors)
}

// formErrors lists a form's messages under the API's field names, in the form's order.
func (h *Handler) formErrors(m map[string]string) intake.Errors {
	var errs intake.Errors
	seen := map[string]bool{}
	for _, f := range apiFields {
		if msg, ok := m[f.form]; ok {
			errs = append(errs, intake.FieldError{Field: apiFieldName(f.form), Message: msg})
			seen[f.form] = true
		}
	}
	for k, msg := range m {
		if !seen[k] {
			errs = append(errs, intake.FieldError{Field: k, Message: msg})
		}
	}
	return errs
}

// reasonErrors lists a reason form's messages; its field names (reason, notes) are the API's.
func reasonErrors(m map[string]string) intake.Errors {
	var errs intake.Errors
	for _, k := range []string{"reason", "notes"} {
		if msg, ok := m[k]; ok {
			errs = append(errs, intake.FieldError{Field: k, Message: msg})
		}
	}
	return errs
}

// readActionBody reads a lifecycle POST's JSON object (an empty body is an empty object) and refuses
// fields other than allowed.
func (h *Handler) readActionBody(c echo.Context, allowed ...string) (map[string]json.RawMessage, intake.Errors, error) {
	body, err := h.readIntakeBody(c)
	if err != nil {
		return nil, nil, err
	}
	top := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &top); err != nil || top == nil {
			return nil, nil, echo.NewHTTPError(http.StatusBadRequest, h.T(c, "integ.api.bad_json"))
		}
	}
	var errs intake.Errors
	for k := range top {
		ok := false
		for _, a := range allowed {
			ok = ok || a == k
		}
		if !ok {
			errs = append(errs, intake.FieldError{Field: k, Message: h.T(c, "integ.api.unknown_field")})
		}
	}
	return top, errs, nil
}

// apiAccept is POST /api/v1/leads/:id/accept with the deal as PATCH writes it ({"name", "details":
// {"dealValue", "currency", "closingDateTime", "notes"}, "campaignId", "crmId"}).
func (h *Handler) apiAccept(c echo.Context) error {
	l, version, err := h.apiWriteTarget(c, lifecycle.Accept)
	if err != nil {
		return err
	}
	top, errs, err := h.readActionBody(c, "name", "details", "campaignId", "crmId")
	if err != nil {
		return err
	}
	values := dealValues(l)
	set := func(path string, raw json.RawMessage) {
		if fe := h.setAPIField(c, values, path, raw, "integ.api.unknown_field"); fe != nil {
			errs = append(errs, *fe)
		}
	}
	for k, v := range top {
		if k != "details" {
			set("/"+k, v)
			continue
		}
		var details map[string]json.RawMessage
		if err := json.Unmarshal(v, &details); err != nil || details == nil {
			errs = append(errs, intake.FieldError{Field: "details", Message: h.T(c, "integ.api.type_object")})
			continue
		}
		for dk, dv := range details {
			set("/details/"+dk, dv)
		}
	}
	if len(errs) > 0 {
		return h.apiInvalid(c, errs)
	}
	users, err := h.teamCandidates(c)
	if err != nil {
		return err
	}
	deal, team, ferrs := h.dealFromValues(c, values, users)
	if len(ferrs) > 0 {
		return h.apiInvalid(c, ferrs)
	}
	if _, err := h.Leads.Accept(c.Request().Context(), h.apiActor(c), l.ID, version, deal, team, nil); err != nil {
		return h.apiRefused(c, l, err)
	}
	return h.apiSaved(c, l.ID)
}

// reasonAction is a service method taking a reason with notes (Decline, Lost).
type reasonAction func(ctx context.Context, by lead.Actor, id, version int64, reason, notes string) (*lead.Lead, error)

// apiDecline is POST /api/v1/leads/:id/decline with {"reason", "notes"}.
func (h *Handler) apiDecline(c echo.Context) error {
	return h.apiReasonAction(c, lifecycle.Decline, lead.DeclineReasons, h.Leads.Decline)
}

// apiLost is POST /api/v1/leads/:id/lost with {"reason", "notes"}.
func (h *Handler) apiLost(c echo.Context) error {
	return h.apiReasonAction(c, lifecycle.Lost, lead.LostReasons, h.Leads.Lost)
}

// apiReasonAction does a reason action, validated as the pages' reason forms are.
func (h *Handler) apiReasonAction(c echo.Context, a lifecycle.Action, reasons []string, do reasonAction) error {
	l, version, err := h.apiWriteTarget(c, a)
	if err != nil {
		return err
	}
	top, errs, err := h.readActionBody(c, "reason", "notes")
	if err != nil {
		return err
	}
	values := url.Values{}
	for _, k := range []string{"reason", "notes"} {
		if raw, ok := top[k]; ok {
			var s string
			if json.Unmarshal(raw, &s) != nil {
				errs = append(errs, intake.FieldError{Field: k, Message: h.T(c, "integ.api.type_string")})
			}
			values.Set(k, s)
		}
	}
	if len(errs) > 0 {
		return h.apiInvalid(c, errs)
	}
	req := c.Request()
	req.Form, req.PostForm = values, values
	f := h.readReasonForm(c, reasons)
	if len(f.Errors) > 0 {
		return h.apiInvalid(c, reasonErrors(f.Errors))
	}
	if _, err := do(req.Context(), h.apiActor(c), l.ID, version, f.Reason, f.Notes); err != nil {
		return h.apiRefused(c, l, err)
	}
	return h.apiSaved(c, l.ID)
}

// apiWon is POST /api/v1/leads/:id/won (no body).
func (h *Handler) apiWon(c echo.Context) error {
	l, version, err := h.apiWriteTarget(c, lifecycle.Won)
	if err != nil {
		return err
	}
	_, errs, err := h.readActionBody(c)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return h.apiInvalid(c, errs)
	}
	if _, err := h.Leads.Won(c.Request().Context(), h.apiActor(c), l.ID, version); err != nil {
		return h.apiRefused(c, l, err)
	}
	return h.apiSaved(c, l.ID)
}

// setAPIField puts one API field (a JSON Pointer such as /details/dealValue) into the deal form's
// values, or answers the error naming it: unknownKey when the field is not one a request may set, the
// field's type message when its value has the wrong type.
func (h *Handler) setAPIField(c echo.Context, values url.Values, path string, raw json.RawMessage, unknownKey string) *intake.FieldError {
	field := formField(path)
	if field == "" {
		return &intake.FieldError{Field: apiFieldName(path), Message: h.T(c, unknownKey)}
	}
	v, ok := patchValue(field, raw)
	if !ok {
		return &intake.FieldError{Field: apiFieldName(path), Message: h.T(c, typeKey(field))}
	}
	values.Set(field, v)
	return nil
}
