package main

import (
	"fmt"
	"time"
)

// pcCmd is `leaddesk pc sync`: one pull of the referrals changed since the last one, then the sync
// queue (pushes and fetches) as of now — what the serve jobs do every few minutes, on demand.
func (m *Main) pcCmd(args []string) error {
	sub := ""
	if len(args) > 0 {
		sub, args = args[0], args[1:]
	}
	if sub != "sync" {
		return fmt.Errorf("%w: leaddesk pc sync", errUsage)
	}
	if _, err := m.setup("pc sync", args, nil); err != nil {
		return err
	}
	defer m.close()
	if m.PC == nil {
		return fmt.Errorf("%w: Partner Center is not configured: set LEADDESK_PC_TENANT, LEADDESK_PC_CLIENT_ID and LEADDESK_PC_CLIENT_SECRET", errUsage)
	}
	conn, err := m.DB.PCConnection(m.ctx)
	if err != nil {
		return err
	}
	if !conn.Connected() {
		return fmt.Errorf("not connected to Partner Center: an Account admin connects in Admin › Partner Center")
	}
	start := time.Now()
	res, err := m.PC.Pull(m.ctx)
	if err != nil {
		return fmt.Errorf("pull: %w", err)
	}
	if err := m.PC.RunQueue(m.ctx, m.Clock.Now()); err != nil {
		return err
	}
	counts, err := m.DB.PCQueueCounts(m.ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Out, "pulled %d referrals in %s: %d new leads, %d updated, %d not usable (see Admin › Partner Center); queue: %d waiting, %d failed\n",
		res.Referrals, time.Since(start).Round(time.Millisecond), res.Created, res.Changed, res.Errors, counts["queued"]+counts["sending"], counts["failed"])
	return nil
}
