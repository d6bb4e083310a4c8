package leads

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/sla"
)

// NotifyResponseTargets is the response-target job (issue 17): as of now, every lead waiting for its
// first answer that used 75 % of its target records a ResponseDueSoon event (the owner is mailed and
// sees it in the Action Center), and every lead past its target a ResponseMissed event (the
// escalation); each once per lead, guarded by the notice row written in the same transaction as the
// event and its mail. The sla package decides; loc is the business hours' zone. It answers how many
// warnings and escalations it recorded.
//
// The waiting leads are read outside any transaction; only the few that are due are read again and
// changed in a write transaction, so the job holds SQLite's write lock for milliseconds, not for the
// scan of every waiting lead.
func (s *Service) NotifyResponseTargets(ctx context.Context, now time.Time, loc *time.Location) (warned, escalated int, err error) {
	settings, err := s.db.SLASettings(ctx, loc)
	if err != nil {
		return 0, 0, fmt.Errorf("leads: response targets: %w", err)
	}
	// Counted time never runs faster than the wall clock, so a lead younger than 75 % of the shortest
	// target cannot be due yet.
	shortest := sla.MaxTarget
	for _, t := range settings.Policy.Targets {
		shortest = min(shortest, t)
	}
	var after int64
	for {
		candidates, err := db.LeadsAwaitingAnswerTx(ctx, s.db, now.Add(-shortest*3/4), after, jobBatch)
		if err != nil {
			return warned, escalated, fmt.Errorf("leads: response targets: %w", err)
		}
		// Overdue leads are not escalated yet (the scan leaves those out); leads at 75 % may have been
		// warned already.
		var due, soon []int64
		for _, l := range candidates {
			after = l.ID
			switch settings.Policy.Of(l, now).State {
			case sla.Overdue:
				due = append(due, l.ID)
			case sla.DueSoon:
				soon = append(soon, l.ID)
			}
		}
		done, err := db.WarnedLeads(ctx, s.db, soon)
		if err != nil {
			return warned, escalated, fmt.Errorf("leads: response targets: %w", err)
		}
		for _, id := range soon {
			if !done[id] {
				due = append(due, id)
			}
		}
		if len(due) > 0 {
			w, e, err := s.notifyResponseTargets(ctx, due, now, settings)
			warned, escalated = warned+w, escalated+e
			if err != nil {
				return warned, escalated, fmt.Errorf("leads: response targets: %w", err)
			}
		}
		if len(candidates) < jobBatch {
			return warned, escalated, nil
		}
	}
}

// notifyResponseTargets warns of or escalates the due leads ids in one transaction, each read afresh:
// a contact logged or an answer given since the scan ends its wait.
func (s *Service) notifyResponseTargets(ctx context.Context, ids []int64, now time.Time, settings *db.SLASettings) (warned, escalated int, err error) {
	by := lead.JobActor()
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		warned, escalated = 0, 0
		var events []recorded
		for _, id := range ids {
			l, err := db.LeadByIDTx(ctx, tx, id)
			if err != nil {
				return notFound(err, id)
			}
			st := settings.Policy.Of(l, now)
			if st.State != sla.DueSoon && st.State != sla.Overdue {
				continue
			}
			change := lead.Change{Lead: l, Actor: by, At: now}
			// A lead found past its target long after (sla.LateNoticeAfter) is recorded, not mailed.
			fresh := st.State == sla.DueSoon || sla.Fresh(st.Due, now)
			first, err := db.MarkSLANoticeTx(ctx, tx, l.ID, "warned", now, fresh)
			if err != nil {
				return err
			}
			// A lead found already past its target (the job did not run in between) is only
			// escalated: a warning about a missed target says nothing the escalation does not.
			if first && st.State == sla.DueSoon {
				events = append(events, recorded{event: lead.ResponseDueSoon{Change: change, Due: st.Due}})
				warned++
			}
			if st.State != sla.Overdue {
				continue
			}
			first, err = db.MarkSLANoticeTx(ctx, tx, l.ID, "escalated", now, fresh)
			if err != nil {
				return err
			}
			if first && fresh {
				events = append(events, recorded{event: lead.ResponseMissed{Change: change, Due: st.Due, EscalateTo: settings.EscalateTo}})
				escalated++
			}
		}
		return s.record(ctx, tx, events...)
	})
	return warned, escalated, err
}
