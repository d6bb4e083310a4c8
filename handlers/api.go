package handlers

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/contact"
	"leaddesk/db"
	"leaddesk/intake"
	"leaddesk/lead"
	"leaddesk/leadfilter"
)

// apiLeadInput is what POST /api/v1/leads accepts: the same shape as apiLead (read-only fields are
// ignored), so a lead fetched from Partner Center's API or from ours can be posted as it is.
type apiLeadInput struct {
	ExternalReferenceID string `json:"externalReferenceId"`
	Name                string `json:"name"`
	Qualification       string `json:"qualification"`
	Status              string `json:"status"`
	Substatus           string `json:"substatus"`
	CustomerProfile     struct {
		Name    string       `json:"name"`
		Address apiAddress   `json:"address"`
		Team    []apiContact `json:"team"`
	} `json:"customerProfile"`
	Details struct {
		Notes                    string   `json:"notes"`
		DealValue                *float64 `json:"dealValue"`
		Currency                 string   `json:"currency"`
		ClosingDateTime          string   `json:"closingDateTime"`
		CustomerRequestedContact bool     `json:"customerRequestedContact"`
	} `json:"details"`
	CreatedDateTime string     `json:"createdDateTime"`
	Sender          *apiSender `json:"sender"`
	LeadSource      string     `json:"leadSource"`
	LeadType        string     `json:"leadType"`
	CallToAction    string     `json:"callToAction"`
	OfferID         string     `json:"offerId"`
	OfferTitle      string     `json:"offerTitle"`
	Description     string     `json:"description"`
	CRMID           string     `json:"crmId"`
	CampaignID      string     `json:"campaignId"`
	CustomerConsent *bool      `json:"customerConsent"`
}

// pcStatuses maps Partner Center's status and substatus names onto our status and outcome.
var pcStatuses = map[string]string{"new": "received", "active": "accepted", "closed": "archived", "pending": "received"}

// apiCreateLead is POST /api/v1/leads: qualified leads from Microsoft (qualification
// MarketingQualified/SalesQualified, with the sender's name and email) and historical leads with their
// original createdDateTime. 201/200 like the marketplace endpoint; 400 naming each bad field.
func (h *Handler) apiCreateLead(c echo.Context) error {
	body, err := h.readIntakeBody(c)
	if err != nil {
		return err
	}
	var in apiLeadInput
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return h.intakeBadRequest(c, intake.Errors{{Field: te.Field, Message: "must be a " + jsonKind(te.Type.String())}})
		}
		return h.intakeBadRequest(c, intake.Errors{{Field: "body", Message: "is not a valid JSON object: " + err.Error()}})
	}
	l, errs := apiInputLead(&in, h.Clock.Now())
	if len(errs) > 0 {
		return h.intakeBadRequest(c, errs)
	}
	return h.storeIncoming(c, l, 0, "api:"+h.apiToken(c).Name)
}

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

