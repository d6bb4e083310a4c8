package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"leaddesk/config"
	"leaddesk/db"
	"leaddesk/handlers"
	"leaddesk/internal/testkit"
	"leaddesk/lead"
	"leaddesk/leads"
	"leaddesk/mail"
	"leaddesk/partnercenter"
	"leaddesk/partnercenter/pcsim"
	"leaddesk/pcsync"
)

// pcFixture is the app with the Partner Center sync against the simulator on loopback, an Account
// admin and a Referrals admin signed in.
type pcFixture struct {
	srv    *testkit.Server
	sim    *pcsim.Sim
	simURL string
	pc     *pcsync.Syncer
	admin  *testkit.Client
	worker *testkit.Client
	ctx    context.Context
}

func newPCFixture(t testing.TB) *pcFixture {
	t.Helper()
	f := &pcFixture{ctx: context.Background()}
	sim, simSrv := pcsim.NewServer(pcsim.Options{})
	t.Cleanup(simSrv.Close)
	f.sim, f.simURL = sim, simSrv.URL
	o := sim.Options()
	f.srv = testkit.NewServer(t, func(d *handlers.Deps) {
		d.Cfg.PartnerCenter = config.PartnerCenter{Tenant: o.Tenant, ClientID: o.ClientID, ClientSecret: o.ClientSecret,
			APIURL: simSrv.URL, Authority: simSrv.URL + "/{tenant}"}
		d.Leads = leads.New(d.DB, d.Clock, mail.NewNotifier(d.Cfg), pcsync.Queue{})
		var err error
		if f.pc, err = pcsync.New(f.ctx, d.Cfg, pcsync.Options{DB: d.DB, Leads: d.Leads, Clock: d.Clock, Log: d.Log, HTTPClient: simSrv.Client()}); err != nil {
			t.Fatal(err)
		}
		d.PC = f.pc
	})
	f.srv.CreateUser("admin@example.com", "Ada Admin", db.RoleAccount)
	f.srv.CreateUser("rita@example.com", "Rita Referrals", db.RoleReferrals)
	f.admin = f.srv.Client()
	f.admin.Login("admin@example.com")
	f.worker = f.srv.Client()
	f.worker.Login("rita@example.com")
	return f
}

// connect runs "Connect to Partner Center" through the router: the button, Entra's consent (the
// simulator plays the admin's browser), the callback.
func (f *pcFixture) connect(t testing.TB) {
	t.Helper()
	f.admin.Get("/admin/partner-center")
	res := f.admin.PostForm("/admin/partner-center/connect", url.Values{})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("connect: %d %s", res.StatusCode, res.Body)
	}
	authURL := res.Header.Get("Location")
	if !strings.Contains(authURL, "code_challenge=") || !strings.Contains(authURL, "code_challenge_method=S256") {
		t.Fatalf("connect does not use PKCE: %s", authURL)
	}
	code, state, err := pcsim.Consent(http.DefaultClient, authURL)
	if err != nil {
		t.Fatal(err)
	}
	res = f.admin.Get("/admin/partner-center/callback?" + url.Values{"code": {code}, "state": {state}}.Encode())
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback: %d %s", res.StatusCode, res.Body)
	}
}

func (f *pcFixture) runQueue(t *testing.T) {
	t.Helper()
	if err := f.pc.RunQueue(f.ctx, f.srv.Clock.Now()); err != nil {
		t.Fatal(err)
	}
}

func (f *pcFixture) leadOf(t *testing.T, referralID string) int64 {
	t.Helper()
	ref, err := db.PCReferralByReferralID(f.ctx, f.srv.DB, referralID)
	if err != nil {
		t.Fatalf("referral %s has no lead: %v", referralID, err)
	}
	return ref.LeadID
}

