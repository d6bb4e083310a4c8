package handlers_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"leaddesk/config"
	"leaddesk/db"
	"leaddesk/handlers"
	"leaddesk/internal/clock"
	"leaddesk/internal/testkit"
	"leaddesk/leadfilter"
	"leaddesk/leads"
	"leaddesk/mail"
)

// The benchmarks run against a seeded database named by LEADDESK_BENCH_DB (make bench seeds one with
// a million demo leads); without it they are skipped. They drive the real router over loopback HTTP,
// signed in as the demo Referrals admin, and report p50/p99 per request besides Go's mean.

var bench struct {
	once sync.Once
	srv  *httptest.Server
	jar  http.CookieJar
	err  error
}

func benchServer(b testing.TB) (*httptest.Server, *http.Client) {
	b.Helper()
	path := os.Getenv("LEADDESK_BENCH_DB")
	if path == "" {
		b.Skip("LEADDESK_BENCH_DB is not set (make bench sets it)")
	}
	bench.once.Do(func() {
		ctx := context.Background()
		d, err := db.Open(ctx, path)
		if err != nil {
			bench.err = err
			return
		}
		cfg := config.Default()
		cfg.DataDir = os.TempDir()
		if err := cfg.Validate(); err != nil {
			bench.err = err
			return
		}
		e, _, err := handlers.New(handlers.Deps{Cfg: cfg, DB: d, Clock: clock.System{}, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
			Leads: leads.New(d, clock.System{}, mail.NewNotifier(cfg))})
		if err != nil {
			bench.err = err
			return
		}
		bench.srv = httptest.NewServer(e)
		bench.jar, _ = cookiejar.New(nil)
		c := &http.Client{Jar: bench.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		if err := benchLogin(c, bench.srv.URL); err != nil {
			bench.err = err
			return
		}
		start := time.Now()
		res, err := c.Get(bench.srv.URL + "/leads?tab=marketplace")
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			fmt.Printf("lead index loaded with the first page in %v; live heap %d MB\n", time.Since(start).Round(time.Millisecond), ms.HeapInuse>>20)
		}
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.srv, &http.Client{Jar: bench.jar, Transport: &http.Transport{MaxIdleConnsPerHost: 64},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func benchLogin(c *http.Client, base string) error {
	res, err := c.Get(base + "/login")
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	i := strings.Index(string(body), `name="csrf" value="`)
	if i < 0 {
		return fmt.Errorf("no csrf on /login")
	}
	tok := string(body[i+len(`name="csrf" value="`):])
	tok = tok[:strings.IndexByte(tok, '"')]
	res, err = c.PostForm(base+"/login", url.Values{"csrf": {tok}, "email": {"referrals@demo.leaddesk.test"}, "password": {"demo-referrals-2026"}})
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("demo sign-in: status %d", res.StatusCode)
	}
	return nil
}

// htmxResults sends each request as htmx does for an in-place change of the view: the results only.
type htmxResults struct{ http.RoundTripper }

func (t htmxResults) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("HX-Request", "true")
	r.Header.Set("HX-Target", "results")
	return t.RoundTripper.RoundTrip(r)
}

func benchGet(c *http.Client, u string) (int, error) {
	res, err := c.Get(u)
	if err != nil {
		return 0, err
	}
	n, _ := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s: status %d", u, res.StatusCode)
	}
	return int(n), nil
}

// timed runs the query b.N times (cycling through qs) and reports p50 and p99 in ms, and the CPU time
// the process spent per request (server and client together, collections included): on a machine
// others share, wall times move with their load, CPU time much less.
func timed(b *testing.B, c *http.Client, base string, qs ...string) {
	lat := make([]time.Duration, 0, b.N)
	cpu0 := processCPU()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := benchGet(c, base+"/leads?"+qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// processCPU is the user and system CPU time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// filterCombos are views across every filter, sort and depth: each is a full page with tab counts,
// total and 50 rows.
var filterCombos = []string{
	"tab=marketplace",
	"tab=qualified",
	"tab=marketplace&country=JP",
	"tab=marketplace&country=JP&country=DE&country=US&cta=contact_me",
	"tab=marketplace&status=received&sort=expiry&dir=asc",
	"tab=marketplace&status=archived&outcome=expired&sort=customer",
	"tab=marketplace&email_validity=spam&phone_validity=invalid",
	"tab=marketplace&quality=low&source=azure_portal&type=offer&sort=value&dir=desc",
	"tab=qualified&status=accepted&sort=value",
	"tab=marketplace&type=profile&status=received&country=FR",
	"tab=marketplace&cta=get_it_now&cta=free_trial&cta=test_drive&sort=status",
	"tab=favorites",
	"tab=marketplace&country=IS&outcome=won", // rare
}

func BenchmarkLeadsPage(b *testing.B) {
	srv, c := benchServer(b)
	b.Run("default", func(b *testing.B) { timed(b, c, srv.URL, "tab=marketplace") })
	b.Run("default-page200", func(b *testing.B) { timed(b, c, srv.URL, "tab=marketplace&page=200") })
	// Every request a page not asked before (pages 1000 on, a new one each time): no row is kept
	// yet, so each of the 50 is rendered afresh — the first look at a view.
	unseen := 1000
	b.Run("default-unseen", func(b *testing.B) {
		qs := make([]string, b.N)
		for i := range qs {
			qs[i] = fmt.Sprintf("tab=marketplace&page=%d", unseen)
			unseen++
		}
		timed(b, c, srv.URL, qs...)
	})
	b.Run("filters-page1", func(b *testing.B) { timed(b, c, srv.URL, filterCombos...) })
	// The same views as htmx asks for them after an in-place filter, sort or page change: the results only.
	b.Run("filters-page1-results", func(b *testing.B) {
		hc := *c
		hc.Transport = htmxResults{c.Transport}
		timed(b, &hc, srv.URL, filterCombos...)
	})
	var deep []string
	for _, q := range filterCombos {
		deep = append(deep, q+"&page=200")
	}
	b.Run("filters-page200", func(b *testing.B) { timed(b, c, srv.URL, deep...) })
	var sorts []string
	for _, s := range leadfilter.Sorts {
		for _, dir := range []string{"asc", "desc"} {
			sorts = append(sorts, "tab=marketplace&sort="+s+"&dir="+dir+"&page=200", "tab=qualified&sort="+s+"&dir="+dir+"&country=JP")
		}
	}
	b.Run("sorts", func(b *testing.B) { timed(b, c, srv.URL, sorts...) })
	// The owner filter (issue 17): "me" (the demo Referrals admin), unassigned, with other filters, deep.
	b.Run("owner", func(b *testing.B) {
		timed(b, c, srv.URL, "tab=marketplace&owner=me", "tab=marketplace&owner=none&country=JP", "tab=marketplace&owner=me&status=received&sort=expiry&dir=asc",
			"tab=qualified&owner=me,none&sort=value", "tab=marketplace&owner=me&page=200", "tab=marketplace&owner=4&cta=contact_me&sort=customer")
	})
}

func BenchmarkSearch(b *testing.B) {
	srv, c := benchServer(b)
	b.Run("rare", func(b *testing.B) { timed(b, c, srv.URL, "tab=marketplace&q="+url.QueryEscape("Northwind")) })
	b.Run("common", func(b *testing.B) { timed(b, c, srv.URL, "tab=marketplace&q=co") })
	b.Run("japanese-2char", func(b *testing.B) { timed(b, c, srv.URL, "tab=marketplace&q="+url.QueryEscape("田中")) })
	b.Run("common-3words", func(b *testing.B) { timed(b, c, srv.URL, "tab=marketplace&q="+url.QueryEscape("株式会社")) })
	// Searches are kept a while (8 queries); cycling through more common terms than that measures
	// every search cold: the bigram index read and the exact check each time.
	var cold []string
	for _, q := range []string{"co", "in", "an", "er", "on", "ar", "en", "te", "ma", "ra", "株式", "会社", "corp", "tech"} {
		cold = append(cold, "tab=marketplace&q="+url.QueryEscape(q))
	}
	b.Run("common-uncached", func(b *testing.B) { timed(b, c, srv.URL, cold...) })
	// Japanese company names never searched before: their first pages' rows are not kept yet either.
	var names []string
	for _, s := range []string{"山田", "東洋", "日本", "さくら", "青葉", "富士", "北斗", "大和"} {
		for _, i := range []string{"製作所", "物流", "商事", "電機", "ソフトウェア", "食品", "建設", "化学"} {
			names = append(names, "tab=marketplace&q="+url.QueryEscape(s+i))
		}
	}
	b.Run("japanese-uncached", func(b *testing.B) { timed(b, c, srv.URL, names...) })
}

// BenchmarkExport downloads every lead (both tabs, test leads included): the time, and, in a second
// run, the largest growth of the live heap while it streamed.
func BenchmarkExport(b *testing.B) {
	srv, c := benchServer(b)
	b.Run("time", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			start := time.Now()
			rows := exportAll(b, c, srv.URL)
			b.ReportMetric(float64(rows), "rows")
			b.ReportMetric(time.Since(start).Seconds(), "s/export")
		}
	})
	// Sampling with forced collections slows the export, so memory is its own run: what is measured
	// is the memory the export holds, not garbage the collector has not reclaimed yet.
	b.Run("memory", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			base := ms.HeapInuse
			var peak atomic.Uint64
			stop := make(chan struct{})
			go func() {
				t := time.NewTicker(250 * time.Millisecond)
				defer t.Stop()
				for {
					select {
					case <-stop:
						return
					case <-t.C:
						runtime.GC()
						var m runtime.MemStats
						runtime.ReadMemStats(&m)
						if m.HeapInuse > base && m.HeapInuse-base > peak.Load() {
							peak.Store(m.HeapInuse - base)
						}
					}
				}
			}()
			rows := exportAll(b, c, srv.URL)
			close(stop)
			b.ReportMetric(float64(rows), "rows")
			b.ReportMetric(float64(peak.Load())/(1<<20), "peak-live-heap-MB")
		}
	})
}

