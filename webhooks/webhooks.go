// Package webhooks sends leads' changes out to other systems (issue 18): endpoints an Account admin
// registers in Admin › Integrations, a Subscriber of the leads service that queues one delivery per
// endpoint and event in the change's own transaction, and a Sender (the webhooks job) that delivers
// them signed as the Standard Webhooks specification says, in order per endpoint and lead, retrying
// with backoff for 24 hours, through a Guard that refuses private addresses at dial time.
//
// The queue's SQL lives here beside its only user, like the mail outbox's does in db/outbox.go.
package webhooks

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"leaddesk/db"
	"leaddesk/internal/secretkey"
	"leaddesk/lead"
)

// EventTypes are the event types an endpoint can subscribe to, in the order the form shows them.
var EventTypes = []string{"lead.created", "lead.updated", "lead.accepted", "lead.declined", "lead.won", "lead.lost", "lead.expired", "lead.assigned"}

// EventType is the webhook event type of a domain event, or "" when webhooks do not carry it (the
// expiry reminder, which changes nothing).
func EventType(e lead.Event) string {
	switch e.(type) {
	case lead.Received:
		return "lead.created"
	case lead.Accepted:
		return "lead.accepted"
	case lead.Declined:
		return "lead.declined"
	case lead.Won:
		return "lead.won"
	case lead.Lost:
		return "lead.lost"
	case lead.Expired:
		return "lead.expired"
	case lead.Assigned:
		return "lead.assigned"
	case lead.Edited, lead.EmployeeAdded, lead.Archived, lead.Anonymised:
		// An anonymised lead is sent as updated, so a receiver replaces its copy of the personal data.
		return "lead.updated"
	}
	return ""
}

// sealContext names what a sealed endpoint secret is, so it cannot be opened as anything else.
const sealContext = "webhook signing secret"

// Endpoint is one registered receiver.
type Endpoint struct {
	ID             int64
	Kind           string
	Name           string
	URL            string
	Events         []string
	secretSealed   string
	IncludeContact bool
	Lang           string
	OwnerUserID    int64
	CreatedAt      time.Time
	FailingSince   *time.Time
	DisabledAt     *time.Time
	DisabledReason string
}

// Wants reports whether the endpoint subscribed to the event type.
func (e *Endpoint) Wants(typ string) bool { return slices.Contains(e.Events, typ) }

// ErrNotFound: no endpoint or delivery has that id.
var ErrNotFound = errors.New("webhooks: not found")

const endpointColumns = `id, kind, name, url, events, secret_sealed, include_contact, lang, COALESCE(owner_user_id, 0), created_at,
	failing_since, disabled_at, disabled_reason`

func scanEndpoint(row interface{ Scan(...any) error }) (*Endpoint, error) {
	var e Endpoint
	var events string
	var created int64
	var failing, disabled sql.NullInt64
	if err := row.Scan(&e.ID, &e.Kind, &e.Name, &e.URL, &events, &e.secretSealed, &e.IncludeContact, &e.Lang, &e.OwnerUserID, &created,
		&failing, &disabled, &e.DisabledReason); err != nil {
		return nil, err
	}
	e.Events = strings.Split(events, ",")
	e.CreatedAt = time.Unix(created, 0).UTC()
	e.FailingSince = unixPtr(failing)
	e.DisabledAt = unixPtr(disabled)
	return &e, nil
}

func unixPtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := time.Unix(n.Int64, 0).UTC()
	return &t
}

// Store keeps endpoints and deliveries; it seals and opens the signing secrets.
type Store struct {
	DB    *db.DB
	Seals *secretkey.Sealer
}

// NewEndpoint is what the form creates.
type NewEndpoint struct {
	Name   string
	URL    string
	Events []string
}

