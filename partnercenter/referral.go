package partnercenter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Referral statuses, substatuses, types, qualifications and directions as the Referrals API spells them.
const (
	StatusNone   = "None"
	StatusNew    = "New"
	StatusActive = "Active"
	StatusClosed = "Closed"

	SubstatusNone     = "None"
	SubstatusPending  = "Pending"
	SubstatusReceived = "Received"
	SubstatusAccepted = "Accepted"
	SubstatusWon      = "Won"
	SubstatusLost     = "Lost"
	SubstatusDeclined = "Declined"
	SubstatusExpired  = "Expired"

	TypeShared      = "Shared"
	TypeIndependent = "Independent"

	QualificationNone               = "None"
	QualificationDirect             = "Direct"
	QualificationMarketingQualified = "MarketingQualified"
	QualificationSalesQualified     = "SalesQualified"

	DirectionIncoming = "Incoming"
	DirectionOutgoing = "Outgoing"
)

// substatuses lists, per status, the substatuses the transition table allows with it. A status of
// None is tolerated on read (the API documents it) but never written.
var substatuses = map[string][]string{
	StatusNone:   {SubstatusNone},
	StatusNew:    {SubstatusPending, SubstatusReceived},
	StatusActive: {SubstatusAccepted},
	StatusClosed: {SubstatusWon, SubstatusLost, SubstatusDeclined, SubstatusExpired},
}

// nextStatuses is the transition table: the statuses a referral in a status may move to.
var nextStatuses = map[string][]string{
	StatusNew:    {StatusNew, StatusActive, StatusClosed},
	StatusActive: {StatusActive, StatusClosed},
	StatusClosed: {StatusClosed},
}

// SubstatusAllowed reports whether the transition table allows substatus with status.
func SubstatusAllowed(status, substatus string) bool { return contains(substatuses[status], substatus) }

// CanMove reports whether the transition table lets a referral move from one status to another.
func CanMove(from, to string) bool { return contains(nextStatuses[from], to) }

var (
	referralTypes  = []string{TypeShared, TypeIndependent}
	qualifications = []string{QualificationNone, QualificationDirect, QualificationMarketingQualified, QualificationSalesQualified}
	directions     = []string{DirectionIncoming, DirectionOutgoing}
	currencyCode   = regexp.MustCompile(`^[A-Z]{3}$`)
	countryCode    = regexp.MustCompile(`^[A-Z]{2}$`)
)

// Referral is one referral of the Referrals API (JSON in camelCase). Unknown fields are ignored, so a
// field Microsoft adds tomorrow does not stop the sync; Validate checks the ones Leaddesk relies on.
type Referral struct {
	ID                  string          `json:"id"`
	EngagementID        string          `json:"engagementId,omitempty"`
	OrganizationID      string          `json:"organizationId,omitempty"`
	OrganizationName    string          `json:"organizationName,omitempty"`
	Name                string          `json:"name,omitempty"`
	ExternalReferenceID string          `json:"externalReferenceId,omitempty"`
	CampaignID          string          `json:"campaignId,omitempty"`
	CreatedDateTime     Time            `json:"createdDateTime"`
	UpdatedDateTime     Time            `json:"updatedDateTime"`
	ExpirationDateTime  Time            `json:"expirationDateTime"`
	AcceptedDateTime    Time            `json:"acceptedDateTime"`
	Status              string          `json:"status"`
	Substatus           string          `json:"substatus,omitempty"`
	StatusReason        string          `json:"statusReason,omitempty"`
	Type                string          `json:"type,omitempty"`
	Qualification       string          `json:"qualification,omitempty"`
	Direction           string          `json:"direction,omitempty"`
	CustomerProfile     CustomerProfile `json:"customerProfile"`
	Consent             Consent         `json:"consent"`
	Details             Details         `json:"details"`
	Team                []Member        `json:"team,omitempty"`
	InviteContext       *InviteContext  `json:"inviteContext,omitempty"`
	Target              []Target        `json:"target,omitempty"`
	ETag                string          `json:"eTag,omitempty"`
	Links               map[string]Link `json:"links,omitempty"`
}

