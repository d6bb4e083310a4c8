// Package lead holds what a lead is, before anyone stores, shows or changes one: the Lead type, the
// codes of its fields (docs/design.md §3.2, the query-string and stored values alike) and the facts of its kind
// (which leads are actionable, how long an answer may wait), and (events.go) who changes a lead and
// the domain events its changes record. It imports nothing of the app, so every other package — the
// store, the lifecycle rules, the domain service, mail, the handlers — can share it.
package lead

import (
	"strings"
	"time"
	"unicode"
)

// Codes of docs/design.md §3.2; they are the query-string values and the stored values alike.
var (
	Tabs = []string{"marketplace", "qualified"}
	// SyncStates are the Partner Center sync states of a synced lead (the list's sync filter).
	SyncStates      = []string{"in_sync", "pending", "failed", "conflict"}
	Classifications = []string{"marketing_qualified", "sales_qualified"}
	LeadTypes       = []string{"offer", "profile"}
	Sources         = []string{"appsource", "azure_marketplace", "azure_portal"}
	CTAs            = []string{"get_it_now", "free_trial", "test_drive", "contact_me"}
	Qualities       = []string{"high", "low"}
	Statuses        = []string{"received", "accepted", "archived"}
	Outcomes        = []string{"won", "lost", "declined", "expired"}
	EmailValidities = []string{"valid", "invalid", "spam", "unknown"}
	PhoneValidities = []string{"valid", "invalid", "unknown"}
	// DeclineReasons are the decline reasons of docs/design.md §3.3, in display order.
	DeclineReasons = []string{"budget", "no_response", "other_vendor", "requirement_not_met", "not_a_customer", "timeline_too_short", "spam", "other"}
	// LostReasons are the reasons a deal can be lost.
	LostReasons = []string{"budget", "no_response", "other_vendor", "requirement_not_met", "timeline_too_short", "other"}
)

// ExpiryWindow is how long a received actionable lead waits for an answer (docs/design.md §3.3).
const ExpiryWindow = 14 * 24 * time.Hour

// InformationalArchiveAfter is when informational leads are archived.
const InformationalArchiveAfter = 183 * 24 * time.Hour

// IsActionable tells whether a lead of this kind has the accept/decline lifecycle (docs/design.md §3.1):
// profile leads, contact-me offer leads and all qualified leads.
func IsActionable(tab, leadType, cta string) bool {
	return tab == "qualified" || leadType == "profile" || cta == "contact_me"
}

// Lead is one referral with every field of docs/design.md §3–§5.
type Lead struct {
	ID                       int64
	ExternalID               string
	Tab                      string
	Classification           string
	LeadType                 string
	Source                   string
	CTA                      string
	Actionable               bool
	OfferID                  string
	OfferTitle               string
	LocationID               int64
	LocationRef              string // the location an incoming payload names (id or name); leads.Service routes by it (docs/design.md §6); not stored
	CustomerCompany          string
	ContactFirstName         string
	ContactLastName          string
	ContactTitle             string
	ContactEmail             string
	ContactPhone             string
	Country                  string
	City                     string
	Description              string
	Quality                  string
	EmailValidity            string
	PhoneValidity            string
	CustomerRequestedContact bool
	CustomerConsent          bool
	Status                   string
	Outcome                  string
	Reason                   string
	ReasonNotes              string
	DealName                 string
	DealValue                int64 // minor units
	Currency                 string
	PurchaseDate             string
	Notes                    string
	CRMID                    string
	CampaignID               string
	SenderName               string
	SenderEmail              string
	IsTest                   bool
	CreatedAt                time.Time
	UpdatedAt                time.Time
	AcceptedAt               *time.Time
	ArchivedAt               *time.Time
	ExpiresAt                *time.Time
	Version                  int64
	// OwnerID is the user who works the lead (issue 17); 0 = unassigned. Only leads.Service.AssignOwner
	// and the assignment rules change it.
	OwnerID int64
	// PCSync is the Partner Center sync state of a lead that came from Partner Center (one of
	// SyncStates; "" for every other lead). pcsync keeps it in pc_referrals; the lead index reads it
	// for the list's sync filter, other loads leave it empty.
	PCSync string
	// Activities and LastActivityAt are the logged activities' count and the latest one's time, read
	// only where they are shown (the export); nil/0 elsewhere.
	Activities     int
	LastActivityAt *time.Time
	// FirstContactAt is when the first call, email or meeting was logged on the lead (issue 17): it
	// meets the lead's response target (package sla). Only leads.Service.LogActivity sets it.
	FirstContactAt *time.Time
}

// ContactName is the contact's full name in the order its script uses: family name first for
// Chinese, Japanese and Korean names ("鈴木 彩"), given name first otherwise ("Katrin Schmidt", and
// also "Aiko Sato" when a Japanese contact wrote it in Latin letters).
func (l *Lead) ContactName() string {
	if familyNameFirst(l.ContactFirstName + l.ContactLastName) {
		return strings.TrimSpace(l.ContactLastName + " " + l.ContactFirstName)
	}
	return strings.TrimSpace(l.ContactFirstName + " " + l.ContactLastName)
}

// SplitContactName splits a full name written as ContactName writes it into first and last name; a
// name without a space is all first name.
func SplitContactName(full string) (first, last string) {
	a, b, ok := strings.Cut(strings.TrimSpace(full), " ")
	b = strings.TrimSpace(b)
	if ok && familyNameFirst(full) {
		return b, a
	}
	return a, b
}

// familyNameFirst reports whether a name is written in a script whose names put the family name
// first (Han, Hiragana, Katakana, Hangul).
func familyNameFirst(name string) bool {
	for _, r := range name {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
			return true
		}
	}
	return false
}

// ContactHidden reports whether contact details must not be shown: expired leads never show them.
func (l *Lead) ContactHidden() bool { return l.Outcome == "expired" }
