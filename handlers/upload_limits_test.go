package handlers_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"leaddesk/db"
	"leaddesk/handlers"
	"leaddesk/internal/clock"
	"leaddesk/internal/testkit"
	"leaddesk/leads"
	"leaddesk/mail"
)

// countingServer is testkit.NewServer with every request body read through a counter, so a test can
// tell how many bytes of a body the app read.
func countingServer(t *testing.T) (*testkit.Server, *atomic.Int64) {
	t.Helper()
	cfg := testkit.Config(t)
	d := testkit.NewDB(t)
	clk := clock.NewFake(testkit.Epoch)
	svc := leads.New(d, clk, mail.NewNotifier(cfg))
	e, h, err := handlers.New(handlers.Deps{Cfg: cfg, DB: d, Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Leads: svc})
	if err != nil {
		t.Fatal(err)
	}
	var read atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = countingBody{r.Body, &read}
		e.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	cfg.BaseURL = srv.URL
	return &testkit.Server{Server: srv, T: t, DB: d, Cfg: cfg, Clock: clk, Handler: h, Leads: svc}, &read
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// csvRows is an importable CSV of n distinct leads.
func csvRows(n int) string {
	var b strings.Builder
	b.WriteString("LeadId,CustomerCompany,ContactName,Email,Country,Source,LeadType,CallToAction,Offer\r\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "IMP-%d,Company %d KK,Aiko Sato,aiko%d@contoso.co.jp,JP,appsource,offer,contact_me,Contoso CRM\r\n", i, i, i)
	}
	return b.String()
}

// bigUpload is a multipart body of about size bytes, generated as it is sent; token (if any) is the
// first field, as the upload form sends it.
func bigUpload(token string, size int) (io.Reader, string) {
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	if token != "" {
		w.WriteField("csrf", token)
	}
	w.CreateFormFile("file", "big.csv")
	tail := "\r\n--" + w.Boundary() + "--\r\n"
	row := "IMP-1,Contoso KK,Aiko Sato,aiko@contoso.co.jp,JP,appsource,offer,contact_me,Contoso CRM\r\n"
	body := io.MultiReader(&head, strings.NewReader("LeadId,CustomerCompany,ContactName,Email,Country,Source,LeadType,CallToAction,Offer\r\n"),
		io.LimitReader(repeatReader(row), int64(size)), strings.NewReader(tail))
	return body, w.FormDataContentType()
}

type repeatReader string

func (r repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], r)
	}
	return n, nil
}

func postUpload(c *testkit.Client, body io.Reader, contentType string) *testkit.Response {
	req, _ := http.NewRequest(http.MethodPost, c.Base+"/leads/import", body)
	req.Header.Set("Content-Type", contentType)
	return c.Do(req)
}

// An upload is read only once the sender is known to be allowed it: a request without a session, with
// the wrong role or without the CSRF token is refused having read (almost) nothing of a 64 MB body,
// where the server used to read it all before answering 403.
func TestUploadBodyIsNotReadBeforeAuthorization(t *testing.T) {
	s, read := countingServer(t)
	s.CreateUser("ref@example.com", "Ren Referrals", db.RoleReferrals)
	s.CreateUser("prof@example.com", "Pia Profile", db.RoleProfile)
	ref := s.Client()
	ref.Login("ref@example.com")
	ref.Get("/leads/import")
	prof := s.Client()
	prof.Login("prof@example.com")
	prof.Get("/settings")
	anon := s.Client()
	anon.Get("/login")

	const size = 64 << 20
	for _, tc := range []struct {
		name   string
		c      *testkit.Client
		token  string
		status int
	}{
		{"no session", anon, anon.CSRF(), http.StatusUnauthorized},
		{"no upload role", prof, prof.CSRF(), http.StatusForbidden},
		{"no CSRF token", ref, "", http.StatusForbidden},
		{"wrong CSRF token", ref, "forged-token-forged-token-forged-token-forged", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			read.Store(0)
			body, ct := bigUpload(tc.token, size)
			res := postUpload(tc.c, body, ct)
			if res.StatusCode != tc.status {
				t.Errorf("status %d, want %d", res.StatusCode, tc.status)
			}
			if n := read.Load(); n > 64<<10 {
				t.Errorf("the server read %d bytes of the body before refusing it", n)
			}
		})
	}

	// Allowed: the file is read whole, past the 1 MB form limit.
	read.Store(0)
	body, ct := bigUpload(ref.CSRF(), 3<<20)
	if res := postUpload(ref, body, ct); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("allowed upload of 3 MB: %d\n%s", res.StatusCode, res.Body)
	}
	if n := read.Load(); n < 3<<20 {
		t.Errorf("allowed upload: read only %d bytes", n)
	}
	// Other forms keep the 1 MB limit.
	read.Store(0)
	res := ref.PostRaw("/settings/password", map[string][]string{"csrf": {ref.CSRF()}, "current": {strings.Repeat("a", 3<<20)}})
	if res.StatusCode != http.StatusRequestEntityTooLarge || read.Load() > 1<<20+1 {
		t.Errorf("3 MB form: %d after reading %d bytes", res.StatusCode, read.Load())
	}
}

