// Package lifecycle holds the rules of a lead's life (docs/design.md §3.3) in one place: which actions each
// state and role allows, and what each action does to the lead. It is pure — no HTTP, no SQL, no
// clock of its own — so the handlers, the jobs and the tests all ask the same functions, and a table
// test can walk every state × action × role. It exists apart from db/ and handlers/ because neither
// owns the rules: db stores what they decide, handlers ask them before showing a button or acting.
package lifecycle

import (
	"errors"
	"time"

	"leaddesk/lead"
)

// Action is something a person does to a lead.
type Action string

// The actions of docs/design.md §3.3.
const (
	Accept      Action = "accept"
	Decline     Action = "decline"
	Edit        Action = "edit"
	AddEmployee Action = "add_employee"
	Won         Action = "won"
	Lost        Action = "lost"
)

// Actions lists every action in display order.
var Actions = []Action{Accept, Decline, Edit, AddEmployee, Won, Lost}

// Errors of Check. ErrRole: the actor's roles do not allow working leads. ErrState: the lead's
// current state does not offer this action (archived leads offer none).
var (
	ErrRole  = errors.New("lifecycle: role may not work leads")
	ErrState = errors.New("lifecycle: action not allowed in this state")
)

// State names the lifecycle state of a lead: "received", "accepted", "archived", or "informational"
// for received leads that need no action.
func State(l *lead.Lead) string {
	if l.Status == "received" && !l.Actionable {
		return "informational"
	}
	return l.Status
}

// The roles that may work leads (docs/design.md §2); they are db.RoleReferrals and db.RoleAccount, which a
// test keeps in step. Business profile admins read leads only.
const (
	roleReferrals = "referrals-admin"
	roleAccount   = "account-admin"
)

// CanWork reports whether an actor's roles allow acting on leads: Referrals admins and Account admins.
func CanWork(a lead.Actor) bool {
	return a.HasRole(roleReferrals) || a.HasRole(roleAccount)
}

// allowedIn is which actions each state offers.
var allowedIn = map[string][]Action{
	"received":      {Accept, Decline},
	"accepted":      {Edit, AddEmployee, Won, Lost},
	"informational": nil,
	"archived":      nil,
}

// Check says whether u may do a on l now: nil, ErrRole or ErrState (role first: a read-only user
// learns nothing about states it cannot change).
func Check(l *lead.Lead, u lead.Actor, a Action) error {
	if !CanWork(u) {
		return ErrRole
	}
	for _, x := range allowedIn[State(l)] {
		if x == a {
			return nil
		}
	}
	return ErrState
}

// Allowed lists the actions u may do on l now, in display order; empty for read-only users and
// for leads that take no action.
func Allowed(l *lead.Lead, u lead.Actor) []Action {
	var out []Action
	for _, a := range Actions {
		if Check(l, u, a) == nil {
			out = append(out, a)
		}
	}
	return out
}

// Deal is what Accept and Edit set on a lead.
type Deal struct {
	Name         string
	Value        int64 // minor units of Currency
	Currency     string
	PurchaseDate string // YYYY-MM-DD
	Notes        string
	CampaignID   string
	CRMID        string
}

// Input is what an action brings along: the deal (Accept, Edit) or a reason with notes (Decline, Lost).
type Input struct {
	Deal        Deal
	Reason      string
	ReasonNotes string
}

// Apply checks a and returns the lead as it is after a, leaving l untouched. It sets the status,
// outcome, reason, deal fields and times each action changes; the caller stores the result (guarded
// by the version it read) and records the difference in the timeline. Team members and employees are
// rows of their own, stored beside it.
func Apply(l *lead.Lead, u lead.Actor, a Action, in Input, now time.Time) (*lead.Lead, error) {
	if err := Check(l, u, a); err != nil {
		return nil, err
	}
	next := *l
	now = now.UTC()
	switch a {
	case Accept:
		next.Status = "accepted"
		next.AcceptedAt = &now
		next.ExpiresAt = nil // answered: no respond-by any more
		setDeal(&next, in.Deal)
	case Edit:
		setDeal(&next, in.Deal)
	case Decline:
		archive(&next, "declined", in, now)
	case Won:
		archive(&next, "won", Input{}, now)
	case Lost:
		archive(&next, "lost", in, now)
	case AddEmployee:
		// Only a new lead_contacts row; the lead itself changes by its version and time.
	}
	next.UpdatedAt = now
	return &next, nil
}

