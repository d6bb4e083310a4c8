// Package intake parses what leads arrive as from outside — the commercial marketplace's HTTPS-endpoint
// JSON, its LeadSource string, and CSV files — into lead.Lead values with per-field errors. It checks shape
// and codes only; contact validation (contact) and storage (db) come after, in the handlers.
package intake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"leaddesk/contact"
	"leaddesk/lead"
)

// FieldError names one bad field of an incoming lead and says what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// Errors is every problem found in one incoming lead.
type Errors []FieldError

func (es Errors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

func (es *Errors) add(field, format string, args ...any) {
	*es = append(*es, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Field length limits: generous for real data, small enough that nobody stores a novel in a name.
const (
	maxShort = 256
	maxLong  = 16000
)

// LeadSource is the parsed `Source-Action|publisher.offer` string of a marketplace lead.
type LeadSource struct {
	Source string // db code: appsource, azure_marketplace, azure_portal
	Action string // the marketplace's action code as sent: INS, PLT, StartTestDrive, Create, DNC
	Offer  string // publisher.offer, as sent
}

// marketplaceSources maps the marketplace's source names (lower-cased) to our codes. SPZA is the old
// internal name of AppSource.
var marketplaceSources = map[string]string{
	"azuremarketplace": "azure_marketplace",
	"azureportal":      "azure_portal",
	"appsource":        "appsource",
	"spza":             "appsource",
}

// actionCodes are the marketplace action codes we know, lower-cased → canonical spelling.
var actionCodes = map[string]string{"ins": "INS", "plt": "PLT", "starttestdrive": "StartTestDrive", "create": "Create", "dnc": "DNC"}

// ParseLeadSource reads `Source-Action|publisher.offer`. The action and the offer may be missing
// (the documented example sends just "AzureMarketplace"); an unknown source or action is an error.
func ParseLeadSource(s string) (LeadSource, error) {
	var ls LeadSource
	s = strings.TrimSpace(s)
	head, offer, _ := strings.Cut(s, "|")
	ls.Offer = strings.TrimSpace(offer)
	src, action, hasAction := strings.Cut(strings.TrimSpace(head), "-")
	code, ok := marketplaceSources[strings.ToLower(strings.TrimSpace(src))]
	if !ok {
		return ls, fmt.Errorf("unknown lead source %q (want AzureMarketplace, AzurePortal, AppSource or SPZA, e.g. AzureMarketplace-INS|contoso.crm)", clip(src))
	}
	ls.Source = code
	if hasAction {
		a, ok := actionCodes[strings.ToLower(strings.TrimSpace(action))]
		if !ok {
			return ls, fmt.Errorf("unknown action %q (want INS, PLT, StartTestDrive, Create or DNC)", clip(action))
		}
		ls.Action = a
	}
	if len(ls.Offer) > maxShort {
		return ls, fmt.Errorf("offer id is longer than %d characters", maxShort)
	}
	return ls, nil
}

// ActionCTA maps a marketplace action code to our call to action (docs/design.md §3.2), documented in the
// README:
//
//	INS            → get_it_now, or free_trial when the ActionCode, offer title or description says
//	                 "trial" (the marketplace uses INS for both buttons and sends no other signal)
//	PLT            → contact_me ("Contact me"; the customer asked to be contacted)
//	StartTestDrive → test_drive
//	Create         → get_it_now (a purchase in the Azure portal), free_trial with the same trial hint
//	DNC            → get_it_now (a cross-listing heads-up: informational, the customer asked not to be contacted)
//
// requested tells whether the customer asked to be contacted (the flame alert and consent to mail).
func ActionCTA(action string, hints ...string) (cta string, requested bool) {
	trial := false
	for _, h := range hints {
		if strings.Contains(strings.ToLower(h), "trial") {
			trial = true
		}
	}
	switch action {
	case "PLT":
		return "contact_me", true
	case "StartTestDrive":
		return "test_drive", false
	case "DNC":
		return "get_it_now", false
	}
	if trial {
		return "free_trial", false
	}
	return "get_it_now", false
}

// MarketplacePayload is the commercial marketplace's HTTPS-endpoint lead.
type MarketplacePayload struct {
	FirstName, LastName, Email, Phone, Country, City, Company, Title string
	LeadSource, ActionCode, OfferTitle, Description                  string
}

// ParseMarketplace reads the marketplace JSON with keys matched case-insensitively and every string
// field checked on its own, so the answer can name each bad field. Unknown keys are ignored (the
// service adds fields over time). It returns the lead to store, without contact validation yet.
func ParseMarketplace(body []byte) (*lead.Lead, Errors) {
	var errs Errors
	top, err := objectFold(body)
	if err != nil {
		errs.add("body", "%v", err)
		return nil, errs
	}
	var p MarketplacePayload
	if raw, ok := top["userdetails"]; ok && !isNull(raw) {
		ud, err := objectFold(raw)
		if err != nil {
			errs.add("UserDetails", "must be an object with FirstName, LastName, Email, Phone, Country, Company and Title")
		} else {
			for _, f := range []struct {
				key, name string
				dst       *string
				limit     int
			}{
				{"firstname", "FirstName", &p.FirstName, maxShort}, {"lastname", "LastName", &p.LastName, maxShort},
				{"email", "Email", &p.Email, maxShort}, {"phone", "Phone", &p.Phone, 64},
				{"country", "Country", &p.Country, maxShort}, {"city", "City", &p.City, maxShort},
				{"company", "Company", &p.Company, maxShort}, {"title", "Title", &p.Title, maxShort},
			} {
				stringField(ud, f.key, "UserDetails."+f.name, f.dst, f.limit, false, &errs)
			}
		}
	}
	stringField(top, "leadsource", "LeadSource", &p.LeadSource, maxShort, false, &errs)
	stringField(top, "actioncode", "ActionCode", &p.ActionCode, maxShort, false, &errs)
	stringField(top, "offertitle", "OfferTitle", &p.OfferTitle, maxShort, false, &errs)
	stringField(top, "description", "Description", &p.Description, maxLong, true, &errs)
	if len(errs) > 0 {
		return nil, errs
	}
	return p.Lead()
}

// Lead turns a well-typed payload into a lead, checking the values.
func (p MarketplacePayload) Lead() (*lead.Lead, Errors) {
	var errs Errors
	l := &lead.Lead{Tab: "marketplace", LeadType: "offer", ContactFirstName: p.FirstName, ContactLastName: p.LastName,
		ContactEmail: p.Email, ContactPhone: p.Phone, City: p.City, CustomerCompany: p.Company, ContactTitle: p.Title,
		OfferTitle: p.OfferTitle, Description: p.Description}
	if p.Email == "" && p.Phone == "" {
		errs.add("UserDetails.Email", "is required (the lead needs a way to reach the customer)")
	}
	if c, ok := contact.CountryCode(p.Country); ok {
		l.Country = c
	} else {
		errs.add("UserDetails.Country", "%q is not a country: send an ISO 3166 code such as JP or a country name", clip(p.Country))
	}
	action := ""
	if p.LeadSource == "" {
		errs.add("LeadSource", "is required, e.g. AzureMarketplace-INS|contoso.crm")
	} else if ls, err := ParseLeadSource(p.LeadSource); err != nil {
		errs.add("LeadSource", "%v", err)
	} else {
		l.Source, l.OfferID, action = ls.Source, ls.Offer, ls.Action
	}
	if action == "" && p.ActionCode != "" {
		a, ok := actionCodes[strings.ToLower(p.ActionCode)]
		if !ok {
			errs.add("ActionCode", "unknown action %q (want INS, PLT, StartTestDrive, Create or DNC)", clip(p.ActionCode))
		}
		action = a
	}
	if len(errs) > 0 {
		return nil, errs
	}
	cta, requested := ActionCTA(action, p.ActionCode, p.OfferTitle, p.Description)
	l.CTA = cta
	var stated *bool
	if action == "DNC" {
		no := false // "Do not contact": the customer's own no
		stated = &no
	}
	l.CustomerRequestedContact, l.CustomerConsent = Consent(l.CTA, requested, stated)
	if l.OfferID == "" {
		l.OfferID = p.OfferTitle // the short form of LeadSource has no offer id; the title still tells offers apart
	}
	l.IsTest = IsTestLead(l)
	return l, nil
}

// IsTestLead reports whether any text of the lead carries MSFT_TEST, the marker of the test leads
// Partner Center sends when a lead destination is configured.
func IsTestLead(l *lead.Lead) bool {
	for _, s := range []string{l.ContactFirstName, l.ContactLastName, l.ContactEmail, l.CustomerCompany, l.ContactTitle,
		l.OfferID, l.OfferTitle, l.Description, l.ExternalID, l.DealName, l.Notes} {
		if strings.Contains(strings.ToUpper(s), "MSFT_TEST") {
			return true
		}
	}
	return false
}

// objectFold decodes a JSON object into lower-cased key → raw value (a later key wins over an earlier
// one spelt differently).
func objectFold(b []byte) (map[string]json.RawMessage, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil, fmt.Errorf("is empty: send a JSON object")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		var te *json.UnmarshalTypeError
		if ok := asType(err, &te); ok || (len(b) > 0 && b[0] != '{') {
			return nil, fmt.Errorf("must be a JSON object")
		}
		return nil, fmt.Errorf("is not valid JSON: %v", err)
	}
	if m == nil {
		return nil, fmt.Errorf("must be a JSON object")
	}
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out, nil
}

func asType(err error, target **json.UnmarshalTypeError) bool {
	te, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*target = te
	}
	return ok
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// stringField reads m[key] into dst: a JSON string (or number, for phone numbers sent as digits), or
// null/missing for "". Control characters are removed (tabs and newlines kept where multiline is true).
func stringField(m map[string]json.RawMessage, key, name string, dst *string, limit int, multiline bool, errs *Errors) {
	raw, ok := m[key]
	if !ok || isNull(raw) {
		return
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			errs.add(name, "must be a string")
			return
		}
		s = n.String()
	}
	s = strings.TrimSpace(CleanText(s, multiline))
	if utf8.RuneCountInString(s) > limit {
		errs.add(name, "is longer than %d characters", limit)
		return
	}
	*dst = s
}

// CleanText removes control characters (and invalid UTF-8) from text that arrived from outside; tabs
// and newlines stay when multiline is true.
func CleanText(s string, multiline bool) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || (unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t'))) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || (unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t'))) {
			if r == '\r' || r == '\n' || r == '\t' {
				return ' '
			}
			return -1
		}
		return r
	}, s)
}

// clip shortens a quoted bad value in an error message.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

// Validate sets the lead's email and phone validity and the quality derived from them (package
// contact), the same on every way in. dns (nil: off) checks that the email domain takes mail; call it
// before the leads service, never inside a write transaction.
func Validate(ctx context.Context, l *lead.Lead, spam contact.SpamList, dns *contact.Resolver) error {
	ev, err := contact.CheckEmail(ctx, l.ContactEmail, spam, dns)
	if err != nil {
		return err
	}
	l.EmailValidity = ev
	l.PhoneValidity = contact.CheckPhone(l.ContactPhone, l.Country)
	l.Quality = contact.Quality(l.EmailValidity, l.PhoneValidity)
	return nil
}
