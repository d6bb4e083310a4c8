package demo

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"leaddesk/contact"
	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/money"
)

const (
	minute = int64(60)
	hour   = 60 * minute
	day    = 24 * hour
	// span is how far back demo leads go: about 8 months before Now.
	span = 243 * day
)

var (
	expiryWindow = int64(lead.ExpiryWindow / time.Second)
	infoArchive  = int64(lead.InformationalArchiveAfter / time.Second)
)

// leadRow is one lead as it is written: times are Unix seconds, 0 for NULL.
type leadRow struct {
	id                                                       int64
	externalID, tab, classification, leadType, source, cta   string
	actionable                                               bool
	offerID, offerTitle                                      string
	locationID                                               int64
	company, first, last, title, email, phone, country, city string
	description, quality, emailValidity, phoneValidity       string
	flame, consent                                           bool
	status, outcome, reason, reasonNotes, dealName           string
	dealValue                                                int64
	currency, purchaseDate, notes, crmID, campaignID         string
	senderName, senderEmail                                  string
	isTest                                                   bool
	created, updated, accepted, archived, expires, version   int64
	terms                                                    string
}

type eventRow struct {
	leadID, at, actor   int64
	label, kind, change string
}

type contactRow struct {
	leadID             int64
	name, email, phone string
	created            int64
}

type pairRow struct{ a, b, at int64 } // favorites: user, lead, at; team: lead, user

type itemRow struct {
	leadID        int64
	kind          string
	created, done int64
}

// batch is the rows of a run of consecutive leads; batches are recycled between generator and writer.
type batch struct {
	leads    []leadRow
	events   []eventRow
	team     []pairRow
	contacts []contactRow
	favs     []pairRow
	items    []itemRow
	// anonymised is the leads the retention job has anonymised: lead, at (see retire).
	anonymised []pairRow
	args       [nTables][]any // the rows above as insert arguments, see flatten
	pending    atomic.Int32   // how many writers have yet to write it
}

func (b *batch) reset() {
	b.leads, b.events, b.team, b.contacts, b.favs, b.items = b.leads[:0], b.events[:0], b.team[:0], b.contacts[:0], b.favs[:0], b.items[:0]
	b.anonymised = b.anonymised[:0]
	for i := range b.args {
		clear(b.args[i]) // let the collector have last batch's strings
		b.args[i] = b.args[i][:0]
	}
}

// generator makes leads one after the other, oldest first, from one seeded PCG stream, so the same
// options always give the same rows.
type generator struct {
	r          *rand.Rand
	n          int
	now, start int64
	countries  []country
	pickTable  []uint8 // weighted country choice
	actors     []int64 // users who accept, decline and close leads
	team       []int64 // users who can be team members
	favUsers   []int64
	favP       float64
	locations  map[string]int64 // region → location id
	retention  retention
	buf        []byte

	// coverage: the first lead that can show each of these rare situations is made to show it, so a
	// small demo still has every case.
	haveFlameYoung, haveFlameOld, haveExpiring, haveTest bool
}

var regionOf = map[string]string{
	"JP": "apac", "KR": "apac", "TW": "apac", "SG": "apac", "IN": "apac", "AU": "apac", "NZ": "apac",
	"US": "amer", "CA": "amer", "MX": "amer", "BR": "amer", "AR": "amer", "CL": "amer",
}

func newGenerator(seed int64, n int, now time.Time, actors, team, favUsers []int64, locations map[string]int64, rules retention) *generator {
	g := &generator{
		r: rand.New(rand.NewPCG(uint64(seed), 0x1eadde5c)),
		n: n, now: now.Unix(), countries: buildCountries(),
		actors: actors, team: team, favUsers: favUsers, locations: locations,
		favP:      math.Min(0.02, 150/float64(n)),
		retention: rules,
	}
	g.start = g.now - span
	for i, c := range g.countries {
		for range c.weight {
			g.pickTable = append(g.pickTable, uint8(i))
		}
	}
	return g
}

func (g *generator) pick(list []string) string { return list[g.r.IntN(len(list))] }

