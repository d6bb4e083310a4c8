package leads

import (
	"errors"
	"testing"

	"leaddesk/db"
	"leaddesk/lead"
)

// The routing rule's order and its tie-breaks (docs/design.md §6): the named location, else a
// location in the customer's own country before one that lists it, the default among equals, else
// the oldest; else the default; with none marked, the oldest.
func TestRouteOrderAndTies(t *testing.T) {
	osaka := &db.Location{ID: 1, Name: "Osaka", Country: "JP"}
	tokyo := &db.Location{ID: 2, Name: "Tokyo", Country: "JP", Default: true}
	seoul := &db.Location{ID: 3, Name: "Seoul", Country: "KR", Countries: []string{"TW", "JP"}}
	taipei := &db.Location{ID: 4, Name: "Taipei ", Country: "SG", Countries: []string{"TW"}}
	r := &router{locs: []*db.Location{osaka, tokyo, seoul, taipei}}
	for _, tc := range []struct {
		name, ref, country string
		want               int64
	}{
		{"named by name, any case, over the country", "seoul", "JP", 3},
		{"named by id", "4", "KR", 4},
		{"name with stray spaces", "Taipei", "", 4},
		{"own country: the default among two", "", "JP", 2},
		{"own country before a list that names it", "", "KR", 3},
		{"listed by two: the oldest (no default among them)", "", "TW", 3},
		{"no one covers: the default", "", "BR", 2},
		{"no country: the default", "", "", 2},
	} {
		l := &lead.Lead{LocationRef: tc.ref, Country: tc.country}
		if err := r.route(l, true); err != nil || l.LocationID != tc.want {
			t.Errorf("%s: location %d (%v), want %d", tc.name, l.LocationID, err, tc.want)
		}
	}
	l := &lead.Lead{LocationRef: "Paris", Country: "KR"}
	if err := r.route(l, true); !errors.Is(err, ErrUnknownLocation) || !errors.Is(err, ErrInvalid) {
		t.Errorf("an unknown named location from the API: %v", err)
	}
	if err := r.route(l, false); err != nil || l.LocationID != 3 {
		t.Errorf("an unknown named location in an import: %d %v, want routed by country to Seoul", l.LocationID, err)
	}
	tokyo.Default = false
	if l := (&lead.Lead{Country: "BR"}); r.route(l, true) != nil || l.LocationID != 1 {
		t.Errorf("no default marked: %d, want the oldest", l.LocationID)
	}
	if l := (&lead.Lead{Country: "JP", LocationID: 9}); (&router{}).route(l, true) != nil || l.LocationID != 0 {
		t.Errorf("no locations at all: %d, want none", l.LocationID)
	}
}
