package leads

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/lifecycle"
)

// The actions a person does on one lead (docs/design.md §3.3). Each takes the version the request was based
// on: 0 accepts whatever is stored, any other number that is not the stored version is ErrStale.

// action is one lifecycle action on one lead: what it stores beside the lead (team, contacts — their
// change joins the same timeline entry) and the event it records.
type action struct {
	by      lead.Actor
	id      int64
	version int64
	a       lifecycle.Action
	in      lifecycle.Input
	beside  func(ctx context.Context, tx *sql.Tx, l *lead.Lead, now time.Time, extra map[string][2]string) error
	event   func(c lead.Change, before *lead.Lead) lead.Event
}

// work does one action in one transaction: read the lead afresh, let the lifecycle decide, refuse a
// request based on another version, store what goes beside the lead, save under the version guard
// with its timeline entry, and record the event. It answers the lead as saved.
func (s *Service) work(ctx context.Context, w action) (*lead.Lead, error) {
	now := s.clock.Now()
	var saved *lead.Lead
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		l, err := db.LeadByIDTx(ctx, tx, w.id)
		if err != nil {
			return notFound(err, w.id)
		}
		after, err := lifecycle.Apply(l, w.by, w.a, w.in, now)
		if err != nil {
			return err
		}
		if w.version != 0 && w.version != l.Version {
			return ErrStale
		}
		extra := map[string][2]string{}
		if w.beside != nil {
			if err := w.beside(ctx, tx, l, now, extra); err != nil {
				return err
			}
		}
		changes, err := db.SaveLeadTx(ctx, tx, l, after, dbActor(w.by), lifecycle.EventKind(w.a), extra)
		if err != nil {
			return err
		}
		if err := s.record(ctx, tx, recorded{w.event(lead.Change{Lead: after, Actor: w.by, At: now}, l), changes}); err != nil {
			return err
		}
		saved = after
		return nil
	})
	return saved, err
}

// Accept accepts a received lead with its deal, sets its team (user ids) and adds the extra company
// contacts given with it.
func (s *Service) Accept(ctx context.Context, by lead.Actor, id, version int64, deal lifecycle.Deal, team []int64, contacts []lead.Contact) (*lead.Lead, error) {
	return s.work(ctx, action{by: by, id: id, version: version, a: lifecycle.Accept, in: lifecycle.Input{Deal: deal},
		beside: teamAndContacts(team, contacts),
		event:  func(c lead.Change, before *lead.Lead) lead.Event { return lead.Accepted{Change: c, Before: before} }})
}

// Edit changes an accepted lead's deal and team.
func (s *Service) Edit(ctx context.Context, by lead.Actor, id, version int64, deal lifecycle.Deal, team []int64) (*lead.Lead, error) {
	return s.work(ctx, action{by: by, id: id, version: version, a: lifecycle.Edit, in: lifecycle.Input{Deal: deal},
		beside: teamAndContacts(team, nil),
		event:  func(c lead.Change, before *lead.Lead) lead.Event { return lead.Edited{Change: c, Before: before} }})
}

// Decline declines a received lead with one of lead.DeclineReasons.
func (s *Service) Decline(ctx context.Context, by lead.Actor, id, version int64, reason, notes string) (*lead.Lead, error) {
	if !slices.Contains(lead.DeclineReasons, reason) {
		return nil, fmt.Errorf("%w: decline reason %q", ErrInvalid, reason)
	}
	return s.work(ctx, action{by: by, id: id, version: version, a: lifecycle.Decline, in: lifecycle.Input{Reason: reason, ReasonNotes: notes},
		event: func(c lead.Change, before *lead.Lead) lead.Event { return lead.Declined{Change: c, Before: before} }})
}

// Won marks an accepted lead's deal won.
func (s *Service) Won(ctx context.Context, by lead.Actor, id, version int64) (*lead.Lead, error) {
	return s.work(ctx, action{by: by, id: id, version: version, a: lifecycle.Won,
		event: func(c lead.Change, before *lead.Lead) lead.Event { return lead.Won{Change: c, Before: before} }})
}

// Lost marks an accepted lead's deal lost with one of lead.LostReasons.
func (s *Service) Lost(ctx context.Context, by lead.Actor, id, version int64, reason, notes string) (*lead.Lead, error) {
	if !slices.Contains(lead.LostReasons, reason) {
		return nil, fmt.Errorf("%w: lost reason %q", ErrInvalid, reason)
	}
	return s.work(ctx, action{by: by, id: id, version: version, a: lifecycle.Lost, in: lifecycle.Input{Reason: reason, ReasonNotes: notes},
		event: func(c lead.Change, before *lead.Lead) lead.Event { return lead.Lost{Change: c, Before: before} }})
}