// weighted returns an index into weights, chosen with probability proportional to each weight.
func (g *generator) weighted(weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := g.r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// between returns a time in [lo, hi]; hi < lo gives lo.
func (g *generator) between(lo, hi int64) int64 {
	if hi <= lo {
		return lo
	}
	return lo + g.r.Int64N(hi-lo+1)
}

// createdAt spreads the leads over the span, more of them recently (the business is growing), and
// never out of order: lead i falls in its own slice of the span.
func (g *generator) createdAt(i int) int64 {
	u := (float64(i) + g.r.Float64()) / float64(g.n)
	f := u * (1.4 - 0.4*u) // f' falls from 1.4 to 0.6: leads get denser towards Now
	return g.start + int64(f*float64(span-minute))
}

var hexDigits = "0123456789abcdef"

func (g *generator) guid() string {
	var b [36]byte
	a, c := g.r.Uint64(), g.r.Uint64()
	j := 0
	for i := 0; i < 36; i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			b[i] = '-'
			continue
		}
		var nib uint64
		if j < 16 {
			nib = a >> (4 * j) & 0xf
		} else {
			nib = c >> (4 * (j - 16)) & 0xf
		}
		b[i] = hexDigits[nib]
		j++
	}
	b[14] = '4'
	return string(b[:])
}

func (g *generator) phone(pattern string) string {
	g.buf = g.buf[:0]
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '#':
			g.buf = append(g.buf, byte('0'+g.r.IntN(10)))
		case 'N':
			g.buf = append(g.buf, byte('1'+g.r.IntN(9)))
		default:
			g.buf = append(g.buf, pattern[i])
		}
	}
	return string(g.buf)
}

var invalidPhones = []string{"12345", "000-0000", "n/a", "+00 000 000", "0000000000", "123"}

func (g *generator) email(first, last name, domain string) string {
	switch g.r.IntN(4) {
	case 0:
		return first.ascii[:1] + "." + last.ascii + "@" + domain
	case 1:
		return first.ascii + last.ascii[:1] + "@" + domain
	default:
		return first.ascii + "." + last.ascii + "@" + domain
	}
}

func (g *generator) invalidEmail(first, last name, domain string) string {
	base, _, _ := strings.Cut(domain, ".")
	switch g.r.IntN(4) {
	case 0:
		return first.ascii + "." + last.ascii + "@" + base // no top-level domain
	case 1:
		return first.ascii + "." + last.ascii + "." + domain // no @
	case 2:
		return first.ascii + "@@" + domain
	default:
		return first.ascii + " " + last.ascii + "@" + domain
	}
}

var spamLocals = []string{"test", "asdf", "qwerty", "info", "admin", "user", "xx"}

// personName renders a contact's full name in the local order (family name first in East Asia).
func personName(c *country, first, last name) string {
	switch c.code {
	case "JP", "TW":
		return last.local + first.local
	case "KR":
		return last.local + " " + first.local
	}
	return first.local + " " + last.local
}

