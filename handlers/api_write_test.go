package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"leaddesk/internal/testkit"
)

// write sends a write and answers the decoded body, the status and the ETag.
func write(t *testing.T, method, url, token, contentType, ifMatch, body string) (apiAnswer, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	a := doJSON(t, req)
	return a, etagOf(t, req.URL.String(), token)
}

// etagOf GETs the lead of a lead URL (or action URL) and answers its ETag.
func etagOf(t *testing.T, url, token string) string {
	t.Helper()
	for _, action := range []string{"/accept", "/decline", "/won", "/lost"} {
		url = strings.TrimSuffix(url, action)
	}
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.Header.Get("ETag")
}

const acceptBody = `{"name": "Contoso migration", "details": {"dealValue": 1500000, "currency": "JPY", "closingDateTime": "2027-03-31T00:00:00Z", "notes": "Kick-off in January"}, "crmId": "CRM-77"}`

// PATCH and the lifecycle POSTs need If-Match: 428 without, 412 with a stale ETag, 200 with the
// current one, each answering the new ETag; the timeline names the token as the actor.
func TestAPIWritesNeedIfMatch(t *testing.T) {
	s := testkit.NewServer(t)
	writer := newToken(t, s, "write", "read")
	created := post(t, s.URL+"/api/v1/leads", qualifiedLead, "Authorization", "Bearer "+writer)
	id := leadID(t, created)
	lurl := fmt.Sprintf("%s/api/v1/leads/%d", s.URL, id)
	v1 := etagOf(t, lurl, writer)
	if v1 == "" {
		t.Fatal("GET gives no ETag")
	}

	if a, _ := write(t, http.MethodPost, lurl+"/accept", writer, "application/json", "", acceptBody); a.Status != http.StatusPreconditionRequired {
		t.Fatalf("accept without If-Match: %d %s", a.Status, a.Raw)
	}
	if a, _ := write(t, http.MethodPost, lurl+"/accept", writer, "application/json", `"999"`, acceptBody); a.Status != http.StatusPreconditionFailed {
		t.Fatalf("accept with a stale ETag: %d %s", a.Status, a.Raw)
	}
	a, v2 := write(t, http.MethodPost, lurl+"/accept", writer, "application/json", v1, acceptBody)
	if a.Status != http.StatusOK || a.Body["leadStatus"] != "accepted" || a.Body["name"] != "Contoso migration" || v2 == v1 {
		t.Fatalf("accept: %d %s (ETag %s → %s)", a.Status, a.Raw, v1, v2)
	}

	merge := `{"name": "Contoso migration phase 1", "details": {"dealValue": 2000000}}`
	if a, _ := write(t, http.MethodPatch, lurl, writer, "application/merge-patch+json", "", merge); a.Status != http.StatusPreconditionRequired {
		t.Fatalf("PATCH without If-Match: %d", a.Status)
	}
	if a, _ := write(t, http.MethodPatch, lurl, writer, "application/merge-patch+json", v1, merge); a.Status != http.StatusPreconditionFailed {
		t.Fatalf("PATCH with the ETag from before the accept: %d", a.Status)
	}
	a, v3 := write(t, http.MethodPatch, lurl, writer, "application/merge-patch+json", v2, merge)
	if a.Status != http.StatusOK || a.Body["name"] != "Contoso migration phase 1" || !strings.Contains(a.Raw, `"dealValue":2000000`) ||
		!strings.Contains(a.Raw, `"notes":"Kick-off in January"`) || v3 == v2 {
		t.Fatalf("merge patch: %d %s", a.Status, a.Raw)
	}
	jp := `[{"op": "replace", "path": "/details/notes", "value": "Signed the NDA"}, {"op": "add", "path": "/campaignId", "value": "FY27-Q1"}]`
	a, v4 := write(t, http.MethodPatch, lurl, writer, "application/json-patch+json", `W/`+v3, jp)
	if a.Status != http.StatusOK || !strings.Contains(a.Raw, `"notes":"Signed the NDA"`) || a.Body["campaignId"] != "FY27-Q1" {
		t.Fatalf("JSON Patch: %d %s", a.Status, a.Raw)
	}
	var actor string
	if err := s.DB.QueryRow(`SELECT actor_label FROM lead_events WHERE lead_id = ? ORDER BY id DESC LIMIT 1`, id).Scan(&actor); err != nil || actor != "api:test write+read" {
		t.Fatalf("timeline actor %q, %v", actor, err)
	}
	if a, _ := write(t, http.MethodPost, lurl+"/won", writer, "", v4, ""); a.Status != http.StatusOK || a.Body["outcome"] != "won" {
		t.Fatalf("won: %d %s", a.Status, a.Raw)
	}
}

