package lead

import (
	"context"
	"database/sql"
	"time"
)

// Actor is who changes a lead: a signed-in user (UserID, and the roles that decide what they may
// do), or a process that nobody signed in to — the jobs, an import, the marketplace, an API token —
// named by Label for the timeline.
type Actor struct {
	UserID int64
	Label  string
	Roles  []string
}

// HasRole reports whether the actor holds role.
func (a Actor) HasRole(role string) bool {
	for _, r := range a.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// JobActor is who the timeline and the events name for the background jobs' changes.
func JobActor() Actor { return Actor{Label: "job"} }

// Event is one domain event: something that happened to a lead, recorded in the transaction that
// made it happen (the domain_events table) and handed to every Subscriber inside that transaction.
// Each kind is a small struct of its own; all carry the lead as saved, the actor and the time.
type Event interface {
	// Kind is the event's stable name, as stored: "lead.received", "lead.accepted", ….
	Kind() string
	// Subject is the lead as saved by the change.
	Subject() *Lead
	// By is who made the change.
	By() Actor
	// When is the time of the change.
	When() time.Time
}

// Subscriber reacts to events inside the transaction that records them, so its own writes (mail in
// the outbox, Action Center items, later a sync queue or webhooks) commit or roll back with the
// change. An error rolls the whole change back.
type Subscriber interface {
	Handle(ctx context.Context, tx *sql.Tx, e Event) error
}

// Change is what every event carries: the lead as saved, who changed it and when.
type Change struct {
	Lead  *Lead
	Actor Actor
	At    time.Time
}

// Subject implements Event.
func (c Change) Subject() *Lead { return c.Lead }

// By implements Event.
func (c Change) By() Actor { return c.Actor }

// When implements Event.
func (c Change) When() time.Time { return c.At }

// Received: a new lead arrived (marketplace, API, CSV import). Repeated deliveries of a stored lead
// are not events: nothing changed.
type Received struct{ Change }

// Accepted: a received lead was accepted, with its deal, team and extra contacts.
type Accepted struct {
	Change
	Before *Lead
}

// Declined: a received lead was declined with a reason.
type Declined struct {
	Change
	Before *Lead
}

// Edited: an accepted lead's deal or team was edited, or the lead was moved to another location of
// the business profile (its location was removed).
type Edited struct {
	Change
	Before *Lead
}

// EmployeeAdded: an employee was added to an accepted lead.
type EmployeeAdded struct {
	Change
	Employee Contact
}

// Contact is a person added to a lead beside its customer contact.
type Contact struct {
	Name, Email, Phone string
}

// Won: an accepted lead's deal was won.
type Won struct {
	Change
	Before *Lead
}

// Lost: an accepted lead's deal was lost, with a reason.
type Lost struct {
	Change
	Before *Lead
}

// Expired: a received actionable lead went unanswered past its respond-by time.
type Expired struct {
	Change
	Before *Lead
}

// Archived: an informational lead reached its archival age.
type Archived struct {
	Change
	Before *Lead
}

// ExpiryNear: a received actionable lead expires within the reminder window; it is reminded once.
type ExpiryNear struct{ Change }

// ChangedInPartnerCenter: the Partner Center sync brought a change made there (a colleague accepted the
// referral, it expired there, the deal was edited) to a lead that came from Partner Center.
type ChangedInPartnerCenter struct {
	Change
	Before *Lead
}

// Kind implements Event.
func (ChangedInPartnerCenter) Kind() string { return "lead.partner_center_changed" }

// Kind implements Event.
func (Received) Kind() string { return "lead.received" }

// Kind implements Event.
func (Accepted) Kind() string { return "lead.accepted" }

// Kind implements Event.
func (Declined) Kind() string { return "lead.declined" }

// Kind implements Event.
func (Edited) Kind() string { return "lead.edited" }

// Kind implements Event.
func (EmployeeAdded) Kind() string { return "lead.employee_added" }

// Kind implements Event.
func (Won) Kind() string { return "lead.won" }

// Kind implements Event.
func (Lost) Kind() string { return "lead.lost" }

// Kind implements Event.
func (Expired) Kind() string { return "lead.expired" }

// Kind implements Event.
func (Archived) Kind() string { return "lead.archived" }

// Kind implements Event.
func (ExpiryNear) Kind() string { return "lead.expiry_near" }

// Anonymised: a lead's personal data was removed — on a person's request (an erasure) or by a
// retention rule — or one of its extra contacts was erased. Cause is "request" or "retention". The
// lead keeps its dates, source, country, values and outcome.
type Anonymised struct {
	Change
	Cause string
}

// Kind implements Event.
func (Anonymised) Kind() string { return "lead.anonymised" }

// Deleted: a lead was deleted by a retention rule (Cause "retention", or "test" for Microsoft's test
// leads). Subject is the lead's non-personal attributes only; the row is gone.
type Deleted struct {
	Change
	Cause string
}

// Kind implements Event.
func (Deleted) Kind() string { return "lead.deleted" }

// Assigned: a lead's owner changed (issue 17): assigned to a user, moved to another, or unassigned
// (Subject().OwnerID 0). Before is the lead as it was, so Before.OwnerID is the previous owner.
type Assigned struct {
	Change
	Before *Lead
}

// Kind implements Event.
func (Assigned) Kind() string { return "lead.assigned" }

// ActivityLogged: a call, email, meeting or note was logged on a lead, perhaps with a next step
// (issue 17); NextStepDone: a next step was marked done.
type ActivityLogged struct {
	Change
	ActivityKind, Outcome, NextStep, NextDue string
}

// Kind implements Event.
func (ActivityLogged) Kind() string { return "lead.activity_logged" }

// NextStepDone: a next step of an activity was marked done.
type NextStepDone struct {
	Change
	NextStep string
}

// Kind implements Event.
func (NextStepDone) Kind() string { return "lead.next_step_done" }
