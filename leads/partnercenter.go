package leads

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"leaddesk/db"
	"leaddesk/lead"
)

// Leads from Partner Center (issue 14). A referral the sync pulls or fetches arrives like every other
// lead (Receive's de-duplication, location routing, notifications and 14-day clock, a Received
// event); a referral already here that changed in Partner Center updates its lead, with a timeline
// entry "changed in Partner Center" and a ChangedInPartnerCenter event, which the sync queue does not
// push back. What the sync keeps beside the lead (referral id, eTag, updatedDateTime, sync state) is
// written in the same transaction.

// PartnerCenterActor is who the changes brought from Partner Center are by.
func PartnerCenterActor() lead.Actor { return lead.Actor{Label: "Partner Center"} }

// PartnerCenterKind is the timeline kind of a change brought from Partner Center.
const PartnerCenterKind = "partner_center"

// FromPartnerCenter is one referral as the sync hands it over: mapped to a lead
// (partnercenter.ToLead) and validated like every incoming lead (intake.Validate, intake.Consent).
type FromPartnerCenter struct {
	Lead       *lead.Lead
	ReferralID string
	ETag       string
	UpdatedAt  time.Time
	// Force applies the referral even when its eTag is the stored one and pushes of the lead wait:
	// the sync's own push just returned it, with what else changed there meanwhile.
	Force bool
}

// PCResult is what became of one referral.
type PCResult struct {
	LeadID  int64
	Created bool  // a new lead
	Changed bool  // an existing lead took Partner Center's change
	Held    bool  // the lead has pushes of its own waiting: they meet the change (412) and settle it
	Err     error // this referral only; the rest of the batch went on
}

// ReceiveFromPartnerCenter stores a batch of referrals in one transaction, each inside its own
// savepoint: a referral that fails (its store or a subscriber) rolls back alone, with nothing half
// written, and its error is in its result. The error returned is the transaction's own.
func (s *Service) ReceiveFromPartnerCenter(ctx context.Context, items []FromPartnerCenter) ([]PCResult, error) {
	now := s.clock.Now()
	res := make([]PCResult, len(items))
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		for i, it := range items {
			sp := "pc" + strconv.Itoa(i)
			if _, err := tx.ExecContext(ctx, "SAVEPOINT "+sp); err != nil {
				return err
			}
			res[i] = s.receivePCTx(ctx, tx, it, now)
			if res[i].Err != nil {
				res[i] = PCResult{Err: res[i].Err}
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
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Service) receivePCTx(ctx context.Context, tx *sql.Tx, it FromPartnerCenter, now time.Time) PCResult {
	if it.Lead == nil || it.ReferralID == "" {
		return PCResult{Err: fmt.Errorf("%w: a referral without id or lead", ErrInvalid)}
	}
	ref, err := db.PCReferralByReferralID(ctx, tx, it.ReferralID)
	switch {
	case errors.Is(err, db.ErrNotFound):
		l := it.Lead
		l.ExternalID = it.ReferralID
		l.ExpiresAt = nil // our 14-day clock, as for every lead
		id, created, err := s.receiveTx(ctx, tx, &incomingReq{l: l, by: PartnerCenterActor(), now: now})
		if err != nil {
			return PCResult{Err: err}
		}
		if !created {
			// The same referral came in before by another way (a CSV import): link it. A lead that
			// repeats one from another referral (the same person within the de-duplication window)
			// stays that one lead, as for every way in.
			if _, err := db.PCReferralByLead(ctx, tx, id); !errors.Is(err, db.ErrNotFound) {
				return PCResult{LeadID: id, Err: err}
			}
			r := PCResult{LeadID: id}
			r.Changed, r.Err = s.applyPCTx(ctx, tx, id, it, now)
			return r
		}
		return PCResult{LeadID: id, Created: true, Err: db.SavePCReferralTx(ctx, tx, &db.PCReferral{LeadID: id, ReferralID: it.ReferralID,
			ETag: it.ETag, UpdatedAt: rfc3339(it.UpdatedAt), State: db.PCInSync, LastSyncAt: &now})}
	case err != nil:
		return PCResult{Err: err}
	}
	if ref.ETag == it.ETag && ref.ETag != "" && !it.Force {
		return PCResult{LeadID: ref.LeadID}
	}
	pending, err := db.PCPendingPushesTx(ctx, tx, ref.LeadID)
	if err != nil {
		return PCResult{Err: err}
	}
	if (pending > 0 || ref.State == db.PCConflict) && !it.Force {
		return PCResult{LeadID: ref.LeadID, Held: true}
	}
	r := PCResult{LeadID: ref.LeadID}
	r.Changed, r.Err = s.applyPCTx(ctx, tx, ref.LeadID, it, now)
	return r
}

// ApplyPartnerCenterChange makes a lead take Partner Center's version of it (the conflict banner's
// "take Partner Center's"): the referral's status and deal replace ours, the lead's waiting pushes are
// dropped and it is in sync again.
func (s *Service) ApplyPartnerCenterChange(ctx context.Context, leadID int64, it FromPartnerCenter) (*lead.Lead, error) {
	now := s.clock.Now()
	var saved *lead.Lead
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		ref, err := db.PCReferralByLead(ctx, tx, leadID)
		if errors.Is(err, db.ErrNotFound) {
			return fmt.Errorf("%w: lead %d did not come from Partner Center", ErrInvalid, leadID)
		}
		if err != nil {
			return err
		}
		if ref.ReferralID != it.ReferralID {
			return fmt.Errorf("%w: referral %s is not lead %d's", ErrInvalid, it.ReferralID, leadID)
		}
		if err := db.SupersedePCPushesTx(ctx, tx, leadID, now); err != nil {
			return err
		}
		if _, err := s.applyPCTx(ctx, tx, leadID, it, now); err != nil {
			return err
		}
		saved, err = db.LeadByIDTx(ctx, tx, leadID)
		return err
	})
	return saved, err
}

