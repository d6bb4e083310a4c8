package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Keyword kinds and preference kinds of the business profile (docs/design.md §6).
const (
	KeywordExpertise     = "expertise"
	KeywordBusinessModel = "business_model"
	PrefCompanySize      = "company_size"
	PrefIndustry         = "industry"
)

// KeywordKinds lists the keyword kinds in display order.
var KeywordKinds = []string{KeywordExpertise, KeywordBusinessModel}

// CompanySizes are Partner Center's customer company sizes (employees), as stored codes, smallest first.
var CompanySizes = []string{"1-9", "10-50", "51-250", "251-1000", "1001-5000", "5001-10000", "10001-20000", "20000+"}

// Industries are the customer industries a profile may prefer, as stored codes in display order.
var Industries = []string{
	"agriculture", "automotive", "distribution", "education", "energy", "financial_services", "government",
	"healthcare", "hospitality", "manufacturing", "media", "nonprofit", "professional_services", "real_estate",
	"retail", "technology", "telecommunications", "transportation",
}

// Profile is the company part of the business profile plus who changed the profile last.
type Profile struct {
	CompanyName   string
	Description   string
	Website       string
	UpdatedAt     *time.Time // nil: never saved
	UpdatedByName string     // the last editor's name, "" when unknown
}

// Keyword is one expertise or business-model keyword.
type Keyword struct {
	ID      int64
	Kind    string
	Keyword string
}

// Location is an office of the company with the contact who receives its lead mail.
type Location struct {
	ID           int64
	Name         string
	Address      string
	Country      string
	ContactName  string
	ContactEmail string
	ContactPhone string
	// Countries are the customer countries the location covers besides its own (ISO codes), for
	// routing incoming leads (docs/design.md §6).
	Countries []string
	// Default: the location that takes the leads no other part of the routing rule places; exactly
	// one location is the default.
	Default   bool
	CreatedAt time.Time
	UpdatedAt time.Time
	LeadCount int // leads that name this location (filled by ListLocations)
}

// ErrLastLocation is returned when removing the only location: leads need somewhere to arrive.
var ErrLastLocation = errors.New("db: the last location cannot be removed")

// ErrNoMoveTarget is returned when the location chosen to take over a removed location's leads is gone.
var ErrNoMoveTarget = errors.New("db: the location to move the leads to does not exist")

// LocationInUseError is returned when removing a location that leads still name.
type LocationInUseError struct{ Leads int }

func (e *LocationInUseError) Error() string {
	return fmt.Sprintf("db: location is named by %d leads", e.Leads)
}

// profileChanges collects {"field": [old, new]} for the audit log; unchanged fields are left out.
type profileChanges map[string][2]any

// Set records field when old and new differ.
func (ch profileChanges) Set(field string, old, new any) {
	if fmt.Sprint(old) != fmt.Sprint(new) {
		ch[field] = [2]any{old, new}
	}
}

// JSON is the changes as the audit log's details.
func (ch profileChanges) JSON() string {
	b, _ := json.Marshal(ch)
	return string(b)
}

// ProfileActor is who makes a change, and when.
type ProfileActor struct {
	UserID int64
	At     time.Time
}

// touchProfileTx stamps the profile as changed now by the actor (creating the row on first use) and
// writes the audit entry, so every profile change carries who and when.
func touchProfileTx(ctx context.Context, tx *sql.Tx, a ProfileActor, action, target, details string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO business_profile (id, updated_at, updated_by) VALUES (1, ?, ?)
		ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		a.At.Unix(), nullID(a.UserID)); err != nil {
		return fmt.Errorf("db: touch profile: %w", err)
	}
	return Audit(ctx, tx, a.At, a.UserID, "", action, target, details)
}

// Profile returns the company part of the profile (empty when never saved).
func (d *DB) Profile(ctx context.Context) (*Profile, error) {
	var p Profile
	var at sql.NullInt64
	err := d.QueryRowContext(ctx, `SELECT p.company_name, p.description, p.website, p.updated_at, COALESCE(NULLIF(u.name, ''), u.email, '')
		FROM business_profile p LEFT JOIN users u ON u.id = p.updated_by WHERE p.id = 1`).
		Scan(&p.CompanyName, &p.Description, &p.Website, &at, &p.UpdatedByName)
	if errors.Is(err, sql.ErrNoRows) {
		return &p, nil
	}
	if err != nil {
		return nil, fmt.Errorf("db: profile: %w", err)
	}
	p.UpdatedAt = nullTime(at)
	return &p, nil
}

