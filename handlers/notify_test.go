package handlers_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// notifyLead stores an actionable lead with its notifications in one transaction, as intake does.
func notifyLead(t *testing.T, s *testkit.Server, company string, requested bool) *lead.Lead {
	t.Helper()
	l := &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", Source: "appsource", CustomerCompany: company,
		ContactFirstName: "Mei", ContactLastName: "Sato", CustomerRequestedContact: requested, CreatedAt: s.Clock.Now()}
	err := s.DB.InTx(context.Background(), func(tx *sql.Tx) error {
		if err := db.InsertLeadTx(context.Background(), tx, l); err != nil {
			return err
		}
		return s.Notify.Handle(context.Background(), tx, lead.Received{Change: lead.Change{Lead: l, At: s.Clock.Now()}})
	})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestNotificationPreferences(t *testing.T) {
	s := testkit.NewServer(t)
	u := s.CreateUser("aiko@example.com", "Aiko Tanaka") // no role: everyone sets their own notifications
	c := s.Client()
	c.Login("aiko@example.com")
	res := c.Get("/settings/notifications")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `name="email"`) || !strings.Contains(res.Body, "aiko@example.com") {
		t.Fatalf("preferences page: %d\n%s", res.StatusCode, res.Body)
	}

	bad := []struct {
		name string
		form url.Values
		want string
	}{
		{"not an address", url.Values{"email": {"not an address"}, "mode": {"single"}}, "Enter one address"},
		{"two addresses", url.Values{"email": {"a@example.com, b@example.com"}, "mode": {"single"}}, "Enter one address"},
		{"header injection", url.Values{"email": {"a@example.com\r\nBcc: x@evil.example"}, "mode": {"single"}}, "Enter one address"},
		{"unknown mode", url.Values{"email": {""}, "mode": {"hourly"}}, "Choose single mails or a daily digest"},
		{"unknown language", url.Values{"mode": {"digest"}, "lang": {"fr"}}, "Choose English or Japanese"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			res := c.PostForm("/settings/notifications", tc.form)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, tc.want) || !strings.Contains(res.Body, `aria-invalid="true"`) {
				t.Errorf("status %d, want 422 with %q marked on the field", res.StatusCode, tc.want)
			}
		})
	}
	if p, _ := s.DB.NotificationPrefs(context.Background(), u.ID); p.Saved {
		t.Fatal("bad input was saved")
	}

	res = c.PostForm("/settings/notifications", url.Values{"email": {"aiko.mobile@example.com"}, "mode": {"digest"}, "lang": {"ja"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", res.StatusCode, res.Body)
	}
	p, err := s.DB.NotificationPrefs(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Saved || p.Email != "aiko.mobile@example.com" || p.Enabled || p.Mode != "digest" || p.Lang != "ja" {
		t.Errorf("saved %+v; want own address, mail off (box unticked), digest, Japanese", p)
	}
	res = c.Get("/settings/notifications")
	if !strings.Contains(res.Body, "Your notification settings are saved.") || !strings.Contains(res.Body, `value="aiko.mobile@example.com"`) {
		t.Errorf("after saving the page does not confirm or show the values:\n%s", res.Body)
	}
}

func TestActionCenterBellPanelAndDismiss(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("ren@example.com", "Ren Ito", db.RoleReferrals)
	s.CreateUser("aya@example.com", "Aya Mori", db.RoleAccount)
	s.CreateUser("pro@example.com", "Pro File", db.RoleProfile)
	ren, aya, pro := s.Client(), s.Client(), s.Client()
	ren.Login("ren@example.com")
	aya.Login("aya@example.com")
	pro.Login("pro@example.com")

	count := func(c *testkit.Client) string {
		t.Helper()
		res := c.Get("/action-center/count", "HX-Request", "true")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("count: %d", res.StatusCode)
		}
		i := strings.Index(res.Body, `data-count="`)
		return res.Body[i+len(`data-count="`) : i+strings.Index(res.Body[i:], `">`)]
	}
	if got := count(ren); got != "0" {
		t.Fatalf("empty Action Center counts %s", got)
	}
	l := notifyLead(t, s, "Fabrikam <b>KK</b>", true)
	notifyLead(t, s, "Northwind", false)
	if got := count(ren); got != "2" {
		t.Errorf("after two leads (one asking to be contacted) the bell counts %s, want 2: one per lead", got)
	}
	if !strings.Contains(ren.Get("/leads").Body, `id="bell-count"`) {
		t.Error("the workspace has no bell badge")
	}
	if res := pro.Get("/action-center/count", "HX-Request", "true"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a Business profile admin got the Action Center: %d", res.StatusCode)
	}
	if strings.Contains(pro.Get("/leads").Body, `id="bell-count"`) {
		t.Error("a Business profile admin sees the bell")
	}

	panel := ren.Get("/action-center", "HX-Request", "true")
	if panel.StatusCode != http.StatusOK || !strings.Contains(panel.Body, `class="panel notify-panel"`) || strings.Contains(panel.Body, "<html") {
		t.Fatalf("panel fragment: %d\n%s", panel.StatusCode, panel.Body)
	}
	for _, want := range []string{"Fabrikam &lt;b&gt;KK&lt;/b&gt;", fmt.Sprintf(`href="/leads/%d"`, l.ID), "Customer asked to be contacted", "New lead to answer", `hx-swap-oob="outerHTML" data-count="0"`} {
		if !strings.Contains(panel.Body, want) {
			t.Errorf("panel lacks %q", want)
		}
	}
	if got := count(ren); got != "0" {
		t.Errorf("after opening the panel the bell counts %s, want 0", got)
	}
	if got := count(aya); got != "2" {
		t.Errorf("another user's count changed to %s when Ren read the items", got)
	}

	// A row is a lead: dismissing it hides the lead with all its reasons.
	itemID := l.ID
	res := aya.PostForm(fmt.Sprintf("/action-center/%d/dismiss", itemID), nil, "HX-Request", "true")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, `data-count="1"`) {
		t.Errorf("dismiss: %d %s; want the badge refreshed to 1", res.StatusCode, res.Body)
	}
	page := aya.Get("/action-center")
	if !strings.Contains(page.Body, "<html") || strings.Contains(page.Body, "Customer asked to be contacted") || !strings.Contains(page.Body, "Northwind") {
		t.Errorf("full page after dismissing: the dismissed item shows or the others are missing")
	}
	if res := aya.PostForm("/action-center/999999/dismiss", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("dismissing an unknown item: %d", res.StatusCode)
	}
	if res := aya.PostRaw(fmt.Sprintf("/action-center/%d/dismiss", itemID), url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("dismiss without CSRF token: %d", res.StatusCode)
	}

	// Answering the lead closes its items for everyone.
	err := s.DB.InTx(context.Background(), func(tx *sql.Tx) error {
		return s.Notify.Handle(context.Background(), tx, lead.Accepted{Change: lead.Change{Lead: l, At: s.Clock.Now()}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if body := ren.Get("/action-center").Body; strings.Contains(body, "Fabrikam") {
		t.Error("an answered lead is still in the Action Center")
	}
	// Items nobody dismissed leave the Action Center after its window.
	kai := s.CreateUser("kai@example.com", "Kai", db.RoleReferrals)
	if n, _ := s.DB.UnreadActionItems(context.Background(), kai.ID, s.Clock.Now()); n != 1 {
		t.Errorf("a new user counts %d open items, want 1 (Northwind)", n)
	}
	if n, _ := s.DB.UnreadActionItems(context.Background(), kai.ID, s.Clock.Now().Add(db.ActionCenterWindow+time.Hour)); n != 0 {
		t.Errorf("a month later the bell still counts %d", n)
	}
}

func TestAdminMailListsFiltersAndResends(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aya@example.com", "Aya Mori", db.RoleAccount)
	s.CreateUser("ren@example.com", "Ren Ito", db.RoleReferrals)
	ctx := context.Background()
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		for i := 0; i < 55; i++ {
			if _, err := db.EnqueueMailTx(ctx, tx, s.Clock.Now(), db.OutboxMessage{Kind: "new_lead", ToEmail: fmt.Sprintf("q%02d@example.com", i)}); err != nil {
				return err
			}
		}
		_, err := db.EnqueueMailTx(ctx, tx, s.Clock.Now(), db.OutboxMessage{Kind: "invitation", ToEmail: "gone@example.com", ToName: "<i>Gone</i>"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.DB.Exec(`UPDATE outbox SET status = 'failed', attempts = 1, last_error = 'rcpt to gone@example.com: 550 No such user here' WHERE to_email = 'gone@example.com'`)

	ren := s.Client()
	ren.Login("ren@example.com")
	if res := ren.Get("/admin/mail"); res.StatusCode != http.StatusForbidden {
		t.Errorf("a Referrals admin opened the outbox: %d", res.StatusCode)
	}
	c := s.Client()
	c.Login("aya@example.com")
	all := c.Get("/admin/mail")
	if all.StatusCode != http.StatusOK || !strings.Contains(all.Body, "No mail server is configured") || !strings.Contains(all.Body, "56 messages") || !strings.Contains(all.Body, "Page 1 of 2") {
		t.Fatalf("outbox page: %d\n%s", all.StatusCode, all.Body)
	}
	if n := strings.Count(all.Body, `<tr id="mail-`); n != 50 {
		t.Errorf("first page shows %d rows, want 50", n)
	}
	if n := strings.Count(c.Get("/admin/mail?page=2").Body, `<tr id="mail-`); n != 6 {
		t.Errorf("second page shows %d rows, want 6", n)
	}
	failed := c.Get("/admin/mail?status=failed")
	if n := strings.Count(failed.Body, `<tr id="mail-`); n != 1 || !strings.Contains(failed.Body, "550 No such user here") || !strings.Contains(failed.Body, "&lt;i&gt;Gone&lt;/i&gt;") {
		t.Errorf("failed filter: %d rows\n%s", n, failed.Body)
	}
	if n := strings.Count(c.Get("/admin/mail?q=q1").Body, `<tr id="mail-`); n != 10 {
		t.Errorf("recipient search q1 shows %d rows, want 10", n)
	}
	if n := strings.Count(c.Get("/admin/mail?q=%25").Body, `<tr id="mail-`); n != 0 {
		t.Errorf("a %% search matched %d rows; it must be literal", n)
	}

	var failedID, queuedID int64
	s.DB.QueryRow(`SELECT id FROM outbox WHERE status = 'failed'`).Scan(&failedID)
	s.DB.QueryRow(`SELECT id FROM outbox WHERE status = 'queued' LIMIT 1`).Scan(&queuedID)
	res := c.PostForm(fmt.Sprintf("/admin/mail/%d/resend", failedID), url.Values{"next": {"/admin/mail?status=failed"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/mail?status=failed" {
		t.Fatalf("resend: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	var status string
	s.DB.QueryRow(`SELECT status FROM outbox WHERE id = ?`, failedID).Scan(&status)
	if status != "queued" {
		t.Errorf("after resend the message is %s, want queued", status)
	}
	if res := c.PostForm(fmt.Sprintf("/admin/mail/%d/resend", queuedID), nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("resending a queued message: %d, want 404", res.StatusCode)
	}
}
