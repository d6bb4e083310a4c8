// Package pcsync wires the Partner Center client (package partnercenter) into Leaddesk: the
// connection (PKCE connect, the refresh token sealed at rest, revocation), the pull of referrals into
// leads through the leads service, the durable sync queue that pushes this side's changes (Queue, a
// subscriber of the service's events, writes it; Syncer.RunQueue sends it) and the fetches the webhook
// receiver asks for, and the conflict a 412 can reveal, which a person resolves.
package pcsync

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"leaddesk/config"
	"leaddesk/contact"
	"leaddesk/db"
	"leaddesk/intake"
	"leaddesk/internal/clock"
	"leaddesk/internal/secretkey"
	"leaddesk/lead"
	"leaddesk/leads"
	"leaddesk/partnercenter"
)

// CallbackPath is where Entra sends the admin back after consenting.
const CallbackPath = "/admin/partner-center/callback"

// tokenContext is the sealing context of the refresh token, so no other sealed value opens as one.
const tokenContext = "partnercenter.refresh_token"

// Tuning of the queue.
const (
	lease       = 2 * time.Minute // a claimed row is left to its sender this long
	maxAttempts = 10              // then a push fails for good
	maxPerRun   = 200
	// authWait is how long a row waits when the grant is missing or revoked (it is not its fault).
	authWait = time.Minute
)

// Syncer runs the sync of one instance. Build it with New; it is safe for concurrent use.
type Syncer struct {
	DB     *db.DB
	Leads  *leads.Service
	Client *partnercenter.Client
	Clock  clock.Clock
	Log    *slog.Logger
	DNS    *contact.Resolver // email-domain checks of incoming referrals (nil: off)
	sealer *secretkey.Sealer

	mu     sync.Mutex
	sealed string // the sealed grant this process last stored or loaded
}

// Options are what New needs beyond the configuration.
type Options struct {
	DB         *db.DB
	Leads      *leads.Service
	Clock      clock.Clock
	Log        *slog.Logger
	HTTPClient *http.Client      // nil: the client's default
	DNS        *contact.Resolver // email-domain checks, as for every other incoming lead (nil: off)
}

