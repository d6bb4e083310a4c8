// Command leaddesk is a self-hosted lead desk for Microsoft partner teams: the Partner Center
// Referrals › Leads workspace on the team's own server, in one binary (docs/design.md).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/backup"
	"leaddesk/config"
	"leaddesk/contact"
	"leaddesk/db"
	"leaddesk/db/demo"
	"leaddesk/handlers"
	"leaddesk/internal/clock"
	"leaddesk/jobs"
	"leaddesk/leads"
	"leaddesk/mail"
	"leaddesk/partnercenter"
	"leaddesk/pcsync"
	"leaddesk/webhooks"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// command is one `leaddesk` sub-command.
type command struct {
	summary string
	run     func(m *Main, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":       {"run the web app and the background jobs (the default)", (*Main).serveCmd},
		"demo":        {"fill an empty data directory with demo data, print the sign-ins, then serve", (*Main).demoCmd},
		"jobs":        {"run every due background job once, as of now or --now RFC3339, then exit", (*Main).jobsCmd},
		"backup":      {"write a consistent online copy of the database to FILE", (*Main).backupCmd},
		"version":     {"print the version, the database's schema and the latest backup", (*Main).versionCmd},
		"restore":     {"replace the database with a backup FILE (the server must be stopped)", (*Main).restoreCmd},
		"healthcheck": {"exit 0 when the server on LEADDESK_ADDR answers /healthz (for container health checks)", (*Main).healthcheckCmd},
		// Accounts (issue 3)
		"user": {"manage users: `user add --email E --name N --roles R1,R2 [--password-stdin]`", (*Main).userCmd},

		// Intake (issue 7)
		"token":  {"create an API token: token create --name N --scopes intake,read,write (prints it once)", (*Main).tokenCmd},
		"import": {"import leads from a CSV file, printing a per-row report: import FILE.csv", (*Main).importCmd},

		// Partner Center sync (issue 14)
		"pc": {"Partner Center: `pc sync` pulls the referrals changed since the last pull and sends the sync queue", (*Main).pcCmd},

		// Privacy (issue 19)
		"erase": {"erase a person on request: erase --email E [--phone P] --reason R [--dry-run]", (*Main).eraseCmd},
	}
}

// Main is one run of the program; end-to-end tests build it too.
type Main struct {
	Cfg    *config.Config
	DB     *db.DB
	Leads  *leads.Service
	Notify *mail.Notifier
	DNS    *contact.Resolver // email-domain checks of incoming leads; nil when LEADDESK_DNS=off
	Clock  clock.Clock
	Log    *slog.Logger
	Jobs   *jobs.Runner
	PC     *pcsync.Syncer // nil unless LEADDESK_PC_CLIENT_ID is set
	// Backups takes the scheduled backups (issue 20); off when LEADDESK_BACKUP_DIR is unset.
	Backups *backup.Manager
	Out     io.Writer
	Getenv  func(string) string
	ctx     context.Context
	pcHTTP  *http.Client // the Partner Center client's HTTP client (tests); nil: its default
}

// errUsage marks mistakes in the command line, which exit with code 2.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		usage(stdout)
		return 0
	}
	cmd, ok := commands()[name]
	if !ok {
		fmt.Fprintf(stderr, "leaddesk: unknown command %q\n", name)
		usage(stderr)
		return 2
	}
	m := &Main{Clock: clock.System{}, Out: stdout, Getenv: getenv, ctx: ctx,
		Log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	if err := cmd.run(m, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "leaddesk %s: %v\n", name, err)
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: leaddesk [command] [flags]\n\ncommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun `leaddesk COMMAND -h` for the flags; every flag also reads its LEADDESK_* variable.")
}

