package intake

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"leaddesk/contact"
	"leaddesk/lead"
	"leaddesk/money"
)

// apiLeadInput is what POST /api/v1/leads accepts: the shape the API answers with (read-only fields
// are ignored), which follows Partner Center's referral resource, so a lead fetched from Partner
// Center's API or from ours can be posted as it is.
type apiLeadInput struct {
	ExternalReferenceID string `json:"externalReferenceId"`
	Name                string `json:"name"`
	Qualification       string `json:"qualification"`
	Status              string `json:"status"`
	Substatus           string `json:"substatus"`
	CustomerProfile     struct {
		Name    string `json:"name"`
		Address struct {
			Country string `json:"country"`
			City    string `json:"city"`
		} `json:"address"`
		Team []struct {
			FirstName   string `json:"firstName"`
			LastName    string `json:"lastName"`
			Email       string `json:"email"`
			PhoneNumber string `json:"phoneNumber"`
			Title       string `json:"title"`
		} `json:"team"`
	} `json:"customerProfile"`
	Details struct {
		Notes string `json:"notes"`
		// DealValue is kept as the JSON text so the amount is read exactly (package money), never
		// through a float.
		DealValue                json.RawMessage `json:"dealValue"`
		Currency                 string          `json:"currency"`
		ClosingDateTime          string          `json:"closingDateTime"`
		CustomerRequestedContact bool            `json:"customerRequestedContact"`
	} `json:"details"`
	CreatedDateTime string `json:"createdDateTime"`
	Sender          *struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"sender"`
	LeadSource      string `json:"leadSource"`
	LeadType        string `json:"leadType"`
	CallToAction    string `json:"callToAction"`
	OfferID         string `json:"offerId"`
	OfferTitle      string `json:"offerTitle"`
	Description     string `json:"description"`
	CRMID           string `json:"crmId"`
	CampaignID      string `json:"campaignId"`
	CustomerConsent *bool  `json:"customerConsent"`
	// Location names the business-profile location the lead is for, by id or name; without it the
	// lead is routed by the customer's country (docs/design.md §6).
	Location string `json:"location"`
}

// pcStatuses maps Partner Center's status names onto our status.
var pcStatuses = map[string]string{"new": "received", "active": "accepted", "closed": "archived", "pending": "received"}

// ParseAPILead reads a lead posted to the JSON API: qualified leads from Microsoft (qualification
// MarketingQualified/SalesQualified, with the sender's name and email) and historical leads with their
// original createdDateTime (not after now). Each error names the JSON field, dotted from the top
// ("customerProfile.address.country"). It returns the lead to store, without contact validation yet.
func ParseAPILead(body []byte, now time.Time) (*lead.Lead, Errors) {
	var in apiLeadInput
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, Errors{{Field: te.Field, Message: "must be a " + jsonKind(te.Type.String())}}
		}
		return nil, Errors{{Field: "body", Message: "is not a valid JSON object: " + err.Error()}}
	}
	return in.toLead(now)
}

// jsonKind names a Go type of apiLeadInput the way a JSON client knows it.
func jsonKind(goType string) string {
	switch {
	case strings.HasPrefix(goType, "[]"):
		return "list"
	case strings.Contains(goType, "float"), strings.Contains(goType, "int"):
		return "number"
	case goType == "bool" || goType == "*bool":
		return "boolean (true or false)"
	case goType == "string":
		return "string"
	}
	return "JSON object"
}

// toLead checks a decoded API lead, field by field.
func (in *apiLeadInput) toLead(now time.Time) (*lead.Lead, Errors) {
	var errs Errors
	clean := func(s string) string { return strings.TrimSpace(CleanText(s, false)) }
	l := &lead.Lead{ExternalID: clean(in.ExternalReferenceID), DealName: clean(in.Name), CustomerCompany: clean(in.CustomerProfile.Name),
		City: clean(in.CustomerProfile.Address.City), Notes: strings.TrimSpace(CleanText(in.Details.Notes, true)),
		OfferID: clean(in.OfferID), OfferTitle: clean(in.OfferTitle), Description: strings.TrimSpace(CleanText(in.Description, true)),
		CRMID: clean(in.CRMID), CampaignID: clean(in.CampaignID), LocationRef: clean(in.Location)}
	for _, f := range []struct{ field, v string }{{"externalReferenceId", l.ExternalID}, {"name", l.DealName}, {"customerProfile.name", l.CustomerCompany},
		{"offerId", l.OfferID}, {"offerTitle", l.OfferTitle}, {"crmId", l.CRMID}, {"campaignId", l.CampaignID}, {"location", l.LocationRef}} {
		if utf8.RuneCountInString(f.v) > maxShort {
			errs.add(f.field, "is longer than %d characters", maxShort)
		}
	}
	if utf8.RuneCountInString(l.Notes) > maxLong || utf8.RuneCountInString(l.Description) > maxLong {
		errs.add("details.notes", "is longer than %d characters", maxLong)
	}
	if len(in.CustomerProfile.Team) > 0 {
		p := in.CustomerProfile.Team[0]
		l.ContactFirstName, l.ContactLastName, l.ContactEmail = clean(p.FirstName), clean(p.LastName), clean(p.Email)
		l.ContactPhone, l.ContactTitle = clean(p.PhoneNumber), clean(p.Title)
		if len(l.ContactEmail) > maxShort || len(l.ContactPhone) > 64 || len(l.ContactFirstName) > maxShort || len(l.ContactLastName) > maxShort {
			errs.add("customerProfile.team", "has a value longer than %d characters", maxShort)
		}
	}
	if l.ContactEmail == "" && l.ContactPhone == "" && l.CustomerCompany == "" {
		errs.add("customerProfile.team", "needs a contact with an email or phone number (or give customerProfile.name)")
	}
	if c, ok := contact.CountryCode(in.CustomerProfile.Address.Country); ok {
		l.Country = c
	} else {
		errs.add("customerProfile.address.country", "%q is not a country: send an ISO 3166 code such as JP", in.CustomerProfile.Address.Country)
	}
	code := func(field, v string, codes []string) string {
		if v == "" {
			return ""
		}
		c, ok := MatchCode(v, codes)
		if !ok {
			errs.add(field, "%q is not one of %s", v, strings.Join(codes, ", "))
		}
		return c
	}
	l.Classification = code("qualification", in.Qualification, lead.Classifications)
	l.Source = code("leadSource", in.LeadSource, lead.Sources)
	l.LeadType = code("leadType", in.LeadType, lead.LeadTypes)
	l.CTA = code("callToAction", in.CallToAction, lead.CTAs)
	if in.Sender != nil {
		l.SenderName, l.SenderEmail = clean(in.Sender.Name), clean(in.Sender.Email)
		if l.SenderEmail != "" && !contact.EmailSyntaxOK(l.SenderEmail) {
			errs.add("sender.email", "%q is not an email address", l.SenderEmail)
		}
	}
	if l.Classification != "" {
		l.Tab = "qualified"
		if l.SenderEmail == "" {
			errs.add("sender.email", "is required for qualified leads (expiry and decline notices go to the sender)")
		}
	} else if in.Qualification == "" {
		l.Tab = "marketplace"
		if l.LeadType == "" {
			l.LeadType = "offer"
		}
		if l.LeadType == "offer" && l.CTA == "" && in.CallToAction == "" {
			errs.add("callToAction", "is required for marketplace offer leads (get_it_now, free_trial, test_drive, contact_me); qualified leads send qualification instead")
		}
	}
	if in.Status != "" {
		if s, ok := pcStatuses[strings.ToLower(in.Status)]; ok {
			l.Status = s
		} else {
			l.Status = code("status", in.Status, lead.Statuses)
		}
	}
	if in.Substatus != "" {
		if o, ok := MatchCode(in.Substatus, lead.Outcomes); ok {
			l.Status, l.Outcome = "archived", o
		} else if _, ok := MatchCode(in.Substatus, []string{"received", "accepted", "pending", "engaged", "archived"}); !ok {
			errs.add("substatus", "%q is not one of Received, Accepted, Won, Lost, Declined, Expired", in.Substatus)
		}
	}
	if l.Status == "archived" && l.Outcome == "" && lead.IsActionable(l.Tab, l.LeadType, l.CTA) {
		errs.add("substatus", "a closed actionable lead needs its outcome: Won, Lost, Declined or Expired")
	}
	if in.CreatedDateTime != "" {
		t, err := time.Parse(time.RFC3339, in.CreatedDateTime)
		switch {
		case err != nil:
			errs.add("createdDateTime", "%q is not an RFC 3339 date-time such as 2026-11-30T09:00:00Z", in.CreatedDateTime)
		case t.After(now.Add(5 * time.Minute)):
			errs.add("createdDateTime", "is in the future")
		default:
			l.CreatedAt = t.UTC()
		}
	}
	l.Currency = strings.ToUpper(strings.TrimSpace(in.Details.Currency))
	if l.Currency != "" && (len(l.Currency) != 3 || strings.Trim(l.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		errs.add("details.currency", "%q is not an ISO 4217 code such as USD or JPY", l.Currency)
	}
	if raw := bytes.TrimSpace(in.Details.DealValue); len(raw) > 0 && !isNull(raw) {
		l.DealValue = apiDealValue(raw, l.Currency, &errs)
	}
	if d := in.Details.ClosingDateTime; d != "" {
		if t, ok := ParseTime(d); ok {
			l.PurchaseDate = t.Format("2006-01-02")
		} else {
			errs.add("details.closingDateTime", "%q is not a date such as 2026-12-31", d)
		}
	}
	l.CustomerRequestedContact, l.CustomerConsent = Consent(l.CTA, in.Details.CustomerRequestedContact, in.CustomerConsent)
	l.IsTest = IsTestLead(l)
	if len(errs) > 0 {
		return nil, errs
	}
	return l, nil
}

// apiDealValue reads details.dealValue, a JSON number, exactly in currency.
func apiDealValue(raw json.RawMessage, currency string, errs *Errors) int64 {
	const field = "details.dealValue"
	if c := raw[0]; c != '-' && (c < '0' || c > '9') {
		errs.add(field, "must be a number")
		return 0
	}
	a, err := money.Parse(string(raw), currency)
	switch {
	case errors.Is(err, money.ErrDecimals):
		errs.add(field, "has more decimals than %s takes (%d)", currencyOrDefault(currency), money.Digits(currency))
	case errors.Is(err, money.ErrRange):
		errs.add(field, "is larger than any deal")
	case err != nil:
		errs.add(field, "must be a plain decimal number such as 12500.50 (no exponent)")
	case a.Minor < 0:
		errs.add(field, "must be a number of at least 0")
	}
	return a.Minor
}

func currencyOrDefault(c string) string {
	if c == "" {
		return "an amount without currency"
	}
	return c
}
