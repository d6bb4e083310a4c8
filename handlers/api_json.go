package handlers

import (
	"encoding/json"
	"strings"
	"time"

	"leaddesk/lead"
	"leaddesk/money"
)

// apiLead is a lead in the JSON API, shaped like Partner Center's referral resource where that has a
// field (camelCase names, customerProfile, details, qualification, status/substatus, the date-times),
// so integrations written for it map over directly; the rest are Leaddesk's own fields.
type apiLead struct {
	ID                  int64              `json:"id"`
	ExternalReferenceID string             `json:"externalReferenceId,omitempty"`
	Name                string             `json:"name"`
	Status              string             `json:"status"`    // Partner Center: New, Active, Closed
	Substatus           string             `json:"substatus"` // Partner Center: Received, Accepted, Won, Lost, Declined, Expired
	Qualification       string             `json:"qualification,omitempty"`
	CustomerProfile     apiCustomerProfile `json:"customerProfile"`
	Details             apiDetails         `json:"details"`
	CreatedDateTime     string             `json:"createdDateTime"`
	UpdatedDateTime     string             `json:"updatedDateTime"`
	ExpirationDateTime  string             `json:"expirationDateTime,omitempty"`
	Sender              *apiSender         `json:"sender,omitempty"`

	// Leaddesk's own fields.
	Tab             string `json:"tab"`
	LeadStatus      string `json:"leadStatus"`        // received, accepted, archived
	Outcome         string `json:"outcome,omitempty"` // won, lost, declined, expired
	Reason          string `json:"reason,omitempty"`
	LeadSource      string `json:"leadSource,omitempty"`
	LeadType        string `json:"leadType,omitempty"`
	CallToAction    string `json:"callToAction,omitempty"`
	OfferID         string `json:"offerId,omitempty"`
	OfferTitle      string `json:"offerTitle,omitempty"`
	Quality         string `json:"quality"`
	EmailValidity   string `json:"emailValidity"`
	OwnerID         int64  `json:"ownerId,omitempty"` // issue 17; absent when unassigned
	PhoneValidity   string `json:"phoneValidity"`
	Description     string `json:"description,omitempty"`
	CRMID           string `json:"crmId,omitempty"`
	CampaignID      string `json:"campaignId,omitempty"`
	IsTest          bool   `json:"isTest"`
	ContactHidden   bool   `json:"contactHidden,omitempty"`
	Actionable      bool   `json:"actionable"`
	CustomerConsent bool   `json:"customerConsent"`
	// Version is bumped by every change; the ETag is it in quotes, and writes send it as If-Match.
	Version int64 `json:"version"`

	// Activities and LastActivityDateTime (issue 17): how many activities are logged and when the latest
	// happened. GET answers and writes' answers have them; the changes feed and webhooks do not.
	Activities           *int   `json:"activities,omitempty"`
	LastActivityDateTime string `json:"lastActivityDateTime,omitempty"`
}

type apiCustomerProfile struct {
	Name    string       `json:"name"`
	Address apiAddress   `json:"address"`
	Team    []apiContact `json:"team"`
}

type apiAddress struct {
	Country string `json:"country,omitempty"`
	City    string `json:"city,omitempty"`
}

type apiContact struct {
	FirstName   string `json:"firstName"`
	LastName    string `json:"lastName"`
	Email       string `json:"email,omitempty"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
	Title       string `json:"title,omitempty"`
}

type apiDetails struct {
	Notes                    string       `json:"notes,omitempty"`
	DealValue                *json.Number `json:"dealValue,omitempty"`
	Currency                 string       `json:"currency,omitempty"`
	ClosingDateTime          string       `json:"closingDateTime,omitempty"`
	CustomerRequestedContact bool         `json:"customerRequestedContact"`
}

type apiSender struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// pcStatus maps our lifecycle to Partner Center's status and substatus.
func pcStatus(l *lead.Lead) (string, string) {
	switch l.Status {
	case "received":
		return "New", "Received"
	case "accepted":
		return "Active", "Accepted"
	}
	if l.Outcome == "" {
		return "Closed", "Archived"
	}
	return "Closed", strings.ToUpper(l.Outcome[:1]) + l.Outcome[1:]
}

func pcQualification(classification string) string {
	switch classification {
	case "marketing_qualified":
		return "MarketingQualified"
	case "sales_qualified":
		return "SalesQualified"
	}
	return ""
}

func apiTime(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// APILead is a lead as the JSON API shows it, for the webhooks' payloads (webhooks.Subscriber.Shape).
func APILead(l *lead.Lead) any { return toAPILead(l) }

// toAPILead shapes a lead for the API. Expired leads never expose contact details (docs/design.md §3.3).
func toAPILead(l *lead.Lead) apiLead {
	status, sub := pcStatus(l)
	a := apiLead{ID: l.ID, ExternalReferenceID: l.ExternalID, Name: l.DealName, Status: status, Substatus: sub,
		Qualification:   pcQualification(l.Classification),
		CustomerProfile: apiCustomerProfile{Name: l.CustomerCompany, Address: apiAddress{Country: l.Country, City: l.City}, Team: []apiContact{}},
		Details:         apiDetails{Notes: l.Notes, Currency: l.Currency, ClosingDateTime: l.PurchaseDate, CustomerRequestedContact: l.CustomerRequestedContact},
		CreatedDateTime: apiTime(&l.CreatedAt), UpdatedDateTime: apiTime(&l.UpdatedAt), ExpirationDateTime: apiTime(l.ExpiresAt),
		Tab: l.Tab, LeadStatus: l.Status, Outcome: l.Outcome, Reason: l.Reason, LeadSource: l.Source, LeadType: l.LeadType,
		CallToAction: l.CTA, OfferID: l.OfferID, OfferTitle: l.OfferTitle, Quality: l.Quality, EmailValidity: l.EmailValidity,
		PhoneValidity: l.PhoneValidity, Description: l.Description, CRMID: l.CRMID, CampaignID: l.CampaignID, IsTest: l.IsTest,
		Actionable: l.Actionable, CustomerConsent: l.CustomerConsent, Version: l.Version, OwnerID: l.OwnerID}
	if a.Name == "" {
		a.Name = l.CustomerCompany
	}
	if l.PurchaseDate != "" {
		a.Details.ClosingDateTime = l.PurchaseDate + "T00:00:00Z"
	}
	if l.DealValue != 0 || l.Currency != "" {
		v := json.Number(money.Amount{Minor: l.DealValue, Currency: l.Currency}.Number())
		a.Details.DealValue = &v
	}
	if l.SenderName != "" || l.SenderEmail != "" {
		a.Sender = &apiSender{Name: l.SenderName, Email: l.SenderEmail}
	}
	if l.ContactHidden() {
		a.ContactHidden = true
		a.Description = "" // the customer's own words can carry contact details too
		return a
	}
	if l.ContactFirstName != "" || l.ContactLastName != "" || l.ContactEmail != "" || l.ContactPhone != "" {
		a.CustomerProfile.Team = append(a.CustomerProfile.Team, apiContact{FirstName: l.ContactFirstName, LastName: l.ContactLastName,
			Email: l.ContactEmail, PhoneNumber: l.ContactPhone, Title: l.ContactTitle})
	}
	return a
}
