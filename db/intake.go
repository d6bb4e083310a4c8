package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// DedupeWindow is how close in time two leads with the same email address, offer and call to action
// must be to count as one repeated delivery (docs/design.md §5).
const DedupeWindow = 24 * time.Hour

// SaveIncomingLeadTx stores a lead that arrived from outside (marketplace, API, import) unless it
// repeats one already stored: the same external id, or the same email address + offer + call to
// action within DedupeWindow. It answers the stored lead's id and whether it is new; a new lead gets
// its 'created' timeline entry. The caller has settled the lead's state (lifecycle.SettleArrival).
//
// Concurrent deliveries of the same lead are safe because the check and the insert run in ONE
// transaction, and every transaction takes SQLite's write lock at BEGIN (_txlock=immediate in the
// DSN): a second delivery waits for the first to commit and then finds it. The unique index on
// external_id backs this up at the storage level.
func SaveIncomingLeadTx(ctx context.Context, tx *sql.Tx, l *Lead, actorID int64, actorLabel string, now time.Time) (int64, bool, error) {
	if l.CreatedAt.IsZero() {
		l.CreatedAt = now.UTC()
	}
	if id, err := FindDuplicateLeadTx(ctx, tx, l); err != nil || id != 0 {
		return id, false, err
	}
	if l.UpdatedAt.IsZero() {
		l.UpdatedAt = now.UTC()
	}
	if err := InsertLeadTx(ctx, tx, l); err != nil {
		if errors.Is(err, ErrConflict) {
			// Only reachable if two writers raced past the check; the index decided, so answer its winner.
			id, ferr := FindDuplicateLeadTx(ctx, tx, l)
			if ferr == nil && id != 0 {
				return id, false, nil
			}
		}
		return 0, false, err
	}
	if err := AddLeadEventTx(ctx, tx, l.ID, now, actorID, actorLabel, "created", ""); err != nil {
		return 0, false, err
	}
	return l.ID, true, nil
}

// FindDuplicateLeadTx returns the id of a stored lead that l repeats, or 0: first by external id, then
// by email + offer + call to action within DedupeWindow of l's creation time. One statement does both
// (it runs for every incoming lead, so a round trip matters).
func FindDuplicateLeadTx(ctx context.Context, tx Querier, l *Lead) (int64, error) {
	if l.ExternalID == "" && l.ContactEmail == "" {
		return 0, nil
	}
	at := l.CreatedAt
	if at.IsZero() {
		at = time.Now()
	}
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM (
		SELECT id, 0 AS pref FROM leads WHERE ?1 <> '' AND external_id = ?1
		UNION ALL
		SELECT * FROM (SELECT id, 1 FROM leads WHERE ?2 <> '' AND contact_email = ?2 COLLATE NOCASE AND offer_id = ?3 AND cta IS ?4
			AND created_at > ?5 AND created_at < ?6 ORDER BY created_at, id LIMIT 1)
	) ORDER BY pref LIMIT 1`,
		l.ExternalID, l.ContactEmail, l.OfferID, nullStr(l.CTA), at.Add(-DedupeWindow).Unix(), at.Add(DedupeWindow).Unix()).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, wrapDup(err)
}

func wrapDup(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("db: find duplicate lead: %w", err)
}
