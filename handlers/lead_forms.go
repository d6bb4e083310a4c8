package handlers

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"leaddesk/contact"
	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/lifecycle"
	"leaddesk/money"
)

// Limits on what a lifecycle form accepts; past them the field gets a message, nothing is stored.
const (
	maxNotes      = 10000 // characters of notes or reason notes
	maxShortText  = 200   // deal name, contact name
	maxIDText     = 100   // CRM ID, campaign ID
	maxContacts   = 20    // extra contacts given on accept
	leadDateInput = "2006-01-02"
)

// DealCurrencies are the ISO 4217 codes a deal may be valued in; package money knows each one's minor
// unit (two decimals, or none for JPY, KRW, VND, CLP, ISK), so a stored amount reads back as it was typed.
var DealCurrencies = strings.Fields(`USD EUR JPY GBP AUD CAD CHF CNY HKD SGD NZD KRW INR TWD THB MYR IDR PHP VND
	SEK NOK DKK ISK PLN CZK HUF RON BGN TRY ILS AED SAR QAR ZAR EGP NGN KES MAD BRL MXN ARS CLP COP PEN UAH`)

func validDealCurrency(c string) bool {
	for _, x := range DealCurrencies {
		if x == c {
			return true
		}
	}
	return false
}

// dealForm is the accept/edit form as typed, with a message per field that needs fixing.
type dealForm struct {
	DealName, DealValue, Currency, CloseDate, Notes, CampaignID, CRMID string
	Team                                                               map[int64]bool
	Contacts                                                           []contactRow
	Version                                                            string
	Errors                                                             map[string]string
}

// contactRow is one extra contact or employee as typed; Errors are keyed name/email/phone.
type contactRow struct {
	Name, Email, Phone string
	Errors             map[string]string
}

// fieldErr adds a translated message for field.
func (h *Handler) fieldErr(c echo.Context, errs map[string]string, field, key string, args ...any) {
	if _, ok := errs[field]; !ok {
		errs[field] = h.T(c, key, args...)
	}
}

// readDealForm reads the accept/edit fields (docs/design.md §8 names): the deal, the chosen team and (on
// accept) the extra contacts. users are the instance's users a team may be chosen from; the injected
// clock and the configured time zone decide what "in the past" means for the purchase date.
func (h *Handler) readDealForm(c echo.Context, users []*db.User, withContacts bool) (dealForm, lifecycle.Deal, []int64, []lead.Contact) {
	f := dealForm{
		DealName:   strings.TrimSpace(c.FormValue("deal_name")),
		DealValue:  strings.TrimSpace(c.FormValue("deal_value")),
		Currency:   strings.ToUpper(strings.TrimSpace(c.FormValue("currency"))),
		CloseDate:  strings.TrimSpace(c.FormValue("close_date")),
		Notes:      strings.TrimSpace(c.FormValue("notes")),
		CampaignID: strings.TrimSpace(c.FormValue("campaign_id")),
		CRMID:      strings.TrimSpace(c.FormValue("crm_id")),
		Version:    c.FormValue("version"),
		Team:       map[int64]bool{},
		Errors:     map[string]string{},
	}
	e := f.Errors
	switch n := utf8.RuneCountInString(f.DealName); {
	case n == 0:
		h.fieldErr(c, e, "deal_name", "lifecycle.err.deal_name_required")
	case n > maxShortText:
		h.fieldErr(c, e, "deal_name", "lifecycle.err.too_long", maxShortText)
	}
	if !validDealCurrency(f.Currency) {
		h.fieldErr(c, e, "currency", "lifecycle.err.currency")
	}
	value, err := money.Parse(f.DealValue, f.Currency)
	minor := value.Minor
	switch {
	case f.DealValue == "":
		h.fieldErr(c, e, "deal_value", "lifecycle.err.value_required")
	case err != nil:
		h.fieldErr(c, e, "deal_value", "lifecycle.err.value_format", money.Digits(f.Currency))
	case minor <= 0:
		h.fieldErr(c, e, "deal_value", "lifecycle.err.value_positive")
	}
	if f.CloseDate == "" {
		h.fieldErr(c, e, "close_date", "lifecycle.err.date_required")
	} else if d, err := time.ParseInLocation(leadDateInput, f.CloseDate, h.Cfg.Location); err != nil {
		h.fieldErr(c, e, "close_date", "lifecycle.err.date_format")
	} else if d.Before(h.todayInZone()) {
		h.fieldErr(c, e, "close_date", "lifecycle.err.date_past")
	}
	h.checkNotes(c, e, "notes", f.Notes, true)
	if utf8.RuneCountInString(f.CampaignID) > maxIDText {
		h.fieldErr(c, e, "campaign_id", "lifecycle.err.too_long", maxIDText)
	}
	if utf8.RuneCountInString(f.CRMID) > maxIDText {
		h.fieldErr(c, e, "crm_id", "lifecycle.err.too_long", maxIDText)
	}
	known := map[int64]bool{}
	for _, u := range users {
		known[u.ID] = true
	}
	var team []int64
	for _, v := range c.Request().Form["team"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || !known[id] {
			h.fieldErr(c, e, "team", "lifecycle.err.team_unknown")
			continue
		}
		if !f.Team[id] {
			f.Team[id] = true
			team = append(team, id)
		}
	}
	var contacts []lead.Contact
	if withContacts {
		names, emails, phones := c.Request().Form["contact_name"], c.Request().Form["contact_email"], c.Request().Form["contact_phone"]
		rows := max(len(names), len(emails), len(phones))
		if rows > maxContacts {
			h.fieldErr(c, e, "contacts", "lifecycle.err.too_many_contacts", maxContacts)
			rows = maxContacts
		}
		for i := 0; i < rows; i++ {
			r := contactRow{Name: strings.TrimSpace(formAt(names, i)), Email: strings.TrimSpace(formAt(emails, i)), Phone: strings.TrimSpace(formAt(phones, i))}
			if r.Name == "" && r.Email == "" && r.Phone == "" {
				continue // an empty row left in the form
			}
			r.Errors = h.checkContact(c, r, false)
			if len(r.Errors) > 0 {
				h.fieldErr(c, e, "contacts", "lifecycle.err.contacts")
			}
			f.Contacts = append(f.Contacts, r)
			contacts = append(contacts, lead.Contact{Name: r.Name, Email: r.Email, Phone: r.Phone})
		}
	}
	deal := lifecycle.Deal{Name: f.DealName, Value: minor, Currency: f.Currency, PurchaseDate: f.CloseDate, Notes: f.Notes,
		CampaignID: f.CampaignID, CRMID: f.CRMID}
	return f, deal, team, contacts
}

