package leads

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"leaddesk/db"
	"leaddesk/lead"
)

// Erasure on request (issue 19, GDPR art. 17, APPI art. 35): a person asks to be forgotten. Their
// leads are anonymised, not deleted, so Insights for the period stay true; their entries as an extra
// contact or employee and mail addressed to them are removed; every stored copy (timeline, search
// index, outbox, webhook and Partner Center queues) goes with them. The audit log keeps a hash of the
// address, the counts, who and when — never the address itself.

// MaxErasureReason bounds the reason an erasure is recorded with.
const MaxErasureReason = 300

// ErasureRequest is who is to be erased and why.
type ErasureRequest struct {
	Email, Phone, Reason string
}

// ErasureReport is what an erasure did.
type ErasureReport struct {
	Leads, Contacts, Mail int
	Hash                  string // the audit log's hash of the address (and phone)
}

// Count is how many records were erased.
func (r ErasureReport) Count() int { return r.Leads + r.Contacts + r.Mail }

// validate checks a request: an email address or a phone number, and a reason that does not itself
// repeat them (the audit log keeps the reason).
func (r *ErasureRequest) validate(needReason bool) error {
	r.Email, r.Phone, r.Reason = strings.TrimSpace(r.Email), strings.TrimSpace(r.Phone), strings.TrimSpace(r.Reason)
	if r.Email == "" && r.Phone == "" {
		return fmt.Errorf("%w: email: an email address or a phone number is needed", ErrInvalid)
	}
	if r.Email != "" {
		if a, err := mail.ParseAddress(r.Email); err != nil || a.Address != r.Email {
			return fmt.Errorf("%w: email: not an email address", ErrInvalid)
		}
	}
	if r.Phone != "" && len(db.PhoneDigits(r.Phone)) < 6 {
		return fmt.Errorf("%w: phone: not a phone number", ErrInvalid)
	}
	if !needReason {
		return nil
	}
	if r.Reason == "" {
		return fmt.Errorf("%w: reason: a reason is needed", ErrInvalid)
	}
	if len([]rune(r.Reason)) > MaxErasureReason {
		return fmt.Errorf("%w: reason: at most %d characters", ErrInvalid, MaxErasureReason)
	}
	low := strings.ToLower(r.Reason)
	if (r.Email != "" && strings.Contains(low, strings.ToLower(r.Email))) ||
		(r.Phone != "" && strings.Contains(db.PhoneDigits(r.Reason), db.PhoneDigits(r.Phone))) {
		return fmt.Errorf("%w: reason: must not repeat the address or number", ErrInvalid)
	}
	return nil
}

// PersonHash is how the audit log names a person: the SHA-256 of the lower-cased address and the
// phone's digits, so a later request for the same person can be matched to it without the log
// holding the address.
func PersonHash(email, phone string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email)) + "\n" + db.PhoneDigits(phone)))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// FindPerson answers everything Leaddesk holds about the person with the email address or phone
// number: the preview of an erasure and the basis of an access export.
func (s *Service) FindPerson(ctx context.Context, email, phone string) (db.PersonData, error) {
	r := ErasureRequest{Email: email, Phone: phone}
	if err := r.validate(false); err != nil {
		return db.PersonData{}, err
	}
	return db.FindPerson(ctx, s.db, r.Email, r.Phone)
}

