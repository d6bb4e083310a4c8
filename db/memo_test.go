package db

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"
)

// The remembered look-ups (session, user, owners, favourites) follow every commit at once: one made
// through this handle, and one made by another process on the same file (`leaddesk jobs`, the CLI) —
// a signed-out session must not be honoured once more, a colleague's change must show on the next page.
func TestRememberedAnswersFollowEveryCommit(t *testing.T) {
	ctx := context.Background()
	d := openTest(t)
	other, err := Open(ctx, d.Path) // another process on the same database
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	now := time.Now()
	u := &User{Email: "aiko@example.com", Name: "Aiko", Lang: "ja", Roles: []string{RoleReferrals}}
	if err := d.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	secret, err := d.CreateSession(ctx, u.ID, now, time.Hour, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second answer is the kept one
		if s, err := d.SessionRemembered(ctx, secret); err != nil || s.UserID != u.ID {
			t.Fatalf("session: %+v, %v", s, err)
		}
		if owners, err := d.OwnersRemembered(ctx); err != nil || len(owners) != 1 {
			t.Fatalf("owners: %+v, %v", owners, err)
		}
		if got, err := d.UserRemembered(ctx, u.ID); err != nil || got.Lang != "ja" {
			t.Fatalf("user: %+v, %v", got, err)
		}
	}

	// Written by the other process.
	if err := other.EndSession(ctx, secret); err != nil {
		t.Fatal(err)
	}
	if s, err := d.SessionRemembered(ctx, secret); !errors.Is(err, ErrNotFound) {
		t.Errorf("a session ended elsewhere is still found: %+v, %v", s, err)
	}
	if err := other.SetUserLang(ctx, u.ID, "en"); err != nil {
		t.Fatal(err)
	}
	if got, err := d.UserRemembered(ctx, u.ID); err != nil || got.Lang != "en" {
		t.Errorf("user after a change elsewhere: %+v, %v", got, err)
	}
	colleague := &User{Email: "ken@example.com", Name: "Ken", Roles: []string{RoleReferrals}}
	if err := other.CreateUser(ctx, colleague); err != nil {
		t.Fatal(err)
	}
	if owners, err := d.OwnersRemembered(ctx); err != nil || len(owners) != 2 {
		t.Errorf("owners after a colleague was added elsewhere: %+v, %v", owners, err)
	}

	// Written through this handle (another connection of its pool).
	if favs, err := d.favoriteIDsRemembered(ctx, u.ID); err != nil || len(favs) != 0 {
		t.Fatalf("favourites: %v, %v", favs, err)
	}
	l := &Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", CustomerCompany: "Contoso", Country: "JP", CreatedAt: now}
	if err := d.InTx(ctx, func(tx *sql.Tx) error { return InsertLeadTx(ctx, tx, l) }); err != nil {
		t.Fatal(err)
	}
	id := l.ID
	if err := d.SetFavorite(ctx, u.ID, id, true, now); err != nil {
		t.Fatal(err)
	}
	if favs, err := d.favoriteIDsRemembered(ctx, u.ID); err != nil || len(favs) != 1 || favs[0] != id {
		t.Errorf("favourites after hearting lead %d: %v, %v", id, favs, err)
	}
}