// Create stores an endpoint and answers it with its secret, which is shown once and kept only sealed.
// The owner (who created it, told if it is stopped) is recorded in the audit log as its creator.
func (s *Store) Create(ctx context.Context, in NewEndpoint, owner int64, now time.Time) (*Endpoint, string, error) {
	secret := NewSecret()
	var id int64
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO webhook_endpoints (kind, name, url, events, secret_sealed, owner_user_id, created_at)
			VALUES ('webhook', ?, ?, ?, ?, ?, ?)`, in.Name, in.URL, strings.Join(in.Events, ","), s.Seals.Seal(secret, sealContext),
			nullID(owner), now.Unix())
		if err != nil {
			return fmt.Errorf("webhooks: create endpoint: %w", err)
		}
		id, _ = res.LastInsertId()
		return db.Audit(ctx, tx, now, owner, "", "webhook.create", in.Name, auditDetails("host", hostOf(in.URL), "events", strings.Join(in.Events, ",")))
	})
	if err != nil {
		return nil, "", err
	}
	e, err := s.Endpoint(ctx, id)
	return e, secret, err
}

// auditDetails is the audit log's JSON object of key, value pairs.
func auditDetails(kv ...string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// NewChannel is what the channel form creates: a Microsoft Teams or Slack incoming-webhook URL.
type NewChannel struct {
	Kind           string // "teams" or "slack"
	Name           string
	URL            string
	Events         []string // of ChannelEvents
	Lang           string
	IncludeContact bool
}

// CreateChannel stores a channel target. It has no signing secret: Teams and Slack do not check one,
// and the URL itself is the secret, so pages show only its host.
func (s *Store) CreateChannel(ctx context.Context, in NewChannel, owner int64, now time.Time) (*Endpoint, error) {
	var id int64
	err := s.DB.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO webhook_endpoints (kind, name, url, events, include_contact, lang, owner_user_id, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, in.Kind, in.Name, in.URL, strings.Join(in.Events, ","), in.IncludeContact, in.Lang, nullID(owner), now.Unix())
		if err != nil {
			return fmt.Errorf("webhooks: create channel: %w", err)
		}
		id, _ = res.LastInsertId()
		contact := "off"
		if in.IncludeContact {
			contact = "on"
		}
		return db.Audit(ctx, tx, now, owner, "", "webhook.create", in.Name, auditDetails("kind", in.Kind, "host", hostOf(in.URL),
			"events", strings.Join(in.Events, ","), "contact_details", contact))
	})
	if err != nil {
		return nil, err
	}
	return s.Endpoint(ctx, id)
}

// Endpoint reads one endpoint.
func (s *Store) Endpoint(ctx context.Context, id int64) (*Endpoint, error) {
	e, err := scanEndpoint(s.DB.QueryRowContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: endpoint %d", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("webhooks: endpoint %d: %w", id, err)
	}
	return e, nil
}

// Endpoints lists every endpoint, newest first.
func (s *Store) Endpoints(ctx context.Context) ([]*Endpoint, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints ORDER BY id DESC`)
	if err != nil {
		return nil, fmt.Errorf("webhooks: endpoints: %w", err)
	}
	defer rows.Close()
	var out []*Endpoint
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("webhooks: endpoints: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Delete removes an endpoint and its deliveries; by is recorded in the audit log.
func (s *Store) Delete(ctx context.Context, id, by int64, now time.Time) error {
	return s.DB.InTx(ctx, func(tx *sql.Tx) error {
		var name string
		err := tx.QueryRowContext(ctx, `DELETE FROM webhook_endpoints WHERE id = ? RETURNING name`, id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: endpoint %d", ErrNotFound, id)
		}
		if err != nil {
			return fmt.Errorf("webhooks: delete endpoint %d: %w", id, err)
		}
		return db.Audit(ctx, tx, now, by, "", "webhook.delete", name, "{}")
	})
}

// Enable turns a stopped endpoint on again; its held deliveries go out from now. by is recorded in
// the audit log.
func (s *Store) Enable(ctx context.Context, id, by int64, now time.Time) error {
	return s.DB.InTx(ctx, func(tx *sql.Tx) error {
		var name string
		err := tx.QueryRowContext(ctx, `UPDATE webhook_endpoints SET disabled_at = NULL, disabled_reason = '', failing_since = NULL
			WHERE id = ? RETURNING name`, id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: endpoint %d", ErrNotFound, id)
		}
		if err != nil {
			return fmt.Errorf("webhooks: enable endpoint %d: %w", id, err)
		}
		// Deliveries held while it was off are due now, with a fresh 24 hours; those given up stay
		// failed. An expiry card keeps its own time.
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET next_at = ?, created_at = ? WHERE endpoint_id = ? AND status = 'queued'
			AND event_type != 'channel.expiring'`, now.Unix(), now.Unix(), id); err != nil {
			return fmt.Errorf("webhooks: enable endpoint %d: %w", id, err)
		}
		return db.Audit(ctx, tx, now, by, "", "webhook.resume", name, "{}")
	})
}

// secret opens an endpoint's signing secret.
func (s *Store) secret(e *Endpoint) (string, error) {
	return s.Seals.Open(e.secretSealed, sealContext)
}

// Delivery is one queued or finished delivery, for the sender and the delivery log.
type Delivery struct {
	ID           int64
	EndpointID   int64
	MsgID        string
	LeadID       int64
	EventType    string
	Payload      string
	Status       string
	Attempts     int
	CreatedAt    time.Time
	NextAt       time.Time
	SentAt       *time.Time
	LastAt       *time.Time
	LastStatus   int
	LastLatency  time.Duration
	LastError    string
	LastResponse string
}

const deliveryColumns = `id, endpoint_id, msg_id, lead_id, event_type, payload, status, attempts, created_at, next_at, sent_at,
	last_at, last_status, last_latency, last_error, last_response`

func scanDelivery(row interface{ Scan(...any) error }) (*Delivery, error) {
	var d Delivery
	var created, next, latency int64
	var sent, last sql.NullInt64
	if err := row.Scan(&d.ID, &d.EndpointID, &d.MsgID, &d.LeadID, &d.EventType, &d.Payload, &d.Status, &d.Attempts, &created, &next,
		&sent, &last, &d.LastStatus, &latency, &d.LastError, &d.LastResponse); err != nil {
		return nil, err
	}
	d.CreatedAt, d.NextAt = time.Unix(created, 0).UTC(), time.Unix(next, 0).UTC()
	d.SentAt, d.LastAt = unixPtr(sent), unixPtr(last)
	d.LastLatency = time.Duration(latency) * time.Millisecond
	return &d, nil
}

// Deliveries is an endpoint's delivery log, newest first, at most limit rows.
func (s *Store) Deliveries(ctx context.Context, endpointID int64, limit int) ([]*Delivery, error) {
	rows, err := s.DB.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY id DESC LIMIT ?`,
		endpointID, limit)
	if err != nil {
		return nil, fmt.Errorf("webhooks: deliveries: %w", err)
	}
	defer rows.Close()
	var out []*Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, fmt.Errorf("webhooks: deliveries: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Redeliver queues a delivery again, due now, with the same webhook-id (receivers that already
// handled it may drop it; the specification's "at least once").
func (s *Store) Redeliver(ctx context.Context, endpointID, id int64, now time.Time) error {
	res, err := s.DB.ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'queued', next_at = ?, attempts = 0, created_at = ?
		WHERE id = ? AND endpoint_id = ? AND status IN ('sent', 'failed')`, now.Unix(), now.Unix(), id, endpointID)
	if err != nil {
		return fmt.Errorf("webhooks: redeliver %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: delivery %d", ErrNotFound, id)
	}
	return nil
}

// Host is the endpoint's host, for pages and mail: the path and query of a target URL can be its
// secret (incoming-webhook URLs are), so they are shown only in the form that entered them.
func (e *Endpoint) Host() string { return hostOf(e.URL) }
