package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
	"leaddesk/lifecycle"
)

type feedPage struct {
	Value []struct {
		ID        int64          `json:"id"`
		ChangeSeq int64          `json:"changeSeq"`
		Deleted   bool           `json:"deleted"`
		Lead      map[string]any `json:"lead"`
	} `json:"value"`
	NextCursor string `json:"nextCursor"`
	More       bool   `json:"more"`
}

func readFeed(t *testing.T, url, token string) feedPage {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("feed %s: %d", url, res.StatusCode)
	}
	var p feedPage
	if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	return p
}

// The changes feed, polled in small pages while four writers accept and edit leads, serves changes
// in strictly increasing sequence (none twice), and once the writers stop it has served every lead at
// its final version; expirations by the job come through it too, and a lead that is gone comes as a
// tombstone.
func TestAPIChangesFeedUnderConcurrentWrites(t *testing.T) {
	s := testkit.NewServer(t)
	reader := newToken(t, s, "read")
	admin := s.CreateUser("ren@example.com", "Ren", db.RoleReferrals).LeadActor()
	ctx := context.Background()
	var ids []int64
	for i := 0; i < 40; i++ {
		id, _, err := s.Leads.Receive(ctx, lead.Actor{Label: "marketplace"}, &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me",
			Source: "appsource", OfferID: "crm", CustomerCompany: fmt.Sprint("Company ", i), ContactFirstName: "Mei", ContactEmail: fmt.Sprintf("c%d@example.com", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	start := readFeed(t, s.URL+"/api/v1/leads?limit=500&updated_since="+testkit.Epoch.Add(-time.Hour).Format(time.RFC3339), reader)
	if len(start.Value) != 40 {
		t.Fatalf("feed from before the arrivals has %d leads, want 40", len(start.Value))
	}
	cursor := start.NextCursor

	// Four writers work leads 0–31 (accept, then edit each twice); leads 32–39 stay received.
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < 32; i += 4 {
				deal := lifecycle.Deal{Name: "Deal", Value: 1000, Currency: "USD", PurchaseDate: "2027-01-31", Notes: "n"}
				if _, err := s.Leads.Accept(ctx, admin, ids[i], 0, deal, nil, nil); err != nil {
					t.Error(err)
					return
				}
				for k := 0; k < 2; k++ {
					deal.Notes = fmt.Sprint("edit ", k)
					if _, err := s.Leads.Edit(ctx, admin, ids[i], 0, deal, nil); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}(w)
	}
	go func() { wg.Wait(); close(done) }()

	lastSeq := int64(0)
	version := map[int64]float64{}
	poll := func() (more bool) {
		p := readFeed(t, s.URL+"/api/v1/leads?limit=5&cursor="+cursor, reader)
		for _, it := range p.Value {
			if it.ChangeSeq <= lastSeq {
				t.Fatalf("change %d served after %d: repeated or out of order", it.ChangeSeq, lastSeq)
			}
			lastSeq = it.ChangeSeq
			if it.Lead != nil {
				version[it.ID] = it.Lead["version"].(float64)
			}
		}
		cursor = p.NextCursor
		return p.More
	}
	for writing := true; writing; {
		select {
		case <-done:
			writing = false
		default:
			poll()
		}
	}
	for poll() {
	}
	for _, id := range ids[:32] {
		l, _ := s.DB.LeadByID(ctx, id)
		if version[id] != float64(l.Version) {
			t.Errorf("lead %d: feed's last version %v, stored %d", id, version[id], l.Version)
		}
	}

	// The expiry job's changes are in the feed.
	s.Clock.Advance(15 * 24 * time.Hour)
	if n, err := s.Leads.ExpireOverdue(ctx, s.Clock.Now()); err != nil || n != 8 {
		t.Fatalf("expired %d, %v", n, err)
	}
	p := readFeed(t, s.URL+"/api/v1/leads?cursor="+cursor, reader)
	if len(p.Value) != 8 || p.Value[0].Lead["outcome"] != "expired" || p.Value[0].Lead["contactHidden"] != true {
		t.Fatalf("after expiry: %+v", p.Value)
	}
	// A lead that is gone is a tombstone.
	if _, err := s.DB.Exec(`DELETE FROM leads WHERE id = ?`, ids[39]); err != nil {
		t.Fatal(err)
	}
	p = readFeed(t, s.URL+"/api/v1/leads?cursor="+cursor, reader)
	last := p.Value[len(p.Value)-1]
	if last.ID != ids[39] || !last.Deleted || last.Lead != nil {
		t.Fatalf("no tombstone: %+v", last)
	}
	// Bad feed parameters name the field.
	for _, q := range []string{"updated_since=yesterday", "cursor=cXXX", "updated_since=2026-01-01T00:00:00Z&cursor=" + cursor, "updated_since=2026-01-01T00:00:00Z&tab=marketplace"} {
		a := get(t, s.URL+"/api/v1/leads?"+q, reader)
		if a.Status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", q, a.Status, a.Raw)
		}
	}
}