func setDeal(l *lead.Lead, d Deal) {
	l.DealName, l.DealValue, l.Currency, l.PurchaseDate = d.Name, d.Value, d.Currency, d.PurchaseDate
	l.Notes, l.CampaignID, l.CRMID = d.Notes, d.CampaignID, d.CRMID
}

func archive(l *lead.Lead, outcome string, in Input, now time.Time) {
	l.Status = "archived"
	l.Outcome = outcome
	l.Reason = in.Reason
	l.ReasonNotes = in.ReasonNotes
	l.ArchivedAt = &now
	l.ExpiresAt = nil
}

// CustomerToldOnDecline reports whether declining l sends the customer the "please choose another
// partner" notice: only when they agreed to be contacted by email and their address is known valid
// (not missing, invalid, spam or unconfirmed), and never for test leads. The decline dialog says so
// before the click; the mail subscriber queues the notice under the same conditions.
func CustomerToldOnDecline(l *lead.Lead) bool {
	return !l.IsTest && l.CustomerConsent && l.EmailValidity == "valid" && l.ContactEmail != ""
}

// CheckAssign says whether u may give l an owner (or take it away) now: nil, ErrRole or ErrState.
// Anyone who may work leads may assign any lead that is still worked; an archived lead keeps its
// history, owner included, read-only (issue 17).
func CheckAssign(l *lead.Lead, u lead.Actor) error {
	if !CanWork(u) {
		return ErrRole
	}
	if l.Status == "archived" {
		return ErrState
	}
	return nil
}

// EventKind is the timeline kind an action records.
func EventKind(a Action) string {
	switch a {
	case Accept:
		return "accepted"
	case Decline:
		return "declined"
	case Edit:
		return "edited"
	case AddEmployee:
		return "employee_added"
	case Won:
		return "won"
	case Lost:
		return "lost"
	}
	return string(a)
}

// The jobs' transitions (docs/design.md §3.3): the leads service asks the Due… rules of every candidate the
// store finds and applies Expire or ArchiveInformational to those that are due.

// ReminderBefore is how long before expiry the Action Center reminder is due.
const ReminderBefore = 48 * time.Hour

// DueToExpire reports whether a received actionable lead went unanswered past its respond-by time.
func DueToExpire(l *lead.Lead, now time.Time) bool {
	return State(l) == "received" && l.ExpiresAt != nil && !now.Before(*l.ExpiresAt)
}

// DueForReminder reports whether a received actionable lead expires within ReminderBefore.
func DueForReminder(l *lead.Lead, now time.Time) bool {
	return State(l) == "received" && l.ExpiresAt != nil && !now.Before(l.ExpiresAt.Add(-ReminderBefore)) && now.Before(*l.ExpiresAt)
}

// DueForArchival reports whether an informational lead reached its archival age.
func DueForArchival(l *lead.Lead, now time.Time) bool {
	return State(l) == "informational" && !now.Before(l.CreatedAt.Add(lead.InformationalArchiveAfter))
}

// Expire returns l as it is after expiring unanswered, leaving l untouched; ErrState unless it is
// DueToExpire at now. The contact details stay stored but are no longer shown (lead.ContactHidden).
func Expire(l *lead.Lead, now time.Time) (*lead.Lead, error) {
	if !DueToExpire(l, now) {
		return nil, ErrState
	}
	next := *l
	now = now.UTC()
	next.Status, next.Outcome, next.ArchivedAt, next.ExpiresAt, next.UpdatedAt = "archived", "expired", &now, nil, now
	return &next, nil
}

// ArchiveInformational returns an informational lead as it is after archival (no outcome), leaving l
// untouched; ErrState unless it is DueForArchival at now.
func ArchiveInformational(l *lead.Lead, now time.Time) (*lead.Lead, error) {
	if !DueForArchival(l, now) {
		return nil, ErrState
	}
	next := *l
	now = now.UTC()
	next.Status, next.ArchivedAt, next.UpdatedAt = "archived", &now, now
	return &next, nil
}