// Uploads waiting for confirmation are bounded per user, in number and in bytes, with a message that
// says why; another user is not affected.
func TestUnconfirmedUploadsAreBoundedPerUser(t *testing.T) {
	s, read := countingServer(t)
	s.Handler.ImportLimits.PendingCount = 3
	s.Handler.ImportLimits.PendingBytes = 3 << 20
	s.CreateUser("ref@example.com", "Ren Referrals", db.RoleReferrals)
	s.CreateUser("acc@example.com", "Aki Account", db.RoleAccount)
	c := s.Client()
	c.Login("ref@example.com")
	c.Get("/leads/import")
	for i := 0; i < 3; i++ {
		if res := uploadCSV(t, c, "leads.csv", csvRows(3)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload %d: %d\n%s", i+1, res.StatusCode, res.Body)
		}
	}
	res := uploadCSV(t, c, "leads.csv", csvRows(3))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "You have 3 uploaded files waiting to be imported") {
		t.Errorf("4th unconfirmed upload: %d\n%s", res.StatusCode, res.Body)
	}

	other := s.Client()
	other.Login("acc@example.com")
	other.Get("/leads/import")
	body, ct := bigUpload(other.CSRF(), 2<<20)
	if res := postUpload(other, body, ct); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("another user's 2 MB upload: %d", res.StatusCode)
	}
	read.Store(0)
	body, ct = bigUpload(other.CSRF(), 2<<20)
	res = postUpload(other, body, ct)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "already take 2 MB of the 3 MB allowed") {
		t.Errorf("2 MB more with 2 MB of 3 MB waiting: %d\n%s", res.StatusCode, res.Body)
	}
	if n := read.Load(); n > 1<<20+128<<10 {
		t.Errorf("read %d bytes of an upload that could only be refused", n)
	}
}

// Two confirmations of one upload at the same moment (a double click, two tabs) import it once.
func TestConfirmingAnImportTwiceAtOnceImportsItOnce(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("ref@example.com", "Ren Referrals", db.RoleReferrals)
	c := s.Client()
	c.Login("ref@example.com")
	c.Get("/leads/import")
	const rows = 3000
	res := uploadCSV(t, c, "leads.csv", csvRows(rows))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", res.StatusCode, res.Body)
	}
	preview := res.Header.Get("Location")
	c.Get(preview)
	start := make(chan struct{})
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			statuses[i] = c.PostForm(preview, nil).StatusCode
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, st := range statuses {
		if st == http.StatusOK {
			ok++
		}
	}
	var leads, audits int
	s.DB.QueryRow(`SELECT COUNT(*) FROM leads`).Scan(&leads)
	s.DB.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'leads.import'`).Scan(&audits)
	if ok != 1 || leads != rows || audits != 1 {
		t.Errorf("statuses %v, %d leads, %d imports recorded; want one import of %d leads", statuses, leads, audits, rows)
	}
}