// apiInputLead checks a posted lead, field by field.
func apiInputLead(in *apiLeadInput, now time.Time) (*lead.Lead, intake.Errors) {
	var errs intake.Errors
	bad := func(field, format string, args ...any) {
		errs = append(errs, intake.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	clean := func(s string) string { return strings.TrimSpace(intake.CleanText(s, false)) }
	l := &lead.Lead{ExternalID: clean(in.ExternalReferenceID), DealName: clean(in.Name), CustomerCompany: clean(in.CustomerProfile.Name),
		City: clean(in.CustomerProfile.Address.City), Notes: strings.TrimSpace(intake.CleanText(in.Details.Notes, true)),
		OfferID: clean(in.OfferID), OfferTitle: clean(in.OfferTitle), Description: strings.TrimSpace(intake.CleanText(in.Description, true)),
		CRMID: clean(in.CRMID), CampaignID: clean(in.CampaignID), CustomerRequestedContact: in.Details.CustomerRequestedContact}
	for field, v := range map[string]string{"externalReferenceId": l.ExternalID, "name": l.DealName, "customerProfile.name": l.CustomerCompany,
		"offerId": l.OfferID, "offerTitle": l.OfferTitle, "crmId": l.CRMID, "campaignId": l.CampaignID} {
		if len([]rune(v)) > 256 {
			bad(field, "is longer than 256 characters")
		}
	}
	if len([]rune(l.Notes)) > 16000 || len([]rune(l.Description)) > 16000 {
		bad("details.notes", "is longer than 16000 characters")
	}
	if len(in.CustomerProfile.Team) > 0 {
		p := in.CustomerProfile.Team[0]
		l.ContactFirstName, l.ContactLastName, l.ContactEmail = clean(p.FirstName), clean(p.LastName), clean(p.Email)
		l.ContactPhone, l.ContactTitle = clean(p.PhoneNumber), clean(p.Title)
		if len(l.ContactEmail) > 256 || len(l.ContactPhone) > 64 || len(l.ContactFirstName) > 256 || len(l.ContactLastName) > 256 {
			bad("customerProfile.team", "has a value longer than 256 characters")
		}
	}
	if l.ContactEmail == "" && l.ContactPhone == "" && l.CustomerCompany == "" {
		bad("customerProfile.team", "needs a contact with an email or phone number (or give customerProfile.name)")
	}
	if c, ok := contact.CountryCode(in.CustomerProfile.Address.Country); ok {
		l.Country = c
	} else {
		bad("customerProfile.address.country", "%q is not a country: send an ISO 3166 code such as JP", in.CustomerProfile.Address.Country)
	}
	code := func(field, v string, codes []string) string {
		if v == "" {
			return ""
		}
		c, ok := intake.MatchCode(v, codes)
		if !ok {
			bad(field, "%q is not one of %s", v, strings.Join(codes, ", "))
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
			bad("sender.email", "%q is not an email address", l.SenderEmail)
		}
	}
	if l.Classification != "" {
		l.Tab = "qualified"
		if l.SenderEmail == "" {
			bad("sender.email", "is required for qualified leads (expiry and decline notices go to the sender)")
		}
	} else if in.Qualification == "" {
		l.Tab = "marketplace"
		if l.LeadType == "" {
			l.LeadType = "offer"
		}
		if l.LeadType == "offer" && l.CTA == "" && in.CallToAction == "" {
			bad("callToAction", "is required for marketplace offer leads (get_it_now, free_trial, test_drive, contact_me); qualified leads send qualification instead")
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
		if o, ok := intake.MatchCode(in.Substatus, lead.Outcomes); ok {
			l.Status, l.Outcome = "archived", o
		} else if _, ok := intake.MatchCode(in.Substatus, []string{"received", "accepted", "pending", "engaged", "archived"}); !ok {
			bad("substatus", "%q is not one of Received, Accepted, Won, Lost, Declined, Expired", in.Substatus)
		}
	}
	if l.Status == "archived" && l.Outcome == "" && lead.IsActionable(l.Tab, l.LeadType, l.CTA) {
		bad("substatus", "a closed actionable lead needs its outcome: Won, Lost, Declined or Expired")
	}
	if in.CreatedDateTime != "" {
		t, err := time.Parse(time.RFC3339, in.CreatedDateTime)
		switch {
		case err != nil:
			bad("createdDateTime", "%q is not an RFC 3339 date-time such as 2026-11-30T09:00:00Z", in.CreatedDateTime)
		case t.After(now.Add(5 * time.Minute)):
			bad("createdDateTime", "is in the future")
		default:
			l.CreatedAt = t.UTC()
		}
	}
	l.Currency = strings.ToUpper(strings.TrimSpace(in.Details.Currency))
	if l.Currency != "" && (len(l.Currency) != 3 || strings.Trim(l.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		bad("details.currency", "%q is not an ISO 4217 code such as USD or JPY", l.Currency)
	}
	if v := in.Details.DealValue; v != nil {
		minor, err := intake.MinorAmount(strconv.FormatFloat(*v, 'f', -1, 64), l.Currency)
		if err != nil {
			bad("details.dealValue", "must be a number of at least 0")
		}
		l.DealValue = minor
	}
	if d := in.Details.ClosingDateTime; d != "" {
		if t, ok := intake.ParseTime(d); ok {
			l.PurchaseDate = t.Format("2006-01-02")
		} else {
			bad("details.closingDateTime", "%q is not a date such as 2026-12-31", d)
		}
	}
	if l.CTA == "contact_me" {
		l.CustomerRequestedContact = true
	}
	l.CustomerConsent = l.CustomerRequestedContact
	if in.CustomerConsent != nil {
		l.CustomerConsent = *in.CustomerConsent
	}
	l.IsTest = intake.IsTestLead(l)
	if len(errs) > 0 {
		return nil, errs
	}
	return l, nil
}

// apiListLeads is GET /api/v1/leads: the workspace's filters (DESIGN §3.2, repeated or comma-separated
// parameters OR-ed), with the same rules as the Leads list (leadfilter: a filter narrows only the
// leads it applies to; test leads only with test=1), newest first, `limit` per page (default 50, at
// most 500) and an opaque `cursor` from nextCursor.
func (h *Handler) apiListLeads(c echo.Context) error {
	q := c.QueryParams()
	f, problems := leadfilter.ParseStrict(q, contact.CountryCode)
	var errs intake.Errors
	for _, p := range problems {
		errs = append(errs, intake.FieldError{Field: p.Field, Message: p.Message})
	}
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			errs = append(errs, intake.FieldError{Field: "limit", Message: "must be a number from 1 to 500"})
		}
		limit = n
	}
	var cursor db.LeadCursor
	if cur := q.Get("cursor"); cur != "" {
		var ok bool
		if cursor.Created, cursor.ID, ok = apiDecodeCursor(cur); !ok {
			errs = append(errs, intake.FieldError{Field: "cursor", Message: "is not a cursor from nextCursor"})
		}
	}
	if len(errs) > 0 {
		return h.intakeBadRequest(c, errs)
	}
	leads, more, err := h.DB.LeadsAfter(c.Request().Context(), f, cursor, limit)
	if err != nil {
		return err
	}
	out := struct {
		Value      []apiLead `json:"value"`
		NextCursor string    `json:"nextCursor,omitempty"`
	}{Value: make([]apiLead, 0, len(leads))}
	for _, l := range leads {
		out.Value = append(out.Value, toAPILead(l))
	}
	if more {
		last := leads[len(leads)-1]
		out.NextCursor = apiEncodeCursor(last.CreatedAt.Unix(), last.ID)
	}
	return c.JSON(http.StatusOK, out)
}

// apiGetLead is GET /api/v1/leads/:id.
func (h *Handler) apiGetLead(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	l, err := h.DB.LeadByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAPILead(l))
}

// encodeCursor makes the opaque paging cursor over (created_at, id).
func apiEncodeCursor(created, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(created, 10) + "." + strconv.FormatInt(id, 10)))
}

func apiDecodeCursor(s string) (int64, int64, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, 0, false
	}
	a, b2, ok := strings.Cut(string(b), ".")
	created, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b2, 10, 64)
	if !ok || err1 != nil || err2 != nil || id <= 0 {
		return 0, 0, false
	}
	return created, id, true
}