// applyPCTx writes Partner Center's status and deal (value, currency, close date: the fields the sync
// carries both ways; the deal's name and notes stay this side's) over the stored lead (a timeline entry and a
// ChangedInPartnerCenter event when anything differs) and records the referral's eTag: the lead is
// in sync.
func (s *Service) applyPCTx(ctx context.Context, tx *sql.Tx, leadID int64, it FromPartnerCenter, now time.Time) (bool, error) {
	before, err := db.LeadByIDTx(ctx, tx, leadID)
	if err != nil {
		return false, notFound(err, leadID)
	}
	after := *before
	pc := it.Lead
	after.Status, after.Outcome = pc.Status, pc.Outcome
	if pc.Status == "archived" {
		after.Reason, after.ReasonNotes = pc.Reason, pc.ReasonNotes
	}
	if pc.DealValue != 0 || pc.Currency != "" {
		after.DealValue, after.Currency = pc.DealValue, pc.Currency
	}
	if pc.PurchaseDate != "" {
		after.PurchaseDate = pc.PurchaseDate
	}
	if before.Status != after.Status {
		switch after.Status {
		case "accepted":
			at := now
			if pc.AcceptedAt != nil {
				at = *pc.AcceptedAt
			}
			after.AcceptedAt, after.ExpiresAt, after.ArchivedAt = &at, nil, nil
		case "archived":
			after.ArchivedAt, after.ExpiresAt = &now, nil
		}
	}
	changed := len(db.LeadChanges(before, &after)) > 0
	if changed {
		after.UpdatedAt = now
		changes, err := db.SaveLeadTx(ctx, tx, before, &after, dbActor(PartnerCenterActor()), PartnerCenterKind, nil)
		if err != nil {
			return false, err
		}
		ev := lead.ChangedInPartnerCenter{Change: lead.Change{Lead: &after, Actor: PartnerCenterActor(), At: now}, Before: before}
		if err := s.record(ctx, tx, recorded{ev, changes}); err != nil {
			return false, err
		}
	}
	state := db.PCInSync
	if pending, err := db.PCPendingPushesTx(ctx, tx, leadID); err != nil {
		return false, err
	} else if pending > 0 {
		state = db.PCPending
	}
	return changed, db.SavePCReferralTx(ctx, tx, &db.PCReferral{LeadID: leadID, ReferralID: it.ReferralID, ETag: it.ETag,
		UpdatedAt: rfc3339(it.UpdatedAt), State: state, LastSyncAt: &now})
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
