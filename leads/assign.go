package leads

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/lifecycle"
)

// RulesActor is who the timeline and the events name when the assignment rules gave a lead its owner.
func RulesActor() lead.Actor { return lead.Actor{Label: "assignment rules"} }

// assigner applies the assignment rules (issue 17) inside one transaction: the first rule whose
// conditions a lead meets gives it an owner — its one user, or the next member of its round-robin
// group — skipping members who are away or no longer Referrals admins; a rule none of whose members
// can take the lead passes it on to the next rule; a lead no rule takes stays unassigned.
type assigner struct {
	rules    []*db.AssignmentRule
	away     map[int64]bool
	eligible map[int64]bool
	moved    map[int64]bool // rules whose round-robin cursor moved
}

func newAssignerTx(ctx context.Context, tx *sql.Tx, now time.Time) (*assigner, error) {
	rules, err := db.AssignmentRulesTx(ctx, tx)
	if err != nil || len(rules) == 0 {
		return &assigner{}, err
	}
	a := &assigner{rules: rules, eligible: map[int64]bool{}, moved: map[int64]bool{}}
	if a.away, err = db.AwayUsersTx(ctx, tx, now); err != nil {
		return nil, err
	}
	for _, r := range rules {
		for _, m := range r.Members {
			if _, seen := a.eligible[m]; seen {
				continue
			}
			_, err := db.OwnerByIDTx(ctx, tx, m)
			if err != nil && !errors.Is(err, db.ErrNotFound) {
				return nil, err
			}
			a.eligible[m] = err == nil
		}
	}
	return a, nil
}

// matches reports whether l meets every condition of r (an empty condition is met by any lead).
func matches(r *db.AssignmentRule, l *lead.Lead) bool {
	in := func(set []string, v string) bool { return len(set) == 0 || slices.Contains(set, v) }
	return (len(r.Locations) == 0 || slices.Contains(r.Locations, l.LocationID)) && in(r.Countries, l.Country) &&
		in(r.Sources, l.Source) && in(r.CTAs, l.CTA) && in(r.Types, l.LeadType) && in(r.Classifications, l.Classification)
}

// pick is the owner the rules give l, or 0; it moves the round-robin cursor of the rule that gave one.
func (a *assigner) pick(l *lead.Lead) int64 {
	for _, r := range a.rules {
		if len(r.Members) == 0 || !matches(r, l) {
			continue
		}
		n := len(r.Members)
		for k := 0; k < n; k++ {
			i := (r.Next + k) % n
			m := r.Members[i]
			if !a.eligible[m] || a.away[m] {
				continue
			}
			if n > 1 {
				r.Next = (i + 1) % n
				a.moved[r.ID] = true
			}
			return m
		}
	}
	return 0
}

// save stores the round-robin cursors that moved.
func (a *assigner) save(ctx context.Context, tx *sql.Tx) error {
	for _, r := range a.rules {
		if a.moved[r.ID] {
			if err := db.SetAssignmentNextTx(ctx, tx, r.ID, r.Next); err != nil {
				return err
			}
		}
	}
	return nil
}

// assignedOnArrival is the timeline entry and event of a new lead the rules gave an owner.
func assignedOnArrival(ctx context.Context, tx *sql.Tx, l *lead.Lead, now time.Time) (recorded, error) {
	to, err := db.UserLabelTx(ctx, tx, l.OwnerID)
	if err != nil {
		return recorded{}, err
	}
	changes := map[string][2]string{"owner": {"", to}}
	by := RulesActor()
	if err := db.AddLeadEventTx(ctx, tx, l.ID, now, 0, by.Label, "assigned", db.ChangesJSON(changes)); err != nil {
		return recorded{}, err
	}
	before := *l
	before.OwnerID = 0
	return recorded{lead.Assigned{Change: lead.Change{Lead: l, Actor: by, At: now}, Before: &before}, changes}, nil
}

// MaxRerun bounds one "re-run the rules on unassigned leads", so its transaction stays short.
const MaxRerun = 5000

// AssignUnassigned runs the assignment rules over the leads that have no owner and are not archived
// (the oldest MaxRerun), in one transaction: each lead a rule takes gets its owner as AssignOwner would
// give it (timeline, lead.Assigned event). It answers how many got one and how many stay unassigned.
func (s *Service) AssignUnassigned(ctx context.Context, by lead.Actor) (assigned, left int, err error) {
	if !lifecycle.CanWork(by) {
		return 0, 0, ErrRole
	}
	ids, err := s.db.UnassignedOpenLeadIDs(ctx, MaxRerun)
	if err != nil {
		return 0, 0, err
	}
	now := s.clock.Now()
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		assigned, left = 0, 0
		as, err := newAssignerTx(ctx, tx, now)
		if err != nil {
			return err
		}
		var events []recorded
		for _, id := range ids {
			l, err := db.LeadByIDTx(ctx, tx, id)
			if errors.Is(err, db.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if l.OwnerID != 0 || lifecycle.CheckAssign(l, by) != nil {
				continue // assigned or archived meanwhile
			}
			owner := as.pick(l)
			if owner == 0 {
				left++
				continue
			}
			_, ev, err := s.assignTx(ctx, tx, by, l, owner)
			if err != nil {
				return fmt.Errorf("leads: assign lead %d: %w", id, err)
			}
			if ev != nil {
				events = append(events, *ev)
				assigned++
			}
		}
		if err := as.save(ctx, tx); err != nil {
			return err
		}
		return s.record(ctx, tx, events...)
	})
	if err != nil {
		return 0, 0, err
	}
	return assigned, left, nil
}
