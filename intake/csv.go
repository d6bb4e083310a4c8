package intake

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"leaddesk/contact"
	"leaddesk/lead"
	"leaddesk/money"
)

// csvColumns maps normalized header spellings (lower-case letters and digits only) to our fields. It
// reads our own export's columns (docs/design.md §3.5), a Partner Center export's, and common variants.
var csvColumns = map[string]string{}

func init() {
	for field, names := range map[string][]string{
		"id":             {"leadid", "id", "referralid", "externalid", "externalreferenceid", "lead"},
		"created":        {"leadcreationdatetime", "created", "createddatetime", "createdat", "createddate", "datecreated", "creationdate", "received", "receiveddate", "date"},
		"company":        {"customercompany", "company", "companyname", "customername", "customer", "customercompanyname", "organization", "organisation", "account"},
		"name":           {"contactname", "name", "fullname", "customercontact", "contact"},
		"first":          {"firstname", "contactfirstname", "givenname"},
		"last":           {"lastname", "contactlastname", "surname", "familyname"},
		"title":          {"title", "jobtitle", "contacttitle"},
		"email":          {"email", "emailaddress", "contactemail", "mail", "contactemailaddress"},
		"phone":          {"phone", "phonenumber", "contactphone", "telephone", "tel", "mobile", "contactphonenumber"},
		"country":        {"country", "countryregion", "countryorregion", "region"},
		"city":           {"city", "town"},
		"source":         {"source", "leadsource"},
		"type":           {"leadtype", "type"},
		"cta":            {"calltoaction", "cta", "action", "actioncode"},
		"classification": {"classification", "qualification", "leadclassification"},
		"offer":          {"offer", "offertitle", "offername", "product"},
		"offerid":        {"offerid"},
		"status":         {"status", "leadstatus", "state"},
		"outcome":        {"outcome", "substatus"},
		"reason":         {"reason", "declinereason", "lostreason"},
		"dealname":       {"dealname", "opportunityname"},
		"dealvalue":      {"dealvalue", "value", "estimatedvalue", "estimateddealvalue", "dealsize"},
		"currency":       {"currency", "currencycode"},
		"purchasedate":   {"purchasedate", "estimatedpurchasedate", "closingdate", "closedate", "closingdatetime"},
		"crmid":          {"crmid"},
		"campaignid":     {"campaignid", "marketingcampaignid"},
		"notes":          {"notes", "note"},
		"description":    {"description", "message", "comments"},
		"sendername":     {"sendername", "referredby", "sender"},
		"senderemail":    {"senderemail", "referredbyemail"},
		"requested":      {"customerrequestedcontact", "requestedcontact"},
		"consent":        {"customerconsent", "consent"},
		// The business-profile location the lead is for, by id or name (routing: docs/design.md §6).
		"location": {"location", "locationid", "locationname"},
		// Read and ignored: validity and quality are recomputed on the way in, like everywhere else.
		"ignored": {"emailvalidity", "phonevalidity", "quality", "leadquality", "expires", "expirationdatetime", "respondby", "updated"},
	} {
		for _, n := range names {
			csvColumns[n] = field
		}
	}
}

