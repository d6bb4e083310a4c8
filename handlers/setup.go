package handlers

import (
	"context"
	"fmt"
	"log/slog"

	"leaddesk/internal/clock"
	"leaddesk/internal/secretkey"
	"leaddesk/static"
	"leaddesk/views"
	"leaddesk/webhooks"
)

// newHandler loads templates, catalog, assets and session keys. Anything missing stops the start.
func newHandler(d Deps) (*Handler, error) {
	if d.Leads == nil {
		return nil, fmt.Errorf("handlers: no leads service")
	}
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	cat, err := views.LoadCatalog()
	if err != nil {
		return nil, err
	}
	assets, err := static.New()
	if err != nil {
		return nil, fmt.Errorf("handlers: static files: %w", err)
	}
	rnd, err := views.NewRenderer(cat, assets, d.Cfg.Location)
	if err != nil {
		return nil, err
	}
	master, err := secretkey.Load(context.Background(), d.Cfg, d.DB)
	if err != nil {
		return nil, err
	}
	links, err := secretkey.NewSealer(master)
	if err != nil {
		return nil, err
	}
	hashKey, blockKey := sessionKeys(master)
	if d.Started.IsZero() {
		d.Started = d.Clock.Now()
	}
	return &Handler{
		Cfg: d.Cfg, DB: d.DB, Clock: d.Clock, Log: d.Log, Views: rnd, Catalog: cat, Assets: assets, Leads: d.Leads, DNS: d.DNS, PC: d.PC,
		Sessions:     newSessionStore(hashKey, blockKey, d.Cfg.Secure()),
		ImportLimits: defaultImportLimits(),
		policies:     map[string]Policy{}, links: links,
		rows: newKeptHTML[rowKey](maxKeptRowBytes), fragments: newKeptHTML[string](maxKeptFragmentBytes),
		ops:       opsDeps{backups: d.Backups, jobs: d.Jobs, observe: d.ObserveRequest, started: d.Started},
		hooks:     &webhooks.Store{DB: d.DB, Seals: links},
		hookGuard: webhooks.Guard{AllowLoopback: d.Cfg.WebhooksAllowLoopback},
	}, nil
}

// sessionKeys split the master key (secretkey.Load: LEADDESK_SESSION_KEY or session.key beside the
// database) into the cookie signing and encryption keys; a 32-byte key only signs.
func sessionKeys(master []byte) (hashKey, blockKey []byte) {
	if len(master) >= 64 {
		return master[:32], master[32:64]
	}
	return master, nil
}
