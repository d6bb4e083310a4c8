package handlers_test

import (
	"fmt"
	"leaddesk/lead"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// acceptForm is a complete, valid accept form; tests change one field at a time.
func acceptForm(f *lcFixture) url.Values {
	return url.Values{
		"deal_name": {"Contoso CRM rollout"}, "deal_value": {"12,500.50"}, "currency": {"USD"}, "close_date": {"2027-01-15"},
		"notes": {"Call on Monday."}, "campaign_id": {"CAMP-7"}, "crm_id": {"CRM-42"},
		"team":         {fmt.Sprint(f.worker.ID), fmt.Sprint(f.teammate.ID)},
		"contact_name": {"Ken Mori", ""}, "contact_email": {"ken.mori@contoso.example", ""}, "contact_phone": {"+81 90 1111 2222", ""},
	}
}

func TestAcceptStoresTheDealTeamContactsAndTimeline(t *testing.T) {
	f := newLCFixture(t)
	l := f.addLead(t, func(l *lead.Lead) { l.CustomerRequestedContact = true })
	// The form as a page without JavaScript, and as a dialog for htmx.
	page := f.c.Get(fmt.Sprintf("/leads/%d/accept", l.ID))
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, `<html`) || !strings.Contains(page.Body, `name="deal_name"`) || !strings.Contains(page.Body, "Ben Ito") {
		t.Fatalf("accept page: %d", page.StatusCode)
	}
	dlg := f.c.Get(fmt.Sprintf("/leads/%d/accept", l.ID), "HX-Request", "true")
	if !strings.HasPrefix(strings.TrimSpace(dlg.Body), "<dialog data-autoopen") || strings.Contains(dlg.Body, "<html") {
		t.Fatalf("htmx accept should be only the dialog:\n%.300s", dlg.Body)
	}
	for _, name := range []string{"deal_name", "deal_value", "currency", "close_date", "notes", "campaign_id", "crm_id", "team", "contact_name", "contact_email", "contact_phone", "version"} {
		if !strings.Contains(dlg.Body, `name="`+name+`"`) {
			t.Errorf("accept dialog lacks field %s", name)
		}
	}
	if !strings.Contains(dlg.Body, ">Next<") {
		t.Error("accept dialog lacks the Next button")
	}

	res := f.c.PostForm(fmt.Sprintf("/leads/%d/accept", l.ID), acceptForm(f))
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != fmt.Sprintf("/leads/%d", l.ID) {
		t.Fatalf("accept: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	got := f.lead(t, l.ID)
	if got.Status != "accepted" || got.DealName != "Contoso CRM rollout" || got.DealValue != 1250050 || got.Currency != "USD" ||
		got.PurchaseDate != "2027-01-15" || got.Notes != "Call on Monday." || got.CampaignID != "CAMP-7" || got.CRMID != "CRM-42" ||
		got.AcceptedAt == nil || got.ExpiresAt != nil || got.Version != 2 {
		t.Errorf("accepted lead = %+v", got)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM lead_team WHERE lead_id = ?`, l.ID); n != 2 {
		t.Errorf("team members = %d, want 2", n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM lead_contacts WHERE lead_id = ? AND kind = 'contact' AND name = 'Ken Mori'`, l.ID); n != 1 {
		t.Errorf("extra contacts = %d, want 1 (the empty row is ignored)", n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM action_items WHERE lead_id = ? AND done_at IS NULL`, l.ID); n != 0 {
		t.Errorf("%d Action Center items still open after accepting", n)
	}
	// The details show the deal, the team and the timeline entry with who and what changed.
	res = f.c.Get(fmt.Sprintf("/leads/%d", l.ID))
	for _, want := range []string{"Lead accepted.", "USD 12,500.50", "Contoso CRM rollout", "Ben Ito", "Ken Mori", "Accepted", "by Aiko Tanaka",
		"<del>Received</del> → <ins>Accepted</ins>", "Team members", "/edit\"", "/won\"", "/lost\"", "/employees\""} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("details after accept lack %q", want)
		}
	}
	if strings.Contains(res.Body, "/accept\"") {
		t.Error("an accepted lead still offers Accept")
	}
	// Replaying the same form changes nothing and says why.
	res = f.c.PostForm(fmt.Sprintf("/leads/%d/accept", l.ID), acceptForm(f))
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "This lead is Accepted now") {
		t.Errorf("replayed accept: %d", res.StatusCode)
	}
	if f.lead(t, l.ID).Version != 2 || f.count(t, `SELECT COUNT(*) FROM lead_contacts WHERE lead_id = ?`, l.ID) != 1 {
		t.Error("the replayed accept changed the lead")
	}
}

func TestAcceptWithHtmxUpdatesTheDetailsInPlace(t *testing.T) {
	f := newLCFixture(t)
	l := f.addLead(t, nil)
	form := acceptForm(f)
	form.Set("version", "1")
	res := f.c.PostForm(fmt.Sprintf("/leads/%d/accept", l.ID), form, "HX-Request", "true")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("htmx accept: %d\n%s", res.StatusCode, res.Body)
	}
	if res.Header.Get("HX-Trigger") != "leadChanged" || res.Header.Get("HX-Retarget") != "#main" {
		t.Errorf("headers: trigger %q retarget %q", res.Header.Get("HX-Trigger"), res.Header.Get("HX-Retarget"))
	}
	if !strings.Contains(res.Body, `<div id="modal" hx-swap-oob="true"></div>`) || !strings.Contains(res.Body, "Lead accepted.") || strings.Contains(res.Body, "<html") {
		t.Errorf("htmx accept should answer the details fragment that closes the dialog:\n%.500s", res.Body)
	}
}

func TestAcceptRefusesBadInput(t *testing.T) {
	f := newLCFixture(t)
	l := f.addLead(t, nil)
	long := strings.Repeat("あ", 100*1024/3)
	cases := []struct {
		name, field, value, msg string
	}{
		{"no deal name", "deal_name", "  ", "Enter a deal name."},
		{"zero value", "deal_value", "0", "must be more than zero"},
		{"negative value", "deal_value", "-5", "must be more than zero"},
		{"value not a number", "deal_value", "lots", "Enter a number"},
		{"too many decimals", "deal_value", "1.234", "Enter a number"},
		{"unknown currency", "currency", "XXX", "Choose a currency"},
		{"date in the past", "close_date", "2026-11-29", "cannot be in the past"},
		{"date malformed", "close_date", "15/01/2027", "YYYY-MM-DD"},
		{"no notes", "notes", "", "Enter notes."},
		{"100 kB of notes", "notes", long, "at most 10000 characters"},
		{"unknown team member", "team", "9999", "Choose team members from the list"},
		{"team member not a number", "team", "1 OR 1=1", "Choose team members from the list"},
		{"bad contact email", "contact_email", "ken@", "Enter an email address"},
		{"bad contact phone", "contact_phone", "call me", "Enter a phone number"},
		{"contact without name", "contact_name", "", "Enter the name."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := acceptForm(f)
			form[tc.field] = []string{tc.value}
			res := f.c.PostForm(fmt.Sprintf("/leads/%d/accept", l.ID), form, "HX-Request", "true")
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			if !strings.Contains(res.Body, tc.msg) || !strings.Contains(res.Body, `aria-invalid="true"`) || !strings.Contains(res.Body, "<dialog data-autoopen") {
				t.Errorf("422 dialog lacks the field message %q", tc.msg)
			}
			if got := f.lead(t, l.ID); got.Status != "received" || got.Version != 1 || got.DealName != "" {
				t.Errorf("a refused accept changed the lead: %+v", got)
			}
			if f.count(t, `SELECT COUNT(*) FROM lead_team`)+f.count(t, `SELECT COUNT(*) FROM lead_contacts`)+f.count(t, `SELECT COUNT(*) FROM lead_events`) != 0 {
				t.Error("a refused accept left rows behind")
			}
		})
	}
	// The typed values come back in the form, escaped.
	form := acceptForm(f)
	form.Set("deal_name", `<script>alert(1)</script>`)
	form.Set("notes", "")
	res := f.c.PostForm(fmt.Sprintf("/leads/%d/accept", l.ID), form)
	if res.StatusCode != http.StatusUnprocessableEntity || strings.Contains(res.Body, "<script>alert(1)") || !strings.Contains(res.Body, "&lt;script&gt;") {
		t.Errorf("re-rendered form must keep and escape the typed deal name (%d)", res.StatusCode)
	}
	if !strings.Contains(res.Body, `value="12,500.50"`) || !strings.Contains(res.Body, `<html`) {
		t.Error("without htmx the 422 is the whole page with the typed value")
	}
}

func TestDeclineArchivesAndQueuesTheNotices(t *testing.T) {
	f := newLCFixture(t)
	l := f.addLead(t, nil)
	dlg := f.c.Get(fmt.Sprintf("/leads/%d/decline", l.ID), "HX-Request", "true")
	for _, want := range []string{"<dialog data-autoopen", "Project budget isn&#39;t adequate", "Report as abuse, spam, or phishing", `name="notes"`, `value="other"`} {
		if !strings.Contains(dlg.Body, want) {
			t.Errorf("decline dialog lacks %q", want)
		}
	}
	for name, tc := range map[string]struct {
		form url.Values
		msg  string
	}{
		"no reason":           {url.Values{"notes": {"x"}}, "Choose a reason."},
		"unknown reason":      {url.Values{"reason": {"bored"}}, "Choose a reason."},
		"other without notes": {url.Values{"reason": {"other"}}, "With the reason Other"},
		"notes too long":      {url.Values{"reason": {"budget"}, "notes": {strings.Repeat("x", 10001)}}, "at most 10000 characters"},
	} {
		res := f.c.PostForm(fmt.Sprintf("/leads/%d/decline", l.ID), tc.form, "HX-Request", "true")
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, tc.msg) {
			t.Errorf("%s: %d, want 422 with %q", name, res.StatusCode, tc.msg)
		}
	}
	if f.lead(t, l.ID).Status != "received" {
		t.Fatal("a refused decline changed the lead")
	}
	res := f.c.PostForm(fmt.Sprintf("/leads/%d/decline", l.ID), url.Values{"reason": {"other"}, "notes": {"Outside our region."}, "version": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("decline: %d\n%s", res.StatusCode, res.Body)
	}
	got := f.lead(t, l.ID)
	if got.Status != "archived" || got.Outcome != "declined" || got.Reason != "other" || got.ReasonNotes != "Outside our region." || got.ArchivedAt == nil {
		t.Errorf("declined lead = %+v", got)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM outbox WHERE lead_id = ? AND kind IN ('decline_customer', 'decline_sender')`, l.ID); n != 2 {
		t.Errorf("queued %d decline notices, want the customer's and the sender's", n)
	}
	res = f.c.Get(fmt.Sprintf("/leads/%d", l.ID))
	for _, want := range []string{"Lead declined and archived.", "Declined", "Other", "Outside our region."} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("details after decline lack %q", want)
		}
	}
	for _, absent := range []string{"/accept\"", "/decline\"", "/edit\""} {
		if strings.Contains(res.Body, absent) {
			t.Errorf("an archived lead offers %s", absent)
		}
	}
}

// accepted makes an accepted lead through the real form.
func accepted(t *testing.T, f *lcFixture) *lead.Lead {
	t.Helper()
	l := f.addLead(t, nil)
	if res := f.c.PostForm(fmt.Sprintf("/leads/%d/accept", l.ID), acceptForm(f)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d\n%s", res.StatusCode, res.Body)
	}
	return f.lead(t, l.ID)
}

func TestEditAcceptedLeadWithVersionCheck(t *testing.T) {
	f := newLCFixture(t)
	l := accepted(t, f)
	page := f.c.Get(fmt.Sprintf("/leads/%d/edit", l.ID))
	if !strings.Contains(page.Body, `value="12500.50"`) || !strings.Contains(page.Body, `name="version" value="2"`) || strings.Contains(page.Body, `name="contact_name"`) {
		t.Errorf("edit form should show the deal and its version")
	}
	form := acceptForm(f)
	form.Set("deal_value", "980000")
	form.Set("currency", "JPY")
	form["team"] = []string{fmt.Sprint(f.teammate.ID)}
	form.Set("version", "2")
	res := f.c.PostForm(fmt.Sprintf("/leads/%d", l.ID), form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", res.StatusCode, res.Body)
	}
	got := f.lead(t, l.ID)
	if got.DealValue != 980000 || got.Currency != "JPY" || got.Version != 3 {
		t.Errorf("edited lead = %+v", got)
	}
	res = f.c.Get(fmt.Sprintf("/leads/%d", l.ID))
	for _, want := range []string{"Deal edited", "<del>USD 12,500.50</del> → <ins>JPY 980,000</ins>", "<del>Aiko Tanaka, Ben Ito</del> → <ins>Ben Ito</ins>"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("timeline lacks %q", want)
		}
	}
	// A second user's form, loaded at version 2, must not overwrite version 3.
	form.Set("deal_name", "Stale overwrite")
	res = f.c.PostForm(fmt.Sprintf("/leads/%d", l.ID), form, "HX-Request", "true")
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "Someone changed this lead") || !strings.Contains(res.Body, fmt.Sprintf(`href="/leads/%d">Reload the lead`, l.ID)) {
		t.Errorf("stale edit: %d\n%s", res.StatusCode, res.Body)
	}
	form.Del("version")
	if res := f.c.PostForm(fmt.Sprintf("/leads/%d", l.ID), form); res.StatusCode != http.StatusConflict {
		t.Errorf("edit without version: %d, want 409", res.StatusCode)
	}
	if got := f.lead(t, l.ID); got.DealName == "Stale overwrite" || got.Version != 3 {
		t.Error("a stale edit overwrote the lead")
	}
	form.Set("version", "3")
	form.Set("deal_value", "0")
	if res := f.c.PostForm(fmt.Sprintf("/leads/%d", l.ID), form); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("edit with value 0: %d, want 422", res.StatusCode)
	}
}