// SettleArrival applies the lifecycle to a lead that arrives with an old creation time (historical
// leads from the API or an import), so it arrives in the state the jobs would have put it in:
// a received actionable lead past its 14 days arrives expired (archived, contact details hidden, no
// reminder or expiry mail, since nobody could have answered it here), and an informational lead past
// six months arrives archived. A status the sender gave (accepted, archived) is kept. It sets
// Actionable from the lead's kind, and is idempotent.
func SettleArrival(l *lead.Lead, now time.Time) {
	l.Actionable = lead.IsActionable(l.Tab, l.LeadType, l.CTA)
	if l.Status != "" && l.Status != "received" {
		return
	}
	switch {
	case l.Actionable && !l.CreatedAt.Add(lead.ExpiryWindow).After(now):
		at := l.CreatedAt.Add(lead.ExpiryWindow)
		l.Status, l.Outcome, l.ArchivedAt, l.ExpiresAt = "archived", "expired", &at, &at
	case !l.Actionable && !l.CreatedAt.Add(lead.InformationalArchiveAfter).After(now):
		at := l.CreatedAt.Add(lead.InformationalArchiveAfter)
		l.Status, l.ArchivedAt = "archived", &at
	}
}

// RespondBy is the date by which a received actionable lead needs an answer, or the zero time.
func RespondBy(l *lead.Lead) time.Time {
	if State(l) != "received" || l.ExpiresAt == nil {
		return time.Time{}
	}
	return *l.ExpiresAt
}

// FlameCalmAfter is when the flame alert turns from urgent to "still active".
const FlameCalmAfter = 72 * time.Hour

// Flame says how the customer-requested-contact alert shows: "" (none), "hot" within 72 hours of
// creation, "calm" after. Only a received lead shows it: once it is accepted someone is working it, and
// an archived lead has nobody left to call back.
func Flame(l *lead.Lead, now time.Time) string {
	if !l.CustomerRequestedContact || l.Status != "received" {
		return ""
	}
	if now.Sub(l.CreatedAt) < FlameCalmAfter {
		return "hot"
	}
	return "calm"
}

// Urgency levels of a respond-by deadline, from Urgency.
const (
	UrgencyNone    = ""        // no deadline: not a received actionable lead
	UrgencyCalm    = "calm"    // more than UrgencyWarnWithin left
	UrgencyWarning = "warning" // less than UrgencyWarnWithin left
	UrgencyDanger  = "danger"  // less than UrgencyDangerWithin left, or overdue
)

// The thresholds of Urgency: warning from the 48-hour reminder on, danger in the last day.
const (
	UrgencyWarnWithin   = ReminderBefore
	UrgencyDangerWithin = 24 * time.Hour
)

// Urgency is how pressing a lead's respond-by deadline is at now — the one rule every place that
// shows a deadline (details page, list cells, Action Center) colours it by.
func Urgency(l *lead.Lead, now time.Time) string {
	by := RespondBy(l)
	if by.IsZero() {
		return UrgencyNone
	}
	switch left := by.Sub(now); {
	case left < UrgencyDangerWithin:
		return UrgencyDanger
	case left < UrgencyWarnWithin:
		return UrgencyWarning
	}
	return UrgencyCalm
}

// ExpiryOf is when a received actionable lead expires (or expired) unanswered: its respond-by time, else
// its arrival plus lead.ExpiryWindow, for leads answered since (the reminder's timeline entry names it).
func ExpiryOf(l *lead.Lead) time.Time {
	if l.ExpiresAt != nil {
		return *l.ExpiresAt
	}
	return l.CreatedAt.Add(lead.ExpiryWindow)
}

// TimeLeft splits the time left to respond into what the list and the details page say: "overdue"
// (nothing left), whole "days" from ReminderBefore on (rounded down), else "hours" (rounded up, so a
// minute left still reads "1 hour").
func TimeLeft(left time.Duration) (unit string, n int) {
	switch {
	case left <= 0:
		return "overdue", 0
	case left >= ReminderBefore:
		return "days", int(left / (24 * time.Hour))
	default:
		return "hours", int((left + time.Hour - 1) / time.Hour)
	}
}
