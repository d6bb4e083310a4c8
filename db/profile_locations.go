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

const locationColumns = `id, name, address, country, contact_name, contact_email, contact_phone, countries, is_default, created_at, updated_at`

func scanLocation(row interface{ Scan(...any) error }, extra ...any) (*Location, error) {
	var l Location
	var created, updated int64
	var countries string
	dest := append([]any{&l.ID, &l.Name, &l.Address, &l.Country, &l.ContactName, &l.ContactEmail, &l.ContactPhone, &countries, &l.Default,
		&created, &updated}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	l.Countries = strings.Fields(countries)
	l.CreatedAt = time.Unix(created, 0).UTC()
	l.UpdatedAt = time.Unix(updated, 0).UTC()
	return &l, nil
}

// LocationsTx returns every location, oldest first (the routing of incoming leads reads them in the
// transaction that stores the leads).
func LocationsTx(ctx context.Context, q Querier) ([]*Location, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+locationColumns+` FROM locations ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("db: locations: %w", err)
	}
	defer rows.Close()
	var out []*Location
	for rows.Next() {
		l, err := scanLocation(rows)
		if err != nil {
			return nil, fmt.Errorf("db: locations: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// LocationByID returns location id (for a profile lead's details: the location it came through and
// the contact who receives its mail), or ErrNotFound.
func (d *DB) LocationByID(ctx context.Context, id int64) (*Location, error) {
	return LocationByIDTx(ctx, d, id)
}

// LocationByIDTx is LocationByID inside a transaction, e.g. to address a new lead's mail to its
// location's contact in the transaction that stores the lead.
func LocationByIDTx(ctx context.Context, q Querier, id int64) (*Location, error) {
	l, err := scanLocation(q.QueryRowContext(ctx, `SELECT `+locationColumns+` FROM locations WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: location %d: %w", id, err)
	}
	return l, nil
}

// ListLocations returns every location by name, each with how many leads name it.
func (d *DB) ListLocations(ctx context.Context) ([]*Location, error) {
	rows, err := d.QueryContext(ctx, `SELECT `+locationColumns+`, (SELECT COUNT(*) FROM leads WHERE leads.location_id = locations.id)
		FROM locations ORDER BY name COLLATE NOCASE, id`)
	if err != nil {
		return nil, fmt.Errorf("db: list locations: %w", err)
	}
	defer rows.Close()
	var out []*Location
	for rows.Next() {
		var n int
		l, err := scanLocation(rows, &n)
		if err != nil {
			return nil, fmt.Errorf("db: list locations: %w", err)
		}
		l.LeadCount = n
		out = append(out, l)
	}
	return out, rows.Err()
}

// locationFields are the audited fields of a location, old and new.
func locationChanges(old, new *Location) profileChanges {
	ch := profileChanges{}
	ch.Set("name", old.Name, new.Name)
	ch.Set("address", old.Address, new.Address)
	ch.Set("country", old.Country, new.Country)
	ch.Set("contact_name", old.ContactName, new.ContactName)
	ch.Set("contact_email", old.ContactEmail, new.ContactEmail)
	ch.Set("contact_phone", old.ContactPhone, new.ContactPhone)
	ch.Set("countries", strings.Join(old.Countries, " "), strings.Join(new.Countries, " "))
	if old.Default != new.Default {
		ch.Set("default", strconv.FormatBool(old.Default), strconv.FormatBool(new.Default))
	}
	return ch
}

// CreateLocation inserts l (setting its id and times) with its audit entry. The first location is
// the default whatever l.Default says; a later one becomes it when l.Default is set.
func (d *DB) CreateLocation(ctx context.Context, a ProfileActor, l *Location) error {
	return d.InTx(ctx, func(tx *sql.Tx) error {
		l.CreatedAt, l.UpdatedAt = a.At.UTC(), a.At.UTC()
		var others int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM locations WHERE is_default = 1`).Scan(&others); err != nil {
			return fmt.Errorf("db: create location: %w", err)
		}
		if others == 0 {
			l.Default = true
		}
		if err := clearDefaultTx(ctx, tx, l.Default); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO locations (name, address, country, contact_name, contact_email, contact_phone, countries,
			is_default, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, l.Name, l.Address, l.Country, l.ContactName, l.ContactEmail,
			l.ContactPhone, strings.Join(l.Countries, " "), l.Default, a.At.Unix(), a.At.Unix())
		if err != nil {
			return fmt.Errorf("db: create location: %w", err)
		}
		l.ID, _ = res.LastInsertId()
		return touchProfileTx(ctx, tx, a, "profile.location.add", fmt.Sprintf("location:%d", l.ID),
			locationChanges(&Location{}, l).JSON())
	})
}

// UpdateLocation saves l's fields with its audit entry (old → new), or returns ErrNotFound. Setting
// Default moves the default here; the default location stays the default when l.Default is unset
// (there is always one: make another location the default instead).
func (d *DB) UpdateLocation(ctx context.Context, a ProfileActor, l *Location) error {
	return d.InTx(ctx, func(tx *sql.Tx) error {
		old, err := LocationByIDTx(ctx, tx, l.ID)
		if err != nil {
			return err
		}
		l.Default = l.Default || old.Default
		ch := locationChanges(old, l)
		if len(ch) == 0 {
			return nil
		}
		if err := clearDefaultTx(ctx, tx, l.Default && !old.Default); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE locations SET name = ?, address = ?, country = ?, contact_name = ?, contact_email = ?,
			contact_phone = ?, countries = ?, is_default = ?, updated_at = ? WHERE id = ?`, l.Name, l.Address, l.Country, l.ContactName,
			l.ContactEmail, l.ContactPhone, strings.Join(l.Countries, " "), l.Default, a.At.Unix(), l.ID); err != nil {
			return fmt.Errorf("db: update location %d: %w", l.ID, err)
		}
		return touchProfileTx(ctx, tx, a, "profile.location.update", fmt.Sprintf("location:%d", l.ID), ch.JSON())
	})
}

