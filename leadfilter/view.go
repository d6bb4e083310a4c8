package leadfilter

import (
	"fmt"
	"leaddesk/lead"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Sorts are the sortable columns of the Leads list (docs/design.md §3.2); the list never sorts by anything
// else, so a sort parameter can never reach SQL.
var Sorts = []string{"created", "customer", "value", "status", "expiry"}

// PageSizes are the page sizes the list offers; DefaultPageSize is the first view's.
var PageSizes = []int{25, 50, 100}

// DefaultPageSize is the page size of a view that names none.
const DefaultPageSize = 50

// MaxQueryRunes is how much of a search is used; longer input is cut, not refused.
const MaxQueryRunes = 100

// View is one view of the Leads list: which leads (Filter), in what order and which page, exactly
// as the URL holds it.
type View struct {
	Filter
	Sort string
	Desc bool
	Page int
	Size int
}

// Offset is the index of the page's first row.
func (v View) Offset() int { return (v.Page - 1) * v.Size }

// ParseView reads a view of the Leads list from its query parameters (docs/design.md §8). Unknown values,
// sorts, page sizes and pages are ignored (the default is used), so any URL gives a valid view; a
// parameter may be repeated or hold several values separated by commas.
func ParseView(q url.Values) View {
	v := View{Filter: Filter{Tab: "marketplace"}, Sort: "created", Desc: true, Page: 1, Size: DefaultPageSize}
	if t := q.Get("tab"); t == "qualified" || t == "favorites" {
		v.Tab = t
	}
	for i := range fields {
		fd := fields[i]
		var got []string
		for _, s := range splitValues(q[fd.param]) {
			if c, ok := fd.canonical(s, nil); ok && !slices.Contains(got, c) {
				got = append(got, c)
			}
		}
		fd.set(&v.Filter, fd.order(got))
	}
	// The same spellings as ParseStrict's (the API's and saved views'), so a view it accepts reads the same here.
	v.Test = q.Get("test") == "1" || q.Get("test") == "true"
	v.Q = strings.TrimSpace(q.Get("q"))
	if r := []rune(v.Q); len(r) > MaxQueryRunes {
		v.Q = string(r[:MaxQueryRunes])
	}
	if s := q.Get("sort"); slices.Contains(Sorts, s) {
		v.Sort = s
		v.Desc = s == "created" // created is newest first unless asked otherwise
	}
	switch q.Get("dir") {
	case "asc":
		v.Desc = false
	case "desc":
		v.Desc = true
	}
	// per_page is the documented name (docs/design.md §8); size is what links and saved views used before.
	size := q.Get("per_page")
	if size == "" {
		size = q.Get("size")
	}
	if n, err := strconv.Atoi(size); err == nil && slices.Contains(PageSizes, n) {
		v.Size = n
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 && n < 1_000_000 {
		v.Page = n
	}
	return v
}

// Problem is a parameter a strict parse refused, named as the URL names it.
type Problem struct {
	Field   string
	Message string
}

// ParseStrict reads a Filter from query parameters for a program (the JSON API): an unknown value is
// a Problem naming the parameter instead of being ignored. Tab may be left out (either tab) but not
// be favorites, which belong to a person. country resolves a country name or code to its ISO code
// (the API accepts names); nil accepts two-letter codes only.
func ParseStrict(q url.Values, country func(string) (string, bool)) (Filter, []Problem) {
	var f Filter
	var problems []Problem
	if tab := q.Get("tab"); tab != "" {
		if !slices.Contains(lead.Tabs, tab) {
			problems = append(problems, Problem{"tab", "must be marketplace or qualified (favorites belong to a person, not a token)"})
		}
		f.Tab = tab
	}
	for i := range fields {
		fd := fields[i]
		var got []string
		for _, s := range splitValues(q[fd.param]) {
			c, ok := fd.canonical(s, country)
			if !ok {
				msg := fmt.Sprintf("%q is not one of ISO 3166-1 alpha-2 codes", s)
				switch {
				case fd.codes != nil:
					msg = fmt.Sprintf("%q is not one of %s", s, strings.Join(fd.codes, ", "))
				case fd.kind == locationID:
					msg = fmt.Sprintf("%q is not a location id (a positive whole number)", s)
				case fd.kind == ownerRef:
					msg = fmt.Sprintf("%q is not me, none or a user id (a positive whole number)", s)
				case fd.day != nil:
					msg = fmt.Sprintf("%q is not a day written YYYY-MM-DD", s)
				}
				problems = append(problems, Problem{fd.param, msg})
				continue
			}
			if !slices.Contains(got, c) {
				got = append(got, c)
			}
		}
		fd.set(&f, fd.order(got))
	}
	if f.CreatedFrom != "" && f.CreatedTo != "" && f.CreatedTo < f.CreatedFrom {
		problems = append(problems, Problem{"created_to", "is before created_from"})
	}
	switch t := q.Get("test"); t {
	case "", "0", "false":
	case "1", "true":
		f.Test = true
	default:
		problems = append(problems, Problem{"test", "must be 1 or true (include test leads), or 0 or false"})
	}
	f.Q = strings.TrimSpace(q.Get("q"))
	return f, problems
}

// splitValues is every non-empty value of a repeated, comma-separated parameter.
func splitValues(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// canonical is s as a known code of the field, or false.
func (fd field) canonical(s string, country func(string) (string, bool)) (string, bool) {
	if fd.codes != nil {
		return s, slices.Contains(fd.codes, s)
	}
	if fd.day != nil {
		t, err := time.Parse(dayLayout, s)
		if err != nil {
			return "", false
		}
		return t.Format(dayLayout), true
	}
	if fd.kind == ownerRef && (s == OwnerMe || s == OwnerNone) {
		return s, true
	}
	if fd.kind == locationID || fd.kind == ownerRef {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return "", false
		}
		return strconv.FormatInt(id, 10), true
	}
	if country != nil {
		c, ok := country(s)
		return c, ok && c != ""
	}
	c := strings.ToUpper(s)
	return c, len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

// order puts codes in the order of the field's code list (countries sorted, location ids by number),
// so one view has one URL.
func (fd field) order(vs []string) []string {
	if len(vs) == 0 {
		return nil
	}
	if fd.kind == locationID || fd.kind == ownerRef {
		// me and none first, then ids: canonical ids have no leading zeros, so the shorter is the smaller.
		rank := func(v string) int {
			switch v {
			case OwnerMe:
				return 0
			case OwnerNone:
				return 1
			}
			return 2
		}
		slices.SortFunc(vs, func(a, b string) int {
			if ra, rb := rank(a), rank(b); ra != rb {
				return ra - rb
			}
			if len(a) != len(b) {
				return len(a) - len(b)
			}
			return strings.Compare(a, b)
		})
		return vs
	}
	if fd.kind == locationID {
		// Canonical ids have no leading zeros, so the shorter is the smaller.
		slices.SortFunc(vs, func(a, b string) int {
			if len(a) != len(b) {
				return len(a) - len(b)
			}
			return strings.Compare(a, b)
		})
		return vs
	}
	if fd.codes == nil {
		slices.Sort(vs)
		return vs
	}
	slices.SortFunc(vs, func(a, b string) int { return slices.Index(fd.codes, a) - slices.Index(fd.codes, b) })
	return vs
}

// values is the filter's query parameters (tab, the filters, test), in the order of the table.
func (f Filter) values(v url.Values) {
	if f.Tab != "" {
		v.Set("tab", f.Tab)
	}
	for i := range fields {
		if vs := fields[i].get(&f); len(vs) > 0 {
			v[fields[i].param] = append([]string(nil), vs...)
		}
	}
	if f.Test {
		v.Set("test", "1")
	}
}

// Key identifies the leads f's filters admit (tab, the filters, test, who "me" is; not the search), for
// caching what was computed from them.
func (f Filter) Key() string {
	v := url.Values{}
	f.values(v)
	if slices.Contains(f.Owner, OwnerMe) {
		v.Set("me", strconv.FormatInt(f.Me, 10)) // "me" admits different leads for each user
	}
	if f.HasArrival() && f.Loc != nil {
		v.Set("loc", f.Loc.String()) // the same days are other instants in another zone
	}
	return v.Encode()
}

// Query is the view as canonical query parameters (defaults left out, except the tab), so the same
// view always has the same URL.
func (v View) Query() url.Values {
	q := url.Values{}
	v.values(q)
	if v.Q != "" {
		q.Set("q", v.Q)
	}
	if v.Sort != "created" || !v.Desc {
		q.Set("sort", v.Sort)
		if v.Desc {
			q.Set("dir", "desc")
		} else {
			q.Set("dir", "asc")
		}
	}
	if v.Size != DefaultPageSize {
		q.Set("per_page", strconv.Itoa(v.Size))
	}
	if v.Page > 1 {
		q.Set("page", strconv.Itoa(v.Page))
	}
	return q
}
