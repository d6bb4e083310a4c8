// Package contact checks the contact details a lead arrives with: whether its email address and phone
// number can reach someone (docs/design.md §3.4), which country a free-text country names, and the lead quality
// that follows from them. It is its own package because every way in (the marketplace endpoint, the JSON
// API, the CSV import) must apply exactly the same rules, and none of handlers, db or views owns them.
package contact

import (
	"context"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// Validity values (docs/design.md §3.2), the same codes the leads table stores.
const (
	Valid   = "valid"
	Invalid = "invalid"
	Spam    = "spam"
	Unknown = "unknown"
)

// SpamList tells whether an address or any of its domains is on the spam list. The db package's
// spam lookup implements it; tests use a map.
type SpamList interface {
	IsSpam(address string, domains []string) (bool, error)
}

// EmailDomains returns the domain of addr and every parent domain that still has a dot, most specific
// first (a.b.example.com → a.b.example.com, b.example.com, example.com), so a spam-listed domain also
// covers its subdomains.
func EmailDomains(addr string) []string {
	_, domain, ok := strings.Cut(strings.ToLower(addr), "@")
	if !ok {
		return nil
	}
	var out []string
	for strings.Contains(domain, ".") {
		out = append(out, domain)
		_, domain, _ = strings.Cut(domain, ".")
	}
	return out
}

// CheckEmail classifies an address: invalid when its syntax is wrong, spam when it or its domain is on
// the spam list; then, with a resolver, what DNS says of the domain (Resolver.MailDomain: valid,
// invalid, or unknown without an answer); without one (LEADDESK_DNS=off), valid when the domain looks
// deliverable (known top-level domain, sane labels) and unknown when that cannot be told offline (an
// unfamiliar top-level domain). An empty address is unknown.
func CheckEmail(ctx context.Context, addr string, spam SpamList, dns *Resolver) (string, error) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return Unknown, nil
	}
	if !EmailSyntaxOK(addr) {
		return Invalid, nil
	}
	if spam != nil {
		listed, err := spam.IsSpam(strings.ToLower(addr), EmailDomains(addr))
		if err != nil {
			return "", err
		}
		if listed {
			return Spam, nil
		}
	}
	_, domain, _ := strings.Cut(strings.ToLower(addr), "@")
	if v := dns.MailDomain(ctx, domain); v != "" {
		return v, nil
	}
	tld := domain[strings.LastIndexByte(domain, '.')+1:]
	if knownTLDs[tld] {
		return Valid, nil
	}
	return Unknown, nil
}

// EmailSyntaxOK reports whether addr is a plain address (no display name) that mail servers accept: a
// net/mail parse plus the rules RFC 5321 adds (lengths, a domain with a dot and valid labels).
func EmailSyntaxOK(addr string) bool {
	if len(addr) > 254 || !utf8.ValidString(addr) {
		return false
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Name != "" || a.Address != addr {
		return false
	}
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || len(local) > 64 || strings.Contains(domain, "@") {
		return false
	}
	return DomainOK(domain)
}

// PhoneSyntaxOK reports whether phone is written the way people type a number into a form: digits
// with spaces and ( ) - . between them, an optional leading +, and 6 to 15 digits (E.164 allows no
// more). It is the check for numbers a team member types (profile contacts, lead contacts and
// employees); CheckPhone judges a lead's number against its country.
func PhoneSyntaxOK(phone string) bool {
	if len(phone) > 30 {
		return false
	}
	digits := 0
	for i, r := range phone {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case r == ' ' || r == '(' || r == ')' || r == '-' || r == '.':
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 15
}

// DomainOK reports whether domain is a syntactically valid host name with at least two labels and an
// alphabetic top-level domain.
func DomainOK(domain string) bool {
	if len(domain) > 253 || !strings.Contains(domain, ".") {
		return false
	}
	labels := strings.Split(domain, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	if len(tld) < 2 {
		return false
	}
	for _, r := range tld {
		if !unicode.IsLetter(r) && !strings.HasPrefix(tld, "xn--") {
			return false
		}
	}
	return true
}

// CheckPhone classifies a phone number with libphonenumber's rules for the lead's country (ISO
// alpha-2; numbers written with +CC need none): valid, invalid, or unknown when there is no number or
// no country to read a national number against.
func CheckPhone(phone, country string) string {
	phone = strings.TrimSpace(phone)
	if phone == "" {
		return Unknown
	}
	region := strings.ToUpper(country)
	if !strings.HasPrefix(phone, "+") && !strings.HasPrefix(phone, "00") && region == "" {
		return Unknown
	}
	if region == "" {
		region = "ZZ"
	}
	n, err := phonenumbers.Parse(phone, region)
	if err != nil {
		return Invalid
	}
	if phonenumbers.IsValidNumber(n) {
		return Valid
	}
	return Invalid
}

// Quality derives a lead's quality from its contact validity (the documented rule, README "Leads
// coming in"): low when the email address is spam or invalid, or when the phone number is invalid and
// the email address is not known to be valid (nothing reliable to reach); high otherwise.
func Quality(emailValidity, phoneValidity string) string {
	switch {
	case emailValidity == Spam || emailValidity == Invalid:
		return "low"
	case phoneValidity == Invalid && emailValidity != Valid:
		return "low"
	}
	return "high"
}

// EmailDomain is the domain of addr in lower case, or "" when it has none.
func EmailDomain(addr string) string {
	_, domain, _ := strings.Cut(strings.ToLower(strings.TrimSpace(addr)), "@")
	return domain
}
