package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// IncomingResult is what SaveIncomingLeadsTx did with one lead.
type IncomingResult struct {
	ID      int64 // the new lead, or the stored one it repeats
	Created bool
}

// SaveIncomingLeadsTx stores many incoming leads (an import batch) inside the caller's write
// transaction, with the outcome of calling SaveIncomingLeadTx for each in order — the same
// de-duplication, against stored leads and the earlier leads of the same call, the same arrival
// defaults, one 'created' timeline entry and one search-index row per new lead —
// but in a handful of statements instead of eight per lead: one lookup per de-duplication rule for the
// whole batch, then multi-row inserts. New leads get the ids after the highest stored one, which is
// safe because the transaction holds SQLite's write lock from BEGIN (_txlock=immediate).
func SaveIncomingLeadsTx(ctx context.Context, tx *sql.Tx, leads []*Lead, actorID int64, actorLabel string, now time.Time) ([]IncomingResult, error) {
	res := make([]IncomingResult, len(leads))
	if len(leads) == 0 {
		return res, nil
	}
	for _, l := range leads {
		if l.CreatedAt.IsZero() {
			l.CreatedAt = now.UTC()
		}
	}
	// The statements of this call run without a cancellable context: go-sqlite3 starts a watcher
	// goroutine per statement that has one. The caller's transaction still ends on cancellation.
	quiet := context.WithoutCancel(ctx)
	stored, err := findStoredDuplicates(quiet, tx, leads)
	if err != nil {
		return nil, err
	}
	var nextID int64
	if err := tx.QueryRowContext(quiet, `SELECT COALESCE(MAX(id), 0) FROM leads`).Scan(&nextID); err != nil {
		return nil, fmt.Errorf("db: save leads: %w", err)
	}
	// The leads of this call that are new, by external id and by de-duplication key.
	type dedupeKey struct{ email, offer, cta string }
	newByExt := map[string]int64{}
	newByKey := map[dedupeKey][]*Lead{}
	var fresh []*Lead
	for i, l := range leads {
		if l.ExternalID != "" {
			if id := stored.byExt[l.ExternalID]; id != 0 {
				res[i] = IncomingResult{ID: id}
				continue
			}
			if id := newByExt[l.ExternalID]; id != 0 {
				res[i] = IncomingResult{ID: id}
				continue
			}
		}
		var key dedupeKey
		if l.ContactEmail != "" {
			key = dedupeKey{asciiLower(l.ContactEmail), l.OfferID, l.CTA}
			// The earliest lead in the window wins, stored ones first on equal times (their ids are lower).
			best := stored.byKey[i]
			lo, hi := l.CreatedAt.Add(-DedupeWindow).Unix(), l.CreatedAt.Add(DedupeWindow).Unix()
			for _, o := range newByKey[key] {
				if c := o.CreatedAt.Unix(); c > lo && c < hi && (best.id == 0 || c < best.created) {
					best = candidate{created: c, id: o.ID}
				}
			}
			if best.id != 0 {
				res[i] = IncomingResult{ID: best.id}
				continue
			}
		}
		if l.UpdatedAt.IsZero() {
			l.UpdatedAt = now.UTC()
		}
		fillNewLead(l)
		nextID++
		l.ID = nextID
		res[i] = IncomingResult{ID: l.ID, Created: true}
		fresh = append(fresh, l)
		if l.ExternalID != "" {
			newByExt[l.ExternalID] = l.ID
		}
		if l.ContactEmail != "" {
			newByKey[key] = append(newByKey[key], l)
		}
	}
	if err := insertNewLeads(quiet, tx, fresh, actorID, actorLabel, now); err != nil {
		return nil, err
	}
	return res, nil
}

// candidate is a stored lead that a new one may repeat.
type candidate struct{ created, id int64 }

// storedDuplicates are the stored leads that leads repeat: by external id, and per lead (by index)
// the earliest one with the same email address, offer and call to action within DedupeWindow.
type storedDuplicates struct {
	byExt map[string]int64
	byKey map[int]candidate
}