// Erase erases the person of req in one transaction: each lead whose customer contact they are is
// anonymised (an Anonymised event, cause "request"), each extra contact or employee entry naming them
// is removed (an Anonymised event for its lead), and mail to them leaves the outbox; the audit log
// records the hash, the counts, the reason and the actor. After the commit the search index is merged
// and the write-ahead log truncated, so the file holds no copy.
func (s *Service) Erase(ctx context.Context, by lead.Actor, req ErasureRequest) (ErasureReport, error) {
	if err := req.validate(true); err != nil {
		return ErasureReport{}, err
	}
	if by.UserID != 0 && !by.HasRole("account-admin") {
		return ErasureReport{}, ErrRole
	}
	now := s.clock.Now()
	rep := ErasureReport{Hash: PersonHash(req.Email, req.Phone)}
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		rep = ErasureReport{Hash: rep.Hash}
		found, err := db.FindPerson(ctx, tx, req.Email, req.Phone)
		if err != nil {
			return err
		}
		var events []recorded
		done := map[int64]bool{}
		for _, l := range found.Leads {
			after, err := db.AnonymiseLeadTx(ctx, tx, l, now, dbActor(by), "erased", "request")
			if err != nil {
				return err
			}
			done[l.ID] = true
			rep.Leads++
			events = append(events, recorded{event: lead.Anonymised{Change: lead.Change{Lead: after, Actor: by, At: now}, Cause: "request"}})
		}
		for _, c := range found.Contacts {
			if done[c.LeadID] {
				rep.Contacts++ // removed with its lead's other contacts
				continue
			}
			if err := db.RemoveLeadContactTx(ctx, tx, c, now, dbActor(by), "contact_erased"); err != nil {
				return err
			}
			rep.Contacts++
			l, err := db.LeadByIDTx(ctx, tx, c.LeadID)
			if err != nil {
				return err
			}
			events = append(events, recorded{event: lead.Anonymised{Change: lead.Change{Lead: l, Actor: by, At: now}, Cause: "request"}})
		}
		if req.Email != "" {
			if _, err := db.DeleteMailToTx(ctx, tx, req.Email); err != nil {
				return err
			}
		}
		// Mail about an anonymised lead may have gone with it already; the count is what was found.
		rep.Mail = len(found.Mail)
		details, err := json.Marshal(map[string]any{"hash": rep.Hash, "leads": rep.Leads, "contacts": rep.Contacts,
			"mail": rep.Mail, "reason": req.Reason})
		if err != nil {
			return err
		}
		if err := db.Audit(ctx, tx, now, by.UserID, by.Label, "privacy.erase", rep.Hash, string(details)); err != nil {
			return err
		}
		return s.record(ctx, tx, events...)
	})
	if err != nil {
		return ErasureReport{}, fmt.Errorf("leads: erase: %w", err)
	}
	s.compact(ctx, "erasure")
	return rep, nil
}

// PersonExport is everything Leaddesk holds about one person (access on request, GDPR art. 15, APPI
// art. 33), as JSON: the leads whose customer contact they are with their timelines, their entries
// as an extra contact or employee, and the mail queued or sent to them.
type PersonExport struct {
	Email    string          `json:"email,omitempty"`
	Phone    string          `json:"phone,omitempty"`
	Exported time.Time       `json:"exported"`
	Leads    []ExportLead    `json:"leads"`
	Contacts []ExportContact `json:"contacts"`
	Mail     []ExportMail    `json:"mail"`
}

// ExportLead is a lead the person is the customer contact of.
type ExportLead struct {
	ID        int64         `json:"id"`
	Received  time.Time     `json:"received"`
	Company   string        `json:"company"`
	Country   string        `json:"country"`
	FirstName string        `json:"first_name"`
	LastName  string        `json:"last_name"`
	Title     string        `json:"title"`
	Email     string        `json:"email"`
	Phone     string        `json:"phone"`
	Message   string        `json:"message"`
	Consent   bool          `json:"consent_to_contact"`
	Status    string        `json:"status"`
	Outcome   string        `json:"outcome,omitempty"`
	Offer     string        `json:"offer"`
	Timeline  []ExportEvent `json:"timeline"`
}

// ExportEvent is one timeline entry.
type ExportEvent struct {
	At      time.Time            `json:"at"`
	Kind    string               `json:"kind"`
	Changes map[string][2]string `json:"changes,omitempty"`
}

// ExportContact is an entry of the person as an extra contact or employee of a lead.
type ExportContact struct {
	LeadID int64     `json:"lead_id"`
	Kind   string    `json:"kind"`
	Name   string    `json:"name"`
	Email  string    `json:"email"`
	Phone  string    `json:"phone"`
	Added  time.Time `json:"added"`
}