// RemoveLocationTx deletes location id inside tx. It refuses the last location (ErrLastLocation)
// and, unless moveTo names another location, one that leads name (*LocationInUseError): a lead never
// loses the location it came through without a word. With moveTo, those leads are moved there first,
// each with a version bump and a timeline entry; it answers them as they were before the move (the
// leads service records their events).
func RemoveLocationTx(ctx context.Context, tx *sql.Tx, a ProfileActor, id, moveTo int64) ([]*Lead, error) {
	var moved []*Lead
	old, err := LocationByIDTx(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM locations`).Scan(&total); err != nil {
		return nil, fmt.Errorf("db: remove location %d: %w", id, err)
	}
	if total <= 1 {
		return nil, ErrLastLocation
	}
	leadIDs, err := leadsOfLocation(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	details := locationChanges(old, &Location{})
	if len(leadIDs) > 0 {
		if moveTo == 0 || moveTo == id {
			return nil, &LocationInUseError{Leads: len(leadIDs)}
		}
		target, err := LocationByIDTx(ctx, tx, moveTo)
		if errors.Is(err, ErrNotFound) {
			return nil, ErrNoMoveTarget
		}
		if err != nil {
			return nil, err
		}
		change := profileChanges{"location": {old.Name, target.Name}}.JSON()
		for _, lid := range leadIDs {
			before, err := LeadByIDTx(ctx, tx, lid)
			if err != nil {
				return nil, err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE leads SET location_id = ?, updated_at = ?, version = version + 1 WHERE id = ?`,
				moveTo, a.At.Unix(), lid); err != nil {
				return nil, fmt.Errorf("db: move lead %d: %w", lid, err)
			}
			if err := AddLeadEventTx(ctx, tx, lid, a.At, a.UserID, "", "edited", change); err != nil {
				return nil, err
			}
			moved = append(moved, before)
		}
		details.Set("leads_moved_to", nil, fmt.Sprintf("%s (%d)", target.Name, len(leadIDs)))
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM locations WHERE id = ?`, id); err != nil {
		return nil, fmt.Errorf("db: remove location %d: %w", id, err)
	}
	if old.Default {
		// The default passes to where the leads went, or else to the oldest location left.
		if _, err := tx.ExecContext(ctx, `UPDATE locations SET is_default = 1 WHERE id = COALESCE(
			(SELECT id FROM locations WHERE id = ?), (SELECT MIN(id) FROM locations))`, moveTo); err != nil {
			return nil, fmt.Errorf("db: remove location %d: new default: %w", id, err)
		}
		details.Set("default", nil, "moved")
	}
	if err := touchProfileTx(ctx, tx, a, "profile.location.remove", fmt.Sprintf("location:%d", id), details.JSON()); err != nil {
		return nil, err
	}
	return moved, nil
}

// clearDefaultTx takes the default mark off every location when a location is about to become the
// default (on is true); the partial unique index allows one default only.
func clearDefaultTx(ctx context.Context, tx *sql.Tx, on bool) error {
	if !on {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE locations SET is_default = 0 WHERE is_default = 1`); err != nil {
		return fmt.Errorf("db: clear default location: %w", err)
	}
	return nil
}

func leadsOfLocation(ctx context.Context, q Querier, id int64) ([]int64, error) {
	return queryIDs(ctx, q, fmt.Sprintf("leads of location %d", id), `SELECT id FROM leads WHERE location_id = ? ORDER BY id`, id)
}
