// Package metrics exposes Leaddesk in the Prometheus text format (prometheus/client_golang) on its own
// listener (LEADDESK_METRICS_ADDR): request latency per route, leads per tab and status, intake, the
// mail outbox, the Partner Center sync and webhook queues, job runs and failures, backups, the SQLite file sizes and the Go runtime. Counts that
// live in the database are read when Prometheus scrapes, not kept in step on every request; the only
// per-request cost is one histogram observation.
package metrics

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"leaddesk/backup"
	"leaddesk/db"
	"leaddesk/internal/clock"
)

// Metrics is one instance's registry and the series the app updates as it runs.
type Metrics struct {
	Registry    *prometheus.Registry
	requests    *prometheus.HistogramVec
	jobRuns     *prometheus.CounterVec
	jobFailures *prometheus.CounterVec
	jobDuration *prometheus.HistogramVec
}

// New builds the registry: the app's series, a collector that reads the database on each scrape, and
// the Go runtime and process collectors. backups may be nil.
func New(d *db.DB, backups *backup.Manager, clk clock.Clock, version string) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "leaddesk_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route pattern.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"method", "route", "code"}),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leaddesk_job_runs_total", Help: "Background job runs, failed or not.",
		}, []string{"job"}),
		jobFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "leaddesk_job_failures_total", Help: "Background job runs that returned an error.",
		}, []string{"job"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "leaddesk_job_duration_seconds", Help: "Time a background job run took.",
			Buckets: []float64{.001, .01, .1, 1, 10, 60, 300},
		}, []string{"job"}),
	}
	info := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "leaddesk_build_info", Help: "The running version (value 1)."}, []string{"version"})
	info.WithLabelValues(version).Set(1)
	m.Registry.MustRegister(m.requests, m.jobRuns, m.jobFailures, m.jobDuration, info,
		newDBCollector(d, backups, clk),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Handler serves the registry.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// ObserveRequest records one answered request; route is the route pattern (/leads/:id), never the
// path, so the number of series stays bounded.
func (m *Metrics) ObserveRequest(method, route string, status int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Observe(took.Seconds())
}

// KnowJobs makes each job's series exist (at zero) before its first run, so a scrape right after the
// start lists every job.
func (m *Metrics) KnowJobs(names ...string) {
	for _, n := range names {
		m.jobRuns.WithLabelValues(n)
		m.jobFailures.WithLabelValues(n)
	}
}

// ObserveJob records one background job run.
func (m *Metrics) ObserveJob(job string, took time.Duration, err error) {
	m.jobRuns.WithLabelValues(job).Inc()
	if err != nil {
		m.jobFailures.WithLabelValues(job).Inc()
	}
	m.jobDuration.WithLabelValues(job).Observe(took.Seconds())
}

// dbCollector reads its values from the database and the data directory at scrape time.
type dbCollector struct {
	db      *db.DB
	backups *backup.Manager
	clock   clock.Clock

	leads, received, outbox, outboxAge, queues, fileBytes, backupLast, backupFail, dbErrors *prometheus.Desc
}

func newDBCollector(d *db.DB, backups *backup.Manager, clk clock.Clock) *dbCollector {
	return &dbCollector{db: d, backups: backups, clock: clk,
		leads:      prometheus.NewDesc("leaddesk_leads", "Leads by tab and status.", []string{"tab", "status"}, nil),
		received:   prometheus.NewDesc("leaddesk_leads_received_total", "Leads ever received (rate() of it is the intake rate).", nil, nil),
		outbox:     prometheus.NewDesc("leaddesk_outbox_messages", "Mail in the outbox by status.", []string{"status"}, nil),
		outboxAge:  prometheus.NewDesc("leaddesk_outbox_oldest_queued_age_seconds", "Age of the oldest mail not yet sent (0 when none).", nil, nil),
		queues:     prometheus.NewDesc("leaddesk_queue_depth", "Work not yet done in the Partner Center sync queue and the webhook deliveries, by status.", []string{"queue", "status"}, nil),
		fileBytes:  prometheus.NewDesc("leaddesk_sqlite_file_bytes", "Size of the SQLite database file and its write-ahead log.", []string{"file"}, nil),
		backupLast: prometheus.NewDesc("leaddesk_backup_last_success_timestamp_seconds", "When the newest scheduled backup was taken (Unix time).", nil, nil),
		backupFail: prometheus.NewDesc("leaddesk_backup_failing", "1 when the last scheduled backup attempt failed.", nil, nil),
		dbErrors:   prometheus.NewDesc("leaddesk_metrics_db_errors", "1 when the database could not be read for this scrape.", nil, nil),
	}
}

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.leads, c.received, c.outbox, c.outboxAge, c.queues, c.fileBytes, c.backupLast, c.backupFail, c.dbErrors} {
		ch <- d
	}
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	now := c.clock.Now()
	s, err := c.db.OpsStats(ctx, now)
	failed := 0.0
	if err != nil {
		failed = 1
	} else {
		for _, l := range s.Leads {
			ch <- prometheus.MustNewConstMetric(c.leads, prometheus.GaugeValue, float64(l.Count), l.Tab, l.Status)
		}
		ch <- prometheus.MustNewConstMetric(c.received, prometheus.CounterValue, float64(s.LeadsReceived))
		for _, st := range db.OutboxStatuses {
			ch <- prometheus.MustNewConstMetric(c.outbox, prometheus.GaugeValue, float64(s.Outbox[st]), st)
		}
		ch <- prometheus.MustNewConstMetric(c.outboxAge, prometheus.GaugeValue, s.OutboxOldestAge.Seconds())
		for queue, counts := range s.Queues {
			for _, st := range db.QueueStatuses {
				ch <- prometheus.MustNewConstMetric(c.queues, prometheus.GaugeValue, float64(counts[st]), queue, st)
			}
		}
	}
	ch <- prometheus.MustNewConstMetric(c.dbErrors, prometheus.GaugeValue, failed)
	for name, path := range map[string]string{"db": c.db.Path, "wal": c.db.Path + "-wal"} {
		var size int64
		if info, err := os.Stat(path); err == nil {
			size = info.Size()
		}
		ch <- prometheus.MustNewConstMetric(c.fileBytes, prometheus.GaugeValue, float64(size), name)
	}
	if c.backups.Enabled() {
		st := c.backups.Status(now)
		if st.Last != nil {
			ch <- prometheus.MustNewConstMetric(c.backupLast, prometheus.GaugeValue, float64(st.Last.Time.Unix()))
		}
		f := 0.0
		if st.State == "failing" {
			f = 1
		}
		ch <- prometheus.MustNewConstMetric(c.backupFail, prometheus.GaugeValue, f)
	}
}
