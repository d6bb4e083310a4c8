package partnercenter

import (
	"fmt"
	"strings"
	"time"

	"leaddesk/lead"
	"leaddesk/money"
)

// MicrosoftOrgID is the inviting organisation id of referrals Microsoft sends.
const MicrosoftOrgID = "msft"

// IsQualifiedLead tells whether a referral is a qualified lead from Microsoft, the only kind the
// sync takes: Independent, MarketingQualified or SalesQualified, and invited by Microsoft or by no
// one (not a co-sell opportunity of the partner or another partner, not an outgoing referral).
func IsQualifiedLead(r Referral) bool {
	if r.Type != TypeIndependent || r.Direction == DirectionOutgoing {
		return false
	}
	if r.Qualification != QualificationMarketingQualified && r.Qualification != QualificationSalesQualified {
		return false
	}
	if r.InviteContext == nil || r.InviteContext.InvitedBy == nil {
		return true
	}
	org := strings.TrimSpace(r.InviteContext.InvitedBy.OrganizationID)
	return org == "" || strings.EqualFold(org, MicrosoftOrgID)
}

// LeadStatus maps a referral's status and substatus to a lead's status and outcome:
// New/Pending|Received → received; Active/Accepted → accepted; Closed/Won|Lost|Declined|Expired →
// archived with that outcome.
func LeadStatus(status, substatus string) (leadStatus, outcome string, err error) {
	switch status {
	case StatusNew:
		if substatus == "" || substatus == SubstatusPending || substatus == SubstatusReceived {
			return "received", "", nil
		}
	case StatusActive:
		if substatus == "" || substatus == SubstatusAccepted {
			return "accepted", "", nil
		}
	case StatusClosed:
		switch substatus {
		case SubstatusWon, SubstatusLost, SubstatusDeclined, SubstatusExpired:
			return "archived", strings.ToLower(substatus), nil
		}
	default:
		return "", "", &FieldError{Field: "status", Problem: fmt.Sprintf("%q has no lead status", status)}
	}
	return "", "", &FieldError{Field: "substatus", Problem: fmt.Sprintf("%q with status %q has no lead status", substatus, status)}
}

// ToLead maps a valid referral to a new lead of the qualified tab. The caller keeps the referral's
// ETag and UpdatedDateTime next to the lead; routing, validation and the expiry clock are the
// lead service's.
func ToLead(r Referral) (*lead.Lead, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	status, outcome, err := LeadStatus(r.Status, r.Substatus)
	if err != nil {
		err.(*FieldError).ReferralID = r.ID
		return nil, err
	}
	l := &lead.Lead{
		ExternalID:               r.ID,
		Tab:                      "qualified",
		Actionable:               lead.IsActionable("qualified", "", ""),
		CustomerCompany:          strings.TrimSpace(r.CustomerProfile.Name),
		Country:                  strings.ToUpper(strings.TrimSpace(r.CustomerProfile.Address.Country)),
		City:                     strings.TrimSpace(r.CustomerProfile.Address.City),
		CustomerRequestedContact: r.Details.CustomerRequestedContact,
		CustomerConsent:          r.Consent.ConsentToContact,
		Status:                   status,
		Outcome:                  outcome,
		DealName:                 strings.TrimSpace(r.Name),
		Currency:                 r.Details.Currency,
		Notes:                    r.Details.Notes,
		CRMID:                    r.ExternalReferenceID,
		CampaignID:               r.CampaignID,
		CreatedAt:                r.CreatedDateTime.UTC(),
		UpdatedAt:                r.UpdatedDateTime.UTC(),
		AcceptedAt:               r.AcceptedDateTime.Ptr(),
		ExpiresAt:                r.ExpirationDateTime.Ptr(),
	}
	switch r.Qualification {
	case QualificationMarketingQualified:
		l.Classification = "marketing_qualified"
	case QualificationSalesQualified:
		l.Classification = "sales_qualified"
	}
	if team := r.CustomerProfile.Team; len(team) > 0 {
		l.ContactFirstName = strings.TrimSpace(team[0].FirstName)
		l.ContactLastName = strings.TrimSpace(team[0].LastName)
		l.ContactEmail = strings.TrimSpace(team[0].Email)
		l.ContactPhone = strings.TrimSpace(team[0].PhoneNumber)
	}
	if ic := r.InviteContext; ic != nil {
		l.Description = ic.Notes
		if ic.InvitedBy != nil {
			l.SenderName = ic.InvitedBy.OrganizationName
		}
	}
	if l.SenderName == "" && IsQualifiedLead(r) {
		l.SenderName = "Microsoft"
	}
	if r.Details.DealValue != nil && *r.Details.DealValue != "" {
		a, err := r.Details.DealValue.Amount(r.Details.Currency)
		if err != nil {
			return nil, &FieldError{ReferralID: r.ID, Field: "details.dealValue", Problem: err.Error()}
		}
		l.DealValue = a.Minor
	}
	if !r.Details.ClosingDateTime.IsZero() {
		l.PurchaseDate = r.Details.ClosingDateTime.UTC().Format(time.DateOnly)
	}
	if status == "archived" {
		l.ArchivedAt = r.UpdatedDateTime.Ptr()
		if outcome == "declined" || outcome == "lost" {
			l.Reason, l.ReasonNotes = ParseStatusReason(r.StatusReason)
		}
	}
	return l, nil
}

