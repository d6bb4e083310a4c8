package lead

import "time"

// ResponseDueSoon: a lead waiting for its first answer used 75 % of its response target (package
// sla); the owner is warned once. Due is when the target is missed.
type ResponseDueSoon struct {
	Change
	Due time.Time
}

// Kind implements Event.
func (ResponseDueSoon) Kind() string { return "lead.response_due_soon" }

// ResponseMissed: a lead waiting for its first answer passed its response target; it is escalated
// once, to EscalateTo (a user id) or, when 0, to the Referrals admins but the owner.
type ResponseMissed struct {
	Change
	Due        time.Time
	EscalateTo int64
}

// Kind implements Event.
func (ResponseMissed) Kind() string { return "lead.response_missed" }
