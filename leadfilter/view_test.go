package leadfilter

import (
	"net/url"
	"reflect"
	"testing"
)

// TestURLContract: every parameter of docs/design.md §8 (and the older size=) reads into the view, the view's
// canonical URL reads back into the same view, and a program's strict parse names a bad parameter.
func TestURLContract(t *testing.T) {
	q, _ := url.ParseQuery("tab=qualified&cta=contact_me&country=jp,de&country=US&q=+contoso+&source=appsource&type=offer&quality=high" +
		"&status=received&status=bogus&outcome=won&email_validity=valid&phone_validity=unknown&sort=value&dir=desc&page=3&per_page=100&test=1" +
		"&classification=sales_qualified,bogus&location=12&location=3,x,-1,03")
	v := ParseView(q)
	want := View{Filter: Filter{Tab: "qualified", CTA: []string{"contact_me"}, Country: []string{"DE", "JP", "US"}, Source: []string{"appsource"},
		Type: []string{"offer"}, Quality: []string{"high"}, Status: []string{"received"}, Outcome: []string{"won"},
		EmailValidity: []string{"valid"}, PhoneValidity: []string{"unknown"}, Classification: []string{"sales_qualified"},
		Location: []string{"3", "12"}, Test: true, Q: "contoso"},
		Sort: "value", Desc: true, Page: 3, Size: 100}
	if !reflect.DeepEqual(v, want) {
		t.Fatalf("parsed\n %+v\nwant\n %+v", v, want)
	}
	if back := ParseView(v.Query()); !reflect.DeepEqual(back, v) {
		t.Errorf("canonical URL %s reads back as %+v", v.Query().Encode(), back)
	}
	if v := ParseView(url.Values{"size": {"25"}}); v.Size != 25 || v.Tab != "marketplace" || v.Sort != "created" || !v.Desc {
		t.Errorf("size=25 (links saved before per_page): %+v", v)
	}
	for query, field := range map[string]string{"tab=favorites": "tab", "status=bogus": "status", "country=Narnia": "country", "test=yes": "test",
		"classification=mql": "classification", "location=tokyo": "location"} {
		q, _ := url.ParseQuery(query)
		if _, problems := ParseStrict(q, nil); len(problems) != 1 || problems[0].Field != field {
			t.Errorf("?%s: %+v, want one problem naming %s", query, problems, field)
		}
	}
}

// "me" is a different set of leads for each user, so what is cached under a filter's key must not be
// shared between them (the list once showed Aiko's leads as Ben's "My leads").
func TestOwnerMeKeysDifferPerUser(t *testing.T) {
	v := ParseView(url.Values{"owner": {"me"}})
	a, b := v.Filter, v.Filter
	a.Me, b.Me = 1, 2
	if a.Key() == b.Key() {
		t.Errorf("owner=me has one key for two users: %q", a.Key())
	}
	if got := ParseView(url.Values{"owner": {"7,none,me,x,0"}}).Query().Encode(); got != "owner=me&owner=none&owner=7&tab=marketplace" {
		t.Errorf("canonical owner query = %q", got)
	}
}

// TestTestLeadsSpelledAsTheAPIDoes: "test=true", which the strict parser (the API, saved views) accepts,
// includes test leads in the list too, and the list's own link spells it "1".
func TestTestLeadsSpelledAsTheAPIDoes(t *testing.T) {
	for _, spelled := range []string{"1", "true"} {
		v := ParseView(url.Values{"tab": {"marketplace"}, "test": {spelled}})
		if !v.Test {
			t.Errorf("test=%s: test leads are left out", spelled)
		}
		if got := v.Query().Get("test"); got != "1" {
			t.Errorf("test=%s: the view's link says test=%q, want 1", spelled, got)
		}
	}
}
