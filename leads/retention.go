package leads

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"leaddesk/db"
	"leaddesk/lead"
)

// Retention (issue 19): personal data is kept no longer than needed. Each rule says: archived leads
// with this outcome (and of this kind, or any) are anonymised or deleted N days after they were
// archived. Anonymising keeps what Insights count (dates, source, country, values, outcome); deleting
// removes the lead. Microsoft's test leads (MSFT_TEST) are deleted 30 days after they arrived,
// whatever the rules say. The rules live in the database (Admin › Privacy) and run with the jobs.

// RetentionRule is one rule. Kind is "" (any), "marketplace" or "qualified"; Action is "keep",
// "anonymise" or "delete".
type RetentionRule struct {
	Outcome string `json:"outcome"`
	Kind    string `json:"kind"`
	Days    int    `json:"days"`
	Action  string `json:"action"`
}

// RetentionOutcomes are the outcomes a rule can name, in the order the page shows them.
var RetentionOutcomes = []string{"declined", "expired", "lost", "won"}

// RetentionKinds are the kinds a rule can name ("" is any kind).
var RetentionKinds = []string{"", "marketplace", "qualified"}

// RetentionActions are what a rule can do.
var RetentionActions = []string{"keep", "anonymise", "delete"}

// MaxRetentionDays bounds a rule's age (ten years).
const MaxRetentionDays = 3650

// TestLeadRetention is how long a test lead is kept.
const TestLeadRetention = 30 * 24 * time.Hour

// DefaultRetention is the rules of a new install (docs/operations.md): declined and expired leads,
// where no business came of it, are anonymised after 180 days; lost deals after two years; won
// deals are kept, since they are customers now.
func DefaultRetention() []RetentionRule {
	return []RetentionRule{
		{Outcome: "declined", Days: 180, Action: "anonymise"},
		{Outcome: "expired", Days: 180, Action: "anonymise"},
		{Outcome: "lost", Days: 730, Action: "anonymise"},
		{Outcome: "won", Action: "keep"},
	}
}

// ParseRetention reads stored rules ("" is the defaults).
func ParseRetention(stored string) ([]RetentionRule, error) {
	if stored == "" {
		return DefaultRetention(), nil
	}
	var rules []RetentionRule
	if err := json.Unmarshal([]byte(stored), &rules); err != nil {
		return nil, fmt.Errorf("leads: retention rules: %w", err)
	}
	return rules, ValidateRetention(rules)
}

// ValidateRetention checks rules: known outcome, kind and action, 1 to MaxRetentionDays days for a
// rule that acts, and one rule per outcome and kind.
func ValidateRetention(rules []RetentionRule) error {
	seen := map[[2]string]bool{}
	for _, r := range rules {
		switch {
		case !slices.Contains(RetentionOutcomes, r.Outcome):
			return fmt.Errorf("%w: outcome: %q", ErrInvalid, r.Outcome)
		case !slices.Contains(RetentionKinds, r.Kind):
			return fmt.Errorf("%w: kind: %q", ErrInvalid, r.Kind)
		case !slices.Contains(RetentionActions, r.Action):
			return fmt.Errorf("%w: action: %q", ErrInvalid, r.Action)
		case r.Action != "keep" && (r.Days < 1 || r.Days > MaxRetentionDays):
			return fmt.Errorf("%w: days: %s after %d days", ErrInvalid, r.Outcome, r.Days)
		case seen[[2]string{r.Outcome, r.Kind}]:
			return fmt.Errorf("%w: outcome: two rules for %s %s", ErrInvalid, r.Outcome, r.Kind)
		}
		seen[[2]string{r.Outcome, r.Kind}] = true
	}
	return nil
}

// RetentionReport is what one run changed.
type RetentionReport struct {
	Anonymised, Deleted, TestDeleted int
}

// RetentionPerRun bounds the leads one ApplyRetention retires: a database upgraded with years of
// archived leads works its backlog off run by run (the job runs every 10 minutes), so no run holds
// the write lock or reshapes the lead index for long while people work.
const RetentionPerRun = 5000