func (f *pcFixture) pcState(t *testing.T, leadID int64) *db.PCReferral {
	t.Helper()
	ref, err := db.PCReferralByLead(f.ctx, f.srv.DB, leadID)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

func (f *pcFixture) accept(t *testing.T, leadID int64) {
	t.Helper()
	f.worker.Get(fmt.Sprintf("/leads/%d/accept", leadID))
	res := f.worker.PostForm(fmt.Sprintf("/leads/%d/accept", leadID), url.Values{
		"deal_name": {"Contoso rollout"}, "deal_value": {"12,500.50"}, "currency": {"USD"}, "close_date": {"2027-01-15"}, "notes": {"Call Monday."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", res.StatusCode, res.Body)
	}
}

// createQualified adds one qualified lead in the simulator (its webhook, if registered, fires).
func (f *pcFixture) createQualified(t *testing.T, seed uint64) string {
	t.Helper()
	r, err := f.sim.Create(pcsim.NewQualifiedLead(seed))
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func TestPartnerCenterConnectPullAndPush(t *testing.T) {
	f := newPCFixture(t)
	page := f.admin.Get("/admin/partner-center")
	if !strings.Contains(page.Body, "Connect to Partner Center") || f.worker.Get("/admin/partner-center").StatusCode != http.StatusForbidden {
		t.Fatalf("the admin page offers Connect to Account admins only")
	}
	f.connect(t)
	conn, _ := f.srv.DB.PCConnection(f.ctx)
	if !conn.Connected() || conn.RefreshSealed == "" {
		t.Fatalf("connection after connect: %+v", conn)
	}
	// The grant is stored sealed: the simulator's refresh tokens ("sim-rt-…") are nowhere in the
	// database files, nor in a backup of them.
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := f.srv.DB.Backup(f.ctx, backup); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{f.srv.Cfg.DBPath(), f.srv.Cfg.DBPath() + "-wal", backup} {
		b, _ := os.ReadFile(path)
		if bytes.Contains(b, []byte("sim-rt-")) {
			t.Fatalf("a refresh token is in clear in %s", filepath.Base(path))
		}
	}
	if page := f.admin.Get("/admin/partner-center"); !strings.Contains(page.Body, "Connected") || !strings.Contains(page.Body, "Sync now") {
		t.Fatalf("admin page after connect:\n%s", page.Body)
	}

	// Initial pull: 1,000 referrals over several pages; only the qualified leads become leads, one each.
	ids := f.sim.Seed(1000, 7)
	f.admin.Get("/admin/partner-center")
	if res := f.admin.PostForm("/admin/partner-center/sync", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sync now: %d", res.StatusCode)
	}
	qualified := 0
	for _, id := range ids {
		r, _ := f.sim.Referral(id)
		if partnercenter.IsQualifiedLead(r) {
			qualified++
		}
	}
	var leadsN, refsN int
	f.srv.DB.QueryRowContext(f.ctx, `SELECT COUNT(*) FROM leads`).Scan(&leadsN)
	f.srv.DB.QueryRowContext(f.ctx, `SELECT COUNT(*) FROM pc_referrals`).Scan(&refsN)
	if refsN != qualified || leadsN < qualified*9/10 || qualified < 800 {
		t.Fatalf("pulled %d referrals into %d leads; %d of 1,000 are qualified", refsN, leadsN, qualified)
	}
	if f.sim.Stats().Pages < 10 {
		t.Errorf("pull read %d pages; 1,000 referrals need at least 10", f.sim.Stats().Pages)
	}
	// A second pull reads only what changed since: nothing.
	before := f.sim.Stats().Pages
	if res, err := f.pc.Pull(f.ctx); err != nil || res.Referrals != 0 || f.sim.Stats().Pages != before+1 {
		t.Fatalf("incremental pull: %+v, %v", res, err)
	}

	// A change here: accept → the queue → PATCH with If-Match → Partner Center has it.
	var first string
	for _, id := range ids {
		if r, _ := f.sim.Referral(id); partnercenter.IsQualifiedLead(r) {
			first = id
			break
		}
	}
	leadID := f.leadOf(t, first)
	if page := f.worker.Get(fmt.Sprintf("/leads/%d", leadID)); !strings.Contains(page.Body, "In sync") || !strings.Contains(page.Body, "Open in Partner Center") {
		t.Fatalf("details page of a synced lead:\n%s", page.Body)
	}
	f.accept(t, leadID)
	if st := f.pcState(t, leadID); st.State != db.PCPending {
		t.Fatalf("after accept the lead is %s, want pending", st.State)
	}
	if page := f.worker.Get(fmt.Sprintf("/leads/%d", leadID)); !strings.Contains(page.Body, "Pending") {
		t.Errorf("details page does not show the pending push")
	}
	f.runQueue(t)
	r, _ := f.sim.Referral(first)
	if r.Status != partnercenter.StatusActive || r.Substatus != partnercenter.SubstatusAccepted || r.Details.DealValue == nil || *r.Details.DealValue != "12500.50" {
		t.Fatalf("Partner Center after accept: %s/%s value %v", r.Status, r.Substatus, r.Details.DealValue)
	}
	if st := f.pcState(t, leadID); st.State != db.PCInSync || st.ETag != r.ETag {
		t.Fatalf("after the push: %+v, Partner Center's eTag %s", st, r.ETag)
	}

	// A change there, through the webhook: the event queues a fetch; the lead takes the change and its
	// timeline says where it came from.
	secret := webhookSecret(t, f)
	f.sim.RegisterWebhook(f.srv.URL + "/intake/partnercenter/" + secret)
	if _, err := f.sim.ChangeAsMicrosoft(first, func(r *partnercenter.Referral) {
		r.Status, r.Substatus = partnercenter.StatusClosed, partnercenter.SubstatusWon
	}); err != nil {
		t.Fatal(err)
	}
	f.runQueue(t)
	l, _ := f.srv.DB.LeadByID(f.ctx, leadID)
	if l.Status != "archived" || l.Outcome != "won" {
		t.Fatalf("lead after Partner Center marked it won: %s/%s", l.Status, l.Outcome)
	}
	page = f.worker.Get(fmt.Sprintf("/leads/%d", leadID))
	if !strings.Contains(page.Body, "Changed in Partner Center") {
		t.Errorf("timeline does not say the change came from Partner Center")
	}
	// …and it is not sent back.
	if n := f.sim.Stats().Patches; n != 1 {
		t.Errorf("%d PATCHes; the change from Partner Center was sent back", n)
	}

	// A new referral through the webhook becomes a lead at once (the fetch job).
	newID := f.createQualified(t, 99)
	f.runQueue(t)
	f.leadOf(t, newID)
}

func webhookSecret(t *testing.T, f *pcFixture) string {
	t.Helper()
	f.admin.Get("/admin/partner-center")
	conn, err := f.srv.DB.PCConnection(f.ctx)
	if err != nil || conn.WebhookSecret == "" {
		t.Fatalf("no webhook secret: %v", err)
	}
	return conn.WebhookSecret
}

func TestPartnerCenterWebhookRefusesWrongSecretAndForeignURI(t *testing.T) {
	f := newPCFixture(t)
	f.connect(t)
	secret := webhookSecret(t, f)
	post := func(path, body string) int {
		res, err := http.Post(f.srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	ev := func(uri string) string {
		return `{"EventName":"referral-created","ResourceUri":"` + uri + `","ResourceName":"referral","AuditUri":null,"ResourceChangeUtcDate":"2026-11-30T09:00:00Z"}`
	}
	good := ev(f.simURL + partnercenter.ReferralsPath + "/abc")
	if code := post("/intake/partnercenter/wrong-secret", good); code != http.StatusNotFound {
		t.Errorf("wrong secret: %d, want 404", code)
	}
	if code := post("/intake/partnercenter/"+secret, ev("https://evil.example"+partnercenter.ReferralsPath+"/abc")); code != http.StatusUnprocessableEntity {
		t.Errorf("foreign ResourceUri: %d, want 422", code)
	}
	if code := post("/intake/partnercenter/"+secret, "{"+strings.Repeat(" ", partnercenter.MaxEventBytes)+"}"); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized event: %d, want 413", code)
	}
	if code := post("/intake/partnercenter/"+secret, "not json"); code != http.StatusBadRequest {
		t.Errorf("not an event: %d, want 400", code)
	}
	var n int
	f.srv.DB.QueryRowContext(f.ctx, `SELECT COUNT(*) FROM pc_sync_queue`).Scan(&n)
	if n != 0 {
		t.Fatalf("refused events queued %d fetches", n)
	}
	if code := post("/intake/partnercenter/"+secret, good); code != http.StatusAccepted {
		t.Errorf("good event: %d, want 202", code)
	}
}

// pulledLead seeds n referrals, pulls them and returns a qualified one's id and lead.
func pulledLead(t *testing.T, f *pcFixture) (string, int64) {
	t.Helper()
	id := f.createQualified(t, 1)
	if _, err := f.pc.Pull(f.ctx); err != nil {
		t.Fatal(err)
	}
	return id, f.leadOf(t, id)
}

func TestPartnerCenterConflictAndItsResolution(t *testing.T) {
	for _, choice := range []string{"ours", "theirs"} {
		t.Run(choice, func(t *testing.T) {
			f := newPCFixture(t)
			f.connect(t)
			refID, leadID := pulledLead(t, f)
			// Both sides change the deal: here the team accepts with 12,500.50 USD while a Microsoft
			// seller, meanwhile, accepted it there with another value.
			f.accept(t, leadID)
			if _, err := f.sim.ChangeAsMicrosoft(refID, func(r *partnercenter.Referral) {
				v := partnercenter.Decimal("99000")
				r.Status, r.Substatus, r.Details.DealValue, r.Details.Currency = partnercenter.StatusActive, partnercenter.SubstatusAccepted, &v, "USD"
			}); err != nil {
				t.Fatal(err)
			}
			f.runQueue(t)
			if st := f.pcState(t, leadID); st.State != db.PCConflict {
				t.Fatalf("after a 412 with disagreeing sides: %s, want conflict", st.State)
			}
			if r, _ := f.sim.Referral(refID); *r.Details.DealValue != "99000" {
				t.Fatalf("Partner Center's value was overwritten: %s", *r.Details.DealValue)
			}
			page := f.worker.Get(fmt.Sprintf("/leads/%d", leadID))
			for _, want := range []string{`id="pc-conflict"`, "USD 12,500.50", "USD 99,000.00", "Keep ours and send it", "Take Partner Center"} {
				if !strings.Contains(page.Body, want) {
					t.Fatalf("conflict banner lacks %q:\n%s", want, page.Body)
				}
			}
			// Nothing moves while the lead is in conflict.
			f.runQueue(t)
			if r, _ := f.sim.Referral(refID); *r.Details.DealValue != "99000" {
				t.Fatal("a push went out during the conflict")
			}
			res := f.worker.PostForm(fmt.Sprintf("/leads/%d/partner-center/resolve", leadID), url.Values{"choice": {choice}})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("resolve: %d %s", res.StatusCode, res.Body)
			}
			f.runQueue(t)
			r, _ := f.sim.Referral(refID)
			l, _ := f.srv.DB.LeadByID(f.ctx, leadID)
			want := map[string]int64{"ours": 1250050, "theirs": 9900000}[choice]
			if l.DealValue != want || fmt.Sprint(*r.Details.DealValue) != map[string]string{"ours": "12500.50", "theirs": "99000"}[choice] {
				t.Fatalf("after %s: lead %d, Partner Center %s", choice, l.DealValue, *r.Details.DealValue)
			}
			if st := f.pcState(t, leadID); st.State != db.PCInSync {
				t.Fatalf("after resolving: %s", st.State)
			}
		})
	}
}

func TestPartnerCenterThrottlingHonoursRetryAfter(t *testing.T) {
	f := newPCFixture(t)
	f.connect(t)
	refID, leadID := pulledLead(t, f)
	f.accept(t, leadID)
	f.sim.Throttle(1, http.StatusTooManyRequests, 30*time.Second, false)
	f.runQueue(t)
	if r, _ := f.sim.Referral(refID); r.Status != partnercenter.StatusNew {
		t.Fatal("the throttled push went through")
	}
	f.srv.Clock.Advance(29 * time.Second)
	f.runQueue(t)
	if f.sim.Stats().Patches != 0 {
		t.Fatal("the push was retried before Retry-After")
	}
	f.srv.Clock.Advance(time.Second)
	f.runQueue(t)
	if r, _ := f.sim.Referral(refID); r.Status != partnercenter.StatusActive {
		t.Fatalf("after Retry-After: %s", r.Status)
	}
}

func TestPartnerCenterRevokedGrantShowsReconnect(t *testing.T) {
	f := newPCFixture(t)
	f.connect(t)
	refID, leadID := pulledLead(t, f)
	f.accept(t, leadID)
	f.sim.Revoke()
	f.runQueue(t)
	page := f.admin.Get("/admin/partner-center")
	if !strings.Contains(page.Body, `id="pc-revoked"`) || !strings.Contains(page.Body, "Reconnect") {
		t.Fatalf("admin page after revocation:\n%s", page.Body)
	}
	if ac := f.admin.Get("/action-center"); !strings.Contains(ac.Body, "Reconnect Partner Center") {
		t.Errorf("no Action Center item for the Account admin")
	}
	if ac := f.worker.Get("/action-center"); strings.Contains(ac.Body, "Reconnect Partner Center") {
		t.Errorf("a Referrals admin got the reconnect item")
	}
	// Reconnecting sends what waited.
	f.connect(t)
	f.srv.Clock.Advance(time.Minute)
	f.runQueue(t)
	if r, _ := f.sim.Referral(refID); r.Status != partnercenter.StatusActive {
		t.Fatalf("the waiting push was not sent after reconnecting: %s", r.Status)
	}
	// Disconnect deletes the grant.
	f.admin.Get("/admin/partner-center")
	f.admin.PostForm("/admin/partner-center/disconnect", url.Values{})
	if conn, _ := f.srv.DB.PCConnection(f.ctx); conn.RefreshSealed != "" {
		t.Fatal("disconnect kept the grant")
	}
}

// A restart with queued pushes: a second syncer over the same database (a new process) sends each
// exactly once, even the one the first sent just before it died (its row still leased).
func TestPartnerCenterRestartWithQueuedPushes(t *testing.T) {
	f := newPCFixture(t)
	f.connect(t)
	var refs []string
	var leadIDs []int64
	for i := range 3 {
		id := f.createQualified(t, uint64(10+i))
		refs = append(refs, id)
	}
	if _, err := f.pc.Pull(f.ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range refs {
		leadIDs = append(leadIDs, f.leadOf(t, id))
		f.accept(t, f.leadOf(t, id))
	}
	// The first process claims lead 0's push, PATCHes it, and dies before recording it.
	row, err := f.srv.DB.ClaimPCQueue(f.ctx, f.srv.Clock.Now(), 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ref := f.pcState(t, row.LeadID)
	if _, err := f.pc.Client.Patch(f.ctx, ref.ReferralID, ref.ETag, []partnercenter.PatchOp{
		{Op: "replace", Path: "/details/dealValue", Value: "12500.50"}, {Op: "replace", Path: "/details/currency", Value: "USD"},
		{Op: "replace", Path: "/details/closingDateTime", Value: "2027-01-15T00:00:00Z"},
		{Op: "replace", Path: "/status", Value: "Active"}, {Op: "replace", Path: "/substatus", Value: "Accepted"}}); err != nil {
		t.Fatal(err)
	}
	patches := f.sim.Stats().Patches
	// A new process: a new syncer on the same database; the lease runs out.
	restarted, err := pcsync.New(f.ctx, f.srv.Cfg, pcsync.Options{DB: f.srv.DB, Leads: f.srv.Leads, Clock: f.srv.Clock, HTTPClient: http.DefaultClient})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Clock.Advance(3 * time.Minute)
	if err := restarted.RunQueue(f.ctx, f.srv.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	for i, id := range refs {
		r, _ := f.sim.Referral(id)
		if r.Status != partnercenter.StatusActive {
			t.Errorf("referral %d not accepted after the restart: %s", i, r.Status)
		}
		if st := f.pcState(t, leadIDs[i]); st.State != db.PCInSync {
			t.Errorf("lead %d: %s %s", i, st.State, st.Error)
		}
	}
	// The push already made was recognised on its 412, not made again: two more PATCHes succeeded
	// plus one refused with 412.
	if got := f.sim.Stats().Patches - patches; got != 3 {
		t.Errorf("%d PATCH calls after the restart, want 3 (two pushes and one 412 recognised as done)", got)
	}
	var open int
	f.srv.DB.QueryRowContext(f.ctx, `SELECT COUNT(*) FROM pc_sync_queue WHERE status <> 'done'`).Scan(&open)
	if open != 0 {
		t.Errorf("%d queue rows not done", open)
	}
}

// BenchmarkPartnerCenterInitialPull10000 is the first pull of a partner with 10,000 referrals in
// Partner Center (the simulator on loopback, 100 per page) into an empty Leaddesk: every qualified one
// validated and stored through the leads service with its events and notifications. Issue 14 asks for
// at most 20 s.
func BenchmarkPartnerCenterInitialPull10000(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		f := newPCFixture(b)
		f.connect(b)
		f.sim.Seed(10000, 3)
		b.StartTimer()
		start := time.Now()
		res, err := f.pc.Pull(f.ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/pull")
		b.ReportMetric(float64(res.Created), "leads")
	}
}

func TestPartnerCenterPushesDeclineReasonAndTeam(t *testing.T) {
	f := newPCFixture(t)
	f.connect(t)
	declined := f.createQualified(t, 21)
	accepted := f.createQualified(t, 22)
	if _, err := f.pc.Pull(f.ctx); err != nil {
		t.Fatal(err)
	}
	id := f.leadOf(t, declined)
	f.worker.Get(fmt.Sprintf("/leads/%d/decline", id))
	if res := f.worker.PostForm(fmt.Sprintf("/leads/%d/decline", id), url.Values{"reason": {"no_response"}, "notes": {"tried three times"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("decline: %d %s", res.StatusCode, res.Body)
	}
	id2 := f.leadOf(t, accepted)
	f.accept(t, id2)
	f.worker.Get(fmt.Sprintf("/leads/%d/employees", id2))
	if res := f.worker.PostForm(fmt.Sprintf("/leads/%d/employees", id2), url.Values{"name": {"Ken Mori"}, "email": {"ken@partner.example"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add employee: %d %s", res.StatusCode, res.Body)
	}
	f.runQueue(t)
	r, _ := f.sim.Referral(declined)
	if r.Status != partnercenter.StatusClosed || r.Substatus != partnercenter.SubstatusDeclined || r.StatusReason != "Customer didn't respond: tried three times" {
		t.Errorf("declined referral: %s/%s %q", r.Status, r.Substatus, r.StatusReason)
	}
	r, _ = f.sim.Referral(accepted)
	if len(r.Team) == 0 || r.Team[len(r.Team)-1].Email != "ken@partner.example" {
		t.Errorf("team after adding an employee: %+v", r.Team)
	}
	for _, lid := range []int64{id, id2} {
		if st := f.pcState(t, lid); st.State != db.PCInSync {
			t.Errorf("lead %d: %s %s", lid, st.State, st.Error)
		}
	}
}

// A referral that cannot be used is recorded against the sync, named on the admin page, and the rest
// of the page is stored; nothing of it is half written.
func TestPartnerCenterBadReferralIsRecordedAndTheRestContinues(t *testing.T) {
	f := newPCFixture(t)
	f.connect(t)
	good := f.createQualified(t, 31)
	bad := pcsim.NewQualifiedLead(32)
	bad.Details.Currency = "dollars"
	badRef, err := f.sim.Create(bad)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.pc.Pull(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 1 || res.Errors != 1 {
		t.Fatalf("pull: %+v", res)
	}
	f.leadOf(t, good)
	if _, err := db.PCReferralByReferralID(f.ctx, f.srv.DB, badRef.ID); err == nil {
		t.Fatal("the bad referral became a lead")
	}
	page := f.admin.Get("/admin/partner-center")
	if !strings.Contains(page.Body, badRef.ID) || !strings.Contains(page.Body, "currency") {
		t.Errorf("admin page does not name the bad referral and its field")
	}
}

// Marketplace leads are not served by the API: accepting one here opens one reminder in the Action
// Center to mark it in Partner Center, which a person dismisses.
func TestPartnerCenterMarketplaceReminder(t *testing.T) {
	f := newPCFixture(t)
	l := &lead.Lead{Tab: "marketplace", LeadType: "offer", CTA: "contact_me", Source: "appsource", OfferTitle: "Contoso CRM",
		CustomerCompany: "Northwind", ContactFirstName: "Aiko", ContactLastName: "Sato", ContactEmail: "aiko@northwind.example", Country: "JP"}
	id, _, err := f.srv.Leads.Receive(f.ctx, lead.Actor{Label: "test"}, l)
	if err != nil {
		t.Fatal(err)
	}
	page := f.worker.Get(fmt.Sprintf("/leads/%d", id))
	if !strings.Contains(page.Body, `id="pc-marketplace"`) || !strings.Contains(page.Body, handlers.PartnerCenterWeb) {
		t.Fatalf("a marketplace lead does not offer Open in Partner Center")
	}
	if ac := f.worker.Get("/action-center"); strings.Contains(ac.Body, "pc-ac-reminder") {
		t.Fatal("a reminder before the lead was accepted")
	}
	f.accept(t, id)
	if ac := f.worker.Get("/action-center"); !strings.Contains(ac.Body, fmt.Sprintf("pc-ac-reminder-%d", id)) {
		t.Fatalf("no reminder after accepting a marketplace lead")
	}
	f.worker.Get("/action-center")
	if res := f.worker.PostForm(fmt.Sprintf("/leads/%d/partner-center/reminder/dismiss", id), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("dismiss: %d", res.StatusCode)
	}
	if ac := f.worker.Get("/action-center"); strings.Contains(ac.Body, "pc-ac-reminder") {
		t.Error("the reminder stayed after dismissing it")
	}
	var n int
	f.srv.DB.QueryRowContext(f.ctx, `SELECT COUNT(*) FROM pc_sync_queue`).Scan(&n)
	if n != 0 {
		t.Errorf("a marketplace lead queued %d pushes", n)
	}
}

// Both sides change different fields: the push meets a 412, Partner Center still has the values the
// change started from, so it goes again on the fresh eTag — and what changed there comes here.
func TestPartnerCenterChangesOfDifferentFieldsMerge(t *testing.T) {
	f := newPCFixture(t)
	f.connect(t)
	refID, leadID := pulledLead(t, f)
	f.accept(t, leadID)
	f.runQueue(t)
	// Here: a new deal value. There, meanwhile: a new close date.
	form := f.worker.Get(fmt.Sprintf("/leads/%d/edit", leadID))
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(form.Body)
	if version == nil {
		t.Fatal("no version in the edit form")
	}
	res := f.worker.PostForm(fmt.Sprintf("/leads/%d", leadID), url.Values{"deal_name": {"Contoso rollout"}, "deal_value": {"20,000"},
		"currency": {"USD"}, "close_date": {"2027-01-15"}, "notes": {"Call Monday."}, "version": {version[1]}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", res.StatusCode, res.Body)
	}
	if _, err := f.sim.ChangeAsMicrosoft(refID, func(r *partnercenter.Referral) {
		r.Details.ClosingDateTime = partnercenter.Time{Time: time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC)}
	}); err != nil {
		t.Fatal(err)
	}
	f.runQueue(t)
	r, _ := f.sim.Referral(refID)
	l, _ := f.srv.DB.LeadByID(f.ctx, leadID)
	if *r.Details.DealValue != "20000.00" || l.PurchaseDate != "2027-02-28" || l.DealValue != 2000000 {
		t.Fatalf("after both changes: Partner Center %s, lead %d / %s", *r.Details.DealValue, l.DealValue, l.PurchaseDate)
	}
	if st := f.pcState(t, leadID); st.State != db.PCInSync || st.ETag != r.ETag {
		t.Fatalf("state %s, eTag %s vs %s", st.State, st.ETag, r.ETag)
	}
}

// Another process of the instance (`leaddesk pc sync` beside the server) refreshes and so rotates the
// grant: the server's next refresh is refused, and it takes the stored newer grant instead of showing
// the connection as revoked.
func TestPartnerCenterGrantRotatedByAnotherProcess(t *testing.T) {
	f := newPCFixture(t)
	f.connect(t)
	refID, leadID := pulledLead(t, f)
	other, err := pcsync.New(f.ctx, f.srv.Cfg, pcsync.Options{DB: f.srv.DB, Leads: f.srv.Leads, Clock: f.srv.Clock, Log: f.srv.Handler.Log, HTTPClient: http.DefaultClient})
	if err != nil {
		t.Fatal(err)
	}
	f.sim.ExpireAccessTokens()
	if _, err := other.Pull(f.ctx); err != nil { // refreshes: the server's refresh token is spent
		t.Fatal(err)
	}
	f.accept(t, leadID)
	f.sim.ExpireAccessTokens()
	f.runQueue(t) // refused refresh → takes the stored grant
	f.srv.Clock.Advance(time.Minute)
	f.runQueue(t)
	if conn, _ := f.srv.DB.PCConnection(f.ctx); !conn.Connected() {
		t.Fatalf("the connection shows revoked: %+v", conn)
	}
	if r, _ := f.sim.Referral(refID); r.Status != partnercenter.StatusActive {
		t.Fatalf("the push did not go out with the rotated grant: %s", r.Status)
	}
}

// An added team member meets a 412 (something else changed there): it is added on the fresh
// version, once; and a member added just before a crash is recognised, not added twice.
func TestPartnerCenterTeamMemberAddedOnce(t *testing.T) {
	f := newPCFixture(t)
	f.connect(t)
	refID, leadID := pulledLead(t, f)
	f.accept(t, leadID)
	f.runQueue(t)
	addEmployee := func(name, email string) {
		f.worker.Get(fmt.Sprintf("/leads/%d/employees", leadID))
		if res := f.worker.PostForm(fmt.Sprintf("/leads/%d/employees", leadID), url.Values{"name": {name}, "email": {email}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add employee: %d", res.StatusCode)
		}
	}
	countTeam := func(email string) int {
		r, _ := f.sim.Referral(refID)
		n := 0
		for _, m := range r.Team {
			if m.Email == email {
				n++
			}
		}
		return n
	}
	if _, err := f.sim.ChangeAsMicrosoft(refID, func(r *partnercenter.Referral) { r.Details.Notes = "seller note" }); err != nil {
		t.Fatal(err)
	}
	addEmployee("Ken Mori", "ken@partner.example")
	f.runQueue(t)
	if n := countTeam("ken@partner.example"); n != 1 {
		t.Fatalf("Ken is %d times on the team after a 412", n)
	}
	// The sender PATCHes, then the process dies before recording it; the next one finds Aya there.
	addEmployee("Aya Ito", "aya@partner.example")
	row, err := f.srv.DB.ClaimPCQueue(f.ctx, f.srv.Clock.Now(), 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ref := f.pcState(t, row.LeadID)
	if _, err := f.pc.Client.Patch(f.ctx, ref.ReferralID, ref.ETag, []partnercenter.PatchOp{
		partnercenter.AddTeamMember(partnercenter.Member{FirstName: "Aya", LastName: "Ito", Email: "aya@partner.example"})}); err != nil {
		t.Fatal(err)
	}
	f.srv.Clock.Advance(3 * time.Minute)
	f.runQueue(t)
	if n := countTeam("aya@partner.example"); n != 1 {
		t.Fatalf("Aya is %d times on the team after the restart", n)
	}
	if st := f.pcState(t, leadID); st.State != db.PCInSync {
		t.Fatalf("state %s %s", st.State, st.Error)
	}
}

// The lead's team goes to the referral's team: users on accept and as the team grows, each once; a
// member added while the lead is in conflict is still added after it is resolved.
func TestPartnerCenterTeamFollowsTheLeadsTeam(t *testing.T) {
	f := newPCFixture(t)
	f.connect(t)
	refID, leadID := pulledLead(t, f)
	rita, _ := f.srv.DB.UserByEmail(f.ctx, "rita@example.com")
	ada, _ := f.srv.DB.UserByEmail(f.ctx, "admin@example.com")
	f.worker.Get(fmt.Sprintf("/leads/%d/accept", leadID))
	if res := f.worker.PostForm(fmt.Sprintf("/leads/%d/accept", leadID), url.Values{"deal_name": {"Contoso rollout"}, "deal_value": {"1000"},
		"currency": {"USD"}, "close_date": {"2027-01-15"}, "notes": {"n"}, "team": {fmt.Sprint(rita.ID)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", res.StatusCode)
	}
	f.runQueue(t)
	emails := func() []string {
		r, _ := f.sim.Referral(refID)
		var out []string
		for _, m := range r.Team {
			out = append(out, m.Email)
		}
		return out
	}
	if got := emails(); strings.Join(got, ",") != "rita@example.com" {
		t.Fatalf("team after accept: %v", got)
	}
	// Both sides change the deal (a conflict); meanwhile Ada joins the team here.
	if _, err := f.sim.ChangeAsMicrosoft(refID, func(r *partnercenter.Referral) { v := partnercenter.Decimal("5"); r.Details.DealValue = &v }); err != nil {
		t.Fatal(err)
	}
	form := f.worker.Get(fmt.Sprintf("/leads/%d/edit", leadID))
	version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(form.Body)
	if res := f.worker.PostForm(fmt.Sprintf("/leads/%d", leadID), url.Values{"deal_name": {"Contoso rollout"}, "deal_value": {"2000"},
		"currency": {"USD"}, "close_date": {"2027-01-15"}, "notes": {"n"}, "version": {version[1]}, "team": {fmt.Sprint(rita.ID), fmt.Sprint(ada.ID)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", res.StatusCode, res.Body)
	}
	f.runQueue(t)
	if st := f.pcState(t, leadID); st.State != db.PCConflict {
		t.Fatalf("state %s, want conflict", st.State)
	}
	f.worker.Get(fmt.Sprintf("/leads/%d", leadID))
	f.worker.PostForm(fmt.Sprintf("/leads/%d/partner-center/resolve", leadID), url.Values{"choice": {"theirs"}})
	f.runQueue(t)
	if got := emails(); strings.Join(got, ",") != "rita@example.com,admin@example.com" {
		t.Fatalf("team after the conflict was resolved: %v", got)
	}
	if l, _ := f.srv.DB.LeadByID(f.ctx, leadID); l.DealValue != 500 {
		t.Errorf("Partner Center's value was not taken: %d", l.DealValue)
	}
}