func formAt(v []string, i int) string {
	if i < len(v) {
		return v[i]
	}
	return ""
}

// todayInZone is the start of today in the configured time zone, by the injected clock.
func (h *Handler) todayInZone() time.Time {
	n := h.Clock.Now().In(h.Cfg.Location)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, h.Cfg.Location)
}

// checkNotes checks a notes field: required or not, and at most maxNotes characters.
func (h *Handler) checkNotes(c echo.Context, errs map[string]string, field, v string, required bool) {
	switch n := utf8.RuneCountInString(v); {
	case n == 0 && required:
		h.fieldErr(c, errs, field, "lifecycle.err.notes_required")
	case n > maxNotes:
		h.fieldErr(c, errs, field, "lifecycle.err.notes_too_long", maxNotes, n)
	}
}

// checkContact checks a contact or employee: a name, and a well-formed email and phone when given
// (an employee needs at least one way to reach them).
func (h *Handler) checkContact(c echo.Context, r contactRow, needReach bool) map[string]string {
	errs := map[string]string{}
	switch n := utf8.RuneCountInString(r.Name); {
	case n == 0:
		h.fieldErr(c, errs, "name", "lifecycle.err.contact_name_required")
	case n > maxShortText:
		h.fieldErr(c, errs, "name", "lifecycle.err.too_long", maxShortText)
	}
	if r.Email != "" {
		if !contact.EmailSyntaxOK(r.Email) {
			h.fieldErr(c, errs, "email", "lifecycle.err.email")
		}
	}
	if r.Phone != "" && !contact.PhoneSyntaxOK(r.Phone) {
		h.fieldErr(c, errs, "phone", "lifecycle.err.phone")
	}
	if needReach && r.Email == "" && r.Phone == "" {
		h.fieldErr(c, errs, "email", "lifecycle.err.reach_required")
	}
	return errs
}

// dealValueInput shows stored minor units in the form again, e.g. 1250050 USD → "12500.50".
func dealValueInput(minor int64, currency string) string {
	if currency == "" && minor == 0 {
		return ""
	}
	return money.Amount{Minor: minor, Currency: currency}.Plain()
}

// reasonForm is the decline/lost form as typed.
type reasonForm struct {
	Reason, Notes, Version string
	Errors                 map[string]string
}

// readReasonForm reads reason and notes; "other" requires notes (docs/design.md §3.3).
func (h *Handler) readReasonForm(c echo.Context, reasons []string) reasonForm {
	f := reasonForm{Reason: c.FormValue("reason"), Notes: strings.TrimSpace(c.FormValue("notes")), Version: c.FormValue("version"), Errors: map[string]string{}}
	ok := false
	for _, r := range reasons {
		ok = ok || r == f.Reason
	}
	if !ok {
		h.fieldErr(c, f.Errors, "reason", "lifecycle.err.reason")
	}
	h.checkNotes(c, f.Errors, "notes", f.Notes, f.Reason == "other")
	if f.Reason == "other" && f.Notes == "" {
		f.Errors["notes"] = h.T(c, "lifecycle.err.other_needs_notes")
	}
	return f
}

func formTrimmed(c echo.Context, name string) string { return strings.TrimSpace(c.FormValue(name)) }
