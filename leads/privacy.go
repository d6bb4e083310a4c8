package leads

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"

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
	if err := s.db.CompactAfterErasure(ctx); err != nil {
		// The erasure is committed; only the file's tidy-up waits for the next checkpoint.
		slog.Warn("erasure: compact", "err", err)
	}
	return rep, nil
}
