package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"leaddesk/db/leadindex"
	"leaddesk/lead"
	"strconv"
	"strings"
	"time"
)

// Lead is the store's name for lead.Lead, the one lead type of the domain.
type Lead = lead.Lead

// LeadColumns is the column list matching ScanLead, for queries that return whole leads.
const LeadColumns = `id, COALESCE(external_id, ''), tab, COALESCE(classification, ''), COALESCE(lead_type, ''), COALESCE(source, ''),
	COALESCE(cta, ''), actionable, offer_id, offer_title, COALESCE(location_id, 0), customer_company, contact_first_name, contact_last_name,
	contact_title, contact_email, contact_phone, country, city, description, quality, email_validity, phone_validity,
	customer_requested_contact, customer_consent, status, COALESCE(outcome, ''), reason, reason_notes, deal_name, deal_value, currency,
	purchase_date, notes, crm_id, campaign_id, sender_name, sender_email, is_test, created_at, updated_at, accepted_at,
	archived_at, expires_at, version, COALESCE(owner_id, 0), first_contact_at`

// ScanLead reads one row selected with LeadColumns.
func ScanLead(row interface{ Scan(...any) error }) (*Lead, error) {
	var l Lead
	var created, updated int64
	var accepted, archived, expires, firstContact sql.NullInt64
	err := row.Scan(&l.ID, &l.ExternalID, &l.Tab, &l.Classification, &l.LeadType, &l.Source,
		&l.CTA, &l.Actionable, &l.OfferID, &l.OfferTitle, &l.LocationID, &l.CustomerCompany, &l.ContactFirstName, &l.ContactLastName,
		&l.ContactTitle, &l.ContactEmail, &l.ContactPhone, &l.Country, &l.City, &l.Description, &l.Quality, &l.EmailValidity, &l.PhoneValidity,
		&l.CustomerRequestedContact, &l.CustomerConsent, &l.Status, &l.Outcome, &l.Reason, &l.ReasonNotes, &l.DealName, &l.DealValue, &l.Currency,
		&l.PurchaseDate, &l.Notes, &l.CRMID, &l.CampaignID, &l.SenderName, &l.SenderEmail, &l.IsTest, &created, &updated, &accepted,
		&archived, &expires, &l.Version, &l.OwnerID, &firstContact)
	if err != nil {
		return nil, err
	}
	l.FirstContactAt = nullTime(firstContact)
	l.CreatedAt = time.Unix(created, 0).UTC()
	l.UpdatedAt = time.Unix(updated, 0).UTC()
	l.AcceptedAt = nullTime(accepted)
	l.ArchivedAt = nullTime(archived)
	l.ExpiresAt = nullTime(expires)
	return &l, nil
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// InsertLeadTx stores a new lead and its search terms. It fills in Actionable, Status, ExpiresAt
// (for received actionable leads) and the times when they are unset, and sets l.ID.
// A repeated external id gives ErrConflict.
func InsertLeadTx(ctx context.Context, tx *sql.Tx, l *Lead) error {
	fillNewLead(l)
	res, err := tx.ExecContext(ctx, `INSERT INTO leads (`+leadInsertColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		appendLeadArgs(make([]any, 0, leadInsertArgs), l)...)
	if err != nil {
		if IsUniqueViolation(err) {
			return fmt.Errorf("db: insert lead %q: %w", l.ExternalID, ErrConflict)
		}
		return fmt.Errorf("db: insert lead: %w", err)
	}
	l.ID, _ = res.LastInsertId()
	return IndexLeadSearchTx(ctx, tx, l)
}

// leadInsertColumns are the columns a new lead is written with (all but id), in appendLeadArgs' order.
const leadInsertColumns = `external_id, tab, classification, lead_type, source, cta, actionable,
	offer_id, offer_title, location_id, customer_company, contact_first_name, contact_last_name, contact_title, contact_email,
	contact_phone, country, city, description, quality, email_validity, phone_validity, customer_requested_contact,
	customer_consent, status, outcome, reason, reason_notes, deal_name, deal_value, currency, purchase_date, notes, crm_id,
	campaign_id, sender_name, sender_email, is_test, created_at, updated_at, accepted_at, archived_at, expires_at, version, owner_id`

// leadInsertArgs is how many values appendLeadArgs adds.
const leadInsertArgs = 45

// appendLeadArgs adds l's values for leadInsertColumns to args.
func appendLeadArgs(args []any, l *Lead) []any {
	return append(args, nullStr(l.ExternalID), l.Tab, nullStr(l.Classification), nullStr(l.LeadType), nullStr(l.Source), nullStr(l.CTA), l.Actionable,
		l.OfferID, l.OfferTitle, nullID(l.LocationID), l.CustomerCompany, l.ContactFirstName, l.ContactLastName, l.ContactTitle, l.ContactEmail,
		l.ContactPhone, l.Country, l.City, l.Description, l.Quality, l.EmailValidity, l.PhoneValidity, l.CustomerRequestedContact,
		l.CustomerConsent, l.Status, nullStr(l.Outcome), l.Reason, l.ReasonNotes, l.DealName, l.DealValue, l.Currency, l.PurchaseDate, l.Notes, l.CRMID,
		l.CampaignID, l.SenderName, l.SenderEmail, l.IsTest, l.CreatedAt.Unix(), l.UpdatedAt.Unix(), unixOrNil(l.AcceptedAt),
		unixOrNil(l.ArchivedAt), unixOrNil(l.ExpiresAt), l.Version, nullID(l.OwnerID))
}

// fillNewLead fills in what a new lead gets by default: Actionable, Status, Quality, the validities,
// the times, ExpiresAt (for received actionable leads) and Version.
func fillNewLead(l *Lead) {
	l.Actionable = lead.IsActionable(l.Tab, l.LeadType, l.CTA)
	if l.Status == "" {
		l.Status = "received"
	}
	if l.Quality == "" {
		l.Quality = "high"
	}
	if l.EmailValidity == "" {
		l.EmailValidity = "unknown"
	}
	if l.PhoneValidity == "" {
		l.PhoneValidity = "unknown"
	}
	if l.CreatedAt.IsZero() {
		l.CreatedAt = time.Now().UTC()
	}
	if l.UpdatedAt.IsZero() {
		l.UpdatedAt = l.CreatedAt
	}
	if l.ExpiresAt == nil && l.Actionable && l.Status == "received" {
		e := l.CreatedAt.Add(lead.ExpiryWindow)
		l.ExpiresAt = &e
	}
	if l.Version == 0 {
		l.Version = 1
	}
}

// IndexLeadSearchTx (re)writes the lead's row in the customer-name search index.
func IndexLeadSearchTx(ctx context.Context, tx Querier, l *Lead) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM lead_search WHERE rowid = ?`, l.ID); err != nil {
		return fmt.Errorf("db: index lead %d: %w", l.ID, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO lead_search (rowid, terms) VALUES (?, ?)`, l.ID, LeadSearchTerms(l)); err != nil {
		return fmt.Errorf("db: index lead %d: %w", l.ID, err)
	}
	return nil
}