// findStoredDuplicates answers FindDuplicateLeadTx's two questions for a whole batch in two indexed
// queries, the batch's keys passed as one JSON array each.
func findStoredDuplicates(ctx context.Context, tx *sql.Tx, leads []*Lead) (storedDuplicates, error) {
	out := storedDuplicates{byExt: map[string]int64{}, byKey: map[int]candidate{}}
	var exts []string
	var keys [][5]any
	var keyIdx []int
	for i, l := range leads {
		// JSON cannot carry invalid UTF-8 (every way in refuses it anyway).
		if !utf8.ValidString(l.ExternalID) || !utf8.ValidString(l.ContactEmail) || !utf8.ValidString(l.OfferID) {
			return out, fmt.Errorf("db: find duplicate leads: lead %d of the batch is not UTF-8 text", i+1)
		}
		if l.ExternalID != "" {
			exts = append(exts, l.ExternalID)
		}
		if l.ContactEmail != "" {
			keys = append(keys, [5]any{l.ContactEmail, l.OfferID, nullStr(l.CTA),
				l.CreatedAt.Add(-DedupeWindow).Unix(), l.CreatedAt.Add(DedupeWindow).Unix()})
			keyIdx = append(keyIdx, i)
		}
	}
	if len(exts) > 0 {
		arg, err := json.Marshal(exts)
		if err != nil {
			return out, fmt.Errorf("db: find duplicate leads: %w", err)
		}
		rows, err := tx.QueryContext(ctx, `SELECT l.external_id, l.id FROM json_each(?) AS j CROSS JOIN leads AS l
			WHERE l.external_id = j.value`, string(arg))
		if err != nil {
			return out, fmt.Errorf("db: find duplicate leads: %w", err)
		}
		for rows.Next() {
			var ext string
			var id int64
			if err := rows.Scan(&ext, &id); err != nil {
				rows.Close()
				return out, fmt.Errorf("db: find duplicate leads: %w", err)
			}
			out.byExt[ext] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return out, fmt.Errorf("db: find duplicate leads: %w", err)
		}
	}
	if len(keys) > 0 {
		arg, err := json.Marshal(keys)
		if err != nil {
			return out, fmt.Errorf("db: find duplicate leads: %w", err)
		}
		// COLLATE NOCASE on the email and IS on the call to action, as in FindDuplicateLeadTx, so the
		// leads_dedupe index answers each key with one seek.
		rows, err := tx.QueryContext(ctx, `SELECT j.key, l.created_at, l.id FROM json_each(?) AS j CROSS JOIN leads AS l
			WHERE l.contact_email = j.value ->> 0 COLLATE NOCASE AND l.offer_id = j.value ->> 1 AND l.cta IS j.value ->> 2
				AND l.created_at > j.value ->> 3 AND l.created_at < j.value ->> 4`, string(arg))
		if err != nil {
			return out, fmt.Errorf("db: find duplicate leads: %w", err)
		}
		for rows.Next() {
			var k int
			var c candidate
			if err := rows.Scan(&k, &c.created, &c.id); err != nil {
				rows.Close()
				return out, fmt.Errorf("db: find duplicate leads: %w", err)
			}
			i := keyIdx[k]
			if b, ok := out.byKey[i]; !ok || c.created < b.created || (c.created == b.created && c.id < b.id) {
				out.byKey[i] = c
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return out, fmt.Errorf("db: find duplicate leads: %w", err)
		}
	}
	return out, nil
}

// asciiLower folds A–Z only, as SQLite's NOCASE collation does.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// insertNewLeads writes new leads (ids set), their search-index rows and their 'created' timeline
// entries with multi-row inserts. A new lead has no search row yet, so none is deleted first.
func insertNewLeads(ctx context.Context, tx *sql.Tx, leads []*Lead, actorID int64, actorLabel string, now time.Time) error {
	if len(leads) == 0 {
		return nil
	}
	args := make([]any, 0, len(leads)*(leadInsertArgs+1))
	for _, l := range leads {
		args = appendLeadArgs(append(args, l.ID), l)
	}
	// The search terms are cut on another core while SQLite writes the leads.
	termsDone := make(chan []any, 1)
	go func() {
		terms := make([]any, 0, 2*len(leads))
		for _, l := range leads {
			terms = append(terms, l.ID, LeadSearchTerms(l))
		}
		termsDone <- terms
	}()
	err := bulkInsert(ctx, tx, `INSERT INTO leads (id, `+leadInsertColumns+`) VALUES `, leadInsertArgs+1, 64, args)
	terms := <-termsDone
	if err != nil {
		if IsUniqueViolation(err) {
			return fmt.Errorf("db: insert leads: %w", ErrConflict)
		}
		return fmt.Errorf("db: insert leads: %w", err)
	}
	if err := bulkInsert(ctx, tx, `INSERT INTO lead_search (rowid, terms) VALUES `, 2, 256, terms); err != nil {
		return fmt.Errorf("db: index leads: %w", err)
	}
	args = args[:0]
	at, actor := now.Unix(), nullID(actorID)
	for _, l := range leads {
		args = append(args, l.ID, at, actor, actorLabel, "created", "{}")
	}
	if err := bulkInsert(ctx, tx, `INSERT INTO lead_events (lead_id, at, actor_user_id, actor_label, kind, changes) VALUES `, 6, 256, args); err != nil {
		return fmt.Errorf("db: lead events: %w", err)
	}
	return nil
}

// bulkInsert runs head + "(?, …), (?, …)…" over args, cols values a row, perStmt rows a statement
// (one prepared statement for the full ones, one for the rest).
func bulkInsert(ctx context.Context, tx *sql.Tx, head string, cols, perStmt int, args []any) error {
	values := func(rows int) string {
		row := "(?" + strings.Repeat(", ?", cols-1) + ")"
		return head + row + strings.Repeat(", "+row, rows-1)
	}
	step := cols * perStmt
	if len(args) >= step {
		st, err := tx.PrepareContext(ctx, values(perStmt))
		if err != nil {
			return err
		}
		for ; len(args) >= step; args = args[step:] {
			if _, err := st.ExecContext(ctx, args[:step]...); err != nil {
				st.Close()
				return err
			}
		}
		st.Close()
	}
	if len(args) > 0 {
		if _, err := tx.ExecContext(ctx, values(len(args)/cols), args...); err != nil {
			return err
		}
	}
	return nil
}
