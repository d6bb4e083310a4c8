package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/clock"
	"leaddesk/lead"
	"leaddesk/leads"
)

// TestEraseCommand erases a person from a script: a dry run changes nothing, the real run leaves the
// lead without the contact and the audit log with the hash, and a missing reason is a usage error.
func TestEraseCommand(t *testing.T) {
	dir := t.TempDir()
	d, err := db.Open(context.Background(), filepath.Join(dir, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := leads.New(d, clock.System{}).Receive(context.Background(), lead.Actor{Label: "marketplace"}, &lead.Lead{Tab: "marketplace",
		LeadType: "offer", CTA: "contact_me", Source: "appsource", CustomerCompany: "Fabrikam", Country: "DE",
		ContactFirstName: "Erika", ContactLastName: "Mustermann", ContactEmail: "erika@fabrikam.example"})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()

	_, errOut, code := runIntakeCLI(t, dir, "erase", "--email", "erika@fabrikam.example")
	if code != 2 || !strings.Contains(errOut, "reason") {
		t.Errorf("no reason: exit %d, %q; want 2 naming the reason", code, errOut)
	}
	out, errOut, code := runIntakeCLI(t, dir, "erase", "--email", "ERIKA@fabrikam.example", "--reason", "ticket 12", "--dry-run")
	if code != 0 || !strings.Contains(out, "customer contact") || !strings.Contains(out, "1 records would be erased") {
		t.Errorf("dry run: exit %d, %q %q", code, out, errOut)
	}
	out, errOut, code = runIntakeCLI(t, dir, "erase", "--email", "erika@fabrikam.example", "--reason", "ticket 12")
	if code != 0 || !strings.Contains(out, "erased 1 leads' contact") || !strings.Contains(out, leads.PersonHash("erika@fabrikam.example", "")) {
		t.Fatalf("erase: exit %d, %q %q", code, out, errOut)
	}
	d, err = db.Open(context.Background(), filepath.Join(dir, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	l, err := d.LeadByID(context.Background(), id)
	if err != nil || l.ContactEmail != "" || l.ContactLastName != "" || l.Country != "DE" {
		t.Errorf("lead after erase: %+v %v", l, err)
	}
	var actor string
	if err := d.QueryRowContext(context.Background(), `SELECT actor_label FROM audit_log WHERE action = 'privacy.erase'`).Scan(&actor); err != nil || actor != "cli" {
		t.Errorf("audit: %q %v", actor, err)
	}
}
