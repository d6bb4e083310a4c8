package leads

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/lifecycle"
	"leaddesk/sla"
)

// ActivityKinds are what can be logged on a lead; ActivityOutcomes how it went ("" = not said).
var (
	ActivityKinds    = []string{"call", "email", "meeting", "note"}
	ActivityOutcomes = []string{"reached", "no_answer", "left_message", "interested", "not_interested"}
)

// Activity is what a person logs: the kind, outcome, free text, when it happened, and an optional
// next step due on a day (YYYY-MM-DD in the configured zone).
type Activity struct {
	Kind, Outcome, Body string
	At                  time.Time
	NextStep, NextDue   string
}

// LogActivity records an activity on a lead in one transaction: the lifecycle decides whether the
// actor may (an archived lead's history is read-only), the activity is stored, the timeline shows it
// and a lead.activity_logged event is recorded. It answers the activity's id.
func (s *Service) LogActivity(ctx context.Context, by lead.Actor, id int64, a Activity) (int64, error) {
	if !slices.Contains(ActivityKinds, a.Kind) {
		return 0, fmt.Errorf("%w: activity kind %q", ErrInvalid, a.Kind)
	}
	if a.Outcome != "" && !slices.Contains(ActivityOutcomes, a.Outcome) {
		return 0, fmt.Errorf("%w: activity outcome %q", ErrInvalid, a.Outcome)
	}
	if utf8.RuneCountInString(a.Body) > 4000 || utf8.RuneCountInString(a.NextStep) > 200 {
		return 0, fmt.Errorf("%w: activity text too long", ErrInvalid)
	}
	if (a.NextStep == "") != (a.NextDue == "") {
		return 0, fmt.Errorf("%w: a next step needs both what and when", ErrInvalid)
	}
	if a.NextDue != "" {
		if _, err := time.Parse("2006-01-02", a.NextDue); err != nil {
			return 0, fmt.Errorf("%w: next step due %q", ErrInvalid, a.NextDue)
		}
	}
	now := s.clock.Now()
	if a.At.IsZero() {
		a.At = now
	}
	var actID int64
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		l, err := db.LeadByIDTx(ctx, tx, id)
		if err != nil {
			return notFound(err, id)
		}
		if err := lifecycle.CheckAssign(l, by); err != nil {
			return err
		}
		row := db.Activity{LeadID: id, UserID: by.UserID, Kind: a.Kind, Outcome: a.Outcome, Body: a.Body, At: a.At, NextStep: a.NextStep, NextDue: a.NextDue}
		if err := db.AddActivityTx(ctx, tx, &row, now); err != nil {
			return err
		}
		actID = row.ID
		if sla.IsContact(a.Kind) {
			if err := db.SetFirstContactTx(ctx, tx, id, a.At); err != nil {
				return err
			}
		}
		changes := map[string][2]string{}
		if a.Outcome != "" {
			changes["activity_outcome"] = [2]string{"", a.Outcome}
		}
		if b := strings.TrimSpace(a.Body); b != "" {
			changes["activity_text"] = [2]string{"", b}
		}
		if a.NextStep != "" {
			changes["next_step"] = [2]string{"", a.NextStep + " (" + a.NextDue + ")"}
		}
		if err := db.AddLeadEventTx(ctx, tx, id, now, by.UserID, by.Label, "activity_"+a.Kind, db.ChangesJSON(changes)); err != nil {
			return err
		}
		return s.record(ctx, tx, recorded{lead.ActivityLogged{Change: lead.Change{Lead: l, Actor: by, At: now}, ActivityKind: a.Kind,
			Outcome: a.Outcome, NextStep: a.NextStep, NextDue: a.NextDue}, changes})
	})
	return actID, err
}

// CompleteNextStep marks an activity's next step done (its Action Center item goes), with a timeline
// entry and a lead.next_step_done event; done already is no change.
func (s *Service) CompleteNextStep(ctx context.Context, by lead.Actor, activityID int64) (leadID int64, err error) {
	now := s.clock.Now()
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		a, err := db.ActivityByIDTx(ctx, tx, activityID)
		if errors.Is(err, db.ErrNotFound) {
			return fmt.Errorf("%w: activity %d", ErrNotFound, activityID)
		}
		if err != nil {
			return err
		}
		leadID = a.LeadID
		l, err := db.LeadByIDTx(ctx, tx, a.LeadID)
		if err != nil {
			return notFound(err, a.LeadID)
		}
		if err := lifecycle.CheckAssign(l, by); err != nil {
			return err
		}
		if a.NextStep == "" || a.NextDoneAt != nil {
			return nil
		}
		if err := db.CompleteNextStepTx(ctx, tx, activityID, now); err != nil {
			return err
		}
		changes := map[string][2]string{"next_step": {a.NextStep, ""}}
		if err := db.AddLeadEventTx(ctx, tx, l.ID, now, by.UserID, by.Label, "next_step_done", db.ChangesJSON(changes)); err != nil {
			return err
		}
		return s.record(ctx, tx, recorded{lead.NextStepDone{Change: lead.Change{Lead: l, Actor: by, At: now}, NextStep: a.NextStep}, changes})
	})
	return leadID, err
}
