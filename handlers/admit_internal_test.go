package handlers

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
)

// At most the gate's slots work at once; the rest wait and are let in in the order they came, so under
// a burst nobody waits much longer than their place in the queue. Static files and the export pass by.
func TestAdmissionLetsAFewWorkAndQueuesTheRestInOrder(t *testing.T) {
	a := newAdmission(2)
	e := echo.New()
	e.Use(a.middleware)
	release := make(chan struct{})
	var mu sync.Mutex
	var order []string
	working := 0
	most := 0
	e.GET("/work/:n", func(c echo.Context) error {
		mu.Lock()
		working++
		most = max(most, working)
		order = append(order, c.Param("n"))
		mu.Unlock()
		<-release
		mu.Lock()
		working--
		mu.Unlock()
		return c.String(http.StatusOK, "done")
	})
	e.GET("/static/app.css", func(c echo.Context) error { return c.String(http.StatusOK, "css") })

	var wg sync.WaitGroup
	get := func(path string) {
		defer wg.Done()
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s: %d", path, rec.Code)
		}
	}
	started := func(n int) {
		for {
			mu.Lock()
			got := len(order)
			mu.Unlock()
			if got == n {
				return
			}
			runtime.Gosched()
		}
	}
	for _, n := range []string{"1", "2"} {
		wg.Add(1)
		go get("/work/" + n)
	}
	started(2)
	// Three more arrive one after another while both slots are taken.
	for i, n := range []string{"3", "4", "5"} {
		wg.Add(1)
		go get("/work/" + n)
		for a.waiting.Load() != int64(i+1) {
			runtime.Gosched()
		}
	}
	// A static file does not queue behind them.
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/static/app.css", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != "css" {
		t.Errorf("static file while the slots are taken: %d %q", rec.Code, rec.Body.String())
	}
	// Each request that ends lets the longest-waiting one in.
	for n := 3; n <= 5; n++ {
		release <- struct{}{}
		started(n)
	}
	close(release)
	wg.Wait()
	if most != 2 {
		t.Errorf("%d requests worked at once, want the 2 slots", most)
	}
	if got := order[2:]; got[0] != "3" || got[1] != "4" || got[2] != "5" {
		t.Errorf("queued requests were let in as %v, want 3 4 5", got)
	}
}
