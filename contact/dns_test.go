package contact_test

import (
	"testing"
	"time"

	"leaddesk/contact"
	"leaddesk/internal/clock"
	"leaddesk/internal/testkit"
)

// The zone the DNS tests ask: a domain with MX records, one with only an address, one that exists but
// takes no mail, one with the null MX of RFC 7505.
var testZone = []string{
	"contoso.example. 300 IN MX 10 mail.contoso.example.",
	"fabrikam.example. 300 IN A 192.0.2.10",
	"v6only.example. 300 IN AAAA 2001:db8::10",
	"nomail.example. 300 IN TXT \"v=spf1 -all\"",
	"nullmx.example. 300 IN MX 0 .",
	"xn--r8jz45g.example. 300 IN MX 10 mail.xn--r8jz45g.example.", // 例え.example
}

func TestResolverAsksALoopbackDNSServer(t *testing.T) {
	srv := testkit.NewDNSServer(t, testZone...)
	clk := clock.NewFake(testkit.Epoch)
	r := contact.NewResolver(srv.Addr, clk.Now)
	for domain, want := range map[string]string{
		"contoso.example":  contact.Valid,   // MX
		"fabrikam.example": contact.Valid,   // no MX, an A record
		"v6only.example":   contact.Valid,   // no MX, an AAAA record
		"nomail.example":   contact.Invalid, // exists, but neither MX nor address
		"nullmx.example":   contact.Invalid, // says it takes no mail
		"gone.example":     contact.Invalid, // NXDOMAIN
		"例え.example":       contact.Valid,   // internationalized: asked in its ASCII form
	} {
		if got := r.MailDomain(t.Context(), domain); got != want {
			t.Errorf("MailDomain(%s) = %q, want %q", domain, got, want)
		}
	}
	if n := srv.Queries("fabrikam.example.", "A"); n != 1 {
		t.Errorf("an MX-less domain should be asked for its address once, got %d A questions", n)
	}
	if n := srv.Queries("contoso.example.", "A"); n != 0 {
		t.Errorf("a domain with MX records needs no address lookup, got %d", n)
	}

	// The email check uses it: syntax and the spam list first, then what DNS says.
	for addr, want := range map[string]string{
		"aiko@contoso.example": contact.Valid,
		"aiko@gone.example":    contact.Invalid,
		"aiko@例え.example":      contact.Valid,
		"aiko@@contoso":        contact.Invalid,
		"bob@spam.example":     contact.Spam,
	} {
		got, err := contact.CheckEmail(t.Context(), addr, spamMap{"spam.example": true}, r)
		if err != nil || got != want {
			t.Errorf("CheckEmail(%s) = %q, %v; want %q", addr, got, err, want)
		}
	}
	if n := srv.Queries("spam.example.", "MX"); n != 0 {
		t.Error("a spam-listed domain should not be looked up")
	}
}

func TestResolverCachesAnswersBoundedAndForALimitedTime(t *testing.T) {
	srv := testkit.NewDNSServer(t, testZone...)
	clk := clock.NewFake(testkit.Epoch)
	r := contact.NewResolver(srv.Addr, clk.Now).WithLimits(contact.LookupTimeout, 2)
	for range 3 {
		r.MailDomain(t.Context(), "contoso.example")
		r.MailDomain(t.Context(), "Gone.Example")
	}
	if a, b := srv.Queries("contoso.example.", "MX"), srv.Queries("gone.example.", "MX"); a != 1 || b != 1 {
		t.Errorf("each domain should be asked once while cached, got %d and %d MX questions", a, b)
	}
	clk.Advance(contact.CacheTTL)
	r.MailDomain(t.Context(), "contoso.example")
	if n := srv.Queries("contoso.example.", "MX"); n != 2 {
		t.Errorf("after the TTL the answer should be asked again, got %d MX questions", n)
	}
	// Size 2: a third domain pushes out the least recently used (gone.example).
	r.MailDomain(t.Context(), "fabrikam.example")
	r.MailDomain(t.Context(), "contoso.example")
	r.MailDomain(t.Context(), "gone.example")
	if a, b := srv.Queries("contoso.example.", "MX"), srv.Queries("gone.example.", "MX"); a != 2 || b != 2 {
		t.Errorf("the cache should hold 2 domains and drop the least recently used: contoso %d, gone %d MX questions", a, b)
	}
}

func TestResolverWithoutAnAnswerSaysUnknown(t *testing.T) {
	clk := clock.NewFake(testkit.Epoch)
	r := contact.NewResolver(testkit.SilentDNSServer(t), clk.Now).WithLimits(300*time.Millisecond, 10)
	start := time.Now()
	if got := r.MailDomain(t.Context(), "contoso.example"); got != contact.Unknown {
		t.Errorf("no answer should be unknown, got %q", got)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the lookup should give up after its timeout, took %v", took)
	}
	got, err := contact.CheckEmail(t.Context(), "aiko@fabrikam.example", nil, r)
	if err != nil || got != contact.Unknown {
		t.Errorf("an address whose domain got no answer is %q, %v; want unknown", got, err)
	}
	// After three unanswered domains the resolver stops asking for a while, so a million-row import
	// does not wait out every timeout.
	r.MailDomain(t.Context(), "third.example")
	start = time.Now()
	for _, d := range []string{"a.example", "b.example", "c.example", "d.example"} {
		if got := r.MailDomain(t.Context(), d); got != contact.Unknown {
			t.Errorf("%s: %q", d, got)
		}
	}
	if took := time.Since(start); took > 250*time.Millisecond {
		t.Errorf("with the resolver silent, further domains should not wait for it (took %v)", took)
	}
}

func TestResolverOff(t *testing.T) {
	if r := contact.NewResolver("off", time.Now); r != nil {
		t.Fatal(`"off" should give no resolver`)
	}
	// Off: the offline rule (a known top-level domain is valid, an unfamiliar one unknown).
	for addr, want := range map[string]string{"aiko@gone.example.com": contact.Valid, "aiko@contoso.zzzz": contact.Unknown} {
		if got, _ := contact.CheckEmail(t.Context(), addr, nil, nil); got != want {
			t.Errorf("off: CheckEmail(%s) = %q, want %q", addr, got, want)
		}
	}
}

type spamMap map[string]bool

func (m spamMap) IsSpam(address string, domains []string) (bool, error) {
	for _, d := range domains {
		if m[d] {
			return true, nil
		}
	}
	return m[address], nil
}