func TestAddEmployeeWonAndLost(t *testing.T) {
	f := newLCFixture(t)
	l := accepted(t, f)
	for name, tc := range map[string]struct {
		form url.Values
		msg  string
	}{
		"no name":      {url.Values{"email": {"a@b.example"}}, "Enter the name."},
		"bad email":    {url.Values{"name": {"Ken"}, "email": {"not-an-email"}}, "Enter an email address"},
		"bad phone":    {url.Values{"name": {"Ken"}, "phone": {"12"}}, "Enter a phone number"},
		"no way reach": {url.Values{"name": {"Ken"}}, "Enter an email address or a phone number."},
	} {
		res := f.c.PostForm(fmt.Sprintf("/leads/%d/employees", l.ID), tc.form, "HX-Request", "true")
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, tc.msg) {
			t.Errorf("%s: %d, want 422 with %q", name, res.StatusCode, tc.msg)
		}
	}
	res := f.c.PostForm(fmt.Sprintf("/leads/%d/employees", l.ID), url.Values{"name": {"Yui Kato"}, "email": {"yui@partner.example"}, "phone": {"03-1234-5678"}, "version": {"2"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add employee: %d\n%s", res.StatusCode, res.Body)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM lead_contacts WHERE lead_id = ? AND kind = 'employee' AND name = 'Yui Kato'`, l.ID); n != 1 {
		t.Error("employee not stored")
	}
	if body := f.c.Get(fmt.Sprintf("/leads/%d", l.ID)).Body; !strings.Contains(body, "Colleague added to the deal") || !strings.Contains(body, "Yui Kato") {
		t.Error("details lack the employee and its timeline entry")
	}

	// Lost needs a known reason; then the deal is archived as lost.
	if res := f.c.PostForm(fmt.Sprintf("/leads/%d/lost", l.ID), url.Values{"reason": {"spam"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("lost with a decline-only reason: %d, want 422", res.StatusCode)
	}
	lostLead := accepted(t, f)
	res = f.c.PostForm(fmt.Sprintf("/leads/%d/lost", lostLead.ID), url.Values{"reason": {"other_vendor"}, "notes": {"Went with a competitor."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("lost: %d", res.StatusCode)
	}
	if got := f.lead(t, lostLead.ID); got.Status != "archived" || got.Outcome != "lost" || got.Reason != "other_vendor" {
		t.Errorf("lost lead = %+v", got)
	}

	res = f.c.PostForm(fmt.Sprintf("/leads/%d/won", l.ID), url.Values{"version": {"3"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("won: %d\n%s", res.StatusCode, res.Body)
	}
	if got := f.lead(t, l.ID); got.Status != "archived" || got.Outcome != "won" || got.ArchivedAt == nil {
		t.Errorf("won lead = %+v", got)
	}
	body := f.c.Get(fmt.Sprintf("/leads/%d", l.ID)).Body
	if !strings.Contains(body, "Marked as won") || !strings.Contains(body, `class="done"><span class="dot">`) {
		t.Error("details lack the won timeline entry or the finished progress")
	}
}

func TestArchivedLeadsRefuseEveryAction(t *testing.T) {
	f := newLCFixture(t)
	won := accepted(t, f)
	if res := f.c.PostForm(fmt.Sprintf("/leads/%d/won", won.ID), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatal("won")
	}
	received := f.addLead(t, nil)
	id := won.ID
	posts := map[string]url.Values{
		"/accept": acceptForm(f), "/decline": {"reason": {"budget"}}, "": acceptForm(f),
		"/employees": {"name": {"Ken"}, "email": {"k@x.example"}}, "/won": {}, "/lost": {"reason": {"budget"}},
	}
	for suffix, form := range posts {
		res := f.c.PostForm(fmt.Sprintf("/leads/%d%s", id, suffix), form)
		if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "This lead is Archived (Won) now") {
			t.Errorf("POST %s on a won lead: %d, want 409 with a message", suffix, res.StatusCode)
		}
		// From a dialog left open while the lead moved on, the answer is the dialog with the reason.
		res = f.c.PostForm(fmt.Sprintf("/leads/%d%s", id, suffix), form, "HX-Request", "true")
		if suffix != "/won" && (res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "<dialog data-autoopen") || !strings.Contains(res.Body, "Reload the lead")) {
			t.Errorf("htmx POST %s on a won lead: %d, want 409 in the dialog:\n%.300s", suffix, res.StatusCode, res.Body)
		}
	}
	for _, suffix := range []string{"/accept", "/decline", "/edit", "/employees", "/lost"} {
		if res := f.c.Get(fmt.Sprintf("/leads/%d%s", id, suffix)); res.StatusCode != http.StatusConflict {
			t.Errorf("GET %s on a won lead: %d, want 409", suffix, res.StatusCode)
		}
	}
	// Actions of the wrong state are refused the same way on a received lead.
	for _, suffix := range []string{"/won", "/lost", "/employees"} {
		if res := f.c.PostForm(fmt.Sprintf("/leads/%d%s", received.ID, suffix), url.Values{"reason": {"budget"}, "name": {"K"}, "email": {"k@x.example"}}); res.StatusCode != http.StatusConflict {
			t.Errorf("POST %s on a received lead: %d, want 409", suffix, res.StatusCode)
		}
	}
	if got := f.lead(t, id); got.Outcome != "won" || got.Version != 3 {
		t.Errorf("refused actions changed the lead: %+v", got)
	}
}

func TestProfileAdminsCannotAct(t *testing.T) {
	f := newLCFixture(t)
	l := f.addLead(t, nil)
	p := f.s.Client()
	p.Login("pat@example.com")
	for _, path := range []string{"/accept", "/decline", "", "/employees", "/won", "/lost"} {
		if res := p.PostForm(fmt.Sprintf("/leads/%d%s", l.ID, path), acceptForm(f)); res.StatusCode != http.StatusForbidden {
			t.Errorf("profile admin POST %s: %d, want 403", path, res.StatusCode)
		}
	}
	for _, path := range []string{"/accept", "/decline", "/edit", "/employees", "/lost"} {
		if res := p.Get(fmt.Sprintf("/leads/%d%s", l.ID, path)); res.StatusCode != http.StatusForbidden {
			t.Errorf("profile admin GET %s: %d, want 403", path, res.StatusCode)
		}
	}
	if res := p.PostForm("/leads/bulk/decline", url.Values{"ids": {fmt.Sprint(l.ID)}, "reason": {"budget"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("profile admin bulk decline: %d", res.StatusCode)
	}
	if f.lead(t, l.ID).Version != 1 {
		t.Error("a refused request changed the lead")
	}
	// Without the CSRF token nothing happens either.
	if res := f.c.PostRaw(fmt.Sprintf("/leads/%d/decline", l.ID), url.Values{"reason": {"budget"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("decline without CSRF: %d", res.StatusCode)
	}
}

func TestBulkDeclineOnlyReceivedLeads(t *testing.T) {
	f := newLCFixture(t)
	a, b := f.addLead(t, nil), f.addLead(t, func(l *lead.Lead) { l.CustomerCompany = "Fabrikam" })
	acc := accepted(t, f)
	info := f.addLead(t, func(l *lead.Lead) { l.CTA = "get_it_now" })
	ids := []string{fmt.Sprint(a.ID), fmt.Sprint(b.ID), fmt.Sprint(acc.ID), fmt.Sprint(info.ID)}
	q := url.Values{"ids": ids, "next": {"/leads?tab=marketplace"}}
	dlg := f.c.Get("/leads/bulk/decline?"+q.Encode(), "HX-Request", "true")
	if dlg.StatusCode != http.StatusOK || !strings.Contains(dlg.Body, "Decline 2 selected leads") || !strings.Contains(dlg.Body, "2 selected leads were left alone") {
		t.Fatalf("bulk dialog: %d\n%s", dlg.StatusCode, dlg.Body)
	}
	if res := f.c.PostForm("/leads/bulk/decline", url.Values{"ids": ids, "reason": {"other"}}, "HX-Request", "true"); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("bulk decline other without notes: %d, want 422", res.StatusCode)
	}
	if res := f.c.PostForm("/leads/bulk/decline", url.Values{"ids": {"1", "x"}, "reason": {"budget"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("bulk decline with a bad id: %d, want 400", res.StatusCode)
	}
	res := f.c.PostForm("/leads/bulk/decline", url.Values{"ids": ids, "reason": {"no_response"}}, "HX-Request", "true")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "2 leads declined and archived.") || res.Header.Get("HX-Trigger") != "leadChanged" {
		t.Fatalf("bulk decline: %d\n%s", res.StatusCode, res.Body)
	}
	for _, l := range []*lead.Lead{a, b} {
		if got := f.lead(t, l.ID); got.Outcome != "declined" || got.Reason != "no_response" {
			t.Errorf("lead %d = %s/%s", l.ID, got.Status, got.Outcome)
		}
	}
	if f.lead(t, acc.ID).Status != "accepted" || f.lead(t, info.ID).Status != "received" {
		t.Error("bulk decline touched a lead that was not waiting for an answer")
	}
	if n := f.count(t, `SELECT COUNT(*) FROM lead_events WHERE kind = 'declined'`); n != 2 {
		t.Errorf("declined events = %d", n)
	}
	// Replayed: nothing left to decline.
	res = f.c.PostForm("/leads/bulk/decline", url.Values{"ids": ids, "reason": {"no_response"}})
	if !strings.Contains(res.Body, "0 leads declined") || f.count(t, `SELECT COUNT(*) FROM lead_events WHERE kind = 'declined'`) != 2 {
		t.Error("a replayed bulk decline changed something")
	}
}
