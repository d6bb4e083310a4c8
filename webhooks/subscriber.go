package webhooks

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"leaddesk/config"
	"leaddesk/lead"
	"leaddesk/views"
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
	// For the channels' cards: the texts, and the instance (BaseURL for links, Location for times),
	// read per event.
	Catalog *views.Catalog
	Cfg     *config.Config

	// The endpoints as read in the last transaction: an import records thousands of events in one,
	// and reading the endpoints once per event would cost a query each.
	mu          sync.Mutex
	lastTx      *sql.Tx
	lastTargets []target
}

// NewSubscriber builds the instance's subscriber; shape is the API's form of a lead.
func NewSubscriber(cfg *config.Config, shape func(*lead.Lead) any) (*Subscriber, error) {
	cat, err := views.LoadCatalog()
	if err != nil {
		return nil, err
	}
	return &Subscriber{Shape: shape, Catalog: cat, Cfg: cfg}, nil
}

// target is an endpoint as the subscriber needs it.
type target struct {
	id             int64
	kind           string
	events         []string
	lang           string
	includeContact bool
}

// Handle implements lead.Subscriber.
func (s *Subscriber) Handle(ctx context.Context, tx *sql.Tx, e lead.Event) error {
	typ, channel := EventType(e), ChannelEvent(e)
	if typ == "" && channel == "" {
		return nil
	}
	targets, err := s.targets(ctx, tx)
	if err != nil {
		return err
	}
	for _, t := range targets {
		msgID := NewMessageID()
		var body []byte
		var kind string
		switch {
		case t.kind == "webhook" && typ != "" && slices.Contains(t.events, typ):
			kind = typ
			body, err = json.Marshal(Payload{ID: msgID, Type: typ, Timestamp: e.When().UTC().Format(time.RFC3339),
				Data: PayloadData{Lead: s.Shape(e.Subject())}})
		case t.kind != "webhook" && channel != "" && slices.Contains(t.events, channel):
			kind = "channel." + channel
			c := channelCard(s.Catalog, s.Cfg.Location, s.Cfg.BaseURL, t.lang, channel, e.Subject(), t.includeContact)
			if t.kind == "teams" {
				body, err = teamsBody(c)
			} else {
				body, err = slackBody(c)
			}
		default:
			continue
		}
		if err != nil {
			return fmt.Errorf("webhooks: payload: %w", err)
		}
		due := e.When()
		if l := e.Subject(); kind == "channel.expiring" && l.ExpiresAt != nil && l.ExpiresAt.Add(-ExpiringCardBefore).After(due) {
			due = l.ExpiresAt.Add(-ExpiringCardBefore)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (endpoint_id, msg_id, lead_id, event_type, payload, created_at, next_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, t.id, msgID, e.Subject().ID, kind, string(body), due.Unix(), due.Unix()); err != nil {
			return fmt.Errorf("webhooks: queue %s for endpoint %d: %w", kind, t.id, err)
		}
	}
	return nil
}

// targets are the endpoints as tx sees them, read once per transaction (endpoints are changed by
// their own statements, never inside a lead's transaction).
func (s *Subscriber) targets(ctx context.Context, tx *sql.Tx) ([]target, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lastTx == tx {
		return s.lastTargets, nil
	}
	t, err := targetsTx(ctx, tx)
	if err != nil {
		return nil, err
	}
	s.lastTx, s.lastTargets = tx, t
	return t, nil
}

// targetsTx reads every endpoint, stopped ones too (their deliveries are held).
func targetsTx(ctx context.Context, tx *sql.Tx) ([]target, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, events, lang, include_contact FROM webhook_endpoints ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("webhooks: endpoints: %w", err)
	}
	defer rows.Close()
	var out []target
	for rows.Next() {
		var t target
		var events string
		if err := rows.Scan(&t.id, &t.kind, &events, &t.lang, &t.includeContact); err != nil {
			return nil, fmt.Errorf("webhooks: endpoints: %w", err)
		}
		t.events = strings.Split(events, ",")
		out = append(out, t)
	}
	return out, rows.Err()
}