func normHeader(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Problem is one reason a CSV row cannot be imported: a code (the catalog has "intake.row."+Code in
// every language, with the same arguments) and its arguments.
type Problem struct {
	Code string
	Args []any
}

// problemText is the English text of each problem, for the command line and logs.
var problemText = map[string]string{
	"cells":         "has %d cells, the header has %d",
	"too_long":      "%s is longer than %d characters",
	"no_contact":    "has no Email, Phone or CustomerCompany",
	"country":       "Country %q is not a country (use an ISO code such as JP or a country name)",
	"code":          "%s %q is not one of %s",
	"cta_required":  "CallToAction is required for offer leads (get_it_now, free_trial, test_drive or contact_me)",
	"status":        "Status %q is not one of received, accepted, archived, won, lost, declined, expired",
	"created":       "LeadCreationDateTime %q is not a date and time (use ISO 8601, e.g. 2026-11-30T09:00:00Z)",
	"purchase_date": "PurchaseDate %q is not a date (use YYYY-MM-DD)",
	"currency":      "Currency %q is not an ISO 4217 code such as USD or JPY",
	"deal_value":    "DealValue %q is not an amount such as 12500.00",
	// Arguments: the value, its currency, the currency's decimals.
	"deal_value_decimals": "DealValue %q has too many decimals: %s takes at most %d",
}

func (p Problem) String() string { return fmt.Sprintf(problemText[p.Code], p.Args...) }

// ProblemCodes lists every Problem code (the catalog test checks each has a translation).
func ProblemCodes() []string {
	out := make([]string, 0, len(problemText))
	for c := range problemText {
		out = append(out, c)
	}
	return out
}

func joinProblems(ps []Problem) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return strings.Join(parts, "; ")
}

// ErrEncoding is the file-level error for a CSV that is not UTF-8 text.
var ErrEncoding = errors.New("the file is not UTF-8 text: in Excel choose Save As › CSV UTF-8 (comma delimited)")

// CSVReader reads leads from a CSV file row by row.
type CSVReader struct {
	r      *csv.Reader
	cols   map[string]int
	header []string
	line   int
	// Now is the time for rows without a creation time.
	Now time.Time
}

// CSVRow is one data row: the lead, or the reasons it cannot be imported.
type CSVRow struct {
	Line   int // line number in the file (the header is line 1)
	Lead   *lead.Lead
	Errors []Problem
}

// NewCSVReader reads the header. A UTF-8 byte-order mark is skipped; UTF-16 or other encodings, and a
// header without a single known column, are refused with a clear error.
func NewCSVReader(in io.Reader, now time.Time) (*CSVReader, error) {
	br := bufio.NewReaderSize(in, 64<<10)
	head, _ := br.Peek(3)
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return nil, fmt.Errorf("the file is UTF-16 text: in Excel choose Save As › CSV UTF-8 (comma delimited)")
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1 // ragged rows become row errors, not a failed file
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("the file is empty: the first line must name the columns, e.g. LeadId,Email,Country")
	}
	if err != nil {
		return nil, fmt.Errorf("line 1: %v", err)
	}
	r := &CSVReader{r: cr, cols: map[string]int{}, line: 1, Now: now}
	for i, h := range header {
		if !utf8.ValidString(h) {
			return nil, ErrEncoding
		}
		r.header = append(r.header, h)
		if f, ok := csvColumns[normHeader(h)]; ok && f != "ignored" {
			if _, dup := r.cols[f]; !dup {
				r.cols[f] = i
			}
		}
	}
	_, hasEmail := r.cols["email"]
	_, hasCompany := r.cols["company"]
	_, hasPhone := r.cols["phone"]
	if !hasEmail && !hasCompany && !hasPhone {
		return nil, fmt.Errorf("line 1: no known columns (found %s); the file needs at least Email, Phone or CustomerCompany, see the README for every column", clip(strings.Join(header, ",")))
	}
	return r, nil
}

// Header returns the file's column names as written.
func (r *CSVReader) Header() []string { return r.header }

// Next returns the next row, io.EOF after the last, or a file-level error (bad encoding, broken
// quoting), after which the file cannot be trusted and nothing of it should be imported.
func (r *CSVReader) Next() (*CSVRow, error) {
	for {
		rec, err := r.r.Read()
		if err == io.EOF {
			return nil, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("line %d: %v (check the quoting)", pe.Line, pe.Err)
			}
			return nil, err
		}
		line, _ := r.r.FieldPos(0) // only after a successful Read: it panics on a failed one
		r.line = line
		for _, f := range rec {
			if !utf8.ValidString(f) {
				return nil, fmt.Errorf("line %d: %w", line, ErrEncoding)
			}
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		row := &CSVRow{Line: line}
		if len(rec) != len(r.header) {
			row.Errors = append(row.Errors, Problem{Code: "cells", Args: []any{len(rec), len(r.header)}})
			return row, nil
		}
		row.Lead, row.Errors = r.lead(rec)
		return row, nil
	}
}

// cell returns a cleaned cell, undoing the export's CSV-injection guard (a quote before = + - @).
func (r *CSVReader) cell(rec []string, field string) string {
	i, ok := r.cols[field]
	if !ok {
		return ""
	}
	s := strings.TrimSpace(CleanText(rec[i], field == "notes" || field == "description"))
	if len(s) > 1 && s[0] == '\'' && strings.ContainsRune("=+-@", rune(s[1])) {
		s = s[1:]
	}
	return s
}

