package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AssignmentRule is one ordered assignment rule (issue 17): conditions (each a set of codes, empty =
// any) and the members it gives leads to — one user, or a round-robin group.
type AssignmentRule struct {
	ID              int64
	Position        int
	Name            string
	Locations       []int64
	Countries       []string
	Sources         []string
	CTAs            []string
	Types           []string
	Classifications []string
	Members         []int64 // user ids in round-robin order; one member: always that user
	Next            int     // the member position to try first next time
}

func joinCodes(vs []string) string { return strings.Join(vs, ",") }

func splitCodes(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// AssignmentRulesTx is every rule in order, with its members.
func AssignmentRulesTx(ctx context.Context, q Querier) ([]*AssignmentRule, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, position, name, location_ids, countries, sources, ctas, lead_types, classifications, rr_next
		FROM assignment_rules ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("db: assignment rules: %w", err)
	}
	var out []*AssignmentRule
	byID := map[int64]*AssignmentRule{}
	for rows.Next() {
		r := &AssignmentRule{}
		var locs, countries, sources, ctas, types, classes string
		if err := rows.Scan(&r.ID, &r.Position, &r.Name, &locs, &countries, &sources, &ctas, &types, &classes, &r.Next); err != nil {
			rows.Close()
			return nil, fmt.Errorf("db: assignment rules: %w", err)
		}
		for _, s := range splitCodes(locs) {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil {
				r.Locations = append(r.Locations, id)
			}
		}
		r.Countries, r.Sources, r.CTAs, r.Types, r.Classifications = splitCodes(countries), splitCodes(sources), splitCodes(ctas), splitCodes(types), splitCodes(classes)
		out = append(out, r)
		byID[r.ID] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: assignment rules: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	rows, err = q.QueryContext(ctx, `SELECT rule_id, user_id FROM assignment_rule_members ORDER BY rule_id, position`)
	if err != nil {
		return nil, fmt.Errorf("db: assignment members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rid, uid int64
		if err := rows.Scan(&rid, &uid); err != nil {
			return nil, fmt.Errorf("db: assignment members: %w", err)
		}
		if r := byID[rid]; r != nil {
			r.Members = append(r.Members, uid)
		}
	}
	return out, rows.Err()
}

// AssignmentRules is every rule in order.
func (d *DB) AssignmentRules(ctx context.Context) ([]*AssignmentRule, error) {
	return AssignmentRulesTx(ctx, d)
}

// AddAssignmentRule stores r as the last rule.
func (d *DB) AddAssignmentRule(ctx context.Context, r *AssignmentRule, now time.Time) error {
	return d.InTx(ctx, func(tx *sql.Tx) error {
		locs := make([]string, len(r.Locations))
		for i, id := range r.Locations {
			locs[i] = strconv.FormatInt(id, 10)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO assignment_rules (position, name, location_ids, countries, sources, ctas, lead_types,
			classifications, created_at) VALUES ((SELECT COALESCE(MAX(position), 0) + 1 FROM assignment_rules), ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.Name, joinCodes(locs), joinCodes(r.Countries), joinCodes(r.Sources), joinCodes(r.CTAs), joinCodes(r.Types),
			joinCodes(r.Classifications), now.Unix())
		if err != nil {
			return fmt.Errorf("db: add assignment rule: %w", err)
		}
		r.ID, _ = res.LastInsertId()
		for i, uid := range r.Members {
			if _, err := tx.ExecContext(ctx, `INSERT INTO assignment_rule_members (rule_id, position, user_id) VALUES (?, ?, ?)`, r.ID, i, uid); err != nil {
				return fmt.Errorf("db: add assignment rule: %w", err)
			}
		}
		return nil
	})
}

// DeleteAssignmentRule removes a rule (never a lead or an owner it gave); ErrNotFound when none.
func (d *DB) DeleteAssignmentRule(ctx context.Context, id int64) error {
	res, err := d.ExecContext(ctx, `DELETE FROM assignment_rules WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("db: delete assignment rule: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// MoveAssignmentRule swaps rule id with its neighbour above (up) or below; at either end nothing moves.
func (d *DB) MoveAssignmentRule(ctx context.Context, id int64, up bool) error {
	return d.InTx(ctx, func(tx *sql.Tx) error {
		rules, err := AssignmentRulesTx(ctx, tx)
		if err != nil {
			return err
		}
		found, moved := swapNeighbour(rules, id, func(r *AssignmentRule) int64 { return r.ID }, up)
		if !found {
			return ErrNotFound
		}
		if !moved {
			return nil
		}
		for k, r := range rules {
			if _, err := tx.ExecContext(ctx, `UPDATE assignment_rules SET position = ? WHERE id = ?`, k+1, r.ID); err != nil {
				return fmt.Errorf("db: move assignment rule: %w", err)
			}
		}
		return nil
	})
}

// SetAssignmentNextTx stores where a round-robin rule starts next time.
func SetAssignmentNextTx(ctx context.Context, q Querier, id int64, next int) error {
	if _, err := q.ExecContext(ctx, `UPDATE assignment_rules SET rr_next = ? WHERE id = ?`, next, id); err != nil {
		return fmt.Errorf("db: assignment rule %d: %w", id, err)
	}
	return nil
}

// Away is a span a user is away (issue 17): from the start of one day to the end of another.
type Away struct {
	UserID      int64
	From, Until time.Time
}

// AwayUsersTx is the users away at t.
func AwayUsersTx(ctx context.Context, q Querier, t time.Time) (map[int64]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT user_id FROM user_away WHERE from_at <= ? AND until_at > ?`, t.Unix(), t.Unix())
	if err != nil {
		return nil, fmt.Errorf("db: away users: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("db: away users: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// AwayOf is user id's away span, or nil.
func (d *DB) AwayOf(ctx context.Context, id int64) (*Away, error) {
	a := Away{UserID: id}
	var from, until int64
	err := d.QueryRowContext(ctx, `SELECT from_at, until_at FROM user_away WHERE user_id = ?`, id).Scan(&from, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("db: away: %w", err)
	}
	a.From, a.Until = time.Unix(from, 0), time.Unix(until, 0)
	return &a, nil
}

// SetAway stores a user's away span; a nil span clears it.
func (d *DB) SetAway(ctx context.Context, id int64, a *Away) error { return SetAwayTx(ctx, d, id, a) }

// SetAwayTx is SetAway in a transaction (with its audit entry, when an admin sets someone's days).
func SetAwayTx(ctx context.Context, q Querier, id int64, a *Away) error {
	var err error
	if a == nil {
		_, err = q.ExecContext(ctx, `DELETE FROM user_away WHERE user_id = ?`, id)
	} else {
		_, err = q.ExecContext(ctx, `INSERT INTO user_away (user_id, from_at, until_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET from_at = excluded.from_at, until_at = excluded.until_at`, id, a.From.Unix(), a.Until.Unix())
	}
	if err != nil {
		return fmt.Errorf("db: set away: %w", err)
	}
	return nil
}

// UnassignedOpenLeadIDs is the ids of leads without an owner that are not archived, oldest first, at
// most limit, for re-running the assignment rules.
func (d *DB) UnassignedOpenLeadIDs(ctx context.Context, limit int) ([]int64, error) {
	return queryIDs(ctx, d, "unassigned leads", `SELECT id FROM leads WHERE owner_id IS NULL AND status != 'archived' ORDER BY id LIMIT ?`, limit)
}

// queryIDs runs a query whose rows are one id each and answers the ids in order; what names them in
// an error.
func queryIDs(ctx context.Context, q Querier, what, query string, args ...any) ([]int64, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("db: %s: %w", what, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("db: %s: %w", what, err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