// flags parses the shared settings plus a command's own flags, then opens the database.
func (m *Main) setup(name string, args []string, extra func(fs *flag.FlagSet)) (*flag.FlagSet, error) {
	fs, err := m.parseConfig(name, args, extra)
	if err != nil {
		return nil, err
	}
	cfg := m.Cfg
	// Before migrations change an existing database, Open copies it into the backup directory.
	d, err := db.OpenWith(m.ctx, cfg.DBPath(), db.Options{BackupDir: cfg.BackupTarget()})
	if err != nil {
		return nil, err
	}
	if d.PreUpgradeBackup != "" {
		m.Log.Info("database upgraded; the backup taken before is kept", "file", d.PreUpgradeBackup, "schema", db.LatestVersion())
	}
	m.DB = d
	// The domain service owns every change to a lead; its subscribers hear of each in the change's
	// transaction: mail and the Action Center (the notifier), and the Partner Center sync queue.
	m.Notify = mail.NewNotifier(cfg)
	// Webhooks (issue 18): a delivery per subscribed endpoint, queued in the change's transaction.
	hooks, err := webhooks.NewSubscriber(cfg, handlers.APILead)
	if err != nil {
		d.Close()
		return nil, err
	}
	m.Leads = leads.New(d, m.Clock, m.Notify, pcsync.Queue{}, hooks)
	m.DNS = contact.NewResolver(cfg.DNS, m.Clock.Now)
	if m.PC, err = pcsync.New(m.ctx, cfg, pcsync.Options{DB: d, Leads: m.Leads, Clock: m.Clock, Log: m.Log, HTTPClient: m.pcHTTP, DNS: m.DNS}); err != nil {
		d.Close()
		return nil, err
	}
	m.Jobs = jobs.NewRunner(m.Clock, m.Log)
	m.Backups = backup.NewManager(d, cfg.BackupDir, cfg.BackupEvery, m.Log)
	m.registerJobs()
	return fs, nil
}

// parseConfig parses the shared settings plus a command's own flags into m.Cfg, without opening the
// database (restore and version must not migrate it).
func (m *Main) parseConfig(name string, args []string, extra func(fs *flag.FlagSet)) (*flag.FlagSet, error) {
	cfg := config.Default()
	fs := flag.NewFlagSet("leaddesk "+name, flag.ContinueOnError)
	fs.SetOutput(m.Out)
	cfg.Register(fs, m.Getenv)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("bad setting: %w", err)
	}
	m.Cfg = cfg
	// A soft limit rather than a higher GOGC: the heap stays near twice the live data (the lead index,
	// ≈ 100 MB at a million leads) and the collector only works harder when the limit comes close.
	if cfg.MemoryLimit > 0 {
		debug.SetMemoryLimit(cfg.MemoryLimit)
	}
	if cfg.GCPercent > 0 {
		debug.SetGCPercent(cfg.GCPercent)
	}
	return fs, nil
}

// registerJobs is where features add their background jobs.
func (m *Main) registerJobs() {
	// Lead lifecycle (issue 5): expiry after 14 days (sender notified), the 48-hour reminder, and the
	// archival of informational leads; each runs every minute and is safe to run twice at once.
	m.Jobs.Register(jobs.Job{Name: "lead-expiry", Every: time.Minute, Run: func(ctx context.Context, now time.Time) error {
		_, err := m.Leads.ExpireOverdue(ctx, now)
		return err
	}})
	m.Jobs.Register(jobs.Job{Name: "lead-expiry-reminder", Every: time.Minute, Run: func(ctx context.Context, now time.Time) error {
		_, err := m.Leads.RemindExpiring(ctx, now)
		return err
	}})
	m.Jobs.Register(jobs.Job{Name: "lead-informational-archive", Every: time.Minute, Run: func(ctx context.Context, now time.Time) error {
		_, err := m.Leads.ArchiveInformational(ctx, now)
		return err
	}})
	// Response targets (issue 17): the owner's warning at 75 % and the escalation once missed, each once.
	m.Jobs.Register(jobs.Job{Name: "lead-response-targets", Every: time.Minute, Run: func(ctx context.Context, now time.Time) error {
		_, _, err := m.Leads.NotifyResponseTargets(ctx, now, m.Cfg.Location)
		return err
	}})

	// Privacy (issue 19): the retention rules of Admin › Privacy and the 30 days of test leads.
	m.Jobs.Register(jobs.Job{Name: "privacy-retention", Every: 10 * time.Minute, Run: func(ctx context.Context, now time.Time) error {
		_, err := m.Leads.ApplyRetention(ctx, now)
		return err
	}})

	// Notifications (issue 6): the day's digests are queued before the outbox runs, so `leaddesk jobs`
	// after midnight queues and sends them in one go.
	sender, err := mail.NewSender(m.Cfg, m.DB, m.Log)
	if err != nil {
		m.Log.Error("mail sender", "err", err) // config.Validate already checked the SMTP URL
	} else {
		m.Jobs.Register(jobs.Job{Name: "mail-digests", Every: time.Minute, Run: func(ctx context.Context, now time.Time) error {
			return m.Notify.QueueDigests(ctx, m.DB, now)
		}})
		// The weekly summary and the morning "today" mail (issues 16 and 17), on Monday and working
		// mornings in the configured zone.
		for _, j := range m.Notify.ScheduledJobs(m.DB) {
			m.Jobs.Register(j)
		}
		m.Jobs.Register(jobs.Job{Name: "mail-outbox", Every: 5 * time.Second, Run: sender.Run})
	}

	// Webhooks (issue 18): deliver what the subscriber queued, retrying with backoff for 24 hours.
	if hooks, err := webhooks.NewSenderFor(m.Cfg, m.DB, m.Log); err != nil {
		m.Log.Error("webhooks sender", "err", err)
	} else {
		m.Jobs.Register(jobs.Job{Name: "webhooks", Every: 5 * time.Second, Run: hooks.Run})
	}
	m.registerPCJobs()

	// Operations (issue 20): a scheduled backup when one is due (checked every minute, so an hourly
	// backup stays on time across restarts); `leaddesk jobs` takes a due one too.
	if m.Backups.Enabled() {
		m.Jobs.Register(jobs.Job{Name: "backup", Every: time.Minute, Run: m.Backups.RunDue})
	}
}

