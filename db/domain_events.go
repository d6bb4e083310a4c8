package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// DomainEvent is one row of the append-only domain_events table: what happened to which lead, when,
// by whom, with the event's JSON payload.
type DomainEvent struct {
	ID      int64 // the sequence number, set when stored
	LeadID  int64
	Kind    string
	At      time.Time
	Actor   Actor
	Payload string // JSON object
}

// AppendDomainEventsTx stores events in order, each getting the next sequence number, with
// multi-row inserts (an import batch records thousands at once).
func AppendDomainEventsTx(ctx context.Context, tx *sql.Tx, events []DomainEvent) error {
	if len(events) == 0 {
		return nil
	}
	args := make([]any, 0, 6*len(events))
	for _, e := range events {
		payload := e.Payload
		if payload == "" {
			payload = "{}"
		}
		args = append(args, e.LeadID, e.Kind, e.At.Unix(), nullID(e.Actor.UserID), e.Actor.Label, payload)
	}
	if err := bulkInsert(ctx, tx, `INSERT INTO domain_events (lead_id, kind, at, actor_user_id, actor_label, payload) VALUES `, 6, 256, args); err != nil {
		return fmt.Errorf("db: domain events: %w", err)
	}
	return nil
}

// DomainEventsAfter lists up to limit events with a sequence number above afterID, in order: what a
// reader that remembers the last event it handled asks for next.
func (d *DB) DomainEventsAfter(ctx context.Context, afterID int64, limit int) ([]DomainEvent, error) {
	rows, err := d.QueryContext(ctx, `SELECT id, lead_id, kind, at, COALESCE(actor_user_id, 0), actor_label, payload
		FROM domain_events WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("db: domain events: %w", err)
	}
	defer rows.Close()
	var out []DomainEvent
	for rows.Next() {
		var e DomainEvent
		var at int64
		if err := rows.Scan(&e.ID, &e.LeadID, &e.Kind, &at, &e.Actor.UserID, &e.Actor.Label, &e.Payload); err != nil {
			return nil, fmt.Errorf("db: domain events: %w", err)
		}
		e.At = time.Unix(at, 0).UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: domain events: %w", err)
	}
	return out, nil
}
