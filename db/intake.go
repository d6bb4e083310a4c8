package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"leaddesk/lead"
	"strconv"
	"sync"
	"time"
)

// DedupeWindow is how close in time two leads with the same email address, offer and call to action
// must be to count as one repeated delivery (DESIGN §5).
const DedupeWindow = 24 * time.Hour

// NewLeadHook runs in the transaction that stores a new lead (the handlers pass mail.NewLeadTx, which
// db cannot import).
type NewLeadHook func(ctx context.Context, tx *sql.Tx, l *Lead) error

// SaveIncomingLead stores a lead that arrived from outside (marketplace, API, import) unless it repeats
// one already stored: the same external id, or the same email address + offer + call to action within
// DedupeWindow. It answers the stored lead's id and whether it is new.
//
// Concurrent deliveries of the same lead are safe because the check and the insert run in ONE
// transaction, and every transaction takes SQLite's write lock at BEGIN (_txlock=immediate in the
// DSN): a second delivery waits for the first to commit and then finds it. The unique index on
// external_id backs this up at the storage level.
func (d *DB) SaveIncomingLead(ctx context.Context, l *Lead, actorID int64, actorLabel string, now time.Time, onNew NewLeadHook) (id int64, created bool, err error) {
	err = d.InTx(ctx, func(tx *sql.Tx) error {
		id, created, err = SaveIncomingLeadTx(ctx, tx, l, actorID, actorLabel, now, onNew)
		return err
	})
	return id, created, err
}

// SaveIncomingLeadTx is SaveIncomingLead inside the caller's transaction (the importer batches rows).
func SaveIncomingLeadTx(ctx context.Context, tx *sql.Tx, l *Lead, actorID int64, actorLabel string, now time.Time, onNew NewLeadHook) (int64, bool, error) {
	if l.CreatedAt.IsZero() {
		l.CreatedAt = now.UTC()
	}
	if id, err := FindDuplicateLeadTx(ctx, tx, l); err != nil || id != 0 {
		return id, false, err
	}
	if l.UpdatedAt.IsZero() {
		l.UpdatedAt = now.UTC()
	}
	SettleArrival(l, now)
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
	if onNew != nil {
		if err := onNew(ctx, tx, l); err != nil {
			return 0, false, err
		}
	}
	return l.ID, true, nil
}

// SettleArrival applies the lifecycle to a lead that arrives with an old creation time (historical
// leads from the API or an import), so it arrives in the state the jobs would have put it in:
// a received actionable lead past its 14 days arrives expired (archived, contact details hidden, no
// reminder or expiry mail, since nobody could have answered it here), and an informational lead past
// six months arrives archived. A status the sender gave (accepted, archived) is kept.
func SettleArrival(l *Lead, now time.Time) {
	l.Actionable = lead.IsActionable(l.Tab, l.LeadType, l.CTA)
	if l.Status != "" && l.Status != "received" {
		return
	}
	switch {
	case l.Actionable && !l.CreatedAt.Add(lead.ExpiryWindow).After(now):
		at := l.CreatedAt.Add(lead.ExpiryWindow)
		l.Status, l.Outcome, l.ArchivedAt, l.ExpiresAt = "archived", "expired", &at, &at
	case !l.Actionable && !l.CreatedAt.Add(lead.InformationalArchiveAfter).After(now):
		at := l.CreatedAt.Add(lead.InformationalArchiveAfter)
		l.Status, l.ArchivedAt = "archived", &at
	}
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

// IncomingBatcher group-commits concurrent SaveIncomingLead calls: while one transaction commits,
// the deliveries that arrive queue up and then go into the next transaction together, each inside its
// own savepoint (a failing lead rolls back alone). Every caller still returns only after the COMMIT
// that holds its lead, so "201 means committed" stays true, while the commit cost is shared. The
// caller that finds no batch running leads it; there is no background goroutine. The zero value is
// ready to use.
type IncomingBatcher struct {
	mu      sync.Mutex
	pending []*incomingReq
	running bool
}

// IncomingBatchMax caps one group commit.
const IncomingBatchMax = 256

type incomingReq struct {
	l          *Lead
	actorID    int64
	actorLabel string
	now        time.Time
	onNew      NewLeadHook
	id         int64
	created    bool
	err        error
	done       chan struct{}
}

// Save is SaveIncomingLead through the batcher.
func (b *IncomingBatcher) Save(ctx context.Context, d *DB, l *Lead, actorID int64, actorLabel string, now time.Time, onNew NewLeadHook) (int64, bool, error) {
	r := &incomingReq{l: l, actorID: actorID, actorLabel: actorLabel, now: now, onNew: onNew, done: make(chan struct{})}
	b.mu.Lock()
	b.pending = append(b.pending, r)
	if b.running {
		b.mu.Unlock()
		select {
		case <-r.done:
			return r.id, r.created, r.err
		case <-ctx.Done():
			// The lead may still be committed by the running batch; the sender will retry and get 200.
			return 0, false, ctx.Err()
		}
	}
	b.running = true
	for {
		n := min(len(b.pending), IncomingBatchMax)
		batch := b.pending[:n:n]
		b.pending = b.pending[n:]
		if n == 0 {
			b.pending = nil
			b.running = false
			b.mu.Unlock()
			break
		}
		b.mu.Unlock()
		// The leader's own request may be cancelled; the others' leads must still be written.
		d.saveBatch(context.WithoutCancel(ctx), batch)
		b.mu.Lock()
	}
	<-r.done
	return r.id, r.created, r.err
}

func (d *DB) saveBatch(ctx context.Context, batch []*incomingReq) {
	err := d.InTx(ctx, func(tx *sql.Tx) error {
		for i, r := range batch {
			sp := "lead" + strconv.Itoa(i)
			if _, err := tx.ExecContext(ctx, "SAVEPOINT "+sp); err != nil {
				return err
			}
			r.id, r.created, r.err = SaveIncomingLeadTx(ctx, tx, r.l, r.actorID, r.actorLabel, r.now, r.onNew)
			if r.err != nil {
				r.id, r.created = 0, false
				if _, err := tx.ExecContext(ctx, "ROLLBACK TO "+sp); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, "RELEASE "+sp); err != nil {
				return err
			}
		}
		return nil
	})
	for _, r := range batch {
		if err != nil {
			r.id, r.created, r.err = 0, false, err
		}
		close(r.done)
	}
}