// New builds the syncer of cfg's Partner Center settings; nil, nil when they are not set.
func New(ctx context.Context, cfg *config.Config, o Options) (*Syncer, error) {
	if !cfg.PartnerCenter.Enabled() {
		return nil, nil
	}
	master, err := secretkey.Load(ctx, cfg, o.DB)
	if err != nil {
		return nil, err
	}
	sealer, err := secretkey.NewSealer(master)
	if err != nil {
		return nil, err
	}
	s := &Syncer{DB: o.DB, Leads: o.Leads, Clock: o.Clock, Log: o.Log, DNS: o.DNS, sealer: sealer}
	if s.Log == nil {
		s.Log = slog.Default()
	}
	conn, err := o.DB.PCConnection(ctx)
	if err != nil {
		return nil, err
	}
	refresh := ""
	s.sealed = conn.RefreshSealed
	if conn.RefreshSealed != "" {
		if refresh, err = sealer.Open(conn.RefreshSealed, tokenContext); err != nil {
			// The key changed (session.key replaced): the grant cannot be used; connect again.
			s.Log.Warn("partner center: the stored grant cannot be opened with this key; reconnect in Admin › Partner Center")
			refresh = ""
		}
	}
	pc := cfg.PartnerCenter
	s.Client, err = partnercenter.New(partnercenter.Config{
		Tenant: pc.Tenant, ClientID: pc.ClientID, ClientSecret: pc.ClientSecret,
		RedirectURL: cfg.BaseURL + CallbackPath, Authority: pc.Authority, APIBase: pc.APIURL,
		RefreshToken: refresh, HTTPClient: o.HTTPClient, Clock: o.Clock,
		OnRefreshToken: func(ctx context.Context, token string) error {
			sealed := sealer.Seal(token, tokenContext)
			s.mu.Lock()
			defer s.mu.Unlock()
			s.sealed = sealed
			return o.DB.SetPCRefreshToken(context.WithoutCancel(ctx), sealed)
		},
		OnCall: func(c partnercenter.CallLog) {
			if err := o.DB.AddPCCall(context.Background(), db.PCCall{At: o.Clock.Now(), Method: c.Method, Path: c.Path, Status: c.Status,
				Duration: c.Duration, Error: c.Err, RequestID: c.RequestID}); err != nil {
				s.Log.Warn("partner center: call log", "err", err)
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("partner center: %w", err)
	}
	return s, nil
}

// StartConnect begins a connect by user: the state and PKCE verifier stay on the server; the
// admin's browser goes to the URL returned.
func (s *Syncer) StartConnect(ctx context.Context, userID int64) (string, error) {
	ar, err := s.Client.StartAuth()
	if err != nil {
		return "", err
	}
	if err := s.DB.SavePCAuthRequest(ctx, ar.State, ar.Verifier, userID, s.Clock.Now()); err != nil {
		return "", err
	}
	return ar.URL, nil
}

// ErrBadState is a callback whose state this server did not hand out to this user (or long ago).
var ErrBadState = errors.New("pcsync: the sign-in answer does not belong to a connect started here; start again")

// FinishConnect trades Entra's code for the grant, which the client hands to OnRefreshToken (stored
// sealed), and records the connect.
func (s *Syncer) FinishConnect(ctx context.Context, userID int64, state, code string) error {
	verifier, err := s.DB.TakePCAuthRequest(ctx, state, userID, s.Clock.Now().Add(-10*time.Minute))
	if errors.Is(err, db.ErrNotFound) {
		return ErrBadState
	}
	if err != nil {
		return err
	}
	if err := s.Client.Exchange(ctx, code, verifier); err != nil {
		return err
	}
	return s.DB.MarkPCConnected(ctx, userID, s.Clock.Now())
}

// Disconnect deletes the grant.
func (s *Syncer) Disconnect(ctx context.Context) error {
	s.Client.Disconnect()
	s.mu.Lock()
	s.sealed = ""
	s.mu.Unlock()
	return s.DB.DeletePCGrant(ctx)
}

// noteAuth records a refused grant; it reports whether err was about the grant at all.
func (s *Syncer) noteAuth(ctx context.Context, err error) bool {
	switch {
	case errors.Is(err, partnercenter.ErrGrantRevoked):
		if s.adoptNewerGrant(ctx) {
			return true // the next attempt uses the grant another process rotated to
		}
		if merr := s.DB.MarkPCRevoked(ctx, s.Clock.Now(), err.Error()); merr != nil {
			s.Log.Error("partner center: record revoked grant", "err", merr)
		}
		return true
	case errors.Is(err, partnercenter.ErrNotConnected):
		return true
	}
	return false
}

// adoptNewerGrant takes the grant stored by another process of this instance (Entra rotates refresh
// tokens; a `leaddesk pc sync` beside the server refreshes too), if there is one this process has not
// seen: the grant this process held is then spent, not revoked.
func (s *Syncer) adoptNewerGrant(ctx context.Context) bool {
	conn, err := s.DB.PCConnection(ctx)
	if err != nil || conn.RefreshSealed == "" {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if conn.RefreshSealed == s.sealed {
		return false
	}
	token, err := s.sealer.Open(conn.RefreshSealed, tokenContext)
	if err != nil {
		return false
	}
	s.sealed = conn.RefreshSealed
	s.Client.SetGrant(token)
	s.Log.Info("partner center: took the grant another process of this instance rotated to")
	return true
}

// PullResult is what one pull did.
type PullResult struct {
	Referrals int // read
	Created   int
	Changed   int
	Errors    int // recorded against the sync
}

// Pull reads the referrals updated since the stored watermark, page by page, and stores each page
// before the watermark moves past it. A referral that cannot be used is recorded as a sync error and
// the rest go on; an error of the call itself ends the pull (the next one starts where it stopped).
func (s *Syncer) Pull(ctx context.Context) (PullResult, error) {
	var res PullResult
	if err := s.DB.PrunePCQueue(ctx, s.Clock.Now().Add(-30*24*time.Hour)); err != nil {
		return res, err
	}
	conn, err := s.DB.PCConnection(ctx)
	if err != nil {
		return res, err
	}
	cursor := conn.PullCursor
	var pullErr error
	for page, err := range s.Client.List(ctx, cursor) {
		if err != nil {
			pullErr = err
			break
		}
		res.Referrals += len(page.Referrals) + len(page.Invalid)
		for _, inv := range page.Invalid {
			s.syncError(ctx, inv.ID, inv.Err)
			res.Errors++
		}
		c, ch, errs, err := s.store(ctx, page.Referrals, false)
		if err != nil {
			pullErr = err
			break
		}
		res.Created, res.Changed, res.Errors = res.Created+c, res.Changed+ch, res.Errors+errs
		for _, r := range page.Referrals {
			if r.UpdatedDateTime.After(cursor) {
				cursor = r.UpdatedDateTime.Time
			}
		}
		if err := s.DB.SetPCPull(ctx, cursor, s.Clock.Now(), res.Created+res.Changed, ""); err != nil {
			return res, err
		}
	}
	msg := ""
	if pullErr != nil {
		s.noteAuth(ctx, pullErr)
		msg = pullErr.Error()
	}
	if err := s.DB.SetPCPull(ctx, cursor, s.Clock.Now(), res.Created+res.Changed, msg); err != nil {
		return res, err
	}
	return res, pullErr
}

// store hands the qualified leads among refs to the leads service, after the same validation and
// consent rule as every incoming lead; what cannot be used is recorded as a sync error. force applies
// a referral even when its eTag is the one stored (our own push just returned it).
func (s *Syncer) store(ctx context.Context, refs []partnercenter.Referral, force bool) (created, changed, errs int, err error) {
	items := make([]leads.FromPartnerCenter, 0, len(refs))
	for _, r := range refs {
		if !partnercenter.IsQualifiedLead(r) {
			continue // marketplace leads and co-sell opportunities are not this sync's
		}
		l, err := partnercenter.ToLead(r)
		if err == nil {
			stated := r.Consent.ConsentToContact
			l.CustomerRequestedContact, l.CustomerConsent = intake.Consent(l.CTA, r.Details.CustomerRequestedContact, &stated)
			err = intake.Validate(ctx, l, db.SpamChecker{Ctx: ctx, Q: s.DB}, s.DNS)
		}
		if err != nil {
			s.syncError(ctx, r.ID, err)
			errs++
			continue
		}
		items = append(items, leads.FromPartnerCenter{Lead: l, ReferralID: r.ID, ETag: r.ETag, UpdatedAt: r.UpdatedDateTime.Time, Force: force})
	}
	if len(items) == 0 {
		return 0, 0, errs, nil
	}
	res, err := s.Leads.ReceiveFromPartnerCenter(ctx, items)
	if err != nil {
		return 0, 0, errs, err
	}
	for i, r := range res {
		switch {
		case r.Err != nil:
			s.syncError(ctx, items[i].ReferralID, r.Err)
			errs++
		case r.Created:
			created++
		case r.Changed:
			changed++
		}
	}
	return created, changed, errs, nil
}

func (s *Syncer) syncError(ctx context.Context, referralID string, err error) {
	s.Log.Warn("partner center: referral not used", "referral", referralID, "err", err)
	if derr := s.DB.AddPCSyncError(ctx, db.PCSyncError{At: s.Clock.Now(), ReferralID: referralID, Error: err.Error()}); derr != nil {
		s.Log.Error("partner center: record sync error", "err", derr)
	}
}

// ErrBadEvent is a webhook body that is not an event.
var ErrBadEvent = errors.New("pcsync: not a Partner Center event")

// ReceiveEvent takes a webhook event's body: a referral event under the configured API base queues
// a fetch of that referral (by its id, from the API base); other events are acknowledged and ignored.
// A ResourceUri elsewhere is partnercenter.ErrForeignLink, a body that is no event ErrBadEvent.
func (s *Syncer) ReceiveEvent(ctx context.Context, body []byte) error {
	ev, err := s.Client.ParseEvent(body)
	if errors.Is(err, partnercenter.ErrForeignLink) {
		return err
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadEvent, err)
	}
	if ev.ReferralID == "" {
		return nil
	}
	return s.DB.EnqueuePCFetch(ctx, ev.ReferralID, s.Clock.Now())
}

// Backoff is the wait before retry number attempts+1: 10 s, 20 s, 40 s, … capped at one hour.
func Backoff(attempts int) time.Duration {
	d := 10 * time.Second
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// RunQueue sends every due row of the sync queue as of now (the pc-queue job): pushes with If-Match,
// fetches the webhook asked for. Only a database error is returned; the outcome of a call is recorded
// on its row and lead.
func (s *Syncer) RunQueue(ctx context.Context, now time.Time) error {
	for i := 0; i < maxPerRun && ctx.Err() == nil; i++ {
		row, err := s.DB.ClaimPCQueue(ctx, now, lease)
		if errors.Is(err, db.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var stop bool
		if row.Kind == "fetch" {
			stop, err = s.fetch(ctx, row, now)
		} else {
			stop, err = s.push(ctx, row, now)
		}
		if err != nil || stop {
			return err
		}
	}
	return nil
}

// callFailed records a failed call on row: a grant problem waits for a reconnect (and stops the run),
// throttling and passing trouble retry after Retry-After or the backoff, anything else fails for good.
func (s *Syncer) callFailed(ctx context.Context, row *db.PCQueueRow, now time.Time, err error) (stop bool, _ error) {
	if s.noteAuth(ctx, err) {
		return true, s.DB.RetryPCQueue(ctx, row.ID, now.Add(authWait), err.Error(), false)
	}
	if ok, wait := partnercenter.IsRetryable(err); ok && row.Attempts < maxAttempts {
		if wait <= 0 {
			wait = Backoff(row.Attempts)
		}
		s.Log.Warn("partner center: call delayed", "row", row.ID, "attempt", row.Attempts, "retry_in", wait, "err", err)
		return false, s.DB.RetryPCQueue(ctx, row.ID, now.Add(wait), err.Error(), true)
	}
	s.Log.Warn("partner center: call refused", "row", row.ID, "err", err)
	return false, s.DB.FailPCQueue(ctx, row, err.Error(), now)
}

// fetch reads the referral a webhook event pointed at and stores it like a pulled one.
func (s *Syncer) fetch(ctx context.Context, row *db.PCQueueRow, now time.Time) (bool, error) {
	r, err := s.Client.Get(ctx, row.ReferralID)
	if errors.Is(err, partnercenter.ErrNotFound) {
		s.syncError(ctx, row.ReferralID, err)
		return false, s.DB.DonePCQueue(ctx, row.ID, now)
	}
	if err != nil {
		return s.callFailed(ctx, row, now, err)
	}
	if _, _, _, err := s.store(ctx, []partnercenter.Referral{r}, false); err != nil {
		return false, err
	}
	return false, s.DB.DonePCQueue(ctx, row.ID, now)
}

// Fields are the values of a lead both sides write, as the conflict banner shows them.
type Fields struct {
	Status    string `json:"status"`
	Outcome   string `json:"outcome,omitempty"`
	DealValue int64  `json:"deal_value"`
	Currency  string `json:"currency,omitempty"`
	CloseDate string `json:"close_date,omitempty"`
}

// FieldsOf reads a lead's Fields.
func FieldsOf(l *lead.Lead) Fields {
	return Fields{Status: l.Status, Outcome: l.Outcome, DealValue: l.DealValue, Currency: l.Currency, CloseDate: l.PurchaseDate}
}

// base is what a push row keeps to judge a 412: the fields before and after the change it carries.
type base struct {
	Before Fields `json:"before"`
	After  Fields `json:"after"`
}

// Conflict is both sides' values of a lead in conflict, stored beside it for the banner.
type Conflict struct {
	Ours    Fields   `json:"ours"`
	Theirs  Fields   `json:"theirs"`
	Touched []string `json:"touched"` // the fields that disagree
}

// touched are the Fields a patch writes.
func touched(ops []partnercenter.PatchOp) []string {
	var out []string
	for _, op := range ops {
		switch op.Path {
		case "/status":
			out = append(out, "status")
		case "/details/dealValue":
			out = append(out, "deal_value")
		case "/details/currency":
			out = append(out, "currency")
		case "/details/closingDateTime":
			out = append(out, "close_date")
		}
	}
	return out
}

// teamHas reports whether the referral's team already has every member the ops add (by email): a
// push made before a crash is not made twice.
func teamHas(r partnercenter.Referral, ops []partnercenter.PatchOp) bool {
	added := 0
	for _, op := range ops {
		m, ok := op.Value.(map[string]any)
		if op.Path != "/team/-" || !ok {
			continue
		}
		added++
		email, _ := m["email"].(string)
		if email == "" || !slices.ContainsFunc(r.Team, func(t partnercenter.Member) bool { return strings.EqualFold(t.Email, email) }) {
			return false
		}
	}
	return added > 0
}

// equalOn reports whether a and b agree on the named fields.
func equalOn(a, b Fields, fields []string) bool {
	for _, f := range fields {
		switch f {
		case "status":
			if a.Status != b.Status || a.Outcome != b.Outcome {
				return false
			}
		case "deal_value":
			if a.DealValue != b.DealValue {
				return false
			}
		case "currency":
			if a.Currency != b.Currency {
				return false
			}
		case "close_date":
			if a.CloseDate != b.CloseDate {
				return false
			}
		}
	}
	return true
}

// push sends one queued change with If-Match. On 412 it re-reads the referral: when Partner Center
// already has our values the push is done (a push sent before a crash is never sent twice); when it
// still has the values the change started from (someone changed something else) the push goes again
// with the fresh eTag; otherwise the two sides disagree and the lead is in conflict until a Referrals
// admin chooses.
func (s *Syncer) push(ctx context.Context, row *db.PCQueueRow, now time.Time) (bool, error) {
	ref, err := db.PCReferralByLead(ctx, s.DB, row.LeadID)
	if errors.Is(err, db.ErrNotFound) {
		return false, s.DB.DonePCQueue(ctx, row.ID, now)
	}
	if err != nil {
		return false, err
	}
	var ops []partnercenter.PatchOp
	var b base
	if err := json.Unmarshal([]byte(row.Ops), &ops); err != nil {
		return false, s.DB.FailPCQueue(ctx, row, "unreadable patch: "+err.Error(), now)
	}
	_ = json.Unmarshal([]byte(row.Base), &b)
	for try := 0; try < 3; try++ {
		r, err := s.Client.Patch(ctx, ref.ReferralID, ref.ETag, ops)
		if err == nil && try > 0 {
			// Sent on a fresher version: what else changed there (fields this push did not touch) is
			// brought here like any change made in Partner Center.
			if err := s.pushed(ctx, row, ref, r, now); err != nil {
				return false, err
			}
			_, _, _, err := s.store(ctx, []partnercenter.Referral{r}, true)
			return false, err
		}
		if err == nil {
			return false, s.pushed(ctx, row, ref, r, now)
		}
		if !errors.Is(err, partnercenter.ErrStale) {
			return s.callFailed(ctx, row, now, err)
		}
		fresh, gerr := s.Client.Get(ctx, ref.ReferralID)
		if gerr != nil {
			return s.callFailed(ctx, row, now, gerr)
		}
		theirsLead, merr := partnercenter.ToLead(fresh)
		if merr != nil {
			return false, s.DB.FailPCQueue(ctx, row, merr.Error(), now)
		}
		theirs, fields := FieldsOf(theirsLead), touched(ops)
		switch {
		case len(fields) > 0 && equalOn(theirs, b.After, fields), len(fields) == 0 && teamHas(fresh, ops):
			return false, s.pushed(ctx, row, ref, fresh, now)
		case len(fields) == 0 || equalOn(theirs, b.Before, fields):
			ref.ETag = fresh.ETag // nothing of ours changed there: the same change, on the fresh version
			continue
		}
		l, err := s.DB.LeadByID(ctx, row.LeadID)
		if err != nil {
			return false, err
		}
		ours := FieldsOf(l)
		var differ []string
		for _, f := range []string{"status", "deal_value", "currency", "close_date"} {
			if !equalOn(ours, theirs, []string{f}) {
				differ = append(differ, f)
			}
		}
		c, _ := json.Marshal(Conflict{Ours: ours, Theirs: theirs, Touched: differ})
		ref.State, ref.Conflict, ref.Error, ref.LastSyncAt = db.PCConflict, string(c), "", &now
		if err := db.SavePCReferralTx(ctx, s.DB, ref); err != nil {
			return false, err
		}
		s.Log.Info("partner center: conflict", "lead", row.LeadID, "referral", ref.ReferralID)
		return false, s.DB.HoldPCQueue(ctx, row.ID, now)
	}
	return s.callFailed(ctx, row, now, partnercenter.ErrStale)
}

// pushed records a push Partner Center has: the referral's new eTag, and in sync unless more pushes
// of the lead wait.
func (s *Syncer) pushed(ctx context.Context, row *db.PCQueueRow, ref *db.PCReferral, r partnercenter.Referral, now time.Time) error {
	if err := s.DB.DonePCQueue(ctx, row.ID, now); err != nil {
		return err
	}
	n, err := db.PCPendingPushesTx(ctx, s.DB, row.LeadID)
	if err != nil {
		return err
	}
	ref.ETag, ref.LastSyncAt, ref.Error, ref.Conflict = r.ETag, &now, "", ""
	if !r.UpdatedDateTime.IsZero() {
		ref.UpdatedAt = r.UpdatedDateTime.UTC().Format(time.RFC3339Nano)
	}
	ref.State = db.PCInSync
	if n > 0 {
		ref.State = db.PCPending
	}
	return db.SavePCReferralTx(ctx, s.DB, ref)
}

// ErrNoConflict is a resolution asked for a lead that is not in conflict.
var ErrNoConflict = errors.New("pcsync: the lead is not in conflict with Partner Center")

// conflicted reads a lead in conflict with Partner Center: its sync record, the referral as Partner
// Center has it now, and that referral as a lead. ErrNoConflict when the lead is not in conflict.
func (s *Syncer) conflicted(ctx context.Context, leadID int64) (*db.PCReferral, partnercenter.Referral, *lead.Lead, error) {
	ref, err := db.PCReferralByLead(ctx, s.DB, leadID)
	if err != nil {
		return nil, partnercenter.Referral{}, nil, err
	}
	if ref.State != db.PCConflict {
		return nil, partnercenter.Referral{}, nil, ErrNoConflict
	}
	fresh, err := s.Client.Get(ctx, ref.ReferralID)
	if err != nil {
		return nil, partnercenter.Referral{}, nil, err
	}
	l, err := partnercenter.ToLead(fresh)
	if err != nil {
		return nil, partnercenter.Referral{}, nil, err
	}
	return ref, fresh, l, nil
}

// KeepOurs resolves a conflict with this side's values: they are pushed again on the fresh eTag (the
// lead's older waiting pushes are folded into that one).
func (s *Syncer) KeepOurs(ctx context.Context, leadID int64) error {
	ref, fresh, theirs, err := s.conflicted(ctx, leadID)
	if err != nil {
		return err
	}
	ours, err := s.DB.LeadByID(ctx, leadID)
	if err != nil {
		return err
	}
	ops, err := partnercenter.PatchOpsFor(theirs, ours)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	b, _ := json.Marshal(base{Before: FieldsOf(theirs), After: FieldsOf(ours)})
	o, _ := json.Marshal(ops)
	return s.DB.InTx(ctx, func(tx *sql.Tx) error {
		if err := db.SupersedePCPushesTx(ctx, tx, leadID, now); err != nil {
			return err
		}
		ref.ETag, ref.State, ref.Conflict, ref.Error = fresh.ETag, db.PCInSync, "", ""
		if err := db.SavePCReferralTx(ctx, tx, ref); err != nil {
			return err
		}
		if len(ops) == 0 {
			return nil
		}
		return db.EnqueuePCPushTx(ctx, tx, leadID, ref.ReferralID, string(o), string(b), now)
	})
}

// TakeTheirs resolves a conflict with Partner Center's values, applied through the leads service.
func (s *Syncer) TakeTheirs(ctx context.Context, leadID int64) error {
	_, fresh, l, err := s.conflicted(ctx, leadID)
	if err != nil {
		return err
	}
	_, err = s.Leads.ApplyPartnerCenterChange(ctx, leadID, leads.FromPartnerCenter{Lead: l, ReferralID: fresh.ID, ETag: fresh.ETag, UpdatedAt: fresh.UpdatedDateTime.Time})
	return err
}
