package mail_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// BenchmarkUnreadActionItems measures the bell's poll (every signed-in lead worker, every 15 s) with
// 5,000 open items, half of them read.
func BenchmarkUnreadActionItems(b *testing.B) {
	d := testkit.NewDB(b)
	u := testkit.CreateUser(b, d, "ren@example.com", "Ren", db.RoleReferrals)
	ctx := context.Background()
	err := d.InTx(ctx, func(tx *sql.Tx) error {
		for i := 0; i < 5000; i++ {
			l := &lead.Lead{Tab: "marketplace", LeadType: "profile", CustomerCompany: fmt.Sprint("C", i), CreatedAt: day0}
			if err := db.InsertLeadTx(ctx, tx, l); err != nil {
				return err
			}
			res, err := tx.Exec(`INSERT INTO action_items (lead_id, kind, created_at) VALUES (?, 'new_lead', ?)`, l.ID, day0.Unix())
			if err != nil {
				return err
			}
			if i%2 == 0 {
				id, _ := res.LastInsertId()
				if _, err := tx.Exec(`INSERT INTO action_item_reads (item_id, user_id, read_at) VALUES (?, ?, 1)`, id, u.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if n, err := d.UnreadActionItems(ctx, u.ID, day0); err != nil || n != 2500 {
			b.Fatalf("unread = %d, %v", n, err)
		}
	}
}

// BenchmarkClaimOutbox measures claiming the next due message with 50,000 delivered rows behind it.
func BenchmarkClaimOutbox(b *testing.B) {
	d := testkit.NewDB(b)
	ctx := context.Background()
	err := d.InTx(ctx, func(tx *sql.Tx) error {
		for i := 0; i < 50000; i++ {
			if _, err := tx.Exec(`INSERT INTO outbox (kind, to_email, status, next_attempt_at, created_at) VALUES ('new_lead', 'a@example.com', 'sent', ?, ?)`, day0.Unix(), day0.Unix()); err != nil {
				return err
			}
		}
		for i := 0; i < b.N; i++ {
			if _, err := db.EnqueueMailTx(ctx, tx, day0, db.OutboxMessage{Kind: "new_lead", ToEmail: "b@example.com"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := d.ClaimOutbox(ctx, day0, time.Minute); err != nil {
			b.Fatal(err)
		}
	}
}
