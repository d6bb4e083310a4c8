package webhooks

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"leaddesk/lead"
)

// Payload is the JSON body of every webhook: the delivery's id (also its webhook-id header), the
// event type, when the change happened, and the lead as the JSON API shows it.
type Payload struct {
	ID        string      `json:"id"`
	Type      string      `json:"type"`
	Timestamp string      `json:"timestamp"`
	Data      PayloadData `json:"data"`
}

// PayloadData holds the lead in the API's shape.
type PayloadData struct {
	Lead any `json:"lead"`
}

// Subscriber is the leads service's subscriber for webhooks: for each event an endpoint wants, it
// queues a delivery inside the event's transaction, so a delivery exists exactly when the change
// committed and none is lost to a crash in between. A stopped endpoint's deliveries are queued too and
// held until an admin resumes it.
type Subscriber struct {
	// Shape turns a lead into its JSON API form (handlers.APILead), so receivers see what the API
	// serves.
	Shape func(*lead.Lead) any
}

// Handle implements lead.Subscriber.
func (s *Subscriber) Handle(ctx context.Context, tx *sql.Tx, e lead.Event) error {
	typ := EventType(e)
	if typ == "" {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, events FROM webhook_endpoints WHERE kind = 'webhook'`)
	if err != nil {
		return fmt.Errorf("webhooks: endpoints: %w", err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		var events string
		if err := rows.Scan(&id, &events); err != nil {
			rows.Close()
			return fmt.Errorf("webhooks: endpoints: %w", err)
		}
		for _, ev := range strings.Split(events, ",") {
			if ev == typ {
				ids = append(ids, id)
				break
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("webhooks: endpoints: %w", err)
	}
	for _, endpoint := range ids {
		msgID := NewMessageID()
		body, err := json.Marshal(Payload{ID: msgID, Type: typ, Timestamp: e.When().UTC().Format(time.RFC3339),
			Data: PayloadData{Lead: s.Shape(e.Subject())}})
		if err != nil {
			return fmt.Errorf("webhooks: payload: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (endpoint_id, msg_id, lead_id, event_type, payload, created_at, next_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, endpoint, msgID, e.Subject().ID, typ, string(body), e.When().Unix(), e.When().Unix()); err != nil {
			return fmt.Errorf("webhooks: queue %s for endpoint %d: %w", typ, endpoint, err)
		}
	}
	return nil
}