// CustomerProfile is the customer the referral is about.
type CustomerProfile struct {
	Name    string      `json:"name,omitempty"`
	Address Address     `json:"address"`
	Size    string      `json:"size,omitempty"`
	Team    []Member    `json:"team,omitempty"`
	IDs     []ProfileID `json:"ids,omitempty"`
}

// Address is the customer's address; Country is ISO 3166 alpha-2.
type Address struct {
	AddressLine1 string `json:"addressLine1,omitempty"`
	AddressLine2 string `json:"addressLine2,omitempty"`
	City         string `json:"city,omitempty"`
	State        string `json:"state,omitempty"`
	PostalCode   string `json:"postalCode,omitempty"`
	Country      string `json:"country,omitempty"`
	Region       string `json:"region,omitempty"`
}

// ProfileID is a customer identifier such as a DUNS number.
type ProfileID struct {
	ID          string `json:"id,omitempty"`
	ProfileType string `json:"profileType,omitempty"`
}

// Member is a person on the customer's or the partner's team.
type Member struct {
	FirstName         string             `json:"firstName,omitempty"`
	LastName          string             `json:"lastName,omitempty"`
	PhoneNumber       string             `json:"phoneNumber,omitempty"`
	Email             string             `json:"email,omitempty"`
	ContactPreference *ContactPreference `json:"contactPreference,omitempty"`
}

// ContactPreference is how a member wants to be reached.
type ContactPreference struct {
	Locale               string `json:"locale,omitempty"`
	DisableNotifications bool   `json:"disableNotifications,omitempty"`
}

// Consent is what the customer agreed to. The JSON key of the first field really is spelled
// "consentToToShareInfoWithOthers" (sic) by the API.
type Consent struct {
	ConsentToShareInfoWithOthers bool `json:"consentToToShareInfoWithOthers"`
	ConsentToContact             bool `json:"consentToContact"`
}

// Details is the deal.
type Details struct {
	Notes                    string        `json:"notes,omitempty"`
	DealValue                *Decimal      `json:"dealValue,omitempty"`
	Currency                 string        `json:"currency,omitempty"`
	ClosingDateTime          Time          `json:"closingDateTime"`
	CustomerAction           string        `json:"customerAction,omitempty"`
	CustomerRequestedContact bool          `json:"customerRequestedContact,omitempty"`
	Requirements             *Requirements `json:"requirements,omitempty"`
}

// Requirements are what the customer needs.
type Requirements struct {
	Industries []IDRef    `json:"industries,omitempty"`
	Products   []IDRef    `json:"products,omitempty"`
	Services   []IDRef    `json:"services,omitempty"`
	Solutions  []Solution `json:"solutions,omitempty"`
}

// IDRef is a reference by id.
type IDRef struct {
	ID string `json:"id"`
}

// Solution is a solution the customer is interested in.
type Solution struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
}

// InviteContext says who sent the referral and why.
type InviteContext struct {
	Notes                 string        `json:"notes,omitempty"`
	InvitedBy             *Organization `json:"invitedBy,omitempty"`
	AssistanceRequestCode string        `json:"assistanceRequestCode,omitempty"`
}

// Organization is the sender of a referral; Microsoft's id is "msft".
type Organization struct {
	OrganizationID   string `json:"organizationId,omitempty"`
	OrganizationName string `json:"organizationName,omitempty"`
}

// Target is a business-profile location or solution profile the referral was sent to.
type Target struct {
	Type string `json:"type,omitempty"`
	ID   string `json:"id,omitempty"`
}

// Link is a hypermedia link of the referral.
type Link struct {
	URI    string `json:"uri,omitempty"`
	Method string `json:"method,omitempty"`
}

// FieldError is a referral that does not say what Leaddesk needs, naming the field.
type FieldError struct {
	ReferralID string
	Field      string
	Problem    string
}

func (e *FieldError) Error() string {
	if e.ReferralID == "" {
		return fmt.Sprintf("partnercenter: referral: %s: %s", e.Field, e.Problem)
	}
	return fmt.Sprintf("partnercenter: referral %s: %s: %s", e.ReferralID, e.Field, e.Problem)
}

