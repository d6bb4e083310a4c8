package leads

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync"
	"time"

	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/lifecycle"
)

// Leads arrive from outside in two ways: one at a time (the marketplace's HTTPS endpoint, the API),
// through Receive, and by the thousand (a CSV import), through an Import. Both settle the lead's state
// by its age (lifecycle.SettleArrival), store it unless it repeats a stored one (db's de-duplication
// rules), and record a Received event for each new lead; a repeated delivery changes nothing and
// records nothing.

// arrive prepares an incoming lead for storing: its creation time (now unless the source gave one)
// and the state the lifecycle says a lead of that age is in.
func arrive(l *lead.Lead, now time.Time) {
	if l.CreatedAt.IsZero() {
		l.CreatedAt = now.UTC()
	}
	lifecycle.SettleArrival(l, now)
}

// Receive stores one lead that arrived from outside, unless it repeats a stored one (the same
// external id, or the same email address + offer + call to action within db.DedupeWindow), and
// answers the stored lead's id and whether it is new. The caller has validated the contact details
// (intake.Validate). It returns only after the transaction holding the lead committed, so "201 means
// stored" holds; leads arriving at the same moment share one commit (see batcher).
func (s *Service) Receive(ctx context.Context, by lead.Actor, l *lead.Lead) (id int64, created bool, err error) {
	return s.incoming.save(ctx, s, &incomingReq{l: l, by: by, now: s.clock.Now(), done: make(chan struct{})})
}

// receiveTx is Receive inside the batch's transaction.
func (s *Service) receiveTx(ctx context.Context, tx *sql.Tx, r *incomingReq) (int64, bool, error) {
	arrive(r.l, r.now)
	// Routing to a location (docs/design.md §6): inside the transaction that stores the lead, so a
	// location removed or added meanwhile is seen as it is.
	rt, err := newRouterTx(ctx, tx)
	if err != nil {
		return 0, false, err
	}
	if err := rt.route(r.l, true); err != nil {
		return 0, false, err
	}
	// Assignment rules (issue 17), after routing (a rule may name the location), in the same
	// transaction: the lead is stored with its owner.
	as, err := newAssignerTx(ctx, tx, r.now)
	if err != nil {
		return 0, false, err
	}
	r.l.OwnerID = as.pick(r.l)
	id, created, err := db.SaveIncomingLeadTx(ctx, tx, r.l, r.by.UserID, r.by.Label, r.now)
	if err != nil || !created {
		r.l.OwnerID = 0
		return id, created, err
	}
	events := []recorded{{event: lead.Received{Change: lead.Change{Lead: r.l, Actor: r.by, At: r.now}}}}
	if r.l.OwnerID != 0 {
		if err := as.save(ctx, tx); err != nil {
			return 0, false, err
		}
		ev, err := assignedOnArrival(ctx, tx, r.l, r.now)
		if err != nil {
			return 0, false, err
		}
		events = append(events, ev)
	}
	if err := s.record(ctx, tx, events...); err != nil {
		return 0, false, err
	}
	return id, true, nil
}

// batcher group-commits concurrent Receive calls: while one transaction commits, the deliveries
// that arrive queue up and then go into the next transaction together, each inside its own savepoint
// (a failing lead — its store or a subscriber — rolls back alone). Every caller still returns only
// after the COMMIT that holds its lead, while the commit cost is shared. The caller that finds no batch
// running leads it; there is no background goroutine. The zero value is ready to use.
type batcher struct {
	mu      sync.Mutex
	pending []*incomingReq
	running bool
}

// batchMax caps one group commit.
const batchMax = 256

type incomingReq struct {
	l       *lead.Lead
	by      lead.Actor
	now     time.Time
	id      int64
	created bool
	err     error
	done    chan struct{}
}

func (b *batcher) save(ctx context.Context, s *Service, r *incomingReq) (int64, bool, error) {
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
		n := min(len(b.pending), batchMax)
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
		s.saveBatch(context.WithoutCancel(ctx), batch)
		b.mu.Lock()
	}
	<-r.done
	return r.id, r.created, r.err
}

