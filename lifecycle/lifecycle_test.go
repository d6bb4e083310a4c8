package lifecycle

import (
	"errors"
	"testing"
	"time"

	"leaddesk/db"
	"leaddesk/lead"
)

var now = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func testLead(status, outcome string, actionable bool) *lead.Lead {
	exp := now.Add(lead.ExpiryWindow)
	l := &lead.Lead{ID: 7, Status: status, Outcome: outcome, Actionable: actionable, CreatedAt: now, Version: 3,
		ContactEmail: "aiko@contoso.example", CustomerRequestedContact: true}
	if status == "received" && actionable {
		l.ExpiresAt = &exp
	}
	return l
}

// TestCheckEveryStateActionAndRole walks every state × action × role and says which are allowed.
func TestCheckEveryStateActionAndRole(t *testing.T) {
	states := map[string]*lead.Lead{
		"received":          testLead("received", "", true),
		"informational":     testLead("received", "", false),
		"accepted":          testLead("accepted", "", true),
		"archived-won":      testLead("archived", "won", true),
		"archived-lost":     testLead("archived", "lost", true),
		"archived-declined": testLead("archived", "declined", true),
		"archived-expired":  testLead("archived", "expired", true),
		"archived-info":     testLead("archived", "", false),
	}
	users := map[string]*db.User{
		"referrals":     {ID: 1, Roles: []string{db.RoleReferrals}},
		"account":       {ID: 2, Roles: []string{db.RoleAccount}},
		"profile":       {ID: 3, Roles: []string{db.RoleProfile}},
		"profile+refs":  {ID: 4, Roles: []string{db.RoleProfile, db.RoleReferrals}},
		"no-role":       {ID: 5},
		"not-signed-in": nil,
	}
	workers := map[string]bool{"referrals": true, "account": true, "profile+refs": true}
	allowed := map[string]map[Action]bool{
		"received": {Accept: true, Decline: true},
		"accepted": {Edit: true, AddEmployee: true, Won: true, Lost: true},
	}
	for sn, l := range states {
		for rn, user := range users {
			u := user.LeadActor()
			for _, a := range Actions {
				err := Check(l, u, a)
				var want error
				switch {
				case !workers[rn]:
					want = ErrRole
				case !allowed[sn][a]:
					want = ErrState
				}
				if !errors.Is(err, want) || (want == nil && err != nil) {
					t.Errorf("%s × %s × %s: Check = %v, want %v", sn, a, rn, err, want)
				}
				// Apply refuses exactly what Check refuses, and never touches the lead it was given.
				before := *l
				got, aerr := Apply(l, u, a, Input{Reason: "budget"}, now.Add(time.Hour))
				if (aerr == nil) != (want == nil) || (aerr == nil && got == nil) {
					t.Errorf("%s × %s × %s: Apply err = %v, want %v", sn, a, rn, aerr, want)
				}
				if *l != before {
					t.Errorf("%s × %s × %s: Apply changed its input", sn, a, rn)
				}
			}
			if got := len(Allowed(l, u)); got != len(allowed[sn])*btoi(workers[rn]) {
				t.Errorf("%s × %s: Allowed = %v", sn, rn, Allowed(l, u))
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestApplyEffects says what each allowed action does to the lead.
func TestApplyEffects(t *testing.T) {
	u := (&db.User{ID: 1, Roles: []string{db.RoleReferrals}}).LeadActor()
	at := now.Add(2 * time.Hour)
	deal := Deal{Name: "Contoso CRM", Value: 1250000, Currency: "USD", PurchaseDate: "2027-01-15", Notes: "call Monday", CampaignID: "C-1", CRMID: "CRM-9"}
	tests := []struct {
		name         string
		from         *lead.Lead
		action       Action
		in           Input
		status, out  string
		accepted     bool
		archived     bool
		expiry       bool
		reason, deal string
	}{
		{"accept", testLead("received", "", true), Accept, Input{Deal: deal}, "accepted", "", true, false, false, "", "Contoso CRM"},
		{"decline", testLead("received", "", true), Decline, Input{Reason: "budget", ReasonNotes: "too small"}, "archived", "declined", false, true, false, "budget", ""},
		{"edit", withDeal(testLead("accepted", "", true)), Edit, Input{Deal: Deal{Name: "Renamed", Value: 5, Currency: "JPY", PurchaseDate: "2027-02-01", Notes: "n"}}, "accepted", "", false, false, false, "", "Renamed"},
		{"add employee", withDeal(testLead("accepted", "", true)), AddEmployee, Input{}, "accepted", "", false, false, false, "", "Old deal"},
		{"won", withDeal(testLead("accepted", "", true)), Won, Input{Reason: "ignored"}, "archived", "won", false, true, false, "", "Old deal"},
		{"lost", withDeal(testLead("accepted", "", true)), Lost, Input{Reason: "other_vendor", ReasonNotes: "went elsewhere"}, "archived", "lost", false, true, false, "other_vendor", "Old deal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Apply(tc.from, u, tc.action, tc.in, at)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tc.status || got.Outcome != tc.out || got.Reason != tc.reason || got.DealName != tc.deal {
				t.Errorf("got status %q outcome %q reason %q deal %q", got.Status, got.Outcome, got.Reason, got.DealName)
			}
			if (got.AcceptedAt != nil && got.AcceptedAt.Equal(at)) != tc.accepted {
				t.Errorf("accepted_at = %v", got.AcceptedAt)
			}
			if (got.ArchivedAt != nil) != tc.archived {
				t.Errorf("archived_at = %v", got.ArchivedAt)
			}
			if (got.ExpiresAt != nil) != tc.expiry {
				t.Errorf("expires_at = %v, want cleared once answered", got.ExpiresAt)
			}
			if !got.UpdatedAt.Equal(at) || got.Version != tc.from.Version {
				t.Errorf("updated %v version %d (the store bumps the version, not Apply)", got.UpdatedAt, got.Version)
			}
			if tc.action == Accept && (got.DealValue != 1250000 || got.Currency != "USD" || got.CRMID != "CRM-9" || got.CampaignID != "C-1") {
				t.Errorf("deal not set: %+v", got)
			}
			if tc.action == Decline && got.ReasonNotes != "too small" {
				t.Errorf("reason notes = %q", got.ReasonNotes)
			}
		})
	}
}

func withDeal(l *lead.Lead) *lead.Lead {
	l.DealName, l.DealValue, l.Currency = "Old deal", 100, "USD"
	return l
}

func TestJobTransitionsAndTimes(t *testing.T) {
	rec := testLead("received", "", true)
	info := testLead("received", "", false)
	acc := testLead("accepted", "", true)
	exp := *rec.ExpiresAt
	cases := []struct {
		name string
		got  bool
		want bool
	}{
		{"13d23h not due to expire", DueToExpire(rec, exp.Add(-time.Hour)), false},
		{"14d due to expire", DueToExpire(rec, exp), true},
		{"accepted never expires", DueToExpire(acc, exp.Add(time.Hour)), false},
		{"informational never expires", DueToExpire(info, exp.Add(time.Hour)), false},
		{"reminder not yet at 49h before", DueForReminder(rec, exp.Add(-49*time.Hour)), false},
		{"reminder at 48h before", DueForReminder(rec, exp.Add(-48*time.Hour)), true},
		{"no reminder once expired", DueForReminder(rec, exp), false},
		{"informational kept before 6 months", DueForArchival(info, now.Add(lead.InformationalArchiveAfter-time.Second)), false},
		{"informational archived at 6 months", DueForArchival(info, now.Add(lead.InformationalArchiveAfter)), true},
		{"actionable not archived at 6 months", DueForArchival(rec, now.Add(lead.InformationalArchiveAfter)), false},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %v", c.name, c.got)
		}
	}
	if Flame(rec, now.Add(71*time.Hour+59*time.Minute)) != "hot" || Flame(rec, now.Add(72*time.Hour)) != "calm" {
		t.Error("flame should be hot before 72 h and calm from 72 h")
	}
	if Flame(testLead("archived", "declined", true), now) != "" || Flame(testLead("accepted", "", true), now) != "" {
		t.Error("only received leads show a flame (not accepted or archived ones)")
	}
	if Flame(testLead("accepted", "", true), now) != "" {
		t.Error("an accepted lead is being worked: no flame")
	}
	if !RespondBy(rec).Equal(exp) || !RespondBy(acc).IsZero() || !RespondBy(info).IsZero() {
		t.Error("respond-by only for received actionable leads")
	}
}

// Urgency is the one rule that colours a respond-by deadline: warning under 48 hours, danger under 24.
func TestUrgency(t *testing.T) {
	rec := testLead("received", "", true)
	exp := *rec.ExpiresAt
	for _, c := range []struct {
		name string
		l    *lead.Lead
		at   time.Time
		want string
	}{
		{"11 days left", rec, exp.Add(-11 * 24 * time.Hour), UrgencyCalm},
		{"exactly 48 h left", rec, exp.Add(-48 * time.Hour), UrgencyCalm},
		{"47 h 59 min left", rec, exp.Add(-48*time.Hour + time.Minute), UrgencyWarning},
		{"exactly 24 h left", rec, exp.Add(-24 * time.Hour), UrgencyWarning},
		{"7 h left", rec, exp.Add(-7 * time.Hour), UrgencyDanger},
		{"overdue", rec, exp.Add(time.Minute), UrgencyDanger},
		{"accepted", testLead("accepted", "", true), exp.Add(-time.Hour), UrgencyNone},
		{"informational", testLead("received", "", false), exp.Add(-time.Hour), UrgencyNone},
	} {
		if got := Urgency(c.l, c.at); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// The list and the details page both say the time left through TimeLeft, so they cannot disagree.
func TestTimeLeft(t *testing.T) {
	for _, tc := range []struct {
		left time.Duration
		unit string
		n    int
	}{
		{-time.Minute, "overdue", 0},
		{0, "overdue", 0},
		{time.Minute, "hours", 1},
		{time.Hour, "hours", 1},
		{47*time.Hour + time.Minute, "hours", 48},
		{48 * time.Hour, "days", 2},
		{14*24*time.Hour - time.Second, "days", 13},
	} {
		if unit, n := TimeLeft(tc.left); unit != tc.unit || n != tc.n {
			t.Errorf("TimeLeft(%v) = %s %d, want %s %d", tc.left, unit, n, tc.unit, tc.n)
		}
	}
}

// TestJobTransitionsApplyOnlyWhenDue: Expire and ArchiveInformational, which the jobs apply, refuse a
// lead that is not due by DueToExpire / DueForArchival and never touch the lead they are given.
func TestJobTransitionsApplyOnlyWhenDue(t *testing.T) {
	rec := testLead("received", "", true)
	info := testLead("received", "", false)
	exp := *rec.ExpiresAt
	if _, err := Expire(rec, exp.Add(-time.Second)); !errors.Is(err, ErrState) {
		t.Errorf("expire before the respond-by time: %v", err)
	}
	if _, err := Expire(info, exp); !errors.Is(err, ErrState) {
		t.Errorf("expire an informational lead: %v", err)
	}
	before := *rec
	got, err := Expire(rec, exp)
	if err != nil || got.Status != "archived" || got.Outcome != "expired" || got.ExpiresAt != nil || !got.ArchivedAt.Equal(exp) || !got.UpdatedAt.Equal(exp) {
		t.Errorf("expired lead %+v, err %v", got, err)
	}
	if *rec != before {
		t.Error("Expire changed its input")
	}
	sixMonths := info.CreatedAt.Add(lead.InformationalArchiveAfter)
	if _, err := ArchiveInformational(info, sixMonths.Add(-time.Second)); !errors.Is(err, ErrState) {
		t.Errorf("archive before six months: %v", err)
	}
	if _, err := ArchiveInformational(rec, sixMonths); !errors.Is(err, ErrState) {
		t.Errorf("archive an actionable lead: %v", err)
	}
	if got, err := ArchiveInformational(info, sixMonths); err != nil || got.Status != "archived" || got.Outcome != "" || !got.ArchivedAt.Equal(sixMonths) {
		t.Errorf("archived lead %+v, err %v", got, err)
	}
}

// TestSettleArrival: a lead arrives in the state the jobs would have left it in at its age; a status
// the sender gave is kept.
func TestSettleArrival(t *testing.T) {
	for _, tc := range []struct {
		name            string
		l               lead.Lead
		age             time.Duration
		status, outcome string
	}{
		{"new actionable", lead.Lead{LeadType: "profile"}, time.Hour, "", ""},
		{"actionable at 14 days", lead.Lead{LeadType: "profile"}, lead.ExpiryWindow, "archived", "expired"},
		{"informational at 13 days", lead.Lead{LeadType: "offer", CTA: "free_trial"}, lead.ExpiryWindow - 24*time.Hour, "", ""},
		{"informational at six months", lead.Lead{LeadType: "offer", CTA: "free_trial"}, lead.InformationalArchiveAfter, "archived", ""},
		{"accepted by the sender", lead.Lead{Tab: "qualified", Status: "accepted"}, lead.ExpiryWindow * 2, "accepted", ""},
	} {
		l := tc.l
		l.CreatedAt = now.Add(-tc.age)
		SettleArrival(&l, now)
		again := l
		SettleArrival(&again, now)
		if l.Status != tc.status || l.Outcome != tc.outcome || l.Actionable != lead.IsActionable(l.Tab, l.LeadType, l.CTA) {
			t.Errorf("%s: status %q outcome %q actionable %v", tc.name, l.Status, l.Outcome, l.Actionable)
		}
		if again.Status != l.Status || again.Outcome != l.Outcome {
			t.Errorf("%s: settling twice changed it", tc.name)
		}
	}
}

// Owners and activities follow the lifecycle: whoever may work leads may assign and log on any lead
// still worked (informational ones too); archived leads are read-only; a read-only role never may.
func TestCheckAssign(t *testing.T) {
	worker := lead.Actor{UserID: 1, Roles: []string{"referrals-admin"}}
	reader := lead.Actor{UserID: 2, Roles: []string{"business-profile-admin"}}
	for _, tc := range []struct {
		l    *lead.Lead
		by   lead.Actor
		want error
	}{
		{testLead("received", "", true), worker, nil},
		{testLead("received", "", false), worker, nil},
		{testLead("accepted", "", true), worker, nil},
		{testLead("archived", "won", true), worker, ErrState},
		{testLead("archived", "", false), worker, ErrState},
		{testLead("received", "", true), reader, ErrRole},
	} {
		if got := CheckAssign(tc.l, tc.by); got != tc.want {
			t.Errorf("%s/%s by %v: %v, want %v", tc.l.Status, tc.l.Outcome, tc.by.Roles, got, tc.want)
		}
	}
}