// Validate checks the fields the sync relies on: id and status present, every enum a known value,
// the substatus one the status allows, currency and country well-formed.
func (r *Referral) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &FieldError{ReferralID: r.ID, Field: field, Problem: fmt.Sprintf(format, args...)}
	}
	if strings.TrimSpace(r.ID) == "" {
		return bad("id", "missing")
	}
	if r.Status == "" {
		return bad("status", "missing")
	}
	subs, ok := substatuses[r.Status]
	if !ok {
		return bad("status", "unknown value %q", r.Status)
	}
	if r.Substatus != "" && !contains(subs, r.Substatus) {
		if !contains([]string{SubstatusNone, SubstatusPending, SubstatusReceived, SubstatusAccepted, SubstatusWon, SubstatusLost, SubstatusDeclined, SubstatusExpired}, r.Substatus) {
			return bad("substatus", "unknown value %q", r.Substatus)
		}
		return bad("substatus", "%q is not allowed with status %q", r.Substatus, r.Status)
	}
	if r.Type != "" && !contains(referralTypes, r.Type) {
		return bad("type", "unknown value %q", r.Type)
	}
	if r.Qualification != "" && !contains(qualifications, r.Qualification) {
		return bad("qualification", "unknown value %q", r.Qualification)
	}
	if r.Direction != "" && !contains(directions, r.Direction) {
		return bad("direction", "unknown value %q", r.Direction)
	}
	if d := r.Details.DealValue; d != nil && *d != "" && !d.Valid() {
		return bad("details.dealValue", "%q is not a non-negative decimal number", string(*d))
	}
	for field, t := range map[string]Time{"createdDateTime": r.CreatedDateTime, "updatedDateTime": r.UpdatedDateTime,
		"expirationDateTime": r.ExpirationDateTime, "acceptedDateTime": r.AcceptedDateTime, "details.closingDateTime": r.Details.ClosingDateTime} {
		if t.bad != "" {
			return bad(field, "%s is not a date-time", t.bad)
		}
	}
	if c := r.Details.Currency; c != "" && !currencyCode.MatchString(c) {
		return bad("details.currency", "%q is not an ISO 4217 code", c)
	}
	if c := r.CustomerProfile.Address.Country; c != "" && !countryCode.MatchString(strings.ToUpper(c)) {
		return bad("customerProfile.address.country", "%q is not an ISO 3166 alpha-2 code", c)
	}
	return nil
}

// DecodeReferral decodes and validates one referral.
func DecodeReferral(data []byte) (Referral, error) {
	var r Referral
	if err := json.Unmarshal(data, &r); err != nil {
		var probe struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(data, &probe)
		return r, &FieldError{ReferralID: probe.ID, Field: jsonErrorField(err), Problem: "malformed: " + err.Error()}
	}
	return r, r.Validate()
}

// jsonErrorField names the field a decoding error is about, when encoding/json says.
func jsonErrorField(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return te.Field
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe.Field
	}
	return "(document)"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Time is a date-time of the API. It reads RFC 3339 with or without fractional seconds, the same
// without an offset (taken as UTC), a date alone, null and ""; the zero Time is written as null.
// Other text does not fail the decoding: Validate names the field it was in.
type Time struct {
	time.Time
	bad string // the text when it was no date-time, for Validate to name the field
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	*t = Time{}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		t.bad = string(b)
		return nil
	}
	if s == "" {
		return nil
	}
	for _, l := range timeLayouts {
		if v, err := time.Parse(l, s); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	t.bad = strconv.Quote(s)
	return nil
}

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(t.UTC().Format(time.RFC3339Nano))
}

// Valid reports whether the JSON it was read from was a date-time (or null or "").
func (t Time) Valid() bool { return t.bad == "" }

// Ptr returns the time as a pointer, nil when zero.
func (t Time) Ptr() *time.Time {
	if t.IsZero() {
		return nil
	}
	v := t.UTC()
	return &v
}
