package handlers

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"

	"leaddesk/internal/clock"
	"leaddesk/static"
	"leaddesk/views"
)

// newHandler loads templates, catalog, assets and session keys. Anything missing stops the start.
func newHandler(d Deps) (*Handler, error) {
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
	hashKey, blockKey, err := sessionKeys(context.Background(), d)
	if err != nil {
		return nil, err
	}
	return &Handler{
		Cfg: d.Cfg, DB: d.DB, Clock: d.Clock, Log: d.Log, Views: rnd, Catalog: cat, Assets: assets,
		Sessions:     newSessionStore(hashKey, blockKey, d.Cfg.Secure()),
		ImportLimits: defaultImportLimits(),
		policies:     map[string]Policy{},
	}, nil
}

// sessionKeys come from LEADDESK_SESSION_KEY (hex or base64, at least 32 bytes) or are generated once
// and kept in the database, so a restart keeps everyone signed in.
func sessionKeys(ctx context.Context, d Deps) (hashKey, blockKey []byte, err error) {
	var master []byte
	if k := d.Cfg.SessionKey; k != "" {
		if b, err := hex.DecodeString(k); err == nil {
			master = b
		} else if b, err := base64.StdEncoding.DecodeString(k); err == nil {
			master = b
		}
		if len(master) < 32 {
			return nil, nil, fmt.Errorf("LEADDESK_SESSION_KEY: must be at least 32 bytes, hex or base64 encoded (for example: openssl rand -hex 64)")
		}
	} else {
		master, err = d.DB.Secret(ctx, "session_key", func() []byte {
			b := make([]byte, 64)
			if _, err := rand.Read(b); err != nil {
				panic(err)
			}
			return b
		})
		if err != nil {
			return nil, nil, err
		}
	}
	if len(master) >= 64 {
		return master[:32], master[32:64], nil
	}
	return master, nil, nil
}
