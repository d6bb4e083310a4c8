// Package leads is the domain service of leads: every way a lead changes — it arrives (marketplace,
// API, CSV import), a person works it (accept, decline, edit, employees, won, lost), the jobs move it
// on (expiry, reminder, archival) — is one method of Service. Each method opens the transaction,
// reads the lead afresh, asks the lifecycle rules (package lifecycle), saves through package db
// (which only speaks SQL), writes the timeline, records one domain event per change in the
// append-only domain_events table and hands it to the subscribers (mail and the Action Center, later
// a sync queue or webhooks) inside the same transaction: a change, its record and its consequences
// commit together or not at all. Handlers, the CLI and the jobs parse input, call a method and show
// the result; they never open a transaction for a lead change.
package leads

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	"leaddesk/db"
	"leaddesk/internal/clock"
	"leaddesk/lead"
	"leaddesk/lifecycle"
)

// Errors of the service; the HTTP layer maps them to statuses (404, 403, 409, 409, 422).
var (
	// ErrNotFound: no lead has that id.
	ErrNotFound = errors.New("leads: no such lead")
	// ErrRole: the actor's roles do not allow working leads.
	ErrRole = lifecycle.ErrRole
	// ErrState: the lead's state does not offer the action (it moved on, or never offered it).
	ErrState = lifecycle.ErrState
	// ErrStale: the lead changed since the version the request was based on.
	ErrStale = db.ErrStale
	// ErrInvalid: the input breaks a rule of the domain (an unknown reason, say).
	ErrInvalid = errors.New("leads: invalid input")
)

// Service changes leads. It is safe for concurrent use; build one per database with New.
type Service struct {
	db       *db.DB
	clock    clock.Clock
	subs     []lead.Subscriber
	incoming batcher // group-commits leads arriving at the same moment (Receive)
	// compactPending: the last compaction after an erasure or a retention run could not truncate the
	// write-ahead log (a reader held an old snapshot); the next retention run tries again.
	compactPending atomic.Bool
}

// compact makes what an erasure or a retention run (what) removed unrecoverable from the file
// (db.CompactAfterErasure). The change is committed already, so a compaction that must wait is only
// logged, and left to the next retention run.
func (s *Service) compact(ctx context.Context, what string) {
	if err := s.db.CompactAfterErasure(ctx); err != nil {
		s.compactPending.Store(true)
		slog.Warn(what+": compact", "err", err)
		return
	}
	s.compactPending.Store(false)
}

// New returns the service over d, telling the time by clk and handing every event to subs in order.
func New(d *db.DB, clk clock.Clock, subs ...lead.Subscriber) *Service {
	return &Service{db: d, clock: clk, subs: subs}
}

// notFound turns the store's "no row" into the service's ErrNotFound.
func notFound(err error, id int64) error {
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("%w: %d", ErrNotFound, id)
	}
	return err
}

// dbActor is the actor as the timeline stores it.
func dbActor(a lead.Actor) db.Actor { return db.Actor{UserID: a.UserID, Label: a.Label} }

// recorded is an event with the field changes it made (its timeline entry), for the payload.
type recorded struct {
	event   lead.Event
	changes map[string][2]string
}

// payload is the JSON stored with each event: enough for a reader of the events table to know what
// changed without the lead's contact details, which stay in the leads table alone (an expired lead's
// contact is hidden, and a later erasure must not find copies here). Readers that need more read the
// lead by id.
type payload struct {
	Version    int64                `json:"version"`
	Status     string               `json:"status"`
	Outcome    string               `json:"outcome,omitempty"`
	Changes    map[string][2]string `json:"changes,omitempty"`
	Source     string               `json:"source,omitempty"`
	ExternalID string               `json:"external_id,omitempty"`
	Test       bool                 `json:"test,omitempty"`
	ExpiresAt  int64                `json:"expires_at,omitempty"`
	// Owner and PreviousOwner are the user ids of an assignment (lead.assigned; 0 = none).
	Owner         int64 `json:"owner_id,omitempty"`
	PreviousOwner int64 `json:"previous_owner_id,omitempty"`
}

func payloadOf(r recorded) (string, error) {
	l := r.event.Subject()
	p := payload{Version: l.Version, Status: l.Status, Outcome: l.Outcome}
	// The timeline's personal entries (extra contacts, employees, free text) stay out of the
	// append-only table, which an erasure cannot rewrite.
	for k, v := range r.changes {
		if db.PersonalChangeKey(k) {
			continue
		}
		if p.Changes == nil {
			p.Changes = map[string][2]string{}
		}
		p.Changes[k] = v
	}
	switch e := r.event.(type) {
	case lead.Received:
		p.Source, p.ExternalID, p.Test = l.Source, l.ExternalID, l.IsTest
	case lead.Assigned:
		p.Owner, p.PreviousOwner = l.OwnerID, e.Before.OwnerID
	case lead.ExpiryNear:
		if l.ExpiresAt != nil {
			p.ExpiresAt = l.ExpiresAt.Unix()
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("leads: event payload: %w", err)
	}
	return string(b), nil
}

// record stores events in the order given and hands each to every subscriber, all inside tx.
func (s *Service) record(ctx context.Context, tx *sql.Tx, events ...recorded) error {
	rows := make([]db.DomainEvent, len(events))
	for i, r := range events {
		p, err := payloadOf(r)
		if err != nil {
			return err
		}
		rows[i] = db.DomainEvent{LeadID: r.event.Subject().ID, Kind: r.event.Kind(), At: r.event.When(), Actor: dbActor(r.event.By()), Payload: p}
	}
	if err := db.AppendDomainEventsTx(ctx, tx, rows); err != nil {
		return err
	}
	for _, r := range events {
		for _, sub := range s.subs {
			if err := sub.Handle(ctx, tx, r.event); err != nil {
				return fmt.Errorf("leads: %s of lead %d: %w", r.event.Kind(), r.event.Subject().ID, err)
			}
		}
	}
	return nil
}
