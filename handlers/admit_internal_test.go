package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
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
	e.POST("/save", func(c echo.Context) error { return c.String(http.StatusOK, "saved") })

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
		for a.waiting() != i+1 {
			runtime.Gosched()
		}
	}
	// A static file and a write do not queue behind them.
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/static/app.css", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != "css" {
		t.Errorf("static file while the slots are taken: %d %q", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/save", strings.NewReader("x=1")))
	if rec.Code != http.StatusOK || rec.Body.String() != "saved" {
		t.Errorf("write while the slots are taken: %d %q", rec.Code, rec.Body.String())
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

// A client that leaves while queued gives up its place without taking a slot with it: the next
// request still gets in once the working one ends.
func TestAdmissionForgetsAClientThatLeftTheQueue(t *testing.T) {
	a := newAdmission(1)
	if !a.enter(context.Background()) {
		t.Fatal("first request not let in")
	}
	ctx, cancel := context.WithCancel(context.Background())
	left := make(chan bool)
	go func() { left <- a.enter(ctx) }()
	for a.waiting() != 1 {
		runtime.Gosched()
	}
	cancel()
	if <-left {
		t.Fatal("a request whose client left was let in")
	}
	if a.waiting() != 0 {
		t.Fatalf("%d still queued after the client left", a.waiting())
	}
	a.leave()
	if !a.enter(context.Background()) {
		t.Fatal("no slot for the next request")
	}
	a.leave()
	if a.working != 0 {
		t.Errorf("%d working after everyone left", a.working)
	}
}
