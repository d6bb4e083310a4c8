package leads

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/lifecycle"
)

// ErrNotOwner: the user given as owner is not an enabled Referrals admin (issue 17).
var ErrNotOwner = fmt.Errorf("%w: the owner must be an enabled Referrals admin", ErrInvalid)

// AssignOwner gives a lead an owner (owner 0: unassigns it), in one transaction: the lifecycle decides
// whether the actor may and the lead still takes one (an archived lead keeps its owner), the version
// guard refuses a request based on another version, and the change is in the timeline and recorded
// as a lead.Assigned event. Assigning the owner it already has changes nothing and records nothing.
func (s *Service) AssignOwner(ctx context.Context, by lead.Actor, id, version, owner int64) (*lead.Lead, error) {
	if owner < 0 {
		return nil, fmt.Errorf("%w: owner %d", ErrInvalid, owner)
	}
	var saved *lead.Lead
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		l, err := db.LeadByIDTx(ctx, tx, id)
		if err != nil {
			return notFound(err, id)
		}
		if err := lifecycle.CheckAssign(l, by); err != nil {
			return err
		}
		if version != 0 && version != l.Version {
			return ErrStale
		}
		after, ev, err := s.assignTx(ctx, tx, by, l, owner)
		if err != nil {
			return err
		}
		if ev != nil {
			if err := s.record(ctx, tx, *ev); err != nil {
				return err
			}
		}
		saved = after
		return nil
	})
	return saved, err
}

// assignTx checks the owner and saves the change; a lead that already has that owner is answered as
// is, with no event.
func (s *Service) assignTx(ctx context.Context, tx *sql.Tx, by lead.Actor, l *lead.Lead, owner int64) (*lead.Lead, *recorded, error) {
	if owner == l.OwnerID {
		return l, nil, nil
	}
	if owner != 0 {
		if _, err := db.OwnerByIDTx(ctx, tx, owner); errors.Is(err, db.ErrNotFound) {
			return nil, nil, ErrNotOwner
		} else if err != nil {
			return nil, nil, err
		}
	}
	now := s.clock.Now()
	after, changes, err := db.SetLeadOwnerTx(ctx, tx, l, owner, dbActor(by), now)
	if err != nil {
		return nil, nil, err
	}
	return after, &recorded{lead.Assigned{Change: lead.Change{Lead: after, Actor: by, At: now}, Before: l}, changes}, nil
}

// AssignMany gives the listed leads one owner (0: unassigns them) in one transaction, one Assigned
// event per lead that changed. A lead that is gone or archived is skipped and counted; one that
// already has the owner is neither changed nor counted as skipped. An actor who may not work leads
// changes none (ErrRole).
func (s *Service) AssignMany(ctx context.Context, by lead.Actor, ids []int64, owner int64) (assigned, skipped int, err error) {
	if len(ids) > MaxDeclineMany {
		return 0, 0, fmt.Errorf("%w: %d leads at once, at most %d", ErrInvalid, len(ids), MaxDeclineMany)
	}
	if !lifecycle.CanWork(by) {
		return 0, 0, ErrRole
	}
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		assigned, skipped = 0, 0
		var events []recorded
		for _, id := range ids {
			l, err := db.LeadByIDTx(ctx, tx, id)
			if errors.Is(err, db.ErrNotFound) {
				skipped++
				continue
			}
			if err != nil {
				return err
			}
			if err := lifecycle.CheckAssign(l, by); errors.Is(err, lifecycle.ErrState) {
				skipped++
				continue
			} else if err != nil {
				return err
			}
			_, ev, err := s.assignTx(ctx, tx, by, l, owner)
			if err != nil {
				return err
			}
			if ev != nil {
				events = append(events, *ev)
				assigned++
			}
		}
		return s.record(ctx, tx, events...)
	})
	if err != nil {
		return 0, 0, err
	}
	return assigned, skipped, nil
}