// Bad PATCH bodies answer 4xx naming the field: fields the API cannot change, wrong types, other
// operations, a date in the past (the edit form's rule), another media type; a forbidden transition
// is 409; a read-only token cannot write.
func TestAPIPatchRefusals(t *testing.T) {
	s := testkit.NewServer(t)
	writer, reader := newToken(t, s, "write", "read"), newToken(t, s, "read")
	id := leadID(t, post(t, s.URL+"/api/v1/leads", qualifiedLead, "Authorization", "Bearer "+writer))
	lurl := fmt.Sprintf("%s/api/v1/leads/%d", s.URL, id)
	v := etagOf(t, lurl, writer)
	if a, _ := write(t, http.MethodPatch, lurl, writer, "application/merge-patch+json", v, `{"name": "x"}`); a.Status != http.StatusConflict {
		t.Fatalf("PATCH of a received lead (not accepted yet): %d %s", a.Status, a.Raw)
	}
	if a, _ := write(t, http.MethodPost, lurl+"/won", writer, "", v, ""); a.Status != http.StatusConflict {
		t.Fatalf("won before accept: %d %s", a.Status, a.Raw)
	}
	_, v = write(t, http.MethodPost, lurl+"/accept", writer, "application/json", v, acceptBody)
	for _, tc := range []struct {
		name, ct, body, field string
		status                int
	}{
		{"not patchable", "application/merge-patch+json", `{"customerProfile": {"name": "Evil"}}`, "customerProfile", 422},
		{"unknown detail", "application/merge-patch+json", `{"details": {"colour": "red"}}`, "details.colour", 422},
		{"wrong type", "application/merge-patch+json", `{"details": {"dealValue": "lots"}}`, "details.dealValue", 422},
		{"negative value", "application/merge-patch+json", `{"details": {"dealValue": -5}}`, "details.dealValue", 422},
		{"past date", "application/merge-patch+json", `{"details": {"closingDateTime": "2020-01-01T00:00:00Z"}}`, "details.closingDateTime", 422},
		{"empty name", "application/merge-patch+json", `{"name": null}`, "name", 422},
		{"remove op", "application/json-patch+json", `[{"op": "remove", "path": "/name"}]`, "[0].op", 422},
		{"bad path", "application/json-patch+json", `[{"op": "replace", "path": "/status", "value": "Closed"}]`, "status", 422},
		{"not JSON", "application/merge-patch+json", `{"name": `, "", 400},
		{"plain JSON", "application/json", `{"name": "x"}`, "", 415},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, after := write(t, http.MethodPatch, lurl, writer, tc.ct, v, tc.body)
			if a.Status != tc.status || (tc.field != "" && !strings.Contains(a.Raw, `"field":"`+tc.field+`"`)) {
				t.Fatalf("%d %s", a.Status, a.Raw)
			}
			if after != v {
				t.Fatal("a refused PATCH changed the lead")
			}
		})
	}
	if a, _ := write(t, http.MethodPatch, lurl, reader, "application/merge-patch+json", v, `{"name": "x"}`); a.Status != http.StatusUnauthorized {
		t.Fatalf("read token wrote: %d", a.Status)
	}
	// Decline and lost take a reason as the pages do.
	other := leadID(t, post(t, s.URL+"/api/v1/leads", strings.NewReplacer("MS-REF-1001", "MS-REF-1002", "aiko.sato@", "ken.mori@").Replace(qualifiedLead), "Authorization", "Bearer "+writer))
	ourl := fmt.Sprintf("%s/api/v1/leads/%d", s.URL, other)
	ov := etagOf(t, ourl, writer)
	if a, _ := write(t, http.MethodPost, ourl+"/decline", writer, "application/json", ov, `{"reason": "other"}`); a.Status != 422 || !strings.Contains(a.Raw, `"field":"notes"`) {
		t.Fatalf("decline other without notes: %d %s", a.Status, a.Raw)
	}
	if a, _ := write(t, http.MethodPost, ourl+"/decline", writer, "application/json", ov, `{"reason": "budget", "mood": "sad"}`); a.Status != 422 || !strings.Contains(a.Raw, `"field":"mood"`) {
		t.Fatalf("decline with an unknown field: %d %s", a.Status, a.Raw)
	}
	if a, _ := write(t, http.MethodPost, ourl+"/decline", writer, "application/json", ov, `{"reason": "budget"}`); a.Status != 200 || a.Body["outcome"] != "declined" {
		t.Fatalf("decline: %d %s", a.Status, a.Raw)
	}
}