// ExportMail is a mail queued or sent to the person.
type ExportMail struct {
	ID      int64     `json:"id"`
	Kind    string    `json:"kind"`
	Status  string    `json:"status"`
	LeadID  int64     `json:"lead_id,omitempty"`
	Created time.Time `json:"created"`
}

// Export gathers everything held about the person with the email address or phone number.
func (s *Service) Export(ctx context.Context, email, phone string) (PersonExport, error) {
	found, err := s.FindPerson(ctx, email, phone)
	if err != nil {
		return PersonExport{}, err
	}
	out := PersonExport{Email: strings.TrimSpace(email), Phone: strings.TrimSpace(phone), Exported: s.clock.Now().UTC(),
		Leads: []ExportLead{}, Contacts: []ExportContact{}, Mail: []ExportMail{}}
	for _, l := range found.Leads {
		events, err := s.db.LeadEvents(ctx, l.ID)
		if err != nil {
			return out, err
		}
		el := ExportLead{ID: l.ID, Received: l.CreatedAt, Company: l.CustomerCompany, Country: l.Country, FirstName: l.ContactFirstName,
			LastName: l.ContactLastName, Title: l.ContactTitle, Email: l.ContactEmail, Phone: l.ContactPhone, Message: l.Description,
			Consent: l.CustomerConsent, Status: l.Status, Outcome: l.Outcome, Offer: l.OfferTitle, Timeline: []ExportEvent{}}
		for i := len(events) - 1; i >= 0; i-- { // oldest first
			e := events[i]
			el.Timeline = append(el.Timeline, ExportEvent{At: e.At, Kind: e.Kind, Changes: e.Changes})
		}
		out.Leads = append(out.Leads, el)
	}
	for _, c := range found.Contacts {
		out.Contacts = append(out.Contacts, ExportContact{LeadID: c.LeadID, Kind: c.Kind, Name: c.Name, Email: c.Email, Phone: c.Phone, Added: c.CreatedAt})
	}
	for _, m := range found.Mail {
		out.Mail = append(out.Mail, ExportMail{ID: m.ID, Kind: m.Kind, Status: m.Status, LeadID: m.LeadID, Created: m.CreatedAt})
	}
	return out, nil
}

// CSVRows flattens the export into rows of record, id, lead id, time, field, value — one value per
// row, so every field of every record fits one machine-readable table.
func (p PersonExport) CSVRows() [][]string {
	rows := [][]string{{"record", "id", "lead_id", "at", "field", "value"}}
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	for _, l := range p.Leads {
		for _, f := range [][2]string{{"company", l.Company}, {"country", l.Country}, {"first_name", l.FirstName}, {"last_name", l.LastName},
			{"title", l.Title}, {"email", l.Email}, {"phone", l.Phone}, {"message", l.Message}, {"consent_to_contact", strconv.FormatBool(l.Consent)},
			{"status", l.Status}, {"outcome", l.Outcome}, {"offer", l.Offer}} {
			rows = append(rows, []string{"lead", id(l.ID), id(l.ID), ts(l.Received), f[0], f[1]})
		}
		for i, e := range l.Timeline {
			rows = append(rows, []string{"timeline", strconv.Itoa(i + 1), id(l.ID), ts(e.At), "kind", e.Kind})
			keys := make([]string, 0, len(e.Changes))
			for k := range e.Changes {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				rows = append(rows, []string{"timeline", strconv.Itoa(i + 1), id(l.ID), ts(e.At), k, e.Changes[k][0] + " → " + e.Changes[k][1]})
			}
		}
	}
	for i, c := range p.Contacts {
		for _, f := range [][2]string{{"kind", c.Kind}, {"name", c.Name}, {"email", c.Email}, {"phone", c.Phone}} {
			rows = append(rows, []string{"contact", strconv.Itoa(i + 1), id(c.LeadID), ts(c.Added), f[0], f[1]})
		}
	}
	for _, m := range p.Mail {
		for _, f := range [][2]string{{"kind", m.Kind}, {"status", m.Status}} {
			rows = append(rows, []string{"mail", id(m.ID), id(m.LeadID), ts(m.Created), f[0], f[1]})
		}
	}
	return rows
}