// reasonLabels are Leaddesk's decline and lost reasons as Partner Center's own forms word them;
// they are what a Microsoft seller reads in statusReason.
var reasonLabels = []struct{ code, label string }{
	{"budget", "Project budget isn't adequate"},
	{"no_response", "Customer didn't respond"},
	{"other_vendor", "Customer chose another vendor"},
	{"requirement_not_met", "Customer requirement not met"},
	{"not_a_customer", "Not a customer"},
	{"timeline_too_short", "Proposed timeline was too short"},
	{"spam", "Report as abuse, spam, or phishing"},
	{"other", "Other"},
}

// StatusReason writes a reason code and its notes as a statusReason: "Customer didn't respond: tried
// three times". An unknown code is written as it is.
func StatusReason(reason, notes string) string {
	label := reason
	for _, rl := range reasonLabels {
		if rl.code == reason {
			label = rl.label
		}
	}
	notes = strings.TrimSpace(notes)
	switch {
	case label == "":
		return notes
	case notes == "":
		return label
	}
	return label + ": " + notes
}

// ParseStatusReason reads a statusReason back into a reason code and notes; text that does not start
// with a known label is reason "other" with the text as notes.
func ParseStatusReason(s string) (reason, notes string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	for _, rl := range reasonLabels {
		if rest, ok := strings.CutPrefix(s, rl.label); ok && (rest == "" || strings.HasPrefix(rest, ":")) {
			return rl.code, strings.TrimSpace(strings.TrimPrefix(rest, ":"))
		}
	}
	return "other", s
}

// PatchOpsFor is the JSON Patch that carries a lead's change (before → after) to Partner Center:
// deal value, currency, close date and CRM id first, then the status: accepted → Active/Accepted;
// declined → Closed/Declined with statusReason; won → Closed/Won; lost → Closed/Lost with
// statusReason. An expiry is not sent (Partner Center expires referrals itself); a move the
// transition table forbids is an error. No change gives no ops.
func PatchOpsFor(before, after *lead.Lead) ([]PatchOp, error) {
	var ops []PatchOp
	replace := func(path string, v any) { ops = append(ops, PatchOp{Op: "replace", Path: path, Value: v}) }
	if after.DealValue != before.DealValue || (after.Currency != before.Currency && after.DealValue != 0) {
		if after.DealValue < 0 {
			return nil, &FieldError{ReferralID: after.ExternalID, Field: "details.dealValue", Problem: "negative"}
		}
		// A string, as Microsoft's PATCH examples write the amount.
		replace("/details/dealValue", string(DecimalOf(money.Amount{Minor: after.DealValue, Currency: after.Currency})))
	}
	if after.Currency != before.Currency && after.Currency != "" {
		replace("/details/currency", after.Currency)
	}
	if after.PurchaseDate != before.PurchaseDate && after.PurchaseDate != "" {
		d, err := time.Parse(time.DateOnly, after.PurchaseDate)
		if err != nil {
			return nil, &FieldError{ReferralID: after.ExternalID, Field: "details.closingDateTime", Problem: fmt.Sprintf("%q is not a date", after.PurchaseDate)}
		}
		replace("/details/closingDateTime", d.UTC().Format(time.RFC3339))
	}
	if after.CRMID != before.CRMID {
		replace("/externalReferenceId", after.CRMID)
	}
	if after.Status == before.Status && after.Outcome == before.Outcome {
		return ops, nil
	}
	status, substatus := "", ""
	switch {
	case after.Status == "accepted" && before.Status == "received":
		status, substatus = StatusActive, SubstatusAccepted
	case after.Status == "archived" && after.Outcome == "expired":
		return ops, nil
	case after.Status == "archived" && before.Status != "archived":
		status = StatusClosed
		switch after.Outcome {
		case "won":
			substatus = SubstatusWon
		case "lost":
			substatus = SubstatusLost
		case "declined":
			substatus = SubstatusDeclined
		}
	}
	if substatus == "" {
		return nil, &FieldError{ReferralID: after.ExternalID, Field: "status",
			Problem: fmt.Sprintf("%s/%s → %s/%s cannot be written to Partner Center", before.Status, before.Outcome, after.Status, after.Outcome)}
	}
	replace("/status", status)
	replace("/substatus", substatus)
	if substatus == SubstatusDeclined || substatus == SubstatusLost {
		replace("/statusReason", StatusReason(after.Reason, after.ReasonNotes))
	}
	return ops, nil
}

// AddTeamMember is the op that adds a person to the partner's team on the referral.
func AddTeamMember(m Member) PatchOp {
	return PatchOp{Op: "add", Path: "/team/-", Value: m}
}
