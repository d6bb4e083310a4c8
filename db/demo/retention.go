package demo

import (
	"encoding/json"
	"time"

	"leaddesk/db"
	"leaddesk/leads"
)

// The demo is a database that has run under the app all along, so the retention job has already
// retired what it would have: a lead archived long enough ago is written as the job left it, and a
// new demo's first start of `serve` finds nothing to anonymise (rather than spending its first minutes
// on a backlog of tens of thousands of leads while people try it).

// testLeadRetention is how long the job keeps a test lead, in Unix seconds.
var testLeadRetention = int64(leads.TestLeadRetention / time.Second)

// retention is the rules the demo runs under: the defaults of a new install (a demo has no custom
// rules), as the delay in seconds after archiving for each outcome and tab whose rule anonymises.
type retention map[[2]string]int64 // {outcome, tab} → seconds

// defaultRetention resolves leads.DefaultRetention as ApplyRetention does: a rule for one kind wins
// over the any-kind rule of the same outcome.
func defaultRetention() retention {
	rules := leads.DefaultRetention()
	out := retention{}
	for _, tab := range leads.RetentionKinds[1:] {
		for _, outcome := range leads.RetentionOutcomes {
			var rule *leads.RetentionRule
			for i, r := range rules {
				if r.Outcome == outcome && (r.Kind == tab || r.Kind == "" && rule == nil) {
					rule = &rules[i]
				}
			}
			// Keep writes nothing; delete is not among the defaults, and the demo has no other rules.
			if rule != nil && rule.Action == "anonymise" {
				out[[2]string{outcome, tab}] = int64(rule.Days) * day
			}
		}
	}
	return out
}

// retire writes l as the retention job would have left it, if a rule anonymised it before now: at
// archived + the rule's days, with db.AnonymiseLeadTx's changes. It runs after the lead's timeline,
// contacts and favourites are in b (the lead's rows are the last ones there) and before its search
// terms are made, so they are the anonymised lead's.
func (g *generator) retire(l *leadRow, b *batch) {
	if l.isTest || l.archived == 0 || l.outcome == "" {
		return
	}
	after, ok := g.retention[[2]string{l.outcome, l.tab}]
	if !ok || l.archived+after > g.now {
		return
	}
	at := l.archived + after
	l.first, l.last, l.title, l.email, l.phone = "", "", "", "", ""
	l.description, l.notes, l.reasonNotes, l.senderName, l.senderEmail = "", "", "", "", ""
	for len(b.contacts) > 0 && b.contacts[len(b.contacts)-1].leadID == l.id {
		b.contacts = b.contacts[:len(b.contacts)-1]
	}
	for i := len(b.events) - 1; i >= 0 && b.events[i].leadID == l.id; i-- {
		b.events[i].change = scrubChange(b.events[i].change)
	}
	b.anonymised = append(b.anonymised, pairRow{l.id, at, 0})
	g.event(b, l, at, 0, "job", "anonymised", "{}")
}

// scrubChange drops a timeline entry's personal keys (db.PersonalChangeKey), as the anonymisation's
// timeline scrub does: an entry without any stays exactly as it was.
func scrubChange(change string) string {
	var m map[string]json.RawMessage
	if json.Unmarshal([]byte(change), &m) != nil {
		return "{}"
	}
	dirty := false
	for k := range m {
		if db.PersonalChangeKey(k) {
			delete(m, k)
			dirty = true
		}
	}
	if !dirty {
		return change
	}
	out, _ := json.Marshal(m)
	return string(out)
}
