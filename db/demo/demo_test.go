package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"leaddesk/db"
	"leaddesk/internal/password"
	"leaddesk/lead"
)

var testNow = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

func seeded(t *testing.T, opts Options) (*db.DB, *Result) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	res, err := Seed(ctx, d, opts)
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	return d, res
}

func count(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func distinct(t *testing.T, d *db.DB, col, where string) map[string]bool {
	t.Helper()
	rows, err := d.Query(`SELECT DISTINCT COALESCE(` + col + `, '') FROM leads WHERE ` + where)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		seen[v] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return seen
}

func TestSeedDefaults(t *testing.T) {
	d, res := seeded(t, Options{Now: testNow})
	now := testNow.Unix()

	if res.Leads != 2000 {
		t.Errorf("Result.Leads = %d, want the default 2000", res.Leads)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM leads`); n != 2000 {
		t.Errorf("%d leads, want 2000", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE created_at > ? OR created_at < ?`, now, now-250*day); n != 0 {
		t.Errorf("%d leads outside the last 8 months", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM leads a JOIN leads b ON b.id = a.id + 1 WHERE b.created_at < a.created_at`); n != 0 {
		t.Errorf("%d leads out of created order", n)
	}

	t.Run("every code", func(t *testing.T) {
		for _, c := range []struct {
			col, where string
			want       []string
		}{
			{"tab", "1", lead.Tabs},
			{"classification", "tab = 'qualified'", lead.Classifications},
			{"classification", "tab = 'marketplace'", []string{""}},
			{"lead_type", "1", lead.LeadTypes},
			{"source", "1", lead.Sources},
			{"cta", "1", lead.CTAs},
			{"quality", "1", lead.Qualities},
			{"email_validity", "1", lead.EmailValidities},
			{"phone_validity", "1", lead.PhoneValidities},
			{"status", "1", lead.Statuses},
			{"outcome", "status = 'archived'", append([]string{""}, lead.Outcomes...)},
			{"reason", "outcome = 'declined'", lead.DeclineReasons},
			{"reason", "outcome = 'lost'", lead.LostReasons},
		} {
			got := distinct(t, d, c.col, c.where)
			for _, w := range c.want {
				if !got[w] {
					t.Errorf("%s: no lead with %q (where %s); have %v", c.col, w, c.where, got)
				}
			}
			if len(got) != len(c.want) {
				t.Errorf("%s (where %s): values %v, want exactly %v", c.col, c.where, got, c.want)
			}
		}
	})

	t.Run("actionable flag", func(t *testing.T) {
		rows, err := d.Query(`SELECT tab, COALESCE(lead_type, ''), COALESCE(cta, ''), actionable FROM leads`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var tab, typ, cta string
			var actionable bool
			if err := rows.Scan(&tab, &typ, &cta, &actionable); err != nil {
				t.Fatal(err)
			}
			if actionable != lead.IsActionable(tab, typ, cta) {
				t.Fatalf("lead %s/%s/%s has actionable=%v", tab, typ, cta, actionable)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE actionable = 0 AND (expires_at IS NOT NULL OR outcome IS NOT NULL OR status = 'accepted')`); n != 0 {
			t.Errorf("%d informational leads with an expiry, outcome or acceptance", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE actionable = 0 AND status = 'archived' AND archived_at = created_at + ?`, infoArchive); n == 0 {
			t.Error("no informational lead archived after 6 months")
		}
		if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE actionable = 0 AND created_at <= ? AND status <> 'archived'`, now-infoArchive); n != 0 {
			t.Errorf("%d informational leads older than 6 months not archived", n)
		}
	})

	t.Run("countries and names", func(t *testing.T) {
		if n := count(t, d, `SELECT COUNT(DISTINCT country) FROM leads`); n < 30 {
			t.Errorf("%d countries, want at least 30", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE length(country) <> 2 OR country <> upper(country)`); n != 0 {
			t.Errorf("%d leads without an ISO alpha-2 country", n)
		}
		rows, err := d.Query(`SELECT contact_first_name, contact_last_name, customer_company, contact_phone, phone_validity FROM leads WHERE country = 'JP' AND is_test = 0
			AND id NOT IN (SELECT lead_id FROM lead_anonymised)`) // anonymised leads have no contact
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		jp, kk := 0, 0
		for rows.Next() {
			var first, last, company, phone, validity string
			if err := rows.Scan(&first, &last, &company, &phone, &validity); err != nil {
				t.Fatal(err)
			}
			jp++
			if !japanese(first) || !japanese(last) {
				t.Errorf("JP contact %q %q is not in Japanese script", last, first)
			}
			if validity != "invalid" && !jpPhone.MatchString(phone) {
				t.Errorf("JP phone %q is not in +81 format", phone)
			}
			if strings.Contains(company, "株式会社") {
				kk++
			}
		}
		if jp == 0 || kk == 0 {
			t.Fatalf("%d JP leads, %d of them from a 株式会社", jp, kk)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE country = 'DE' AND customer_company LIKE '%GmbH%'`); n == 0 {
			t.Error("no German GmbH customers")
		}
	})

	t.Run("lifecycle", func(t *testing.T) {
		if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE status = 'received' AND actionable = 1
			AND (expires_at IS NULL OR expires_at <> created_at + ? OR expires_at <= ?)`, expiryWindow, now); n != 0 {
			t.Errorf("%d received actionable leads without a future expiry of created+14d", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE status = 'received' AND actionable = 1 AND created_at <= ?`, now-expiryWindow); n != 0 {
			t.Errorf("%d received actionable leads older than 14 days", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE status = 'received' AND actionable = 1 AND expires_at - ? < 48 * 3600`, now); n == 0 {
			t.Error("no received lead with less than 48 hours left")
		}
		if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE outcome = 'expired' AND (status <> 'archived' OR archived_at <> created_at + ?)`, expiryWindow); n != 0 {
			t.Errorf("%d expired leads not archived at created+14d", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE status = 'accepted' AND (deal_name = '' OR deal_value <= 0 OR currency = ''
			OR purchase_date = '' OR notes = '' OR accepted_at IS NULL)`); n != 0 {
			t.Errorf("%d accepted leads without the accept fields", n)
		}
		for _, f := range []string{"crm_id", "campaign_id"} {
			if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE status = 'accepted' AND `+f+` <> ''`); n == 0 {
				t.Errorf("no accepted lead with a %s", f)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE outcome IN ('declined', 'lost') AND (reason = '' OR reason_notes = '' AND id NOT IN (SELECT lead_id FROM lead_anonymised))`); n != 0 {
			t.Errorf("%d declined or lost leads without reason, or not anonymised and without notes", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE tab = 'qualified' AND (sender_name = '' OR sender_email = '') AND id NOT IN (SELECT lead_id FROM lead_anonymised)`); n != 0 {
			t.Errorf("%d qualified leads not anonymised and without a sender", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE lead_type = 'profile' AND location_id IS NULL`); n != 0 {
			t.Errorf("%d profile leads without a location", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE is_test = 1`); n == 0 {
			t.Error("no MSFT_TEST leads")
		}
		young := count(t, d, `SELECT COUNT(*) FROM leads WHERE customer_requested_contact = 1 AND status = 'received' AND created_at > ?`, now-72*hour)
		old := count(t, d, `SELECT COUNT(*) FROM leads WHERE customer_requested_contact = 1 AND status = 'received' AND created_at <= ?`, now-72*hour)
		if young == 0 || old == 0 {
			t.Errorf("flame leads: %d younger and %d older than 72 h, want both", young, old)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM leads l JOIN lead_team t ON t.lead_id = l.id WHERE l.status = 'accepted'`); n == 0 {
			t.Error("no team members on accepted leads")
		}
		if n := count(t, d, `SELECT COUNT(*) FROM lead_contacts`); n == 0 {
			t.Error("no extra company contacts")
		}
	})

	t.Run("spam", func(t *testing.T) {
		if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE email_validity = 'spam' AND quality <> 'low'`); n != 0 {
			t.Errorf("%d spam leads of high quality", n)
		}
		// Quality follows the intake rule: a valid address keeps a lead high even with a mistyped phone.
		if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE email_validity = 'valid' AND quality = 'low'`); n != 0 {
			t.Errorf("%d leads with a valid email address are marked low quality (possible spam)", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM leads l WHERE email_validity = 'spam' AND contact_email <> '' AND NOT EXISTS (
			SELECT 1 FROM spam_list s WHERE s.kind = 'domain' AND l.contact_email LIKE '%@' || s.value)`); n != 0 {
			t.Errorf("%d spam leads whose domain is not on the spam list", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM spam_list WHERE value = 'mailinator.com'`); n != 1 {
			t.Error("mailinator.com is not on the spam list")
		}
	})

	t.Run("timeline and action center", func(t *testing.T) {
		if n := count(t, d, `SELECT COUNT(*) FROM leads l WHERE NOT EXISTS (SELECT 1 FROM lead_events e WHERE e.lead_id = l.id AND e.kind = 'created')`); n != 0 {
			t.Errorf("%d leads without a created event", n)
		}
		for _, kind := range []string{"accepted", "declined", "won", "lost", "expired", "archived"} {
			if n := count(t, d, `SELECT COUNT(*) FROM lead_events WHERE kind = ? AND json_valid(changes) AND changes <> '{}'`, kind); n == 0 {
				t.Errorf("no %s events with changes", kind)
			}
		}
		var changes string
		if err := d.QueryRow(`SELECT changes FROM lead_events WHERE kind = 'accepted' LIMIT 1`).Scan(&changes); err != nil || changes != `{"status":["received","accepted"]}` {
			t.Errorf("accepted changes = %q, %v", changes, err)
		}
		for _, kind := range []string{"new_lead", "requested_contact", "expiring", "expired"} {
			if n := count(t, d, `SELECT COUNT(*) FROM action_items WHERE kind = ? AND done_at IS NULL`, kind); n == 0 {
				t.Errorf("no open %s action items", kind)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM leads l WHERE status = 'received' AND actionable = 1
			AND NOT EXISTS (SELECT 1 FROM action_items a WHERE a.lead_id = l.id AND a.kind = 'new_lead')`); n != 0 {
			t.Errorf("%d received leads without a new-lead item", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM favorites`); n == 0 {
			t.Error("no favourites")
		}
	})

	t.Run("search index", func(t *testing.T) {
		if n := count(t, d, `SELECT COUNT(*) FROM lead_search`); n != 2000 {
			t.Errorf("%d search rows, want 2000", n)
		}
		l, err := d.LeadByID(context.Background(), 1234)
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM lead_search WHERE lead_search MATCH ? AND rowid = ?`, db.SearchQuery(l.CustomerCompany), l.ID); n != 1 {
			t.Errorf("lead %d not found by its company %q", l.ID, l.CustomerCompany)
		}
	})

	t.Run("indexes back", func(t *testing.T) {
		for _, ix := range []string{"leads_created", "leads_updated", "leads_location", "leads_external_id", "leads_due", "leads_dedupe", "lead_events_lead"} {
			if n := count(t, d, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = ?`, ix); n != 1 {
				t.Errorf("index %s missing after the load", ix)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM pragma_foreign_key_check`); n != 0 {
			t.Errorf("%d foreign-key violations", n)
		}
		var mode string
		if err := d.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode = %q, %v; want wal back", mode, err)
		}
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(d.Path), ".demo-search-*")); len(left) > 0 {
			t.Errorf("scratch search index left behind: %v", left)
		}
	})

	t.Run("users and profile", func(t *testing.T) {
		ctx := context.Background()
		if len(res.SignIns) != 4 {
			t.Fatalf("%d sign-ins, want 4", len(res.SignIns))
		}
		allRoles := 0
		for _, s := range res.SignIns {
			u, err := d.UserByEmail(ctx, s.Email)
			if err != nil {
				t.Fatalf("user %s: %v", s.Email, err)
			}
			if fmt.Sprint(u.Roles) != fmt.Sprint(s.Roles) {
				t.Errorf("%s has roles %v, want %v", s.Email, u.Roles, s.Roles)
			}
			if len(s.Password) < password.MinLength || !password.Verify(u.PasswordHash, s.Password) {
				t.Errorf("%s: password %q does not sign in", s.Email, s.Password)
			}
			if len(u.Roles) == len(db.AllRoles) {
				allRoles++
			}
		}
		if allRoles != 1 {
			t.Errorf("%d users with every role, want 1", allRoles)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM users WHERE lang = 'ja'`); n == 0 {
			t.Error("no Japanese-speaking demo user")
		}
		if n := count(t, d, `SELECT COUNT(*) FROM business_profile WHERE id = 1 AND company_name <> '' AND description <> ''`); n != 1 {
			t.Error("no business profile")
		}
		if n := count(t, d, `SELECT COUNT(*) FROM locations WHERE contact_email <> ''`); n != 3 {
			t.Errorf("%d locations with contacts, want 3", n)
		}
		for _, kind := range []string{"company_size", "industry"} {
			if n := count(t, d, `SELECT COUNT(*) FROM profile_preferences WHERE kind = ?`, kind); n == 0 {
				t.Errorf("no %s preferences", kind)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM profile_keywords`); n == 0 {
			t.Error("no profile keywords")
		}
		if n := count(t, d, `SELECT COUNT(*) FROM notification_prefs`); n == 0 {
			t.Error("no notification preferences")
		}
	})

	t.Run("second seed refused", func(t *testing.T) {
		_, err := Seed(context.Background(), d, Options{Now: testNow})
		if err == nil || !strings.Contains(err.Error(), "not empty") {
			t.Fatalf("second Seed: %v, want a not-empty error", err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM leads`); n != 2000 {
			t.Errorf("%d leads after the refused seed", n)
		}
	})
}

func japanese(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) {
			return false
		}
	}
	return true
}

func leadsHash(t *testing.T, d *db.DB) string {
	t.Helper()
	rows, err := d.Query(`SELECT ` + db.LeadColumns + ` FROM leads ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	h := sha256.New()
	for rows.Next() {
		l, err := db.ScanLead(rows)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%+v\n", *l)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`SELECT COUNT(*) || ':' || COALESCE(SUM(lead_id * 7 + at), 0) FROM lead_events`,
		`SELECT COUNT(*) || ':' || COALESCE(SUM(lead_id * 3 + user_id), 0) FROM lead_team`,
		`SELECT COUNT(*) || ':' || COALESCE(SUM(lead_id + created_at), 0) FROM favorites`} {
		var s string
		if err := d.QueryRow(q).Scan(&s); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(h, s)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestSeedDeterministic(t *testing.T) {
	opts := Options{Leads: 500, Seed: 42, Now: testNow}
	a, _ := seeded(t, opts)
	b, _ := seeded(t, opts)
	if ha, hb := leadsHash(t, a), leadsHash(t, b); ha != hb {
		t.Errorf("same options, different data: %s vs %s", ha, hb)
	}
	opts.Seed = 43
	c, _ := seeded(t, opts)
	if leadsHash(t, a) == leadsHash(t, c) {
		t.Error("different seeds gave the same data")
	}
}

func TestSeedSmallStillCovers(t *testing.T) {
	d, res := seeded(t, Options{Leads: 60, Now: testNow})
	if res.Leads != 60 || count(t, d, `SELECT COUNT(*) FROM leads`) != 60 {
		t.Fatal("wrong lead count")
	}
	now := testNow.Unix()
	if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE status = 'received' AND actionable = 1 AND created_at <= ?`, now-expiryWindow); n != 0 {
		t.Errorf("%d received actionable leads older than 14 days", n)
	}
}

func TestSeedRefusesNonEmpty(t *testing.T) {
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.CreateUser(ctx, &db.User{Email: "someone@example.test", Name: "Someone"}); err != nil {
		t.Fatal(err)
	}
	_, err = Seed(ctx, d, Options{Leads: 10, Now: testNow})
	if err == nil || !strings.Contains(err.Error(), "data directory is not empty") {
		t.Fatalf("Seed into a used database: %v", err)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM leads`); n != 0 {
		t.Errorf("%d leads written into a used database", n)
	}
}

func TestSeedCancelledLeavesNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	cancel()
	if _, err := Seed(ctx, d, Options{Leads: 100, Now: testNow}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Seed: %v", err)
	}
	if n := count(t, d, `SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM leads)`); n != 0 {
		t.Errorf("%d rows left behind by a cancelled seed", n)
	}
	// The pooled connection is usable and safe again.
	var fk int
	if err := d.QueryRow(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v after a cancelled seed", fk, err)
	}
	var ignoreChecks int
	if err := d.QueryRow(`PRAGMA ignore_check_constraints`).Scan(&ignoreChecks); err != nil || ignoreChecks != 0 {
		t.Errorf("ignore_check_constraints = %d, %v after a cancelled seed", ignoreChecks, err)
	}
}

var jpPhone = regexp.MustCompile(`^\+81 \d{1,2}-\d{3,4}-\d{4}$`)

// BenchmarkSeed times a demo of LEADDESK_BENCH_SEED leads (default 100,000) into a new database, for
// profiling the load (go test -bench Seed -cpuprofile).
func BenchmarkSeed(b *testing.B) {
	n := 100000
	if s := os.Getenv("LEADDESK_BENCH_SEED"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	ctx := context.Background()
	for i := range b.N {
		d, err := db.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("b%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Seed(ctx, d, Options{Leads: n, Now: testNow}); err != nil {
			b.Fatal(err)
		}
		d.Close()
	}
}