// exportAll downloads both tabs in full, test leads included: every lead. It returns the rows.
func exportAll(b *testing.B, c *http.Client, base string) int {
	rows := 0
	buf := make([]byte, 256<<10)
	for _, tab := range []string{"marketplace", "qualified"} {
		res, err := c.Get(base + "/leads/export.csv?test=1&tab=" + tab)
		if err != nil {
			b.Fatal(err)
		}
		for {
			n, err := res.Body.Read(buf)
			for _, ch := range buf[:n] {
				if ch == '\n' {
					rows++
				}
			}
			if err != nil {
				break
			}
		}
		res.Body.Close()
		rows-- // header
	}
	return rows
}

// TestLeadsLoadCheck is the load figure: 32 concurrent connections over loopback for a bounded time,
// each requesting results pages across filterCombos. Run by make bench (skipped without the database).
func TestLeadsLoadCheck(t *testing.T) {
	srv, _ := benchServer(t)
	const conns = 32
	dur := 5 * time.Second
	if s := os.Getenv("LOAD_SECONDS"); s != "" {
		if d, err := time.ParseDuration(s + "s"); err == nil {
			dur = d
		}
	}
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	deadline := time.Now().Add(dur)
	start := time.Now()
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := &http.Client{Jar: bench.jar, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			var mine []time.Duration
			for i := w; time.Now().Before(deadline); i++ {
				q := filterCombos[i%len(filterCombos)]
				s := time.Now()
				if _, err := benchGet(c, srv.URL+"/leads?"+q+"&page="+fmt.Sprint(1+i%3)); err != nil {
					t.Error(err)
					return
				}
				mine = append(mine, time.Since(s))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	el := time.Since(start)
	slices.Sort(lat)
	if len(lat) == 0 {
		t.Fatal("no requests")
	}
	fmt.Printf("load check: %d conns, %d results pages in %v = %.0f pages/s, p50 %.2f ms, p99 %.2f ms\n", conns, len(lat), el.Round(time.Millisecond),
		float64(len(lat))/el.Seconds(), float64(lat[len(lat)/2].Microseconds())/1000, float64(lat[len(lat)*99/100].Microseconds())/1000)
}

// BenchmarkLeadsRows is the rows' share of a results page, without the big database: 100 varied
// leads on a fresh test server, the htmx results of one page of 100 in English and Japanese.
func BenchmarkLeadsRows(b *testing.B) {
	s := testkit.NewServer(b)
	now := s.Clock.Now()
	statuses := []struct{ status, outcome string }{{"received", ""}, {"accepted", ""}, {"archived", "won"}, {"archived", "lost"}, {"archived", "expired"}}
	for i := 0; i < 100; i++ {
		st := statuses[i%len(statuses)]
		addLead(b, s, db.Lead{CustomerCompany: fmt.Sprintf("Tailspin & Sons %03d", i), Country: []string{"JP", "US", "DE", "GB", "FR"}[i%5],
			CTA: []string{"contact_me", "free_trial", "get_it_now"}[i%3], EmailValidity: []string{"valid", "unknown", "spam"}[i%3],
			PhoneValidity: []string{"valid", "invalid"}[i%2], Status: st.status, Outcome: st.outcome, DealValue: int64(i) * 12345, Currency: "USD",
			CustomerRequestedContact: i%4 == 0, CreatedAt: now.Add(-time.Duration(i) * 7 * time.Hour)})
	}
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Login("aiko@example.com")
	for _, lang := range []string{"en", "ja"} {
		c.PostForm("/lang", url.Values{"lang": {lang}, "next": {"/leads"}})
		b.Run(lang, func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if res := c.Get("/leads?tab=marketplace&per_page=100", "HX-Request", "true", "HX-Target", "results"); res.StatusCode != http.StatusOK {
					b.Fatal(res.StatusCode)
				}
			}
		})
	}
}