// next fills b with lead number i (0-based, oldest first) and its timeline, team, contacts,
// favourites and Action Center items.
func (g *generator) next(i int, b *batch) {
	b.leads = append(b.leads, leadRow{})
	l := &b.leads[len(b.leads)-1]
	r := g.r
	l.id = int64(i + 1)
	l.created = g.createdAt(i)
	age := g.now - l.created
	c := &g.countries[g.pickTable[r.IntN(len(g.pickTable))]]
	l.country = c.code
	l.externalID = g.guid()

	// Kind.
	if r.IntN(100) < 12 {
		l.tab = "qualified"
		if r.IntN(100) < 60 {
			l.classification = "marketing_qualified"
			s := marketingSenders[r.IntN(len(marketingSenders))]
			l.senderName, l.senderEmail = s.name, s.email
		} else {
			l.classification = "sales_qualified"
			s := sellers[r.IntN(len(sellers))]
			l.senderName, l.senderEmail = s.name, s.email
		}
		l.leadType = [...]string{"offer", "offer", "offer", "profile"}[r.IntN(4)]
		l.source = lead.Sources[r.IntN(len(lead.Sources))]
		l.cta = "contact_me"
	} else {
		l.tab = "marketplace"
		if r.IntN(100) < 80 {
			l.leadType = "offer"
			l.cta = lead.CTAs[g.weighted(28, 24, 10, 38)]
			l.source = lead.Sources[g.weighted(45, 35, 20)]
		} else {
			l.leadType = "profile"
			l.cta = "contact_me"
			l.source = lead.Sources[g.weighted(60, 40, 0)]
		}
		// The retention job deletes a test lead 30 days after it arrived, so the demo has only recent
		// ones; the first recent marketplace lead is one, so a small demo has one too.
		test := r.IntN(300) == 0
		if l.created > g.now-testLeadRetention && (test || !g.haveTest) {
			l.isTest, g.haveTest = true, true
		}
	}
	if l.leadType == "offer" {
		o := offers[r.IntN(len(offers))]
		l.offerID, l.offerTitle = o.id, o.title
	} else {
		region, ok := regionOf[c.code]
		if !ok {
			region = "emea"
		}
		l.locationID = g.locations[region]
	}
	l.actionable = lead.IsActionable(l.tab, l.leadType, l.cta)

	// Customer and contact details.
	first, last := c.first[r.IntN(len(c.first))], c.last[r.IntN(len(c.last))]
	co := c.companies[r.IntN(len(c.companies))]
	l.first, l.last, l.company, l.city = first.local, last.local, co.local, c.cities[r.IntN(len(c.cities))]
	lang := c.lang
	l.title = g.pick(titles[lang])
	if l.tab == "qualified" {
		l.emailValidity = lead.EmailValidities[g.weighted(85, 0, 0, 15)]
		l.phoneValidity = lead.PhoneValidities[g.weighted(80, 0, 20)]
	} else {
		l.emailValidity = lead.EmailValidities[g.weighted(68, 8, 10, 14)]
		l.phoneValidity = lead.PhoneValidities[g.weighted(75, 10, 15)]
	}
	switch l.emailValidity {
	case "spam":
		l.email = spamLocals[r.IntN(len(spamLocals))] + strconv.Itoa(r.IntN(9999)) + "@" + disposableDomains[r.IntN(len(disposableDomains))]
		if r.IntN(2) == 0 {
			l.company = [...]string{"Test Company", "asdf", "N/A", "none", "Private"}[r.IntN(5)]
		}
	case "invalid":
		l.email = g.invalidEmail(first, last, co.ascii)
	default:
		l.email = g.email(first, last, co.ascii)
	}
	if l.phoneValidity == "invalid" {
		l.phone = invalidPhones[r.IntN(len(invalidPhones))]
	} else {
		l.phone = g.phone(c.phones[r.IntN(len(c.phones))])
	}
	// The rule intake applies, so a valid email with a mistyped phone is not shown as possible spam.
	l.quality = contact.Quality(l.emailValidity, l.phoneValidity)
	if l.isTest {
		l.first, l.last, l.company, l.title = "MSFT_TEST", "MSFT_TEST", "MSFT_TEST", "MSFT_TEST"
		l.email, l.emailValidity, l.phoneValidity, l.quality = "msft_test@marketplace.example", "unknown", "unknown", "high"
	}
	descLang := lang
	if _, ok := descriptions[descLang]; !ok {
		descLang = "en"
	}
	key := l.cta
	if l.tab == "qualified" {
		key = "qualified"
	}
	l.description = g.pick(descriptions[descLang][key])
	l.consent = r.IntN(100) < 60
	l.flame = l.actionable && r.IntN(100) < 30

	// Lifecycle.
	createdBy := "marketplace"
	if l.tab == "qualified" {
		createdBy = "api:microsoft-referrals"
	}
	b.events = append(b.events, eventRow{leadID: l.id, at: l.created, label: createdBy, kind: "created", change: "{}"})
	l.status, l.version, l.updated = "received", 1, l.created
	if !l.actionable {
		if l.created+infoArchive <= g.now {
			l.status, l.archived = "archived", l.created+infoArchive
			g.event(b, l, l.archived, 0, "job", "archived", `{"status":["received","archived"]}`)
		}
	} else {
		g.lifecycle(l, b, age, lang, c)
	}

	// Favourites.
	for _, u := range g.favUsers {
		if r.Float64() < g.favP {
			b.favs = append(b.favs, pairRow{u, l.id, g.between(l.created, min(l.created+3*day, g.now))})
		}
	}
	g.retire(l, b)
	l.terms = db.LeadSearchTerms(&lead.Lead{ID: l.id, CustomerCompany: l.company, ContactFirstName: l.first,
		ContactLastName: l.last, DealName: l.dealName, Notes: l.notes, Outcome: l.outcome})
}

