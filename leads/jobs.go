package leads

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/lifecycle"
)

// The background jobs' transitions (docs/design.md §3.3). Each runs as of now in batches of jobBatch leads per
// transaction, so a backlog never holds the write lock for long; the store finds the candidates by
// their indexed columns and the lifecycle's Due… rules decide. Every transaction takes SQLite's write
// lock at BEGIN, and each lead is saved under its version guard, so two runs at once change, record
// and notify each lead exactly once.

// jobBatch bounds each job transaction.
const jobBatch = 500

// ExpireOverdue archives as expired every received actionable lead whose respond-by time has passed
// (lifecycle.DueToExpire), recording an Expired event for each, and answers how many it changed.
func (s *Service) ExpireOverdue(ctx context.Context, now time.Time) (int, error) {
	return s.transition(ctx, now, "expire", db.LeadsToExpireTx, lifecycle.Expire, "expired",
		func(c lead.Change, before *lead.Lead) lead.Event { return lead.Expired{Change: c, Before: before} })
}

// ArchiveInformational archives informational leads (no lifecycle) once they reach their archival
// age (lifecycle.DueForArchival), recording an Archived event for each, and answers how many.
func (s *Service) ArchiveInformational(ctx context.Context, now time.Time) (int, error) {
	return s.transition(ctx, now, "archive informational", db.LeadsToArchiveTx, lifecycle.ArchiveInformational, "archived",
		func(c lead.Change, before *lead.Lead) lead.Event { return lead.Archived{Change: c, Before: before} })
}

// transition runs one job's transition batch by batch until no due lead is left.
func (s *Service) transition(ctx context.Context, now time.Time, name string,
	candidates func(context.Context, db.Querier, time.Time, int) ([]*lead.Lead, error),
	apply func(*lead.Lead, time.Time) (*lead.Lead, error), kind string,
	event func(lead.Change, *lead.Lead) lead.Event) (int, error) {
	by := lead.JobActor()
	total := 0
	for {
		n, seen := 0, 0
		err := s.db.InTx(ctx, func(tx *sql.Tx) error {
			n = 0
			leads, err := candidates(ctx, tx, now, jobBatch)
			if err != nil {
				return err
			}
			seen = len(leads)
			var events []recorded
			for _, l := range leads {
				after, err := apply(l, now)
				if errors.Is(err, lifecycle.ErrState) {
					continue // not due by the lifecycle's rule
				}
				if err != nil {
					return err
				}
				changes, err := db.SaveLeadTx(ctx, tx, l, after, dbActor(by), kind, nil)
				if err != nil {
					return fmt.Errorf("lead %d: %w", l.ID, err)
				}
				events = append(events, recorded{event(lead.Change{Lead: after, Actor: by, At: now}, l), changes})
				n++
			}
			return s.record(ctx, tx, events...)
		})
		if err != nil {
			return total, fmt.Errorf("leads: %s: %w", name, err)
		}
		total += n
		// A full batch where nothing changed would loop forever; stop and let the next run retry.
		if seen < jobBatch || n == 0 {
			return total, nil
		}
	}
}

// RemindExpiring records an ExpiryNear event once per received actionable lead that expires within
// lifecycle.ReminderBefore (lifecycle.DueForReminder), with a "reminded" timeline entry as the
// once-only guard, and answers how many it reminded.
func (s *Service) RemindExpiring(ctx context.Context, now time.Time) (int, error) {
	by := lead.JobActor()
	total := 0
	for {
		n, seen := 0, 0
		err := s.db.InTx(ctx, func(tx *sql.Tx) error {
			n = 0
			leads, err := db.LeadsToRemindTx(ctx, tx, now, lifecycle.ReminderBefore, jobBatch)
			if err != nil {
				return err
			}
			seen = len(leads)
			var events []recorded
			for _, l := range leads {
				if !lifecycle.DueForReminder(l, now) {
					continue
				}
				first, err := db.MarkRemindedTx(ctx, tx, l.ID, dbActor(by), now)
				if err != nil {
					return err
				}
				if !first {
					continue
				}
				events = append(events, recorded{event: lead.ExpiryNear{Change: lead.Change{Lead: l, Actor: by, At: now}}})
				n++
			}
			return s.record(ctx, tx, events...)
		})
		if err != nil {
			return total, fmt.Errorf("leads: remind expiring: %w", err)
		}
		total += n
		if seen < jobBatch || n == 0 {
			return total, nil
		}
	}
}
