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
func (s *Service) NotifyResponseTargets(ctx context.Context, now time.Time, loc *time.Location) (warned, escalated int, err error) {
	by := lead.JobActor()
	var after int64
	for {
		seen := 0
		err := s.db.InTx(ctx, func(tx *sql.Tx) error {
			settings, err := db.SLASettingsTx(ctx, tx, loc)
			if err != nil {
				return err
			}
			// Counted time never runs faster than the wall clock, so a lead younger than 75 % of the
			// shortest target cannot be due yet.
			shortest := sla.MaxTarget
			for _, t := range settings.Policy.Targets {
				shortest = min(shortest, t)
			}
			candidates, err := db.LeadsAwaitingAnswerTx(ctx, tx, now.Add(-shortest*3/4), after, jobBatch)
			if err != nil {
				return err
			}
			seen = len(candidates)
			var events []recorded
			for _, l := range candidates {
				after = l.ID
				st := settings.Policy.Of(l, now)
				change := lead.Change{Lead: l, Actor: by, At: now}
				if st.State != sla.DueSoon && st.State != sla.Overdue {
					continue
				}
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
		if err != nil {
			return warned, escalated, fmt.Errorf("leads: response targets: %w", err)
		}
		if seen < jobBatch {
			return warned, escalated, nil
		}
	}
}
