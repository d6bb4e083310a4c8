package pcsim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"leaddesk/partnercenter"
	"leaddesk/partnercenter/pcsim"
)

// signIn runs the code flow by hand and returns an access token.
func signIn(t *testing.T, sim *pcsim.Sim, srv *httptest.Server) string {
	t.Helper()
	o := sim.Options()
	verifier := strings.Repeat("v", 50)
	q := url.Values{"client_id": {o.ClientID}, "response_type": {"code"}, "redirect_uri": {"http://127.0.0.1:1/cb"},
		"scope": {partnercenter.DefaultScope}, "state": {"st"}, "code_challenge": {partnercenter.PKCEChallenge(verifier)},
		"code_challenge_method": {"S256"}}
	code, _, err := pcsim.Consent(srv.Client(), srv.URL+"/"+o.Tenant+"/oauth2/v2.0/authorize?"+q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().PostForm(srv.URL+"/"+o.Tenant+"/oauth2/v2.0/token", url.Values{"grant_type": {"authorization_code"},
		"code": {code}, "redirect_uri": {"http://127.0.0.1:1/cb"}, "code_verifier": {verifier}, "client_id": {o.ClientID},
		"client_secret": {o.ClientSecret}, "scope": {partnercenter.DefaultScope}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %d %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

func call(t *testing.T, srv *httptest.Server, tok, method, path, body string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestAuthorizeRequiresPKCE(t *testing.T) {
	sim, srv := pcsim.NewServer(pcsim.Options{})
	defer srv.Close()
	o := sim.Options()
	q := url.Values{"client_id": {o.ClientID}, "response_type": {"code"}, "redirect_uri": {"http://127.0.0.1:1/cb"},
		"scope": {partnercenter.DefaultScope}, "state": {"st"}}
	_, state, err := pcsim.Consent(srv.Client(), srv.URL+"/"+o.Tenant+"/oauth2/v2.0/authorize?"+q.Encode())
	if err == nil || !strings.Contains(err.Error(), "invalid_request") || state != "st" {
		t.Fatalf("authorize without a code challenge: got %v (state %q), want invalid_request sent back with the state", err, state)
	}
}

func TestPatchNeedsJSONPatchAndAnswers204WithoutPrefer(t *testing.T) {
	sim, srv := pcsim.NewServer(pcsim.Options{})
	defer srv.Close()
	tok := signIn(t, sim, srv)
	id := sim.Seed(1, 1)[0]
	before, _ := sim.Referral(id)
	path := partnercenter.ReferralsPath + "/" + id
	ops := `[{"op":"replace","path":"/details/dealValue","value":"500"}]`

	resp, _ := call(t, srv, tok, http.MethodPatch, path, ops, map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("PATCH as application/json: %d, want 415", resp.StatusCode)
	}
	resp, _ = call(t, srv, tok, http.MethodPatch, path, `[{"op":"remove","path":"/details/dealValue"}]`,
		map[string]string{"Content-Type": "application/json-patch+json"})
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a remove op: %d, want 400", resp.StatusCode)
	}
	resp, body := call(t, srv, tok, http.MethodPatch, path, ops, map[string]string{"Content-Type": "application/json-patch+json", "If-Match": before.ETag})
	after, _ := sim.Referral(id)
	if resp.StatusCode != http.StatusNoContent || body != "" || resp.Header.Get("ETag") != after.ETag || after.ETag == before.ETag {
		t.Fatalf("PATCH without Prefer: %d %q ETag %q, want 204, no body and the new eTag %q", resp.StatusCode, body, resp.Header.Get("ETag"), after.ETag)
	}
}

func TestPagingDoesNotSkipAReferralUpdatedMeanwhile(t *testing.T) {
	sim, srv := pcsim.NewServer(pcsim.Options{})
	defer srv.Close()
	tok := signIn(t, sim, srv)
	ids := sim.Seed(30, 2)
	page := func(u string) ([]string, string) {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Value []struct {
				ID string `json:"id"`
			} `json:"value"`
			Next string `json:"@odata.nextLink"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range body.Value {
			got = append(got, v.ID)
		}
		return got, body.Next
	}
	first, next := page(srv.URL + partnercenter.ReferralsPath + "?$orderby=updatedDateTime%20asc&$top=10")
	// A referral of the first page changes while the client pages: it moves to the end. With offset
	// paging every later referral would shift one place and one would never be sent; with the keyset
	// skiptoken nothing is skipped and the changed one comes again.
	if _, err := sim.ChangeAsMicrosoft(ids[5], func(r *partnercenter.Referral) { r.Details.Notes = "edited" }); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, id := range first {
		seen[id]++
	}
	for next != "" {
		var got []string
		got, next = page(next)
		for _, id := range got {
			seen[id]++
		}
	}
	if len(seen) != 30 || seen[ids[5]] != 2 {
		t.Fatalf("saw %d distinct referrals (the edited one %d times), want all 30, the edited one again", len(seen), seen[ids[5]])
	}
}

func TestFilterAndTopCap(t *testing.T) {
	sim, srv := pcsim.NewServer(pcsim.Options{MaxPageSize: 20})
	defer srv.Close()
	tok := signIn(t, sim, srv)
	sim.Seed(50, 3)
	resp, body := call(t, srv, tok, http.MethodGet, partnercenter.ReferralsPath+"?$top=500&$count=true&$filter="+
		url.QueryEscape("status eq 'New' and type eq 'Shared'"), "", nil)
	var got struct {
		Count int               `json:"@odata.count"`
		Value []json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if got.Count == 0 || got.Count >= 50 || len(got.Value) > 20 {
		t.Fatalf("count %d, page %d: want only the shared ones, at most 20 a page", got.Count, len(got.Value))
	}
	resp, _ = call(t, srv, tok, http.MethodGet, partnercenter.ReferralsPath+"?$filter="+url.QueryEscape("name eq 'x'"), "", nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("an unsupported filter: %d, want 400", resp.StatusCode)
	}
}
