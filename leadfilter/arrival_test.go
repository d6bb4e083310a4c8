package leadfilter

import (
	"net/url"
	"testing"
	"time"
)

// TestArrivalRange: created_from and created_to are whole days in the configured time zone, both
// included; they survive the canonical URL, a program's bad day is a problem naming the parameter, and
// the SQL bounds are the zone's midnights.
func TestArrivalRange(t *testing.T) {
	q, _ := url.ParseQuery("tab=marketplace&source=appsource&created_from=2026-11-09&created_to=2026-11-15&created_to=2026-12-01")
	v := ParseView(q)
	if v.CreatedFrom != "2026-11-09" || v.CreatedTo != "2026-11-15" {
		t.Fatalf("parsed %q – %q", v.CreatedFrom, v.CreatedTo)
	}
	if back := ParseView(v.Query()); back.CreatedFrom != v.CreatedFrom || back.CreatedTo != v.CreatedTo {
		t.Errorf("canonical URL %s reads back as %q – %q", v.Query().Encode(), back.CreatedFrom, back.CreatedTo)
	}
	if v := ParseView(url.Values{"created_from": {"9 Nov"}}); v.HasArrival() || v.Filtered() {
		t.Errorf("a day that does not parse narrows the list: %+v", v.Filter)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	v.Loc = tokyo
	from, to, ok := v.ArrivalRange()
	wantFrom, wantTo := time.Date(2026, 11, 9, 0, 0, 0, 0, tokyo).Unix(), time.Date(2026, 11, 16, 0, 0, 0, 0, tokyo).Unix()
	if !ok || from != wantFrom || to != wantTo {
		t.Errorf("range %d–%d, want %d–%d (Tokyo midnights, the last day included)", from, to, wantFrom, wantTo)
	}
	m := v.Compile()
	if m.Arrived(wantFrom-1) || !m.Arrived(wantFrom) || !m.Arrived(wantTo-1) || m.Arrived(wantTo) {
		t.Errorf("Arrived disagrees with the range's ends")
	}
	where, args := v.Where()
	if want := "tab = ? AND is_test = 0 AND source IN (?) AND created_at >= ? AND created_at < ?"; where != want {
		t.Errorf("where %q, want %q", where, want)
	}
	if len(args) != 4 || args[2] != wantFrom || args[3] != wantTo {
		t.Errorf("args %v", args)
	}
	for query, field := range map[string]string{"created_from=2026-02-30": "created_from", "created_to=yesterday": "created_to",
		"created_from=2026-11-10&created_to=2026-11-09": "created_to"} {
		q, _ := url.ParseQuery(query)
		if _, problems := ParseStrict(q, nil); len(problems) != 1 || problems[0].Field != field {
			t.Errorf("?%s: %+v, want one problem naming %s", query, problems, field)
		}
	}
}
