package handlers_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// expireAt runs the expiry job as main.go registers it: the leads service, with mail queued by its
// notifier in the same transaction.
func expireAt(t *testing.T, s *testkit.Server, now time.Time) int {
	t.Helper()
	n, err := s.Leads.ExpireOverdue(context.Background(), now)
	if err != nil {
		t.Fatalf("expire: %v", err)
	}
	return n
}

func remindAt(t *testing.T, s *testkit.Server, now time.Time) int {
	t.Helper()
	n, err := s.Leads.RemindExpiring(context.Background(), now)
	if err != nil {
		t.Fatalf("remind: %v", err)
	}
	return n
}

func TestExpiryJobWithAMovedClock(t *testing.T) {
	f := newLCFixture(t)
	l := f.addLead(t, nil)
	answered := accepted(t, f)
	created := l.CreatedAt

	// 13 days 23 hours: still received, contact shown.
	f.s.Clock.Set(created.Add(13*24*time.Hour + 23*time.Hour))
	if n := expireAt(t, f.s, f.s.Clock.Now()); n != 0 {
		t.Errorf("expired %d leads before 14 days", n)
	}
	f.c.Login("aiko@example.com")
	if got := f.lead(t, l.ID); got.Status != "received" {
		t.Fatalf("status at 13d23h = %s", got.Status)
	}
	if body := f.c.Get(fmt.Sprintf("/leads/%d", l.ID)).Body; !strings.Contains(body, "aiko.sato@contoso.example") || !strings.Contains(body, "1 hour left") {
		t.Error("at 13d23h the contact and the hour left should show")
	}

	// 14 days: expired, with the sender told, and the contact details hidden from then on.
	f.s.Clock.Set(created.Add(14 * 24 * time.Hour))
	if n := expireAt(t, f.s, f.s.Clock.Now()); n != 1 {
		t.Errorf("expired %d leads at 14 days, want 1", n)
	}
	got := f.lead(t, l.ID)
	if got.Status != "archived" || got.Outcome != "expired" || got.ArchivedAt == nil || got.Version != 2 {
		t.Errorf("expired lead = %+v", got)
	}
	if f.lead(t, answered.ID).Status != "accepted" {
		t.Error("an accepted lead expired")
	}
	if n := f.count(t, `SELECT COUNT(*) FROM outbox WHERE lead_id = ? AND kind = 'expired_sender'`, l.ID); n != 1 {
		t.Errorf("sender notices = %d", n)
	}
	body := f.c.Get(fmt.Sprintf("/leads/%d", l.ID)).Body
	for _, leaked := range []string{"aiko.sato@contoso.example", "1234 5678", "Aiko Sato", "data-copy", "We need a CRM"} {
		if strings.Contains(body, leaked) {
			t.Errorf("expired lead page shows contact detail %q", leaked)
		}
	}
	for _, want := range []string{`id="contact-hidden"`, "Expired without an answer", "Leaddesk (automatic)", "<del>Received</del> → <ins>Archived</ins>", "Contoso KK"} {
		if !strings.Contains(body, want) {
			t.Errorf("expired lead page lacks %q", want)
		}
	}
	// Running again changes nothing and records nothing.
	if n := expireAt(t, f.s, f.s.Clock.Now().Add(time.Hour)); n != 0 {
		t.Errorf("second run expired %d", n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM lead_events WHERE lead_id = ? AND kind = 'expired' AND actor_label = 'job'`, l.ID); n != 1 {
		t.Errorf("expired events = %d, want 1", n)
	}
}

func TestLifecycleJobsAreSafeToRunTwiceAtOnce(t *testing.T) {
	f := newLCFixture(t)
	var ids []int64
	for i := 0; i < 30; i++ {
		ids = append(ids, f.addLead(t, nil).ID)
	}
	at := f.s.Clock.Now().Add(lead.ExpiryWindow)
	var wg sync.WaitGroup
	counts := make([]int, 4)
	for i := range counts {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			n, err := f.s.Leads.ExpireOverdue(context.Background(), at)
			if err != nil {
				t.Errorf("run %d: %v", i, err)
			}
			counts[i] = n
		}(i)
	}
	wg.Wait()
	if total := counts[0] + counts[1] + counts[2] + counts[3]; total != len(ids) {
		t.Errorf("runs expired %v leads in total, want %d", counts, len(ids))
	}
	if n := f.count(t, `SELECT COUNT(*) FROM lead_events WHERE kind = 'expired'`); n != len(ids) {
		t.Errorf("expired events = %d, want one per lead", n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM outbox WHERE kind = 'expired_sender'`); n != len(ids) {
		t.Errorf("sender notices = %d, want one per lead", n)
	}
}

func TestExpiryReminderOnceAt48Hours(t *testing.T) {
	f := newLCFixture(t)
	l := f.addLead(t, nil)
	exp := *l.ExpiresAt
	if n := remindAt(t, f.s, exp.Add(-49*time.Hour)); n != 0 {
		t.Errorf("reminded %d leads 49 hours before expiry", n)
	}
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); remindAt(t, f.s, exp.Add(-48*time.Hour)) }()
	}
	wg.Wait()
	remindAt(t, f.s, exp.Add(-47*time.Hour))
	if n := f.count(t, `SELECT COUNT(*) FROM action_items WHERE lead_id = ? AND kind = 'expiring'`, l.ID); n != 1 {
		t.Errorf("expiring items = %d, want 1", n)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM lead_events WHERE lead_id = ? AND kind = 'reminded'`, l.ID); n != 1 {
		t.Errorf("reminded events = %d, want 1", n)
	}
}

func TestInformationalLeadsArchivedAfterSixMonths(t *testing.T) {
	f := newLCFixture(t)
	info := f.addLead(t, func(l *lead.Lead) { l.CTA = "test_drive" })
	actionable := f.addLead(t, nil)
	if n, err := f.s.Leads.ArchiveInformational(context.Background(), info.CreatedAt.Add(lead.InformationalArchiveAfter-time.Minute)); err != nil || n != 0 {
		t.Errorf("before 6 months: %d %v", n, err)
	}
	if n, err := f.s.Leads.ArchiveInformational(context.Background(), info.CreatedAt.Add(lead.InformationalArchiveAfter)); err != nil || n != 1 {
		t.Errorf("at 6 months: %d %v", n, err)
	}
	got := f.lead(t, info.ID)
	if got.Status != "archived" || got.Outcome != "" || got.ArchivedAt == nil {
		t.Errorf("archived informational lead = %+v", got)
	}
	if f.lead(t, actionable.ID).Status != "received" {
		t.Error("the archival job touched an actionable lead")
	}
	if n, _ := f.s.Leads.ArchiveInformational(context.Background(), info.CreatedAt.Add(lead.InformationalArchiveAfter+time.Hour)); n != 0 {
		t.Error("second run archived again")
	}
}

// An expired lead hides its contact, so searching the contact's name must not find it either: the hit
// would tell whom the company's lead came from.
func TestExpiredLeadNotFoundByContactName(t *testing.T) {
	f := newLCFixture(t)
	l := f.addLead(t, nil)
	search := func(q string) []string {
		return companies(f.c.Get("/leads?tab=marketplace&q=" + url.QueryEscape(q)).Body)
	}
	if got := search("Aiko Sato"); len(got) != 1 {
		t.Fatalf("before expiry the contact's name finds %q", got)
	}
	f.s.Clock.Set(l.CreatedAt.Add(lead.ExpiryWindow))
	if n := expireAt(t, f.s, f.s.Clock.Now()); n != 1 {
		t.Fatalf("expired %d leads", n)
	}
	f.c.Login("aiko@example.com") // 14 days on, the first session has timed out
	for _, q := range []string{"Aiko Sato", "Sato", "SatoAiko"} {
		if got := search(q); len(got) != 0 {
			t.Errorf("q=%s finds the expired lead: %q", q, got)
		}
	}
	if got := search("Contoso"); len(got) != 1 {
		t.Errorf("the expired lead is no longer found by its company: %q", got)
	}

	// An index written before this rule is rebuilt at start (db.SearchFormat;
	// TestSearchIndexRebuiltWhenItsFormatChanges), so no stale row can find it either.
}