// LeadSearchTerms is the indexed text of a lead: company, contact name, deal name, notes and id. An
// expired lead's contact name is left out: finding a lead by its hidden contact would tell who it was.
func LeadSearchTerms(l *Lead) string {
	return SearchTerms(append(leadindex.SearchText(l), strconv.FormatInt(l.ID, 10))...)
}

// SearchFormat is the version of what LeadSearchTerms writes; ensureSearchIndex rebuilds an index of
// another format at start (3: expired leads without their contact's name).
const SearchFormat = 3

// wordBreak separates words in SearchTerms. It is three characters long, and every other token is a
// bigram or a one-character word, so no query ever matches it, and no phrase runs across two words.
const wordBreak = "0wb"

// SearchTerms turns text into what lead_search indexes: for every word, lower-cased, its character
// bigrams in order (a one-character word as itself), words separated by wordBreak. Bigrams let a
// two-character query and scripts without spaces (Japanese) match; SearchQuery turns each query word
// into the phrase of its bigrams, which matches exactly where the word occurs inside an indexed word.
func SearchTerms(parts ...string) string {
	var b strings.Builder
	seen := make(map[string]struct{}, 32)
	for _, p := range parts {
		for _, w := range searchWords(p) {
			// A word already indexed adds nothing (matches are within one word): the company's name
			// often comes again in the deal name.
			if _, ok := seen[w]; ok {
				continue
			}
			seen[w] = struct{}{}
			if b.Len() > 0 {
				b.WriteString(" " + wordBreak + " ")
			}
			b.WriteString(strings.Join(bigrams(w), " "))
		}
	}
	return b.String()
}

