package main

// Operations (issue 20): the data-directory lock, the metrics listener, native TLS, and the restore
// and version commands.

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"leaddesk/backup"
	"leaddesk/db"
	"leaddesk/handlers"
	"leaddesk/internal/datalock"
	"leaddesk/internal/secretkey"
	"leaddesk/metrics"
)

// lockDataDir marks the data directory as served, so `leaddesk restore` refuses to swap the database
// underneath, and a second server on the same directory is refused with the first one's pid.
func (m *Main) lockDataDir() (*datalock.Lock, error) {
	lock, err := datalock.Acquire(m.Cfg.DataDir)
	if errors.Is(err, datalock.ErrHeld) {
		return nil, fmt.Errorf("%w: run one server per data directory (LEADDESK_DATA_DIR)", err)
	}
	return lock, err
}

// startMetrics serves /metrics on LEADDESK_METRICS_ADDR, its own listener so it can stay off the
// public proxy, and hooks requests and jobs into it. Off (a no-op) when the address is unset.
func (m *Main) startMetrics(deps *handlers.Deps) (stop func(), err error) {
	if m.Cfg.MetricsAddr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", m.Cfg.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s for metrics (%v): choose another address with LEADDESK_METRICS_ADDR", m.Cfg.MetricsAddr, err)
	}
	mx := metrics.New(m.DB, m.Backups, m.Clock, handlers.Version)
	deps.ObserveRequest = mx.ObserveRequest
	for _, j := range m.Jobs.Jobs() {
		mx.KnowJobs(j.Name)
	}
	m.Jobs.Observe(mx.ObserveJob)
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", mx.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	m.Log.Info("metrics are served", "url", "http://"+ln.Addr().String()+"/metrics")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}, nil
}

// serveHTTP serves plain HTTP, or HTTPS with LEADDESK_TLS_CERT and LEADDESK_TLS_KEY for an
// installation without a reverse proxy.
func (m *Main) serveHTTP(srv *http.Server, ln net.Listener) error {
	if m.Cfg.TLSCert != "" {
		return srv.ServeTLS(ln, m.Cfg.TLSCert, m.Cfg.TLSKey)
	}
	return srv.Serve(ln)
}

func (m *Main) restoreCmd(args []string) error {
	fs, err := m.parseConfig("restore", args, nil)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: give the backup file: leaddesk restore FILE", errUsage)
	}
	r, err := backup.Restore(m.ctx, m.Cfg.DataDir, fs.Arg(0), m.Clock.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Out, "restored %s into %s (schema %d", fs.Arg(0), m.Cfg.DBPath(), r.Schema)
	if latest := db.LatestVersion(); r.Schema < latest {
		fmt.Fprintf(m.Out, "; migrated to %d at the next start, after a backup", latest)
	}
	fmt.Fprintln(m.Out, ")")
	if r.Aside != "" {
		fmt.Fprintf(m.Out, "the replaced database is kept in %s; delete it once the restore is checked\n", r.Aside)
	}
	fmt.Fprintf(m.Out, "the session key (%s) is separate from the database and was left as it is; a backup does not hold it\n", secretkey.Path(m.Cfg))
	return nil
}

func (m *Main) versionCmd(args []string) error {
	if _, err := m.parseConfig("version", args, nil); err != nil {
		return err
	}
	fmt.Fprintf(m.Out, "leaddesk %s (schema %d)\n", handlers.Version, db.LatestVersion())
	path := m.Cfg.DBPath()
	if _, err := os.Stat(path); err != nil {
		fmt.Fprintf(m.Out, "database: none yet at %s\n", path)
	} else if v, err := db.FileSchema(m.ctx, path); err != nil {
		fmt.Fprintf(m.Out, "database: %s cannot be read: %v\n", path, err)
	} else {
		fmt.Fprintf(m.Out, "database: schema %d at %s\n", v, path)
	}
	var newest *db.BackupFile
	for _, dir := range []string{m.Cfg.BackupTarget(), filepath.Join(m.Cfg.DataDir, "backups")} {
		files, err := db.ListBackups(dir)
		if err != nil {
			return err
		}
		if len(files) > 0 && (newest == nil || files[0].Time.After(newest.Time)) {
			newest = &files[0]
		}
	}
	if newest == nil {
		fmt.Fprintf(m.Out, "latest backup: none in %s\n", m.Cfg.BackupTarget())
	} else {
		fmt.Fprintf(m.Out, "latest backup: %s (%s, %d bytes)\n", newest.Path, newest.Time.UTC().Format(time.RFC3339), newest.Size)
	}
	return nil
}

// healthcheckCmd asks the server on LEADDESK_ADDR for /healthz, for a container's HEALTHCHECK (the
// runtime image has no curl). HTTPS when LEADDESK_TLS_CERT is set; the certificate is not checked,
// since the name it is for is not the loopback address asked.
func (m *Main) healthcheckCmd(args []string) error {
	if _, err := m.parseConfig("healthcheck", args, nil); err != nil {
		return err
	}
	host, port, _ := net.SplitHostPort(m.Cfg.Addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	scheme, tr := "http", &http.Transport{}
	if m.Cfg.TLSCert != "" {
		scheme, tr.TLSClientConfig = "https", &tls.Config{InsecureSkipVerify: true} //nolint:gosec // loopback
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: tr}
	url := scheme + "://" + net.JoinHostPort(host, port) + "/healthz"
	res, err := client.Get(url)
	if err != nil {
		return fmt.Errorf("%s: %w", url, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %d: %s", url, res.StatusCode, bytes.TrimSpace(body))
	}
	fmt.Fprintf(m.Out, "%s\n", bytes.TrimSpace(body))
	return nil
}