func (g *generator) event(b *batch, l *leadRow, at, actor int64, label, kind, change string) {
	b.events = append(b.events, eventRow{leadID: l.id, at: at, actor: actor, label: label, kind: kind, change: change})
	l.version++
	l.updated = at
}

// lifecycle moves an actionable lead through docs/design.md §3.3 as far as its age allows.
func (g *generator) lifecycle(l *leadRow, b *batch, age int64, lang string, c *country) {
	r := g.r
	deadline := l.created + expiryWindow
	state := ""
	if deadline <= g.now {
		switch p := r.IntN(100); {
		case l.emailValidity == "spam" && p < 70:
			state = "declined"
		case p < 20:
			state = "expired"
		case p < 42:
			state = "declined"
		case p < 62:
			state = "won"
		case p < 77:
			state = "lost"
		default:
			state = "accepted"
		}
	} else {
		switch p := r.IntN(100); {
		case p < 58:
			state = "received"
		case p < 80:
			state = "accepted"
		case p < 92:
			state = "declined"
		case p < 96:
			state = "won"
		default:
			state = "lost"
		}
		left := deadline - g.now
		switch {
		case age < 72*hour && !g.haveFlameYoung:
			state, l.flame = "received", true
		case age >= 73*hour && left > 2*hour && !g.haveFlameOld:
			state, l.flame = "received", true
		case left < 40*hour && left > 2*hour && !g.haveExpiring:
			state = "received"
		}
		if state == "received" && left < 15*minute {
			state = "accepted" // about to expire this minute: someone answered it just in time
		}
	}
	if state != "received" && state != "expired" && age < 30*minute {
		state = "received" // too fresh to have been answered
	}
	actor := g.actors[r.IntN(len(g.actors))]
	answerBy := min(l.created+13*day, g.now)
	switch state {
	case "received":
		l.expires = deadline
		if l.flame && age < 72*hour {
			g.haveFlameYoung = true
		}
		if l.flame && age >= 72*hour {
			g.haveFlameOld = true
		}
		if deadline-g.now < 48*hour {
			g.haveExpiring = true
			b.items = append(b.items, itemRow{leadID: l.id, kind: "expiring", created: deadline - 48*hour})
		}
		b.items = append(b.items, itemRow{leadID: l.id, kind: "new_lead", created: l.created})
		if l.flame {
			b.items = append(b.items, itemRow{leadID: l.id, kind: "requested_contact", created: l.created})
		}
		return
	case "expired":
		l.status, l.outcome, l.archived, l.expires = "archived", "expired", deadline, deadline
		g.event(b, l, deadline, 0, "job", "expired", `{"status":["received","archived"],"outcome":["","expired"]}`)
		if g.now-deadline < 7*day {
			b.items = append(b.items, itemRow{leadID: l.id, kind: "expired", created: deadline})
		}
		return
	case "declined":
		l.status, l.outcome, l.archived = "archived", "declined", g.between(l.created+30*minute, answerBy)
		l.reason = lead.DeclineReasons[r.IntN(len(lead.DeclineReasons))]
		if l.emailValidity == "spam" {
			l.reason = "spam"
		}
		l.reasonNotes = g.pick(reasonNotes[l.reason])
		g.event(b, l, l.archived, actor, "", "declined", `{"status":["received","archived"],"outcome":["","declined"],"reason":["","`+l.reason+`"]}`)
		g.answered(b, l, l.archived)
		return
	}
	// accepted, won, lost: every one was accepted first.
	l.status, l.accepted = "accepted", g.between(l.created+30*minute, answerBy)
	g.event(b, l, l.accepted, actor, "", "accepted", `{"status":["received","accepted"]}`)
	g.answered(b, l, l.accepted)
	g.deal(l, b, lang, c)
	if state == "won" || state == "lost" {
		closed := g.between(l.accepted+3*day, l.accepted+120*day)
		if closed > g.now {
			return // not closed yet
		}
		l.status, l.outcome, l.archived = "archived", state, closed
		change := `{"status":["accepted","archived"],"outcome":["","` + state + `"]}`
		if state == "lost" {
			l.reason = lead.LostReasons[r.IntN(len(lead.LostReasons))]
			l.reasonNotes = g.pick(reasonNotes[l.reason])
			change = `{"status":["accepted","archived"],"outcome":["","lost"],"reason":["","` + l.reason + `"]}`
		}
		g.event(b, l, closed, actor, "", state, change)
	}
}

