package handlers_test

import (
	"net/http"
	"testing"

	"leaddesk/db"
	"leaddesk/handlers"
	"leaddesk/internal/clock"
	"leaddesk/internal/testkit"
	"leaddesk/metrics"
)

// BenchmarkSignedInRequestWithMetrics is BenchmarkSignedInRequest with the Prometheus request
// histogram on (LEADDESK_METRICS_ADDR set): the difference between the two is what metrics cost a
// request.
func BenchmarkSignedInRequestWithMetrics(b *testing.B) {
	s := testkit.NewServer(b, func(d *handlers.Deps) {
		d.ObserveRequest = metrics.New(d.DB, nil, clock.System{}, "bench").ObserveRequest
	})
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Login("aiko@example.com")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res := c.Get("/settings"); res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}