// SearchQuery turns user input into an FTS5 MATCH expression over SearchTerms: every word of the
// input must occur inside a word of the lead's text ("田中" finds "田中商事", "tech nova" finds
// "Nova Technologies"). It is "" when the input has fewer than two searchable characters in total.
func SearchQuery(q string) string {
	words := searchWords(q)
	total := 0
	for _, w := range words {
		total += len([]rune(w))
	}
	if total < 2 {
		return ""
	}
	seen := map[string]struct{}{}
	var phrases []string
	for _, w := range words {
		if _, ok := seen[w]; ok {
			continue
		}
		seen[w] = struct{}{}
		if len([]rune(w)) == 1 {
			// A lone character is no bigram; as a prefix it finds the bigrams it starts (every place
			// in a word but the last character) and one-character words.
			phrases = append(phrases, `"`+w+`"*`)
			continue
		}
		phrases = append(phrases, `"`+strings.Join(bigrams(w), " ")+`"`)
	}
	return strings.Join(phrases, " AND ")
}

// searchWords lower-cases text and splits it at anything that is not a letter, digit or mark (one
// definition with the lead index's search).
func searchWords(s string) []string { return leadindex.SearchWords(s) }

func bigrams(w string) []string {
	r := []rune(w)
	if len(r) < 2 {
		return []string{w}
	}
	out := make([]string, 0, len(r)-1)
	for i := 0; i+1 < len(r); i++ {
		out = append(out, string(r[i:i+2]))
	}
	return out
}

// LeadByID returns one lead, or ErrNotFound.
func (d *DB) LeadByID(ctx context.Context, id int64) (*Lead, error) {
	l, err := ScanLead(d.QueryRowContext(ctx, `SELECT `+LeadColumns+` FROM leads WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("db: lead %d: %w", id, err)
	}
	return l, nil
}

// TabCounts returns how many non-test leads each tab holds, and how many this user has hearted.
func (d *DB) TabCounts(ctx context.Context, userID int64) (map[string]int, error) {
	counts := map[string]int{"marketplace": 0, "qualified": 0, "favorites": 0}
	rows, err := d.QueryContext(ctx, `SELECT tab, COUNT(*) FROM leads WHERE is_test = 0 GROUP BY tab`)
	if err != nil {
		return nil, fmt.Errorf("db: tab counts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var tab string
		var n int
		if err := rows.Scan(&tab, &n); err != nil {
			return nil, fmt.Errorf("db: tab counts: %w", err)
		}
		counts[tab] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: tab counts: %w", err)
	}
	var fav int
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM favorites f JOIN leads l ON l.id = f.lead_id
		WHERE f.user_id = ? AND l.is_test = 0`, userID).Scan(&fav); err != nil {
		return nil, fmt.Errorf("db: favorite count: %w", err)
	}
	counts["favorites"] = fav
	return counts, nil
}

// AddLeadEventTx appends a timeline entry. changesJSON is {"field": ["old", "new"]} or "".
func AddLeadEventTx(ctx context.Context, tx Querier, leadID int64, at time.Time, actorID int64, actorLabel, kind, changesJSON string) error {
	if changesJSON == "" {
		changesJSON = "{}"
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO lead_events (lead_id, at, actor_user_id, actor_label, kind, changes) VALUES (?, ?, ?, ?, ?, ?)`,
		leadID, at.Unix(), nullID(actorID), actorLabel, kind, changesJSON)
	if err != nil {
		return fmt.Errorf("db: lead %d event %s: %w", leadID, kind, err)
	}
	return nil
}
