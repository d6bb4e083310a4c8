package handlers_test

import (
	"net/http"
	"slices"
	"syscall"
	"testing"
	"time"
)

// insightsViews are the Insights page for the last 12 months (the yardstick) under filters of
// every kind, and the shorter presets.
var insightsViews = []string{
	"range=12m",
	"range=12m&tab=marketplace",
	"range=12m&tab=qualified",
	"range=12m&country=JP",
	"range=12m&source=azure_portal&cta=contact_me",
	"range=12m&type=profile&country=US&country=DE",
	"range=90d",
	"range=30d&quality=low",
}

// BenchmarkInsights reports p50/p99 of the whole Insights page (figures and every chart) per request:
// "12m" and "filters" as people open it (reports are kept until a lead changes), "12m-cold" with a
// different year-long range each time, so every request counts all of its leads afresh.
func BenchmarkInsights(b *testing.B) {
	srv, c := benchServer(b)
	b.Run("12m", func(b *testing.B) { timedPath(b, c, srv.URL+"/insights?", "range=12m") })
	b.Run("filters", func(b *testing.B) { timedPath(b, c, srv.URL+"/insights?", insightsViews...) })
	var cold []string
	today := time.Now()
	for i := 0; i < 400; i++ {
		to := today.AddDate(0, 0, -i%30)
		cold = append(cold, "range=custom&from="+to.AddDate(-1, 0, -i/30).Format("2006-01-02")+"&to="+to.Format("2006-01-02"))
	}
	b.Run("12m-cold", func(b *testing.B) { timedPath(b, c, srv.URL+"/insights?", cold...) })
}

// timedPath is timed for any page: GET base+q b.N times, cycling through qs, p50 and p99 in ms, and
// the process's CPU time per request (server and client: on a shared machine the wall-clock
// percentiles also count waiting for a core).
func timedPath(b *testing.B, c *http.Client, base string, qs ...string) {
	lat := make([]time.Duration, 0, b.N)
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := benchGet(c, base+qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLeadsBesideInsights is the Leads list's p50/p99 (as BenchmarkLeadsPage/filters-page1 times
// it) while another client keeps asking for cold Insights reports, so the page's cost on the list shows.
func BenchmarkLeadsBesideInsights(b *testing.B) {
	srv, c := benchServer(b)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		today := time.Now()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			to := today.AddDate(0, 0, -i%30)
			q := "range=custom&from=" + to.AddDate(-1, 0, -i/30%30).Format("2006-01-02") + "&to=" + to.Format("2006-01-02")
			if _, err := benchGet(c, srv.URL+"/insights?"+q); err != nil {
				return
			}
		}
	}()
	timed(b, c, srv.URL, filterCombos...)
	close(stop)
	<-done
}
