package demo

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/clock"
	"leaddesk/leads"
)

// rowsOf answers every row of query as one string, in the query's order.
func rowsOf(t *testing.T, d *db.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := queryRows(context.Background(), d, query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	out := make([]string, len(rows))
	for i, vals := range rows {
		out[i] = fmt.Sprint(vals...)
	}
	return out
}

// A new demo is a database that has run under the app: the retention job finds nothing to do at
// its first start, and what it would have anonymised carries no personal data.
func TestSeedRetentionSettled(t *testing.T) {
	ctx := context.Background()
	d, _ := seeded(t, Options{Leads: 3000, Now: testNow})
	for _, r := range leads.DefaultRetention() {
		if r.Action == "keep" {
			continue
		}
		for _, kind := range leads.RetentionKinds {
			due, err := db.LeadsForRetentionTx(ctx, d, r.Outcome, kind, testNow.AddDate(0, 0, -r.Days), r.Action == "anonymise", 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(due) > 0 {
				t.Errorf("%d %s leads (kind %q) due for retention at the seed's Now, e.g. lead %d archived %s", len(due), r.Outcome, kind,
					due[0].ID, due[0].ArchivedAt)
			}
		}
	}
	if due, err := db.TestLeadsToDeleteTx(ctx, d, testNow.Add(-leads.TestLeadRetention), 10); err != nil || len(due) > 0 {
		t.Errorf("%d test leads due for deletion, %v", len(due), err)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM leads WHERE is_test = 1`); n == 0 {
		t.Error("no test leads left")
	}

	for _, outcome := range []string{"declined", "expired"} {
		if n := count(t, d, `SELECT COUNT(*) FROM lead_anonymised a JOIN leads l ON l.id = a.lead_id WHERE l.outcome = ?`, outcome); n == 0 {
			t.Errorf("no %s lead anonymised by retention", outcome)
		}
	}
	if n := count(t, d, `SELECT COUNT(*) FROM lead_anonymised a JOIN leads l ON l.id = a.lead_id
		WHERE a.cause <> 'retention' OR a.at <> l.archived_at + 180 * 86400 OR l.updated_at <> a.at
		OR l.contact_first_name || l.contact_last_name || l.contact_title || l.contact_email || l.contact_phone || l.description
			|| l.notes || l.reason_notes || l.sender_name || l.sender_email <> ''
		OR EXISTS (SELECT 1 FROM lead_contacts c WHERE c.lead_id = l.id)
		OR NOT EXISTS (SELECT 1 FROM lead_events e WHERE e.lead_id = l.id AND e.kind = 'anonymised' AND e.at = a.at AND e.actor_label = 'job')`); n != 0 {
		t.Errorf("%d anonymised leads with personal data, extra contacts, or not as of archived + 180 days", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM leads l WHERE status = 'archived' AND outcome IN ('declined', 'expired') AND is_test = 0
		AND archived_at > ? AND (contact_email = '' OR EXISTS (SELECT 1 FROM lead_anonymised a WHERE a.lead_id = l.id))`, testNow.Unix()-180*day); n != 0 {
		t.Errorf("%d leads archived less than 180 days ago anonymised", n)
	}

	before := leadsHash(t, d)
	rep, err := leads.New(d, clock.System{}).ApplyRetention(ctx, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if rep != (leads.RetentionReport{}) {
		t.Errorf("the retention job's first run on the demo changed %+v", rep)
	}
	if leadsHash(t, d) != before {
		t.Error("the retention job changed the demo's leads")
	}
}

// The demo's retired leads are exactly what the app's retention job makes of the same leads (all
// but the time it ran): fields, extra contacts, timeline, the anonymisation record and the search
// index.
func TestSeedRetiresAsTheJobWould(t *testing.T) {
	ctx := context.Background()
	opts := Options{Leads: 3000, Seed: 7, Now: testNow}
	demo, _ := seeded(t, opts)
	app, err := db.Open(ctx, filepath.Join(t.TempDir(), "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	if _, err := seed(ctx, app, opts, nil); err != nil {
		t.Fatal(err)
	}
	svc := leads.New(app, clock.System{})
	total := 0
	for {
		rep, err := svc.ApplyRetention(ctx, testNow)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Anonymised == 0 {
			break
		}
		total += rep.Anonymised
	}
	if n := count(t, demo, `SELECT COUNT(*) FROM lead_anonymised`); total == 0 || n != total {
		t.Fatalf("the job anonymised %d leads, the demo %d", total, n)
	}

	// When the job ran differs: the demo's ran as each lead became due, the app's at Now.
	if strings.Count(db.LeadColumns, "updated_at") != 1 {
		t.Fatal("LeadColumns has not one updated_at")
	}
	when := `CASE WHEN id IN (SELECT lead_id FROM lead_anonymised) THEN 0 ELSE updated_at END`
	for _, q := range []string{
		`SELECT ` + strings.Replace(db.LeadColumns, "updated_at", when+" AS updated_at", 1) + ` FROM leads ORDER BY id`,
		`SELECT lead_id, kind, name, email, phone, created_at FROM lead_contacts ORDER BY lead_id, id`,
		`SELECT lead_id, CASE kind WHEN 'anonymised' THEN 0 ELSE at END, actor_user_id, actor_label, kind, changes FROM lead_events ORDER BY lead_id, id`,
		`SELECT lead_id, cause FROM lead_anonymised ORDER BY lead_id`,
		`SELECT lead_id, user_id FROM lead_team ORDER BY lead_id, user_id`,
		`SELECT user_id, lead_id, created_at FROM favorites ORDER BY user_id, lead_id`,
		`SELECT lead_id, kind, created_at, done_at FROM action_items ORDER BY lead_id, id`,
	} {
		a, b := rowsOf(t, demo, q), rowsOf(t, app, q)
		if i := firstDiff(a, b); i >= 0 {
			t.Errorf("%s\nrow %d differs:\n demo %s\n app  %s", q, i, at(a, i), at(b, i))
		}
	}
	// The search index: every lead's terms, from the index itself.
	for _, d := range []*db.DB{demo, app} {
		if _, err := d.Exec(`INSERT INTO lead_search (lead_search) VALUES ('optimize')`); err != nil {
			t.Fatal(err)
		}
	}
	terms := func(d *db.DB) []string {
		conn, err := d.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_terms USING fts5vocab(main, lead_search, instance)`); err != nil {
			t.Fatal(err)
		}
		rows, err := conn.QueryContext(ctx, `SELECT doc, group_concat(term, ' ') FROM (SELECT doc, term FROM temp.search_terms ORDER BY doc, offset) GROUP BY doc ORDER BY doc`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var doc int64
			var ts string
			if err := rows.Scan(&doc, &ts); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(doc, " ", ts))
		}
		return out
	}
	a, b := terms(demo), terms(app)
	if len(a) != opts.Leads {
		t.Fatalf("%d leads in the demo's search index, want %d", len(a), opts.Leads)
	}
	if i := firstDiff(a, b); i >= 0 {
		t.Errorf("search terms differ at row %d:\n demo %s\n app  %s", i, at(a, i), at(b, i))
	}
}

func firstDiff(a, b []string) int {
	if slices.Equal(a, b) {
		return -1
	}
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func at(xs []string, i int) string {
	if i < len(xs) {
		return xs[i]
	}
	return "(none)"
}