// answered closes the lead's new-lead Action Center item when it was answered within the last two weeks.
func (g *generator) answered(b *batch, l *leadRow, at int64) {
	if g.now-l.created < expiryWindow {
		b.items = append(b.items, itemRow{leadID: l.id, kind: "new_lead", created: l.created, done: at})
	}
}

// deal fills what Accept asks for: deal name, value, currency, purchase date, notes, IDs, team, contacts.
func (g *generator) deal(l *leadRow, b *batch, lang string, c *country) {
	r := g.r
	textLang := "en"
	if lang == "ja" {
		textLang = "ja"
	}
	what := "Advisory services"
	if textLang == "ja" {
		what = "導入支援サービス"
	}
	if l.offerTitle != "" {
		for _, o := range offers {
			if o.id == l.offerID {
				what = o.short
			}
		}
	}
	l.dealName = l.company + " – " + what + " " + g.pick(dealSuffixes[textLang])
	l.currency = c.currency
	if r.IntN(100) < 30 {
		l.currency = "USD"
	}
	cur := currencies[l.currency]
	usd := math.Exp(math.Log(5000) + r.Float64()*math.Log(100)) // 5,000 to 500,000 USD, log-uniform
	v := usd * cur.perUSD
	step := math.Pow(10, math.Max(0, math.Floor(math.Log10(v))-1)) // two significant digits
	v = math.Round(v/step) * step                                  // whole units: v is at least 3,950 and step at least 100
	a, _ := money.Parse(strconv.FormatInt(int64(v), 10), l.currency)
	l.dealValue = a.Minor
	l.purchaseDate = time.Unix(l.accepted+g.between(30*day, 180*day), 0).UTC().Format(time.DateOnly)
	l.notes = g.pick(notesByLang[textLang])
	if r.IntN(100) < 70 {
		l.crmID = "OPP-" + strconv.Itoa(1000000+r.IntN(9000000))
	}
	if r.IntN(100) < 35 {
		l.campaignID = "CMP-FY26-" + c.code + "-" + strconv.Itoa(100+r.IntN(900))
	}
	first := g.team[r.IntN(len(g.team))]
	b.team = append(b.team, pairRow{l.id, first, l.accepted})
	if r.IntN(3) == 0 {
		if second := g.team[r.IntN(len(g.team))]; second != first {
			b.team = append(b.team, pairRow{l.id, second, l.accepted})
		}
	}
	if r.IntN(100) < 30 {
		domain := "example.com"
		if _, d, ok := strings.Cut(l.email, "@"); ok {
			domain = d
		}
		for k := 1 + r.IntN(2); k > 0; k-- {
			f, s := c.first[r.IntN(len(c.first))], c.last[r.IntN(len(c.last))]
			b.contacts = append(b.contacts, contactRow{leadID: l.id, name: personName(c, f, s),
				email: f.ascii + "." + s.ascii + "@" + domain, phone: g.phone(c.phones[r.IntN(len(c.phones))]), created: l.accepted})
		}
	}
}
