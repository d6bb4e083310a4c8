package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"leaddesk/db"
)

// contentGolden is what TestSeedContent expects of a demo of 3,000 leads (seed 5): one hash per table.
// The schema, the migrations applied and the search index's settings are the migrations' business, not
// the demo's: TestSeedLeavesTheSchemaAsMigrationsMakeIt compares them with a fresh database instead. It was taken from the generator before its load was made faster, so a change
// to how the demo is written that changes what it contains fails here and names the table. Change it
// only with a change to what the demo contains, and say so in the commit.
var contentGolden = map[string]string{
	"action_item_reads":       "e3b0c44298fc1c14",
	"action_items":            "445121a9ddb09b3c",
	"api_tokens":              "e3b0c44298fc1c14",
	"app_secrets":             "e3b0c44298fc1c14",
	"assignment_rule_members": "e3b0c44298fc1c14",
	"assignment_rules":        "e3b0c44298fc1c14",
	"audit_log":               "e3b0c44298fc1c14",
	"auth_tokens":             "e3b0c44298fc1c14",
	"business_profile":        "84992241563cab74",
	"digest_items":            "e3b0c44298fc1c14",
	"domain_events":           "e3b0c44298fc1c14",
	"favorites":               "0c8b6c5ce9a21e29",
	"health_checks":           "e3b0c44298fc1c14",
	"lead_activities":         "e3b0c44298fc1c14",
	"lead_anonymised":         "c7cbb1989ae53727",
	"lead_change_seq":         "41c87a438b5f28fa",
	"lead_changes":            "5822d0a9183be1c4",
	"lead_contacts":           "f558833d352e55ed",
	"lead_events":             "c81c459630dd06af",
	"lead_search":             "6812865b66d0468a",
	"lead_sla_notices":        "e3b0c44298fc1c14",
	"lead_team":               "c8ed5f3e45256bc5",
	"leads":                   "9c4835950d551f2e",
	"locations":               "ef34efe9f7fdf82f",
	"mail_day_counts":         "e3b0c44298fc1c14",
	"mail_subscriptions":      "e3b0c44298fc1c14",
	"notification_prefs":      "7d6b66ca188b7693",
	"outbox":                  "e3b0c44298fc1c14",
	"pc_auth_requests":        "e3b0c44298fc1c14",
	"pc_calls":                "e3b0c44298fc1c14",
	"pc_connection":           "e3b0c44298fc1c14",
	"pc_referrals":            "e3b0c44298fc1c14",
	"pc_reminders":            "e3b0c44298fc1c14",
	"pc_sync_errors":          "e3b0c44298fc1c14",
	"pc_sync_queue":           "e3b0c44298fc1c14",
	"pc_team_sent":            "e3b0c44298fc1c14",
	"privacy_settings":        "4a8ce9eeaf9246e7",
	"profile_keywords":        "250667daab8ab84f",
	"profile_preferences":     "972f101c95959423",
	"saved_view_positions":    "e3b0c44298fc1c14",
	"saved_views":             "e3b0c44298fc1c14",
	"scheduled_mail_runs":     "e3b0c44298fc1c14",
	"search_index_state":      "1121cfccd5913f0a",
	"sessions":                "e3b0c44298fc1c14",
	"sign_in_failures":        "e3b0c44298fc1c14",
	"sla_settings":            "295811c7ccf0ab4f",
	"sla_targets":             "8010d5272a1b7fb3",
	"spam_list":               "84c778699a53fbfe",
	"user_away":               "e3b0c44298fc1c14",
	"user_identities":         "e3b0c44298fc1c14",
	"user_roles":              "1b3bbe662338c29c",
	"users":                   "ccd6f7203cf0fb01",
	"webhook_deliveries":      "e3b0c44298fc1c14",
	"webhook_endpoints":       "e3b0c44298fc1c14",
}

