// Package leadfilter is the one definition of which leads a view of the Leads list shows: the Filter
// type, the applicability table of docs/design.md §3.2 (which field narrows which leads), and, derived from
// that table, the SQL builder (Where) and the in-memory matcher (Compile) that the list, the export,
// previous/next, the JSON API and insights use. Parsing the URL contract (docs/design.md §8) is here too, for
// the handlers to call at the edge. It imports only the lead package and the standard library.
package leadfilter

import (
	"leaddesk/lead"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Filter is which leads a view holds: a tab, the eleven filters of docs/design.md §3.2 (each a set of allowed
// codes, any of which matches; an empty set matches every lead), whether test leads are included,
// and a search. Each filter narrows only the leads it applies to (see fields) and excludes the others.
//
// Search (Q) and the favorites tab are sets of lead ids the caller has (the search index, the user's
// hearts); Where and Matcher cover everything else.
type Filter struct {
	Tab           string // marketplace, qualified, favorites (either tab: the user's hearts), "" either tab
	CTA           []string
	Country       []string // ISO 3166-1 alpha-2, upper case
	Source        []string
	Type          []string
	Quality       []string
	Status        []string // actionable leads only
	Outcome       []string // archived actionable leads only
	EmailValidity []string // offer leads only
	PhoneValidity []string // offer leads only
	// Classification is marketing_qualified or sales_qualified: qualified leads only (issue 13).
	Classification []string
	// Location is business-profile location ids in decimal (the location a lead was routed to; a
	// lead without one matches none).
	Location []string
	// Owner is who owns the lead (issue 17): "me" (the user Me), "none" (unassigned) or user ids in
	// decimal; any of them matches.
	Owner []string
	// Sync is the Partner Center sync state (lead.SyncStates) of leads that came from Partner Center.
	Sync []string
	// CreatedFrom and CreatedTo are the arrival range (issue 16's drill-downs: "expired in week 46"):
	// the first and the last day, both included, as YYYY-MM-DD in Loc; either may be left open.
	CreatedFrom, CreatedTo string
	// Me is the signed-in user "me" stands for, set at the edge; 0 (a token, a job) makes "me" match
	// no lead. It is not part of the URL.
	Me int64
	// Loc is the configured time zone, in which CreatedFrom and CreatedTo are days; set at the edge
	// like Me (nil is UTC). It is not part of the URL.
	Loc *time.Location
	// Test includes test leads. Without it test leads are left out, in the list, its counts, the
	// export and the API alike (docs/design.md §3.2 lists no filter for them; the list shows them only when
	// asked, with a Test badge, and the API agrees with the list).
	Test bool
	Q    string
}

// applies is which leads a filter field narrows (docs/design.md §3.2, "applies to"); a lead it does not
// apply to never matches a non-empty filter of that field.
type applies uint8

const (
	allLeads           applies = iota
	actionableLeads            // profile, contact-me offer and qualified leads (lead.IsActionable)
	archivedActionable         // an outcome is only had by an archived actionable lead
	offerLeads                 // email and phone validity are checked for offer leads only
	qualifiedLeads             // a classification is only had by a qualified lead
)

// kind is what a field's values are.
type kind uint8

const (
	enumCodes  kind = iota // one of the field's codes, kept in Attrs as a small code
	countryISO             // an ISO 3166-1 alpha-2 code
	locationID             // a location id (a positive integer)
	ownerRef               // "me", "none" or a user id (a positive integer)
	dayFrom                // a day (YYYY-MM-DD in Filter.Loc): leads received on it or later
	dayTo                  // a day: leads received on it or earlier
)

// OwnerMe and OwnerNone are the owner filter's words: the signed-in user, and no owner.
const (
	OwnerMe   = "me"
	OwnerNone = "none"
)

// field is one row of the applicability table.
type field struct {
	param   string   // query-string parameter (docs/design.md §8)
	column  string   // leads column
	codes   []string // the allowed codes; nil for country and location
	kind    kind
	applies applies
	values  func(*Filter) *[]string // a set of values; nil for a day
	day     func(*Filter) *string   // a day's one value
	attr    func(*Attrs) uint8      // the lead's code (index into codes, +1; 0 = none); nil for country and location
}

// get is the field's values in f (a day is one value or none).
func (fd *field) get(f *Filter) []string {
	if fd.day != nil {
		if d := *fd.day(f); d != "" {
			return []string{d}
		}
		return nil
	}
	return *fd.values(f)
}

// set gives the field the values vs in f (a day keeps the first).
func (fd *field) set(f *Filter, vs []string) {
	if fd.day != nil {
		*fd.day(f) = ""
		if len(vs) > 0 {
			*fd.day(f) = vs[0]
		}
		return
	}
	*fd.values(f) = vs
}

// fields is the applicability table: the filters of docs/design.md §3.2 in the order the URL lists them.
// Where and Compile are both generated from it, so SQL and memory cannot disagree on a rule.
//
// Visibility, as the Leads list has always had it and the API now shares: a status or outcome filter
// leaves out informational leads (get it now, free trial, test drive: docs/design.md §3.1/§3.2 "actionable
// leads"), a validity filter leaves out every lead whose type is not offer ("offer leads"),
// and test leads are out unless Test is set.
var fields = [...]field{
	{"cta", "cta", lead.CTAs, enumCodes, allLeads, func(f *Filter) *[]string { return &f.CTA }, nil, func(a *Attrs) uint8 { return a.CTA }},
	{"country", "country", nil, countryISO, allLeads, func(f *Filter) *[]string { return &f.Country }, nil, nil},
	{"source", "source", lead.Sources, enumCodes, allLeads, func(f *Filter) *[]string { return &f.Source }, nil, func(a *Attrs) uint8 { return a.Source }},
	{"type", "lead_type", lead.LeadTypes, enumCodes, allLeads, func(f *Filter) *[]string { return &f.Type }, nil, func(a *Attrs) uint8 { return a.Type }},
	{"quality", "quality", lead.Qualities, enumCodes, allLeads, func(f *Filter) *[]string { return &f.Quality }, nil, func(a *Attrs) uint8 { return a.Quality }},
	{"status", "status", lead.Statuses, enumCodes, actionableLeads, func(f *Filter) *[]string { return &f.Status }, nil, func(a *Attrs) uint8 { return a.Status }},
	{"outcome", "outcome", lead.Outcomes, enumCodes, archivedActionable, func(f *Filter) *[]string { return &f.Outcome }, nil, func(a *Attrs) uint8 { return a.Outcome }},
	{"email_validity", "email_validity", lead.EmailValidities, enumCodes, offerLeads, func(f *Filter) *[]string { return &f.EmailValidity }, nil, func(a *Attrs) uint8 { return a.Email }},
	{"phone_validity", "phone_validity", lead.PhoneValidities, enumCodes, offerLeads, func(f *Filter) *[]string { return &f.PhoneValidity }, nil, func(a *Attrs) uint8 { return a.Phone }},
	{"classification", "classification", lead.Classifications, enumCodes, qualifiedLeads, func(f *Filter) *[]string { return &f.Classification }, nil, func(a *Attrs) uint8 { return a.Classification }},
	{"location", "location_id", nil, locationID, allLeads, func(f *Filter) *[]string { return &f.Location }, nil, nil},
	{"owner", "COALESCE(owner_id, 0)", nil, ownerRef, allLeads, func(f *Filter) *[]string { return &f.Owner }, nil, nil},
	// A lead that did not come from Partner Center has no sync state, so any sync filter leaves it out.
	{"sync", SyncColumn, lead.SyncStates, enumCodes, allLeads, func(f *Filter) *[]string { return &f.Sync }, nil, func(a *Attrs) uint8 { return a.Sync }},
	// The arrival range is not an attribute of a combo (Attrs): Match leaves it to Arrived, which the
	// lead's own created time is tested with.
	{"created_from", "created_at", nil, dayFrom, allLeads, nil, func(f *Filter) *string { return &f.CreatedFrom }, nil},
	{"created_to", "created_at", nil, dayTo, allLeads, nil, func(f *Filter) *string { return &f.CreatedTo }, nil},
}

// SyncColumn is a lead's Partner Center sync state as SQL over the leads table (the lead index loads
// it with the same expression).
const SyncColumn = `COALESCE((SELECT state FROM pc_referrals WHERE pc_referrals.lead_id = leads.id), '')`

// Attrs is a lead's filterable attributes as small codes (index into the code lists of package lead,
// +1; 0 = none), compact enough for the lead index to keep one per distinct combination.
type Attrs struct {
	Tab, Type, Source, CTA, Quality, Status, Outcome, Email, Phone, Classification, Sync uint8
	Actionable, Test                                                                     bool
	Country                                                                              string
	Location                                                                             int64 // 0 = none
	Owner                                                                                int64 // user id; 0 = unassigned
}

// Code is v's code in list (index+1), 0 when v is not in it.
func Code(list []string, v string) uint8 {
	if i := slices.Index(list, v); i >= 0 {
		return uint8(i + 1)
	}
	return 0
}

// AttrsOf is l's filterable attributes.
func AttrsOf(l *lead.Lead) Attrs {
	return Attrs{
		Tab: Code(lead.Tabs, l.Tab), Type: Code(lead.LeadTypes, l.LeadType), Source: Code(lead.Sources, l.Source), CTA: Code(lead.CTAs, l.CTA),
		Quality: Code(lead.Qualities, l.Quality), Status: Code(lead.Statuses, l.Status), Outcome: Code(lead.Outcomes, l.Outcome),
		Email: Code(lead.EmailValidities, l.EmailValidity), Phone: Code(lead.PhoneValidities, l.PhoneValidity),
		Classification: Code(lead.Classifications, l.Classification), Sync: Code(lead.SyncStates, l.PCSync),
		Actionable: l.Actionable, Test: l.IsTest, Country: l.Country, Location: l.LocationID, Owner: l.OwnerID,
	}
}

// Filtered reports whether any filter or search narrows the tab.
func (f Filter) Filtered() bool {
	for i := range fields {
		if len(fields[i].get(&f)) > 0 {
			return true
		}
	}
	return f.Q != "" || f.Test
}

// Where is f (without search and favourites) as a parameterized SQL condition on the leads table and
// its arguments; it is never empty ("1" at the least). Column names come from the table above, values
// only ever travel as arguments.
func (f Filter) Where() (string, []any) {
	var where []string
	var args []any
	if f.Tab == "marketplace" || f.Tab == "qualified" {
		where, args = append(where, "tab = ?"), append(args, f.Tab)
	}
	if !f.Test {
		where = append(where, "is_test = 0")
	}
	for i := range fields {
		fd := fields[i]
		vs := fd.get(&f)
		if len(vs) == 0 {
			continue
		}
		switch fd.kind {
		case dayFrom:
			where, args = append(where, fd.column+" >= ?"), append(args, f.dayStart(vs[0], 0))
			continue
		case dayTo:
			where, args = append(where, fd.column+" < ?"), append(args, f.dayStart(vs[0], 1))
			continue
		}
		switch fd.applies {
		case actionableLeads:
			where = append(where, "actionable = 1")
		case archivedActionable:
			where = append(where, "actionable = 1", "status = 'archived'")
		case offerLeads:
			where = append(where, "lead_type = 'offer'")
		case qualifiedLeads:
			where = append(where, "tab = 'qualified'")
		}
		where = append(where, fd.column+" IN (?"+strings.Repeat(", ?", len(vs)-1)+")")
		for _, v := range vs {
			if fd.kind == ownerRef {
				args = append(args, f.ownerID(v))
				continue
			}
			if fd.kind == locationID {
				id, _ := strconv.ParseInt(v, 10, 64) // canonical ids only (ParseView, ParseStrict); junk matches no lead
				args = append(args, id)
				continue
			}
			args = append(args, v)
		}
	}
	if len(where) == 0 {
		return "1", nil
	}
	return strings.Join(where, " AND "), args
}

// Matcher is f compiled for testing Attrs in memory (without search and favourites).
type Matcher struct {
	tab      uint8 // 0 = either tab
	test     bool
	sets     [len(fields)][]uint8
	set      [len(fields)]bool
	country  []string
	location []int64
	owner    []int64
	// arrived is the arrival range [from, to) in unix seconds, tested by Arrived.
	arrivedFrom, arrivedTo int64
}

// dayStart is unix time of 00:00 in f.Loc of day (YYYY-MM-DD) plus add days; a day that does not
// parse (only canonical days get here, from ParseView and ParseStrict) is the far past.
func (f *Filter) dayStart(day string, add int) int64 {
	loc := f.Loc
	if loc == nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation(dayLayout, day, loc)
	if err != nil {
		return math.MinInt64
	}
	return time.Date(t.Year(), t.Month(), t.Day()+add, 0, 0, 0, 0, loc).Unix()
}

// dayLayout is how created_from and created_to write a day.
const dayLayout = "2006-01-02"

// HasArrival reports whether f limits the leads' arrival (created_from or created_to): a range the
// lead index's combos cannot tell, so the callers that page through the index give it the leads
// received in ArrivalRange as a set of their own.
func (f Filter) HasArrival() bool { return f.CreatedFrom != "" || f.CreatedTo != "" }

// ArrivalRange is f's arrival range as unix times [from, to) (math.MinInt64 and math.MaxInt64 when
// open), and false when f has none.
func (f Filter) ArrivalRange() (from, to int64, ok bool) {
	from, to = math.MinInt64, math.MaxInt64
	if f.CreatedFrom != "" {
		from = f.dayStart(f.CreatedFrom, 0)
	}
	if f.CreatedTo != "" {
		to = f.dayStart(f.CreatedTo, 1)
	}
	return from, to, f.HasArrival()
}

// ownerID is an owner filter value as the user id it stands for: 0 for none, Me for me (-1 when
// nobody is signed in, which no lead has).
func (f *Filter) ownerID(v string) int64 {
	switch v {
	case OwnerNone:
		return 0
	case OwnerMe:
		if f.Me == 0 {
			return -1
		}
		return f.Me
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return -1
	}
	return id
}

// Compile turns f into a Matcher.
func (f Filter) Compile() Matcher {
	m := Matcher{test: f.Test, tab: Code(lead.Tabs, f.Tab)}
	m.arrivedFrom, m.arrivedTo, _ = f.ArrivalRange()
	for i := range fields {
		fd := fields[i]
		vs := fd.get(&f)
		if len(vs) == 0 || fd.day != nil {
			continue
		}
		m.set[i] = true
		switch fd.kind {
		case countryISO:
			m.country = vs
			continue
		case locationID:
			for _, v := range vs {
				id, _ := strconv.ParseInt(v, 10, 64)
				m.location = append(m.location, id)
			}
			continue
		case ownerRef:
			for _, v := range vs {
				m.owner = append(m.owner, f.ownerID(v))
			}
			continue
		}
		for _, v := range vs {
			m.sets[i] = append(m.sets[i], Code(fd.codes, v))
		}
	}
	return m
}

// Arrived reports whether a lead received at unix time created is in the filter's arrival range
// (always, when it has none).
func (m *Matcher) Arrived(created int64) bool {
	return created >= m.arrivedFrom && created < m.arrivedTo
}

// Match reports whether a lead with attributes a is in the filter's view: the same rule as Where,
// except for the arrival range, which is not an attribute: a lead is in the view when Match and
// Arrived both say so.
func (m *Matcher) Match(a *Attrs) bool {
	if a.Test && !m.test {
		return false
	}
	if m.tab != 0 && a.Tab != m.tab {
		return false
	}
	for i := range fields {
		if !m.set[i] {
			continue
		}
		fd := fields[i]
		switch fd.applies {
		case actionableLeads:
			if !a.Actionable {
				return false
			}
		case archivedActionable:
			if !a.Actionable || a.Status != Code(lead.Statuses, "archived") {
				return false
			}
		case offerLeads:
			if a.Type != Code(lead.LeadTypes, "offer") {
				return false
			}
		case qualifiedLeads:
			if a.Tab != Code(lead.Tabs, "qualified") {
				return false
			}
		}
		switch fd.kind {
		case countryISO:
			if !slices.Contains(m.country, a.Country) {
				return false
			}
		case locationID:
			if a.Location == 0 || !slices.Contains(m.location, a.Location) {
				return false
			}
		case ownerRef:
			if !slices.Contains(m.owner, a.Owner) {
				return false
			}
		default:
			if !slices.Contains(m.sets[i], fd.attr(a)) {
				return false
			}
		}
	}
	return true
}

// Field is one filter of the applicability table as a user interface shows it.
type Field struct {
	Param    string   // query-string parameter
	Codes    []string // the values to offer; nil for country (the countries leads have) and location (the profile's)
	Selected []string // the values f holds
	// Only is the kind of lead the filter is limited to: "" (all leads), "actionable", "offer" or
	// "qualified".
	Only string
}

// Fields is f's filters in the order of docs/design.md §3.2, with what each applies to.
func (f Filter) Fields() []Field {
	out := make([]Field, 0, len(fields))
	for _, fd := range fields {
		fi := Field{Param: fd.param, Codes: fd.codes, Selected: fd.get(&f)}
		switch fd.applies {
		case actionableLeads, archivedActionable:
			fi.Only = "actionable"
		case offerLeads:
			fi.Only = "offer"
		case qualifiedLeads:
			fi.Only = "qualified"
		}
		out = append(out, fi)
	}
	return out
}