// AddEmployee adds an employee to an accepted lead.
func (s *Service) AddEmployee(ctx context.Context, by lead.Actor, id, version int64, emp lead.Contact) (*lead.Lead, error) {
	if emp.Name == "" {
		return nil, fmt.Errorf("%w: an employee needs a name", ErrInvalid)
	}
	return s.work(ctx, action{by: by, id: id, version: version, a: lifecycle.AddEmployee,
		beside: func(ctx context.Context, tx *sql.Tx, l *lead.Lead, now time.Time, extra map[string][2]string) error {
			extra["employee"] = [2]string{"", contactText(emp)}
			return db.AddLeadContactTx(ctx, tx, l.ID, db.LeadContact{Kind: "employee", Name: emp.Name, Email: emp.Email, Phone: emp.Phone}, now)
		},
		event: func(c lead.Change, _ *lead.Lead) lead.Event { return lead.EmployeeAdded{Change: c, Employee: emp} }})
}

// teamAndContacts replaces the team and adds contacts, noting both for the timeline.
func teamAndContacts(team []int64, contacts []lead.Contact) func(context.Context, *sql.Tx, *lead.Lead, time.Time, map[string][2]string) error {
	return func(ctx context.Context, tx *sql.Tx, l *lead.Lead, now time.Time, extra map[string][2]string) error {
		change, err := db.SetLeadTeamTx(ctx, tx, l.ID, team)
		if err != nil {
			return err
		}
		if change[0] != change[1] {
			extra["team"] = change
		}
		for i, ct := range contacts {
			if err := db.AddLeadContactTx(ctx, tx, l.ID, db.LeadContact{Kind: "contact", Name: ct.Name, Email: ct.Email, Phone: ct.Phone}, now); err != nil {
				return err
			}
			extra["contact_"+strconv.Itoa(i+1)] = [2]string{"", contactText(ct)}
		}
		return nil
	}
}

// contactText is a contact as the timeline shows it: "Name, email, phone".
func contactText(ct lead.Contact) string {
	s := ct.Name
	for _, x := range []string{ct.Email, ct.Phone} {
		if x != "" {
			s += ", " + x
		}
	}
	return s
}

// MaxDeclineMany bounds one bulk decline, so its transaction stays short.
const MaxDeclineMany = 500

// DeclineMany declines the given received leads with one reason, in one transaction, recording one
// Declined event per lead. A lead that is gone or moved on meanwhile (accepted, declined, expired) is
// skipped and counted, never changed; an actor who may not work leads changes none (ErrRole).
func (s *Service) DeclineMany(ctx context.Context, by lead.Actor, ids []int64, reason, notes string) (declined, skipped int, err error) {
	if !slices.Contains(lead.DeclineReasons, reason) {
		return 0, 0, fmt.Errorf("%w: decline reason %q", ErrInvalid, reason)
	}
	if len(ids) > MaxDeclineMany {
		return 0, 0, fmt.Errorf("%w: %d leads at once, at most %d", ErrInvalid, len(ids), MaxDeclineMany)
	}
	now := s.clock.Now()
	in := lifecycle.Input{Reason: reason, ReasonNotes: notes}
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		declined, skipped = 0, 0
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
			after, err := lifecycle.Apply(l, by, lifecycle.Decline, in, now)
			if errors.Is(err, lifecycle.ErrState) {
				skipped++
				continue
			}
			if err != nil {
				return err
			}
			changes, err := db.SaveLeadTx(ctx, tx, l, after, dbActor(by), lifecycle.EventKind(lifecycle.Decline), nil)
			if err != nil {
				return err
			}
			events = append(events, recorded{lead.Declined{Change: lead.Change{Lead: after, Actor: by, At: now}, Before: l}, changes})
			declined++
		}
		return s.record(ctx, tx, events...)
	})
	if err != nil {
		return 0, 0, err
	}
	return declined, skipped, nil
}

// Declinable splits ids into the leads the actor may decline now and the number of the others (gone,
// or in a state that offers no decline), for the bulk decline dialog.
func (s *Service) Declinable(ctx context.Context, by lead.Actor, ids []int64) ([]int64, int, error) {
	var ok []int64
	skipped := 0
	for _, id := range ids {
		l, err := s.db.LeadByID(ctx, id)
		if errors.Is(err, db.ErrNotFound) {
			skipped++
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		if lifecycle.Check(l, by, lifecycle.Decline) == nil {
			ok = append(ok, id)
		} else {
			skipped++
		}
	}
	return ok, skipped, nil
}

// SetFavorite hearts (on) or un-hearts a lead for the actor. A heart is the actor's own bookmark, not
// a change to the lead (no version, no timeline entry), so it records no event: nobody else — the
// team, Partner Center, a webhook — is told about it.
func (s *Service) SetFavorite(ctx context.Context, by lead.Actor, id int64, on bool) error {
	return notFound(s.db.SetFavorite(ctx, by.UserID, id, on, s.clock.Now()), id)
}

// ToggleFavorite flips the actor's heart on a lead and answers the new state.
func (s *Service) ToggleFavorite(ctx context.Context, by lead.Actor, id int64) (bool, error) {
	cur, err := s.db.IsFavorite(ctx, by.UserID, id)
	if err != nil {
		return false, err
	}
	return !cur, s.SetFavorite(ctx, by, id, !cur)
}