// contentOf hashes every row of every table in rowid order (primary key order for a table without
// rowid), but for the migrations' own records (schemaOf). The search index counts by what it holds — each
// lead's terms in order, read through fts5vocab — and its settings, not by how its shadow tables lay
// out its segments. Password hashes (salted) and the times db.Open stamps differ from run to run and are left
// out.
func contentOf(t *testing.T, d *db.DB) map[string]string {
	t.Helper()
	sum := func(rows []string) string {
		h := sha256.New()
		for _, r := range rows {
			fmt.Fprintln(h, r)
		}
		return hex.EncodeToString(h.Sum(nil))[:16]
	}
	out := map[string]string{}
	for _, table := range rowsOf(t, d, `SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table'
		AND name NOT LIKE 'lead\_search\_%' ESCAPE '\' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`) {
		q := `SELECT * FROM "` + table + `" ORDER BY rowid`
		switch {
		case table == "users":
			q = `SELECT id, email, name, lang, disabled, session_epoch, last_view, created_at, last_sign_in_at FROM users ORDER BY id`
		case table == "schema_migrations":
			continue
		case table == "search_index_state":
			q = `SELECT format FROM search_index_state ORDER BY rowid`
		case table == "spam_list": // the rows db.Open seeds carry the time it ran
			q = `SELECT id, kind, value, note, CASE WHEN note LIKE '%(seeded)' THEN 0 ELSE created_at END FROM spam_list ORDER BY id`
		case count(t, d, `SELECT COUNT(*) FROM pragma_table_list WHERE name = ? AND wr = 1`, table) == 1:
			q = `SELECT * FROM "` + table + `"` // without rowid: in primary key order
		}
		out[table] = sum(rowsOf(t, d, q))
	}
	conn, err := d.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), `CREATE VIRTUAL TABLE temp.search_instances USING fts5vocab(main, lead_search, instance)`); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.QueryContext(context.Background(), `SELECT doc, col, offset, term FROM temp.search_instances ORDER BY doc, col, offset`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var terms []string
	for rows.Next() {
		var doc, offset int64
		var col, term string
		if err := rows.Scan(&doc, &col, &offset, &term); err != nil {
			t.Fatal(err)
		}
		terms = append(terms, fmt.Sprint(doc, col, offset, term))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	out["lead_search"] = sum(terms)
	return out
}

// TestSeedContent guards what the demo contains while how it is written changes.
func TestSeedContent(t *testing.T) {
	d, _ := seeded(t, Options{Leads: 3000, Seed: 5, Now: testNow})
	got := contentOf(t, d)
	if maps.Equal(got, contentGolden) {
		return
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if got[k] != contentGolden[k] {
			t.Errorf("%s: content %s, want %s", k, got[k], contentGolden[k])
		}
		fmt.Fprintf(&b, "\t%q: %q,\n", k, got[k])
	}
	for k := range contentGolden {
		if _, ok := got[k]; !ok {
			t.Errorf("%s: missing", k)
		}
	}
	t.Logf("the content now:\n%s", b.String())
}

// schemaOf is what the migrations make: the schema as sqlite_master records it, the migrations
// applied, and the search index's settings.
func schemaOf(t *testing.T, d *db.DB) []string {
	t.Helper()
	out := rowsOf(t, d, `SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name`)
	out = append(out, rowsOf(t, d, `SELECT version, name FROM schema_migrations ORDER BY version`)...)
	return append(out, rowsOf(t, d, `SELECT k, v FROM lead_search_config ORDER BY k`)...)
}

// The load drops a trigger, turns off checks and builds the search index aside; afterwards the
// database must be exactly what the migrations make of an empty one.
func TestSeedLeavesTheSchemaAsMigrationsMakeIt(t *testing.T) {
	d, _ := seeded(t, Options{Leads: 300, Seed: 5, Now: testNow})
	fresh, err := db.Open(context.Background(), filepath.Join(t.TempDir(), db.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if got, want := schemaOf(t, d), schemaOf(t, fresh); !slices.Equal(got, want) {
		for _, r := range got {
			if !slices.Contains(want, r) {
				t.Errorf("the seeded database has %s", r)
			}
		}
		for _, r := range want {
			if !slices.Contains(got, r) {
				t.Errorf("the seeded database lacks %s", r)
			}
		}
	}
}