// registerPCJobs adds the Partner Center jobs when the sync is configured: the pull every five minutes
// (the webhook brings changes sooner) and the sync queue every second, so a change made here reaches
// Partner Center within seconds.
func (m *Main) registerPCJobs() {
	if m.PC == nil {
		return
	}
	m.Jobs.Register(jobs.Job{Name: "pc-pull", Every: 5 * time.Minute, Run: func(ctx context.Context, _ time.Time) error {
		conn, err := m.DB.PCConnection(ctx)
		if err != nil || !conn.Connected() {
			return err
		}
		_, err = m.PC.Pull(ctx)
		if errors.Is(err, partnercenter.ErrGrantRevoked) {
			return nil // shown on the admin page and in the Action Center
		}
		return err
	}})
	m.Jobs.Register(jobs.Job{Name: "pc-queue", Every: time.Second, Run: m.PC.RunQueue})
}

func (m *Main) close() {
	if m.DB != nil {
		if err := m.DB.Close(); err != nil {
			m.Log.Error("close database", "err", err)
		}
	}
}

func (m *Main) serveCmd(args []string) error {
	if _, err := m.setup("serve", args, nil); err != nil {
		return err
	}
	defer m.close()
	return m.serve()
}

// serve runs the web app and the jobs until the context ends, then shuts down gracefully: it stops
// accepting, lets requests and jobs in flight finish, and closes the database.
func (m *Main) serve() error {
	lock, err := m.lockDataDir()
	if err != nil {
		return err
	}
	defer lock.Release()
	// The Leads list's index takes seconds to read at a million leads: it loads meanwhile, and the
	// first pages are answered from SQLite.
	m.DB.LoadLeadIndexInBackground()
	ln, err := net.Listen("tcp", m.Cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s (%v): is another Leaddesk running? Stop it or choose another address with LEADDESK_ADDR / -addr", m.Cfg.Addr, err)
	}
	deps := handlers.Deps{Cfg: m.Cfg, DB: m.DB, Clock: m.Clock, Log: m.Log, Leads: m.Leads, DNS: m.DNS, PC: m.PC,
		Backups: m.Backups, Jobs: m.Jobs, Started: m.Clock.Now()}
	stopMetrics, err := m.startMetrics(&deps)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopMetrics()
	e, h, err := handlers.New(deps)
	if err != nil {
		ln.Close()
		return err
	}
	if err := m.printSetupLink(); err != nil {
		ln.Close()
		return err
	}
	// Users' last Leads views are kept in memory and written every few seconds, and once more after
	// the last request (handlers/lastview.go).
	m.Jobs.Register(jobs.Job{Name: "last-views", Every: 2 * time.Second, Run: func(ctx context.Context, _ time.Time) error {
		return h.FlushLastViews(ctx)
	}})
	err = m.serveOn(ln, e)
	if ferr := h.FlushLastViews(context.Background()); ferr != nil {
		m.Log.Error("write last views", "err", ferr)
	}
	return err
}