func (r *CSVReader) lead(rec []string) (*lead.Lead, []Problem) {
	var errs []Problem
	bad := func(code string, args ...any) { errs = append(errs, Problem{Code: code, Args: args}) }
	get := func(f string) string { return r.cell(rec, f) }
	l := &lead.Lead{ExternalID: get("id"), CustomerCompany: get("company"), ContactFirstName: get("first"), ContactLastName: get("last"),
		ContactTitle: get("title"), ContactEmail: get("email"), ContactPhone: get("phone"), City: get("city"), OfferTitle: get("offer"),
		OfferID: get("offerid"), DealName: get("dealname"), CRMID: get("crmid"), CampaignID: get("campaignid"), Notes: get("notes"),
		Description: get("description"), SenderName: get("sendername"), SenderEmail: get("senderemail"), Reason: get("reason"),
		LocationRef: get("location")}
	for name, v := range map[string]string{"LeadId": l.ExternalID, "Company": l.CustomerCompany, "Email": l.ContactEmail, "Offer": l.OfferTitle,
		"DealName": l.DealName, "Location": l.LocationRef} {
		if utf8.RuneCountInString(v) > maxShort {
			bad("too_long", name, maxShort)
		}
	}
	if utf8.RuneCountInString(l.Notes) > maxLong || utf8.RuneCountInString(l.Description) > maxLong {
		bad("too_long", "Notes", maxLong)
	}
	if l.ContactEmail == "" && l.ContactPhone == "" && l.CustomerCompany == "" {
		bad("no_contact")
	}
	if l.OfferID == "" {
		l.OfferID = l.OfferTitle
	}
	if c, ok := contact.CountryCode(get("country")); ok {
		l.Country = c
	} else {
		bad("country", clip(get("country")))
	}
	if l.ContactFirstName == "" && l.ContactLastName == "" {
		// A single name column, as our export writes it (family name first in CJK scripts).
		l.ContactFirstName, l.ContactLastName = lead.SplitContactName(get("name"))
	}
	code := func(field, label string, codes []string) string {
		v := get(field)
		if v == "" {
			return ""
		}
		if c, ok := MatchCode(v, codes); ok {
			return c
		}
		bad("code", label, clip(v), strings.Join(codes, ", "))
		return ""
	}
	l.Source = code("source", "Source", lead.Sources)
	l.CTA = code("cta", "CallToAction", lead.CTAs)
	l.LeadType = code("type", "LeadType", lead.LeadTypes)
	l.Classification = code("classification", "Qualification", lead.Classifications)
	if l.Classification != "" {
		l.Tab = "qualified"
	} else {
		l.Tab = "marketplace"
		if l.LeadType == "" {
			l.LeadType = "offer"
		}
		if l.LeadType == "offer" && l.CTA == "" {
			bad("cta_required")
		}
	}
	status := get("status")
	if status != "" {
		if c, ok := MatchCode(status, append(append([]string{}, lead.Statuses...), lead.Outcomes...)); ok {
			l.Status = c
			if c != "received" && c != "accepted" && c != "archived" {
				l.Status, l.Outcome = "archived", c
			}
		} else {
			bad("status", clip(status))
		}
	}
	if o := code("outcome", "Outcome", lead.Outcomes); o != "" {
		l.Status, l.Outcome = "archived", o
	}
	if t := get("created"); t != "" {
		if at, ok := ParseTime(t); ok {
			l.CreatedAt = at
		} else {
			bad("created", clip(t))
		}
	}
	if d := get("purchasedate"); d != "" {
		if at, ok := ParseTime(d); ok {
			l.PurchaseDate = at.Format("2006-01-02")
		} else {
			bad("purchase_date", clip(d))
		}
	}
	l.Currency = strings.ToUpper(get("currency"))
	if l.Currency != "" && (len(l.Currency) != 3 || strings.Trim(l.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "") {
		bad("currency", clip(l.Currency))
	}
	if v := get("dealvalue"); v != "" {
		a, err := money.Parse(v, l.Currency)
		switch {
		case errors.Is(err, money.ErrDecimals) && l.Currency != "":
			bad("deal_value_decimals", clip(v), l.Currency, money.Digits(l.Currency))
		case err != nil || a.Minor < 0:
			bad("deal_value", clip(v))
		}
		l.DealValue = a.Minor
	}
	l.CustomerRequestedContact, l.CustomerConsent = Consent(l.CTA, truthy(get("requested")), stated(get("consent")))
	l.IsTest = IsTestLead(l)
	if len(errs) > 0 {
		return nil, errs
	}
	return l, nil
}

// stated reads a yes/no cell: nil when empty (the file says nothing), true for a truthy value, false
// for anything else ("no", "0", "false", "いいえ").
func stated(s string) *bool {
	if s == "" {
		return nil
	}
	v := truthy(s)
	return &v
}

func truthy(s string) bool {
	switch strings.ToLower(s) {
	case "1", "true", "yes", "y", "x", "はい":
		return true
	}
	return false
}

// MatchCode matches a value against codes, ignoring case, spaces, dashes and underscores, so a code
// (contact_me) and its English label (Contact me) both match; a trailing "lead" or "leads" is ignored
// ("Offer lead"), and "Azure Marketplace" matches azure_marketplace.
func MatchCode(v string, codes []string) (string, bool) {
	n := normHeader(v)
	for _, suffix := range []string{"leads", "lead"} {
		if len(n) > len(suffix) && strings.HasSuffix(n, suffix) {
			n = strings.TrimSuffix(n, suffix)
			break
		}
	}
	for _, c := range codes {
		if normHeader(c) == n {
			return c, true
		}
	}
	switch n {
	case "marketing", "mql":
		return pick("marketing_qualified", codes)
	case "sales", "sql":
		return pick("sales_qualified", codes)
	case "spza":
		return pick("appsource", codes)
	}
	return "", false
}

func pick(c string, codes []string) (string, bool) {
	for _, x := range codes {
		if x == c {
			return c, true
		}
	}
	return "", false
}

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02",
	"2006/01/02 15:04:05", "2006/01/02 15:04", "2006/01/02", "1/2/2006 3:04:05 PM", "1/2/2006 3:04 PM", "1/2/2006 15:04:05", "1/2/2006 15:04", "1/2/2006"}

// ParseTime reads the date-time spellings found in exports: ISO 8601 / RFC 3339 (UTC unless an
// offset is given), Excel's "2006/01/02 15:04" and Partner Center's US "1/2/2006 3:04:05 PM".
func ParseTime(s string) (time.Time, bool) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