// UpdateProfile saves company name, description and website in one transaction with its audit entry.
func (d *DB) UpdateProfile(ctx context.Context, a ProfileActor, name, description, website string) error {
	return d.InTx(ctx, func(tx *sql.Tx) error {
		var old Profile
		err := tx.QueryRowContext(ctx, `SELECT company_name, description, website FROM business_profile WHERE id = 1`).
			Scan(&old.CompanyName, &old.Description, &old.Website)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("db: update profile: %w", err)
		}
		ch := profileChanges{}
		ch.Set("company_name", old.CompanyName, name)
		ch.Set("description", old.Description, description)
		ch.Set("website", old.Website, website)
		if len(ch) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO business_profile (id, company_name, description, website, updated_at, updated_by)
			VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET company_name = excluded.company_name,
			description = excluded.description, website = excluded.website`,
			name, description, website, a.At.Unix(), nullID(a.UserID)); err != nil {
			return fmt.Errorf("db: update profile: %w", err)
		}
		return touchProfileTx(ctx, tx, a, "profile.update", "profile", ch.JSON())
	})
}

// Keywords returns every keyword by kind, each in the order added.
func (d *DB) Keywords(ctx context.Context) (map[string][]Keyword, error) {
	rows, err := d.QueryContext(ctx, `SELECT id, kind, keyword FROM profile_keywords ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("db: keywords: %w", err)
	}
	defer rows.Close()
	out := map[string][]Keyword{}
	for rows.Next() {
		var k Keyword
		if err := rows.Scan(&k.ID, &k.Kind, &k.Keyword); err != nil {
			return nil, fmt.Errorf("db: keywords: %w", err)
		}
		out[k.Kind] = append(out[k.Kind], k)
	}
	return out, rows.Err()
}

// AddKeyword adds a keyword of kind; one that exists already (in any letter case) gives ErrConflict.
func (d *DB) AddKeyword(ctx context.Context, a ProfileActor, kind, keyword string) error {
	return d.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO profile_keywords (kind, keyword) VALUES (?, ?)`, kind, keyword); err != nil {
			if IsUniqueViolation(err) {
				return fmt.Errorf("db: add keyword %q: %w", keyword, ErrConflict)
			}
			return fmt.Errorf("db: add keyword: %w", err)
		}
		return touchProfileTx(ctx, tx, a, "profile.keyword.add", kind, profileChanges{"keyword": {nil, keyword}}.JSON())
	})
}

// RemoveKeyword deletes keyword id and returns its kind, or returns ErrNotFound.
func (d *DB) RemoveKeyword(ctx context.Context, a ProfileActor, id int64) (kind string, err error) {
	err = d.InTx(ctx, func(tx *sql.Tx) error {
		var word string
		err := tx.QueryRowContext(ctx, `DELETE FROM profile_keywords WHERE id = ? RETURNING kind, keyword`, id).Scan(&kind, &word)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("db: remove keyword %d: %w", id, err)
		}
		return touchProfileTx(ctx, tx, a, "profile.keyword.remove", kind, profileChanges{"keyword": {word, nil}}.JSON())
	})
	return kind, err
}

// Preferences returns the chosen values of each preference kind.
func (d *DB) Preferences(ctx context.Context) (map[string][]string, error) {
	return profilePreferences(ctx, d)
}

func profilePreferences(ctx context.Context, q Querier) (map[string][]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT kind, value FROM profile_preferences`)
	if err != nil {
		return nil, fmt.Errorf("db: preferences: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("db: preferences: %w", err)
		}
		out[k] = append(out[k], v)
	}
	return out, rows.Err()
}

// SetPreferences replaces the company sizes and industries in one transaction with its audit entry.
// Values are stored in the order of CompanySizes and Industries, so old → new compare stably.
func (d *DB) SetPreferences(ctx context.Context, a ProfileActor, sizes, industries []string) error {
	return d.InTx(ctx, func(tx *sql.Tx) error {
		old, err := profilePreferences(ctx, tx)
		if err != nil {
			return err
		}
		ch := profileChanges{}
		ch.Set(PrefCompanySize, profileInOrder(CompanySizes, old[PrefCompanySize]), profileInOrder(CompanySizes, sizes))
		ch.Set(PrefIndustry, profileInOrder(Industries, old[PrefIndustry]), profileInOrder(Industries, industries))
		if len(ch) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM profile_preferences`); err != nil {
			return fmt.Errorf("db: set preferences: %w", err)
		}
		for kind, vals := range map[string][]string{PrefCompanySize: sizes, PrefIndustry: industries} {
			for _, v := range vals {
				if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO profile_preferences (kind, value) VALUES (?, ?)`, kind, v); err != nil {
					return fmt.Errorf("db: set preferences: %w", err)
				}
			}
		}
		return touchProfileTx(ctx, tx, a, "profile.preferences", "profile", ch.JSON())
	})
}

// profileInOrder returns the members of chosen in the order of all, as one comma-separated string.
func profileInOrder(all, chosen []string) string {
	var out []string
	for _, x := range all {
		for _, c := range chosen {
			if c == x {
				out = append(out, x)
				break
			}
		}
	}
	return strings.Join(out, ",")
}
