package handlers_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"leaddesk/internal/testkit"
)

// Activities through the JSON API (issue 17): logging needs the write scope and reading the read
// scope; a bad body is a 422 naming every bad field; a logged activity (with its next step) is read
// back, counted in the lead's JSON with its time, and in the lead's timeline under the token's name;
// an archived lead's history is read-only (409), as on the details page.
func TestAPIActivitiesScopesValidationAndLifecycle(t *testing.T) {
	s := testkit.NewServer(t)
	writer, reader, intakeOnly := newToken(t, s, "write", "read"), newToken(t, s, "read"), newToken(t, s, "intake")
	created := post(t, s.URL+"/api/v1/leads", qualifiedLead, "Authorization", "Bearer "+writer)
	id := leadID(t, created)
	lp := fmt.Sprintf("%s/api/v1/leads/%d", s.URL, id)

	if a := get(t, lp, reader); a.Body["activities"] != float64(0) || a.Body["lastActivityDateTime"] != nil {
		t.Fatalf("a new lead: activities %v, last %v", a.Body["activities"], a.Body["lastActivityDateTime"])
	}
	for _, tok := range []string{reader, intakeOnly, ""} {
		if a := post(t, lp+"/activities", `{"kind": "note"}`, "Authorization", "Bearer "+tok); a.Status != http.StatusUnauthorized {
			t.Errorf("logging with a token without the write scope: %d", a.Status)
		}
	}
	if a := get(t, lp+"/activities", intakeOnly); a.Status != http.StatusUnauthorized {
		t.Errorf("reading with an intake token: %d", a.Status)
	}

	bad := post(t, lp+"/activities", `{"kind": "fax", "outcome": "meh", "text": 5, "dateTime": "tomorrow",
		"nextStep": {"title": "", "due": "soon", "colour": "red"}, "mood": "good"}`, "Authorization", "Bearer "+writer)
	if bad.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a bad body: %d %s", bad.Status, bad.Raw)
	}
	var named []string
	for _, f := range bad.Body["fields"].([]any) {
		named = append(named, f.(map[string]any)["field"].(string))
	}
	for _, want := range []string{"kind", "outcome", "text", "dateTime", "nextStep.title", "nextStep.due", "nextStep.colour", "mood"} {
		if !slices.Contains(named, want) {
			t.Errorf("the 422 does not name %s: %s", want, bad.Raw)
		}
	}

	ok := post(t, lp+"/activities", `{"kind": "call", "outcome": "reached", "text": "Demo booked",
		"dateTime": "2026-11-30T10:15:00Z", "nextStep": {"title": "Send the quote", "due": "2026-12-04"}}`, "Authorization", "Bearer "+writer)
	if ok.Status != http.StatusCreated || ok.Body["kind"] != "call" || ok.Body["dateTime"] != "2026-11-30T10:15:00Z" {
		t.Fatalf("log a call: %d %s", ok.Status, ok.Raw)
	}
	if next, _ := ok.Body["nextStep"].(map[string]any); next["title"] != "Send the quote" || next["due"] != "2026-12-04" {
		t.Errorf("next step: %v", ok.Body["nextStep"])
	}
	list := get(t, lp+"/activities", reader)
	if vs, _ := list.Body["value"].([]any); list.Status != http.StatusOK || len(vs) != 1 || vs[0].(map[string]any)["text"] != "Demo booked" {
		t.Errorf("activities read back: %d %s", list.Status, list.Raw)
	}
	one := get(t, lp, reader)
	if one.Body["activities"] != float64(1) || one.Body["lastActivityDateTime"] != "2026-11-30T10:15:00Z" {
		t.Errorf("the lead's JSON: activities %v, last %v", one.Body["activities"], one.Body["lastActivityDateTime"])
	}
	all := get(t, s.URL+"/api/v1/leads?tab=qualified", reader)
	if vs, _ := all.Body["value"].([]any); len(vs) != 1 || vs[0].(map[string]any)["activities"] != float64(1) {
		t.Errorf("the list's lead: %s", all.Raw)
	}
	var actor string
	if err := s.DB.QueryRow(`SELECT actor_label FROM lead_events WHERE lead_id = ? AND kind = 'activity_call'`, id).Scan(&actor); err != nil ||
		actor != "api:test write+read" {
		t.Errorf("timeline entry by %q (%v), want the token's name", actor, err)
	}

	// Declined, the lead is archived: its history is read-only.
	etag := one.Body["version"]
	if a := post(t, lp+"/decline", `{"reason": "budget"}`, "Authorization", "Bearer "+writer, "If-Match", fmt.Sprintf(`"%v"`, etag)); a.Status != http.StatusOK {
		t.Fatalf("decline: %d %s", a.Status, a.Raw)
	}
	if a := post(t, lp+"/activities", `{"kind": "note", "text": "Too late"}`, "Authorization", "Bearer "+writer); a.Status != http.StatusConflict {
		t.Errorf("logging on an archived lead: %d %s, want 409", a.Status, a.Raw)
	}
	if a := get(t, lp+"/activities", reader); len(a.Body["value"].([]any)) != 1 {
		t.Errorf("an activity was added to an archived lead: %s", a.Raw)
	}
	if a := get(t, s.URL+"/api/v1/leads/99999/activities", reader); a.Status != http.StatusNotFound {
		t.Errorf("no such lead: %d", a.Status)
	}
}