func (s *Service) saveBatch(ctx context.Context, batch []*incomingReq) {
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		for i, r := range batch {
			sp := "lead" + strconv.Itoa(i)
			if _, err := tx.ExecContext(ctx, "SAVEPOINT "+sp); err != nil {
				return err
			}
			r.id, r.created, r.err = s.receiveTx(ctx, tx, r)
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

// Import writes the batches of one CSV import (package intake reads, validates and batches the
// rows). All batches go through one connection of the pool, whose page cache is made big for the
// import (512 MB at most, set back by Close): it keeps the growing indexes in memory from one batch to
// the next, where the pool could otherwise hand each batch a connection with a cold cache. It is for
// one goroutine.
type Import struct {
	s         *Service
	conn      *sql.Conn
	by        lead.Actor
	now       time.Time
	cacheSize int64
}

// StartImport begins an import by by as of the service's now; Close ends it.
func (s *Service) StartImport(ctx context.Context, by lead.Actor) (*Import, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("leads: import: %w", err)
	}
	im := &Import{s: s, conn: conn, by: by, now: s.clock.Now()}
	if err := conn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&im.cacheSize); err != nil {
		conn.Close()
		return nil, fmt.Errorf("leads: import: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = -524288"); err != nil {
		conn.Close()
		return nil, fmt.Errorf("leads: import: %w", err)
	}
	return im, nil
}

// Now is the time the import works as of: the leads' default creation time and the events' time.
func (im *Import) Now() time.Time { return im.now }

// Save stores one batch in one transaction (all of it or, on an error, none of it) with the same
// answers Receive would give lead by lead — de-duplicated against stored leads and the batch's earlier
// leads — in a handful of multi-row statements (db.SaveIncomingLeadsTx), and records a Received event
// per new lead.
func (im *Import) Save(ctx context.Context, leads []*lead.Lead) ([]db.IncomingResult, error) {
	// BEGIN IMMEDIATE (the DSN's _txlock), like db.InTx: the batch holds the write lock throughout.
	tx, err := im.conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("leads: import: begin: %w", err)
	}
	defer tx.Rollback()
	// Routing to a location (docs/design.md §6), as Receive does; an unknown location named by a row
	// does not stop the import: the row is routed by country, then to the default.
	rt, err := newRouterTx(ctx, tx)
	if err != nil {
		return nil, err
	}
	as, err := newAssignerTx(ctx, tx, im.now)
	if err != nil {
		return nil, err
	}
	for _, l := range leads {
		arrive(l, im.now)
		if err := rt.route(l, false); err != nil {
			return nil, err
		}
		l.OwnerID = as.pick(l) // assignment rules (issue 17), as Receive applies them
	}
	res, err := db.SaveIncomingLeadsTx(ctx, tx, leads, im.by.UserID, im.by.Label, im.now)
	if err != nil {
		return nil, err
	}
	if err := as.save(ctx, tx); err != nil {
		return nil, err
	}
	events := make([]recorded, 0, len(leads))
	for i, r := range res {
		if r.Created {
			events = append(events, recorded{event: lead.Received{Change: lead.Change{Lead: leads[i], Actor: im.by, At: im.now}}})
			if leads[i].OwnerID != 0 {
				ev, err := assignedOnArrival(ctx, tx, leads[i], im.now)
				if err != nil {
					return nil, err
				}
				events = append(events, ev)
			}
		}
	}
	if err := im.s.record(ctx, tx, events...); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("leads: import: commit: %w", err)
	}
	return res, nil
}

// Close sets the connection's page cache back and returns it to the pool.
func (im *Import) Close() error {
	_, err := im.conn.ExecContext(context.Background(), "PRAGMA cache_size = "+strconv.FormatInt(im.cacheSize, 10))
	if cerr := im.conn.Close(); err == nil {
		err = cerr
	}
	return err
}
