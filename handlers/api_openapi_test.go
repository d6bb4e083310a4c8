package handlers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	legacyrouter "github.com/getkin/kin-openapi/routers/legacy"

	"leaddesk/internal/testkit"
	"leaddesk/lead"
	"leaddesk/webhooks"
)

// TestOpenAPIDocumentMatchesResponses loads /api/v1/openapi.json, checks it is a valid OpenAPI 3.1
// document, and validates real answers of every endpoint — successes and the documented errors
// (400, 401, 404, 409, 412, 415, 422, 428) — and a real webhook body against it: a field added to the
// API without the document, or a status it does not list, fails here.
func TestOpenAPIDocumentMatchesResponses(t *testing.T) {
	s := testkit.NewServer(t, withWebhooks)
	ctx := context.Background()
	writer, reader := newToken(t, s, "write", "read"), newToken(t, s, "read")
	docReq, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/openapi.json", nil)
	docReq.Header.Set("Authorization", "Bearer "+reader)
	res, err := http.DefaultClient.Do(docReq)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(ctx); err != nil {
		t.Fatalf("the document is not valid OpenAPI: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() || len(doc.Webhooks) != len(webhooks.EventTypes) {
		t.Fatalf("version %s, %d webhooks", doc.OpenAPI, len(doc.Webhooks))
	}
	router, err := legacyrouter.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	validated := map[string]bool{}
	// call sends a request, validates the request (unless it is meant to be bad) and the answer.
	call := func(method, path, token, ct, ifMatch, body string, wantStatus int, badRequest bool) (map[string]any, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != wantStatus {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, res.StatusCode, wantStatus, out)
		}
		vreq, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
		vreq.Header = req.Header.Clone()
		route, params, err := router.FindRoute(vreq)
		if err != nil {
			t.Fatalf("%s %s is not in the document: %v", method, path, err)
		}
		opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
		in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
		if !badRequest {
			if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
				t.Errorf("%s %s: the request does not match the document: %v", method, path, err)
			}
		}
		if err := openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode,
			Header: res.Header, Body: io.NopCloser(bytes.NewReader(out)), Options: opts}); err != nil {
			t.Errorf("%s %s → %d does not match the document: %v\n%s", method, path, res.StatusCode, err, out)
		}
		validated[fmt.Sprintf("%s %s %d", method, route.Path, res.StatusCode)] = true
		var m map[string]any
		json.Unmarshal(out, &m)
		return m, res.Header
	}
	const J, MP, JP = "application/json", "application/merge-patch+json", "application/json-patch+json"

	call("GET", "/api/v1/openapi.json", reader, "", "", "", 200, false)
	call("GET", "/api/v1/openapi.json", "", "", "", "", 401, false)
	created, _ := call("POST", "/api/v1/leads", writer, J, "", qualifiedLead, 201, false)
	call("POST", "/api/v1/leads", writer, J, "", qualifiedLead, 200, false)
	call("POST", "/api/v1/leads", writer, J, "", `{"name": 5}`, 400, true)
	call("POST", "/api/v1/leads", "", J, "", qualifiedLead, 401, true)
	id := int64(created["id"].(float64))
	lp := fmt.Sprintf("/api/v1/leads/%d", id)
	call("GET", "/api/v1/leads?tab=qualified&limit=10", reader, "", "", "", 200, false)
	call("GET", "/api/v1/leads?status=bogus", reader, "", "", "", 400, false)
	call("GET", "/api/v1/leads?updated_since=2026-01-01T00:00:00Z", reader, "", "", "", 200, false)
	call("GET", "/api/v1/leads?updated_since=soon", reader, "", "", "", 400, false)
	_, h := call("GET", lp, reader, "", "", "", 200, false)
	call("GET", "/api/v1/leads/999999", reader, "", "", "", 404, false)
	v := h.Get("ETag")
	call("POST", lp+"/accept", writer, J, "", acceptBody, 428, true)
	call("POST", lp+"/accept", writer, J, `"77"`, acceptBody, 412, false)
	call("POST", lp+"/accept", writer, J, v, `{"name": ""}`, 422, false)
	_, h = call("POST", lp+"/accept", writer, J, v, acceptBody, 200, false)
	v = h.Get("ETag")
	call("POST", lp+"/decline", writer, J, v, `{"reason": "budget"}`, 409, false)
	call("POST", lp+"/activities", writer, J, "", `{"kind": "call", "outcome": "reached", "text": "Talked to Mei", "nextStep": {"title": "Send the quote", "due": "2027-01-15"}}`, 201, false)
	call("POST", lp+"/activities", writer, J, "", `{"kind": "fax"}`, 422, true)
	call("POST", lp+"/activities", reader, J, "", `{"kind": "note"}`, 401, false)
	call("POST", lp+"/activities", writer, J, "", `[1]`, 400, true)
	call("GET", lp+"/activities", reader, "", "", "", 200, false)
	call("GET", "/api/v1/leads/999999/activities", reader, "", "", "", 404, false)
	_, h = call("PATCH", lp, writer, MP, v, `{"details": {"notes": "Phase 2 too"}}`, 200, false)
	v = h.Get("ETag")
	_, h = call("PATCH", lp, writer, JP, v, `[{"op": "replace", "path": "/crmId", "value": "CRM-9"}]`, 200, false)
	v = h.Get("ETag")
	call("PATCH", lp, writer, MP, v, `{"status": "Closed"}`, 422, true)
	call("PATCH", lp, writer, J, v, `{"name": "x"}`, 415, true)
	call("PATCH", lp, reader, MP, v, `{"name": "x"}`, 401, false)
	call("POST", lp+"/lost", writer, J, v, `{"reason": "other"}`, 422, false)
	call("POST", lp+"/won", writer, "", v, "", 200, false)
	call("POST", lp+"/activities", writer, J, "", `{"kind": "note"}`, 409, false)
	if len(validated) < 20 {
		t.Errorf("only %d answers validated", len(validated))
	}

	// A webhook body as sent matches the document's WebhookPayload.
	rc := newHookReceiver(t)
	sender, err := webhooks.NewSenderFor(s.Cfg, s.DB, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	st := sender.Store
	if _, _, err := st.Create(ctx, webhooks.NewEndpoint{Name: "CRM", URL: rc.URL, Events: webhooks.EventTypes}, 0, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Leads.Receive(ctx, lead.Actor{Label: "marketplace"}, &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me",
		Source: "appsource", OfferID: "crm", CustomerCompany: "Fabrikam", ContactFirstName: "Mei", ContactEmail: "mei@fabrikam.example"}); err != nil {
		t.Fatal(err)
	}
	if err := sender.Run(ctx, s.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	_, bodies := rc.got()
	if len(bodies) != 1 {
		t.Fatalf("%d webhook bodies", len(bodies))
	}
	var payload any
	json.Unmarshal([]byte(bodies[0]), &payload)
	if err := doc.Components.Schemas["WebhookPayload"].Value.VisitJSON(payload); err != nil {
		t.Errorf("the webhook body does not match WebhookPayload: %v\n%s", err, bodies[0])
	}
}
