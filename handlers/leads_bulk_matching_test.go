package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// TestLeadsFavoriteMatching: "add all N matching to favorites" hearts every lead of the view sent
// (not only a page of it, and nothing outside it); a missing view is a 422 that names the field.
func TestLeadsFavoriteMatching(t *testing.T) {
	s := testkit.NewServer(t)
	for i := 0; i < 30; i++ {
		addLead(t, s, lead.Lead{CustomerCompany: "Japan KK", Country: "JP"})
	}
	addLead(t, s, lead.Lead{CustomerCompany: "Germany GmbH", Country: "DE"})
	c, u := leadsSignedIn(t, s, "aiko@example.com", db.RoleReferrals)

	res := c.PostForm("/leads/bulk/favorite-matching", url.Values{"view": {"tab=marketplace&country=JP&per_page=10"}, "next": {"/leads?tab=favorites"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", res.StatusCode)
	}
	ids, err := s.DB.FavoriteIDs(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 30 {
		t.Errorf("favourites = %d, want the 30 Japanese leads", len(ids))
	}
	bad := c.PostForm("/leads/bulk/favorite-matching", url.Values{"view": {""}})
	if bad.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "view:") {
		t.Errorf("empty view: %d %.200s", bad.StatusCode, bad.Body)
	}
}
