package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// ensureSearchIndex rebuilds lead_search when it was written in another format than SearchFormat
// (after an upgrade that changes SearchTerms), in batches, before the app serves.
func (d *DB) ensureSearchIndex(ctx context.Context) error {
	var format int
	err := d.QueryRowContext(ctx, `SELECT format FROM search_index_state`).Scan(&format)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("db: search index state: %w", err)
	}
	if format == SearchFormat {
		return nil
	}
	start := time.Now()
	var n int
	var lastID int64
	if _, err := d.ExecContext(ctx, `DELETE FROM lead_search`); err != nil {
		return fmt.Errorf("db: clear search index: %w", err)
	}
	for {
		var done bool
		err := d.InTx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT id, customer_company, contact_first_name, contact_last_name, deal_name, notes,
				COALESCE(outcome, '') FROM leads WHERE id > ? ORDER BY id LIMIT 20000`, lastID)
			if err != nil {
				return err
			}
			var batch []*Lead
			for rows.Next() {
				l := &Lead{}
				if err := rows.Scan(&l.ID, &l.CustomerCompany, &l.ContactFirstName, &l.ContactLastName, &l.DealName, &l.Notes, &l.Outcome); err != nil {
					rows.Close()
					return err
				}
				batch = append(batch, l)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(batch) == 0 {
				done = true
				_, err := tx.ExecContext(ctx, `DELETE FROM search_index_state; INSERT INTO search_index_state (format, rebuilt_at) VALUES (?, ?)`,
					SearchFormat, time.Now().Unix())
				return err
			}
			stmt, err := tx.PrepareContext(ctx, `INSERT INTO lead_search (rowid, terms) VALUES (?, ?)`)
			if err != nil {
				return err
			}
			defer stmt.Close()
			for _, l := range batch {
				if _, err := stmt.ExecContext(ctx, l.ID, LeadSearchTerms(l)); err != nil {
					return err
				}
			}
			lastID = batch[len(batch)-1].ID
			n += len(batch)
			return nil
		})
		if err != nil {
			return fmt.Errorf("db: rebuild search index: %w", err)
		}
		if done {
			break
		}
	}
	if n > 0 {
		slog.Info("search index rebuilt", "leads", n, "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}