func (m *Main) serveOn(ln net.Listener, e *echo.Echo) error {
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	jobCtx, stopJobs := context.WithCancel(context.Background())
	m.Jobs.Start(jobCtx)

	errc := make(chan error, 1)
	go func() { errc <- m.serveHTTP(srv, ln) }()
	m.Log.Info("leaddesk is serving", "url", m.Cfg.BaseURL, "addr", ln.Addr().String(), "data", m.Cfg.DataDir, "version", handlers.Version)
	select {
	case err := <-errc:
		stopJobs()
		m.Jobs.Wait()
		return err
	case <-m.ctx.Done():
	}
	m.Log.Info("shutting down: finishing requests and jobs in flight")
	shutCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := srv.Shutdown(shutCtx)
	stopJobs()
	m.Jobs.Wait()
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	m.Log.Info("stopped")
	return nil
}

func (m *Main) demoCmd(args []string) error {
	var leads int
	var seed int64
	var seedOnly, withPC bool
	if _, err := m.setup("demo", args, func(fs *flag.FlagSet) {
		fs.IntVar(&leads, "leads", 2000, "how many leads to make")
		fs.Int64Var(&seed, "seed", 1, "random seed (the same seed makes the same data)")
		fs.BoolVar(&seedOnly, "seed-only", false, "make the data, then exit instead of serving")
		fs.BoolVar(&withPC, "partner-center", false, "also run a Partner Center simulator on loopback, connected and syncing")
	}); err != nil {
		return err
	}
	defer m.close()
	if leads < 0 {
		return fmt.Errorf("%w: -leads must not be negative", errUsage)
	}
	users, err := m.DB.CountUsers(m.ctx)
	if err != nil {
		return err
	}
	var res *demo.Result
	if users > 0 {
		// `make run` a second time: keep what is there.
		fmt.Fprintf(m.Out, "The data directory %s already has data; serving it as it is.\n", m.Cfg.DataDir)
		res = &demo.Result{SignIns: demo.SignIns()}
	} else {
		res, err = demo.Seed(m.ctx, m.DB, demo.Options{Leads: leads, Seed: seed, Now: m.Clock.Now()})
		if err != nil {
			return err
		}
		fmt.Fprintf(m.Out, "Made %d demo leads in %s.\n", res.Leads, res.Took.Round(time.Millisecond))
	}
	fmt.Fprintf(m.Out, "\nLeaddesk demo: open %s and sign in with one of these:\n", m.Cfg.BaseURL)
	for _, s := range res.SignIns {
		fmt.Fprintf(m.Out, "  %-36s password %-22s %s\n", s.Email, s.Password, strings.Join(s.Roles, ", "))
	}
	fmt.Fprintln(m.Out)
	if withPC {
		stopSim, err := m.demoPartnerCenter(seed)
		if err != nil {
			return err
		}
		defer stopSim()
	}
	if seedOnly {
		return nil
	}
	return m.serve()
}

func (m *Main) jobsCmd(args []string) error {
	var nowFlag string
	if _, err := m.setup("jobs", args, func(fs *flag.FlagSet) {
		fs.StringVar(&nowFlag, "now", "", "run as of this time (RFC 3339, e.g. 2026-12-01T09:00:00Z); default now")
	}); err != nil {
		return err
	}
	defer m.close()
	now := m.Clock.Now()
	if nowFlag != "" {
		t, err := time.Parse(time.RFC3339, nowFlag)
		if err != nil {
			return fmt.Errorf("%w: -now %q is not an RFC 3339 time such as 2026-12-01T09:00:00Z", errUsage, nowFlag)
		}
		now = t
	}
	if err := m.Jobs.RunOnce(m.ctx, now); err != nil {
		return err
	}
	fmt.Fprintf(m.Out, "ran %d jobs as of %s\n", len(m.Jobs.Jobs()), now.UTC().Format(time.RFC3339))
	return nil
}

func (m *Main) backupCmd(args []string) error {
	fs, err := m.setup("backup", args, nil)
	if err != nil {
		return err
	}
	defer m.close()
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: give the backup file name: leaddesk backup FILE", errUsage)
	}
	dest := fs.Arg(0)
	start := time.Now()
	if err := m.DB.BackupVerified(m.ctx, dest); err != nil {
		return err
	}
	fmt.Fprintf(m.Out, "backup written to %s in %s\n", dest, time.Since(start).Round(time.Millisecond))
	return nil
}
