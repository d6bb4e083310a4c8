package db

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkSavedViewsFor is the one query saved views add to a Leads page: the views one person sees
// (their own and the shared ones) in their order, with 20 people who each saved 10 views, a third of
// them shared, and everyone having reordered theirs.
func BenchmarkSavedViewsFor(b *testing.B) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(b.TempDir(), FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	now := time.Unix(1_780_000_000, 0)
	var users []int64
	for u := range 20 {
		usr := &User{Email: fmt.Sprintf("u%d@example.com", u), Name: fmt.Sprintf("User %d", u)}
		if err := d.CreateUser(ctx, usr); err != nil {
			b.Fatal(err)
		}
		users = append(users, usr.ID)
		for v := range 10 {
			sv := &SavedView{UserID: usr.ID, Name: fmt.Sprintf("View %d", v), Query: "tab=marketplace&country=JP", Shared: v%3 == 0}
			if err := d.CreateSavedView(ctx, sv, now); err != nil {
				b.Fatal(err)
			}
		}
	}
	for _, u := range users {
		if err := d.MoveSavedView(ctx, u, 1, false); err != nil {
			b.Fatal(err)
		}
	}
	want := 10 + 19*4 // own ten, and four shared of each of the others
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		list, err := d.SavedViews(ctx, users[i%len(users)])
		if err != nil || len(list) != want {
			b.Fatalf("%d views, %v; want %d", len(list), err, want)
		}
	}
}