// ApplyRetention runs the stored rules as of now, batch by batch, up to RetentionPerRun leads; a rule for one kind wins over the
// rule for any kind of the same outcome. Each anonymised lead records
// an Anonymised event, each deleted one a Deleted event (cause "retention", or "test"); a run that
// changed something is recorded in the audit log with its counts, and the file is then compacted as
// after an erasure.
func (s *Service) ApplyRetention(ctx context.Context, now time.Time) (RetentionReport, error) {
	var rep RetentionReport
	budget := RetentionPerRun
	settings, err := s.db.PrivacySettings(ctx)
	if err != nil {
		return rep, err
	}
	rules, err := ParseRetention(settings.Retention)
	if err != nil {
		return rep, err
	}
	// A rule for one kind wins over the any-kind rule of the same outcome: the any-kind rule covers
	// only the kinds without a rule of their own.
	own := map[string][]string{} // outcome → kinds with their own rule
	for _, r := range rules {
		if r.Kind != "" {
			own[r.Outcome] = append(own[r.Outcome], r.Kind)
		}
	}
	for _, r := range rules {
		if r.Action == "keep" {
			continue
		}
		kinds := []string{r.Kind}
		if r.Kind == "" && len(own[r.Outcome]) > 0 {
			kinds = nil
			for _, k := range RetentionKinds[1:] {
				if !slices.Contains(own[r.Outcome], k) {
					kinds = append(kinds, k)
				}
			}
		}
		cutoff := now.Add(-time.Duration(r.Days) * 24 * time.Hour)
		for _, kind := range kinds {
			n, err := s.retire(ctx, now, func(ctx context.Context, tx *sql.Tx, limit int) ([]*lead.Lead, error) {
				return db.LeadsForRetentionTx(ctx, tx, r.Outcome, kind, cutoff, r.Action == "anonymise", limit)
			}, r.Action, "retention", &budget)
			if err != nil {
				return rep, err
			}
			if r.Action == "delete" {
				rep.Deleted += n
			} else {
				rep.Anonymised += n
			}
		}
	}
	n, err := s.retire(ctx, now, func(ctx context.Context, tx *sql.Tx, limit int) ([]*lead.Lead, error) {
		return db.TestLeadsToDeleteTx(ctx, tx, now.Add(-TestLeadRetention), limit)
	}, "delete", "test", &budget)
	if err != nil {
		return rep, err
	}
	rep.TestDeleted = n
	if rep == (RetentionReport{}) {
		if s.compactPending.Load() {
			s.compact(ctx, "retention")
		}
		return rep, nil
	}
	by := lead.JobActor()
	details, _ := json.Marshal(map[string]int{"leads": rep.Anonymised, "deleted": rep.Deleted + rep.TestDeleted, "test_deleted": rep.TestDeleted})
	if err := db.Audit(ctx, s.db, now, by.UserID, by.Label, "privacy.retention", "", string(details)); err != nil {
		return rep, err
	}
	s.compact(ctx, "retention")
	return rep, nil
}

// retire anonymises or deletes what find answers, jobBatch leads per transaction, until none is left
// or the run's budget is spent.
func (s *Service) retire(ctx context.Context, now time.Time, find func(context.Context, *sql.Tx, int) ([]*lead.Lead, error), action, cause string, budget *int) (int, error) {
	by := lead.JobActor()
	total := 0
	for *budget > 0 {
		n, seen, limit := 0, 0, min(jobBatch, *budget)
		err := s.db.InTx(ctx, func(tx *sql.Tx) error {
			n = 0
			ls, err := find(ctx, tx, limit)
			if err != nil {
				return err
			}
			seen = len(ls)
			var events []recorded
			for _, l := range ls {
				c := lead.Change{Actor: by, At: now}
				if action == "delete" {
					if err := db.DeleteLeadTx(ctx, tx, l.ID); err != nil {
						return err
					}
					c.Lead = impersonal(l)
					events = append(events, recorded{event: lead.Deleted{Change: c, Cause: cause}})
				} else {
					after, err := db.AnonymiseLeadTx(ctx, tx, l, now, dbActor(by), "anonymised", "retention")
					if err != nil {
						return err
					}
					c.Lead = after
					events = append(events, recorded{event: lead.Anonymised{Change: c, Cause: cause}})
				}
				n++
			}
			return s.record(ctx, tx, events...)
		})
		if err != nil {
			return total, fmt.Errorf("leads: retention (%s): %w", action, err)
		}
		total += n
		*budget -= n
		if seen < limit || n == 0 {
			return total, nil
		}
	}
	return total, nil
}

// impersonal is a deleted lead as its Deleted event carries it: what it was, never who.
func impersonal(l *lead.Lead) *lead.Lead {
	return &lead.Lead{ID: l.ID, Tab: l.Tab, Classification: l.Classification, LeadType: l.LeadType, Source: l.Source, CTA: l.CTA,
		Actionable: l.Actionable, Country: l.Country, Status: l.Status, Outcome: l.Outcome, IsTest: l.IsTest, Version: l.Version,
		CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
}
