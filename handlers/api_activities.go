package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/intake"
	"leaddesk/leads"
)

// Activities in the JSON API (issue 17): GET /api/v1/leads/{id}/activities lists a lead's logged
// calls, emails, meetings and notes, newest first; POST logs one through leads.Service.LogActivity,
// under the lifecycle rules the details page follows (an archived lead's history is read-only: 409).
// Logging adds to the lead's history without changing the lead, so it needs no If-Match.

// apiActivity is one activity as the API shows it.
type apiActivity struct {
	ID       int64        `json:"id"`
	Kind     string       `json:"kind"`
	Outcome  string       `json:"outcome,omitempty"`
	Text     string       `json:"text,omitempty"`
	DateTime string       `json:"dateTime"`
	LoggedBy string       `json:"loggedBy,omitempty"` // the user's name; absent when logged through the API
	NextStep *apiNextStep `json:"nextStep,omitempty"`
}

// apiNextStep is an activity's next step: what, due on which day (the configured zone's date), and
// when it was marked done.
type apiNextStep struct {
	Title        string `json:"title"`
	Due          string `json:"due"`
	DoneDateTime string `json:"doneDateTime,omitempty"`
}

func toAPIActivity(a db.Activity) apiActivity {
	out := apiActivity{ID: a.ID, Kind: a.Kind, Outcome: a.Outcome, Text: a.Body, DateTime: apiTime(&a.At), LoggedBy: a.UserName}
	if a.NextStep != "" {
		out.NextStep = &apiNextStep{Title: a.NextStep, Due: a.NextDue, DoneDateTime: apiTime(a.NextDoneAt)}
	}
	return out
}

// apiListActivities is GET /api/v1/leads/:id/activities.
func (h *Handler) apiListActivities(c echo.Context) error {
	id, err := h.detailLeadID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if _, err := h.DB.LeadByID(ctx, id); err != nil {
		return err
	}
	list, err := h.DB.LeadActivities(ctx, id)
	if err != nil {
		return err
	}
	out := struct {
		Value []apiActivity `json:"value"`
	}{Value: make([]apiActivity, 0, len(list))}
	for _, a := range list {
		out.Value = append(out.Value, toAPIActivity(a))
	}
	return c.JSON(http.StatusOK, out)
}

// apiLogActivity is POST /api/v1/leads/:id/activities with {"kind", "outcome", "text", "dateTime",
// "nextStep": {"title", "due"}}: 201 with the activity; 422 naming each bad field; 409 when the lead
// is archived.
func (h *Handler) apiLogActivity(c echo.Context) error {
	id, err := h.detailLeadID(c)
	if err != nil {
		return err
	}
	l, err := h.DB.LeadByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	top, errs, err := h.readActionBody(c, "kind", "outcome", "text", "dateTime", "nextStep")
	if err != nil {
		return err
	}
	bad := func(field, key string, args ...any) {
		errs = append(errs, intake.FieldError{Field: field, Message: h.T(c, key, args...)})
	}
	str := func(m map[string]json.RawMessage, key, field string) string {
		raw, ok := m[key]
		if !ok {
			return ""
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			bad(field, "integ.api.type_string")
		}
		return strings.TrimSpace(s)
	}
	a := leads.Activity{Kind: str(top, "kind", "kind"), Outcome: str(top, "outcome", "outcome"), Body: str(top, "text", "text")}
	if !slices.Contains(leads.ActivityKinds, a.Kind) {
		bad("kind", "apiact.kind", strings.Join(leads.ActivityKinds, ", "))
	}
	if a.Outcome != "" && !slices.Contains(leads.ActivityOutcomes, a.Outcome) {
		bad("outcome", "apiact.outcome", strings.Join(leads.ActivityOutcomes, ", "))
	}
	if utf8.RuneCountInString(a.Body) > 4000 {
		bad("text", "apiact.too_long", 4000)
	}
	if s := str(top, "dateTime", "dateTime"); s != "" {
		if a.At, err = time.Parse(time.RFC3339, s); err != nil {
			bad("dateTime", "integ.api.updated_since")
		}
	}
	if raw, ok := top["nextStep"]; ok {
		var next map[string]json.RawMessage
		if err := json.Unmarshal(raw, &next); err != nil || next == nil {
			bad("nextStep", "integ.api.type_object")
		} else {
			for k := range next {
				if k != "title" && k != "due" {
					bad("nextStep."+k, "integ.api.unknown_field")
				}
			}
			a.NextStep, a.NextDue = str(next, "title", "nextStep.title"), str(next, "due", "nextStep.due")
			switch {
			case a.NextStep == "":
				bad("nextStep.title", "apiact.next_title")
			case utf8.RuneCountInString(a.NextStep) > 200:
				bad("nextStep.title", "apiact.too_long", 200)
			}
			if _, err := time.Parse(leadDateInput, a.NextDue); err != nil {
				bad("nextStep.due", "apiact.due")
			}
		}
	}
	if len(errs) > 0 {
		return h.apiInvalid(c, errs)
	}
	actID, err := h.Leads.LogActivity(c.Request().Context(), h.apiActor(c), l.ID, a)
	if err != nil {
		return h.apiRefused(c, l, err)
	}
	list, err := h.DB.LeadActivities(c.Request().Context(), l.ID)
	if err != nil {
		return err
	}
	for _, x := range list {
		if x.ID == actID {
			return c.JSON(http.StatusCreated, toAPIActivity(x))
		}
	}
	return errors.New("api: the logged activity was not found")
}

// withActivities sets the activity count and the latest activity's time on API leads (one query).
func (h *Handler) withActivities(ctx context.Context, out []apiLead) error {
	ids := make([]int64, len(out))
	for i := range out {
		ids[i] = out[i].ID
	}
	sums, err := h.DB.ActivitySummaries(ctx, ids)
	if err != nil {
		return err
	}
	for i := range out {
		s := sums[out[i].ID]
		n := s.Count
		out[i].Activities = &n
		if n > 0 {
			out[i].LastActivityDateTime = apiTime(&s.Last)
		}
	}
	return nil
}
