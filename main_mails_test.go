package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// TestJobsCommandSendsTheWeeklySummaryOnMondayOnce: `leaddesk jobs --now T` runs the scheduled-mail
// jobs as of T and sends what they queue in the same run: nothing on Sunday, the summary on Monday
// morning in the user's language, and nothing more when the command runs again (a new process each
// time, as cron would start it).
func TestJobsCommandSendsTheWeeklySummaryOnMondayOnce(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	d, err := db.Open(ctx, filepath.Join(dir, db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	u := testkit.CreateUser(t, d, "aiko@example.com", "田中 愛子", db.RoleReferrals)
	if err := d.SetUserLang(ctx, u.ID, "ja"); err != nil {
		t.Fatal(err)
	}
	err = d.InTx(ctx, func(tx *sql.Tx) error {
		return db.InsertLeadTx(ctx, tx, &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", Source: "appsource",
			CustomerCompany: "Fabrikam", CreatedAt: time.Date(2026, 12, 2, 10, 0, 0, 0, tokyo)})
	})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()

	smtp := testkit.StartSMTP(t)
	env := map[string]string{"LEADDESK_DATA_DIR": dir, "LEADDESK_TIMEZONE": "Asia/Tokyo", "LEADDESK_SMTP_URL": "smtp://" + smtp.Addr,
		"LEADDESK_BASE_URL": "https://leads.example.com"}
	for _, now := range []string{"2026-12-06T08:00:00+09:00", "2026-12-07T07:10:00+09:00", "2026-12-07T07:15:00+09:00", "2026-12-07T09:00:00+09:00"} {
		if code, _, errOut := cli(t, ctx, env, "jobs", "--now", now); code != 0 {
			t.Fatalf("jobs --now %s: exit %d: %s", now, code, errOut)
		}
		if now == "2026-12-06T08:00:00+09:00" && len(smtp.All()) != 0 {
			t.Fatalf("a mail on Sunday: %q", smtp.All()[0].Subject)
		}
	}
	all := smtp.All()
	if len(all) != 1 {
		t.Fatalf("%d mails after four runs, want the one summary", len(all))
	}
	m := all[0]
	if m.To[0] != "aiko@example.com" || m.Subject != "チームのリード週次サマリー: 2026年11月30日～2026年12月6日" ||
		!strings.Contains(m.Text, "受信したリード: 1") || !strings.Contains(m.Text, "https://leads.example.com/insights?from=2026-11-30") {
		t.Errorf("summary to %v %q:\n%s", m.To, m.Subject, m.Text)
	}
}
