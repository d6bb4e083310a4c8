package handlers_test

import (
	"fmt"
	"leaddesk/lead"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestLeadDetailsShowsTheLeadAndItsActions(t *testing.T) {
	f := newLCFixture(t)
	l := f.addLead(t, func(l *lead.Lead) { l.CustomerRequestedContact = true })
	res := f.c.Get(fmt.Sprintf("/leads/%d?tab=marketplace&country=JP", l.ID))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d\n%s", res.StatusCode, res.Body)
	}
	for _, want := range []string{
		"Contoso KK", "Aiko Sato", "IT manager", `data-copy="aiko.sato@contoso.example"`, `data-copy="&#43;81 3 1234 5678"`,
		"Email validity", "Contoso CRM for SMB", "Contact me", "AppSource", "Received", "Respond by",
		"Dec 14, 2026 18:00", // 14 days after 09:00 UTC, shown in the configured zone (Asia/Tokyo)
		"14 days left", `id="flame-alert"`, "#flame\"", "The customer asked to be contacted.",
		`href="/leads/` + fmt.Sprint(l.ID) + `/accept"`, `href="/leads/` + fmt.Sprint(l.ID) + `/decline"`,
		"heart-btn", "Before you reach out", "not verified", `href="/leads?country=JP&amp;tab=marketplace"`,
		"We need a CRM for 40 people.", "Japan",
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("details page lacks %q", want)
		}
	}
	for _, absent := range []string{"/edit\"", "/won\"", `id="spam-banner"`, `id="info-banner"`, "badge-test"} {
		if strings.Contains(res.Body, absent) {
			t.Errorf("details page of a received lead shows %q", absent)
		}
	}

	// Business profile admins read the same page without any action and without the heart.
	p := f.s.Client()
	p.Login("pat@example.com")
	res = p.Get(fmt.Sprintf("/leads/%d", l.ID))
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Aiko Sato") {
		t.Fatalf("profile admin: %d", res.StatusCode)
	}
	for _, absent := range []string{"/accept\"", "/decline\"", "heart-btn"} {
		if strings.Contains(res.Body, absent) {
			t.Errorf("read-only page shows %q", absent)
		}
	}
	if !strings.Contains(res.Body, "your role does not allow changing it") {
		t.Error("read-only page does not say so")
	}
}

func TestLeadDetailsFlameCalmsAfter72Hours(t *testing.T) {
	f := newLCFixture(t)
	l := f.addLead(t, func(l *lead.Lead) { l.CustomerRequestedContact = true })
	f.s.Clock.Advance(71*time.Hour + 59*time.Minute)
	f.c.Login("aiko@example.com") // sessions end after 8 idle hours
	res := f.c.Get(fmt.Sprintf("/leads/%d", l.ID))
	if !strings.Contains(res.Body, "#flame\"") || strings.Contains(res.Body, "#flame-calm\"") {
		t.Error("before 72 hours the flame should be the urgent one")
	}
	f.s.Clock.Advance(time.Minute)
	res = f.c.Get(fmt.Sprintf("/leads/%d", l.ID))
	if !strings.Contains(res.Body, "#flame-calm\"") || !strings.Contains(res.Body, "Still active.") || strings.Contains(res.Body, "The customer asked to be contacted.") {
		t.Errorf("after 72 hours the flame should calm down:\n%s", res.Body)
	}
}

func TestLeadDetailsBanners(t *testing.T) {
	f := newLCFixture(t)
	spam := f.addLead(t, func(l *lead.Lead) { l.EmailValidity = "spam"; l.Quality = "low"; l.IsTest = true })
	info := f.addLead(t, func(l *lead.Lead) { l.CTA = "free_trial" })
	res := f.c.Get(fmt.Sprintf("/leads/%d", spam.ID))
	if !strings.Contains(res.Body, `id="spam-banner"`) || !strings.Contains(res.Body, "Spam warning.") || !strings.Contains(res.Body, "badge-test") {
		t.Error("spam test lead lacks the spam banner or the Test badge")
	}
	res = f.c.Get(fmt.Sprintf("/leads/%d", info.ID))
	if !strings.Contains(res.Body, `id="info-banner"`) || !strings.Contains(res.Body, "No action needed.") {
		t.Error("informational lead lacks its banner")
	}
	if strings.Contains(res.Body, "/accept\"") || strings.Contains(res.Body, "Respond by") {
		t.Error("informational lead offers accept or a respond-by date")
	}
}

func TestLeadDetailsNotFound(t *testing.T) {
	f := newLCFixture(t)
	for _, p := range []string{"/leads/999", "/leads/abc", "/leads/-1", "/leads/999/accept"} {
		if res := f.c.Get(p); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, res.StatusCode)
		}
	}
}

// The details page walks the list view it was opened from: newest first by default, and only the
// leads the filter keeps.
func TestLeadDetailsPreviousAndNextFollowTheListView(t *testing.T) {
	f := newLCFixture(t)
	var ids []int64
	for i, country := range []string{"JP", "DE", "JP", "JP"} {
		l := f.addLead(t, func(l *lead.Lead) {
			l.Country = country
			l.CreatedAt = f.s.Clock.Now().Add(time.Duration(i) * time.Minute)
		})
		ids = append(ids, l.ID)
	}
	// Newest first among the JP leads: ids[3], ids[2], ids[0].
	res := f.c.Get(fmt.Sprintf("/leads/%d?country=JP", ids[2]))
	for _, want := range []string{
		fmt.Sprintf(`href="/leads/%d?country=JP&amp;tab=marketplace" rel="prev"`, ids[3]),
		fmt.Sprintf(`href="/leads/%d?country=JP&amp;tab=marketplace" rel="next"`, ids[0]),
	} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("details page lacks %s", want)
		}
	}
	// The newest has no previous lead.
	if res := f.c.Get(fmt.Sprintf("/leads/%d?country=JP", ids[3])); strings.Contains(res.Body, `rel="prev"`) {
		t.Error("the first lead of the view offers a previous one")
	}
}
