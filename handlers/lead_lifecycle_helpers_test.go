package handlers_test

import (
	"context"
	"database/sql"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// lcFixture is a server with a Referrals admin (signed in), a second team member and a read-only
// Business profile admin.
type lcFixture struct {
	s        *testkit.Server
	c        *testkit.Client // Referrals admin
	worker   *db.User
	teammate *db.User
	profile  *db.User
}

func newLCFixture(t *testing.T) *lcFixture {
	t.Helper()
	s := testkit.NewServer(t)
	f := &lcFixture{s: s}
	f.worker = s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	f.teammate = s.CreateUser("ben@example.com", "Ben Ito", db.RoleReferrals)
	f.profile = s.CreateUser("pat@example.com", "Pat Profile", db.RoleProfile)
	f.c = s.Client()
	f.c.Login("aiko@example.com")
	return f
}

// addLead stores a received, actionable contact-me offer lead created now, changed by mod.
func (f *lcFixture) addLead(t *testing.T, mod func(l *lead.Lead)) *lead.Lead {
	t.Helper()
	l := &lead.Lead{Tab: "marketplace", LeadType: "offer", Source: "appsource", CTA: "contact_me", OfferTitle: "Contoso CRM for SMB",
		CustomerCompany: "Contoso KK", ContactFirstName: "Aiko", ContactLastName: "Sato", ContactTitle: "IT manager",
		ContactEmail: "aiko.sato@contoso.example", ContactPhone: "+81 3 1234 5678", Country: "JP", City: "Tokyo",
		Description: "We need a CRM for 40 people.", EmailValidity: "valid", PhoneValidity: "valid", CustomerConsent: true,
		SenderName: "Microsoft Referrals", SenderEmail: "referrals@microsoft.example", CreatedAt: f.s.Clock.Now()}
	if mod != nil {
		mod(l)
	}
	err := f.s.DB.InTx(context.Background(), func(tx *sql.Tx) error { return db.InsertLeadTx(context.Background(), tx, l) })
	if err != nil {
		t.Fatalf("insert lead: %v", err)
	}
	return l
}

func (f *lcFixture) lead(t *testing.T, id int64) *lead.Lead {
	t.Helper()
	l, err := f.s.DB.LeadByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (f *lcFixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.s.DB.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
