package handlers_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"leaddesk/internal/testkit"
)

// BenchmarkMarketplaceEndpoint posts distinct marketplace leads from 32 concurrent clients to a real
// HTTP server on loopback and reports committed leads per second (every 201 is sent after COMMIT; in
// WAL mode with synchronous=NORMAL a committed transaction survives a process kill, though not a
// power cut). Target: ≥ 1,000 leads/s.
func BenchmarkMarketplaceEndpoint(b *testing.B) {
	s := testkit.NewServer(b)
	secret, _, err := s.DB.CreateToken(b.Context(), "bench", []string{"intake"}, 0, "bench", s.Clock.Now())
	if err != nil {
		b.Fatal(err)
	}
	url := s.URL + "/intake/marketplace/" + secret
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	const clients = 32
	var next, created atomic.Int64
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				body := fmt.Sprintf(`{"UserDetails":{"FirstName":"Aiko","LastName":"Sato %d","Email":"buyer%d@contoso.co.jp","Phone":"+81 3-1234-5678","Country":"JP","Company":"Contoso %d"},"LeadSource":"AppSource-PLT|contoso.crm","ActionCode":"PLT","OfferTitle":"Contoso CRM","Description":"Please call me."}`, i, i, i)
				res, err := client.Post(url, "application/json", strings.NewReader(body))
				if err != nil {
					failed.Store(err.Error())
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusCreated {
					failed.Store(res.Status)
					return
				}
				created.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if f := failed.Load(); f != nil {
		b.Fatalf("a delivery failed: %v", f)
	}
	b.ReportMetric(float64(created.Load())/elapsed.Seconds(), "leads/s")
}
