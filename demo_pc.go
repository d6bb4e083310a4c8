package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"slices"
	"time"

	"leaddesk/config"
	"leaddesk/db"
	"leaddesk/db/demo"
	"leaddesk/partnercenter/pcsim"
	"leaddesk/pcsync"
)

// demoPartnerCenter is `leaddesk demo --partner-center`: a Partner Center simulator on loopback, in
// this process, with a backlog of referrals; the app is configured for it, connected (the simulator
// plays the admin's consent), pulls the backlog, registers its webhook, and a Microsoft seller sends
// a new qualified lead every half minute, so a newcomer sees both directions of the sync work. It
// returns the function that stops the simulator.
func (m *Main) demoPartnerCenter(seed int64) (func(), error) {
	sim, srv := pcsim.NewServer(pcsim.Options{})
	o := sim.Options()
	m.Cfg.PartnerCenter = config.PartnerCenter{Tenant: o.Tenant, ClientID: o.ClientID, ClientSecret: o.ClientSecret,
		APIURL: srv.URL, Authority: srv.URL + "/{tenant}"}
	pc, err := pcsync.New(m.ctx, m.Cfg, pcsync.Options{DB: m.DB, Leads: m.Leads, Clock: m.Clock, Log: m.Log})
	if err != nil {
		srv.Close()
		return nil, err
	}
	m.PC = pc
	m.registerPCJobs()

	admin, err := m.demoAccountAdmin()
	if err != nil {
		srv.Close()
		return nil, err
	}
	conn, err := m.DB.PCConnection(m.ctx)
	if err != nil {
		srv.Close()
		return nil, err
	}
	// A new simulator every run: connect afresh (a grant of the last run's simulator is worthless).
	authURL, err := pc.StartConnect(m.ctx, admin.ID)
	if err != nil {
		srv.Close()
		return nil, err
	}
	code, state, err := pcsim.Consent(http.DefaultClient, authURL)
	if err == nil {
		err = pc.FinishConnect(m.ctx, admin.ID, state, code)
	}
	if err != nil {
		srv.Close()
		return nil, fmt.Errorf("demo: connect to the simulator: %w", err)
	}
	sim.Seed(300, uint64(seed))
	res, err := pc.Pull(m.ctx)
	if err != nil {
		srv.Close()
		return nil, err
	}
	if conn.WebhookSecret == "" {
		b := make([]byte, 24)
		rand.Read(b)
		conn.WebhookSecret = base64.RawURLEncoding.EncodeToString(b)
		if err := m.DB.SetPCWebhookSecret(m.ctx, conn.WebhookSecret); err != nil {
			srv.Close()
			return nil, err
		}
	}
	sim.RegisterWebhook(m.Cfg.BaseURL + "/intake/partnercenter/" + conn.WebhookSecret)
	fmt.Fprintf(m.Out, "Partner Center simulator at %s: connected, %d referrals pulled (%d new leads). A new qualified lead\n"+
		"arrives from \"Microsoft\" every 30 seconds through the webhook; accept one and watch Admin › Partner Center.\n\n",
		srv.URL, res.Referrals, res.Created)

	ctx, cancel := context.WithCancel(m.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick, stop := m.Clock.Tick(30 * time.Second)
		defer stop()
		for n := uint64(1); ; n++ {
			select {
			case <-ctx.Done():
				return
			case <-tick:
				if _, err := sim.Create(pcsim.NewQualifiedLead(uint64(seed)*1000 + n)); err != nil {
					m.Log.Warn("demo: simulator webhook", "err", err)
				}
			}
		}
	}()
	return func() { cancel(); <-done; srv.Close() }, nil
}

// demoAccountAdmin is the demo's Account admin, who "consents" for the demo's connection.
func (m *Main) demoAccountAdmin() (*db.User, error) {
	for _, s := range demo.SignIns() {
		if slices.Contains(s.Roles, db.RoleAccount) {
			return m.DB.UserByEmail(m.ctx, s.Email)
		}
	}
	return nil, fmt.Errorf("demo: no Account admin among the demo users")
}
