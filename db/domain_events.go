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
