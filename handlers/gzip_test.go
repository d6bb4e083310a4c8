package handlers_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// What the browser receives, read as it reads it: the raw body, ungzipped when the answer says so.
func rawGet(t *testing.T, c *testkit.Client, path, acceptEncoding string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.Base+path, nil)
	req.Header.Set("Accept-Encoding", acceptEncoding) // set by hand: the transport then leaves the body as sent
	res, err := c.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body io.Reader = res.Body
	if res.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatalf("%s: Content-Encoding gzip, but the body is not gzip: %v", path, err)
		}
		body = zr
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return res, string(b)
}

// Pages travel gzipped to browsers that accept it and as they are to those that don't; answers
// without a body, the streamed export and refusals (q=0) are never wrapped.
func TestPagesAreGzippedOnlyWhereItHelps(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	c := s.Client()
	c.Login("aiko@example.com")

	res, zipped := rawGet(t, c, "/leads", "gzip, deflate, br")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("/leads with gzip accepted: %d, Content-Encoding %q", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Errorf("/leads: Vary %q, Content-Type %q", res.Header.Get("Vary"), res.Header.Get("Content-Type"))
	}
	plainRes, plain := rawGet(t, c, "/leads", "identity")
	if plainRes.Header.Get("Content-Encoding") != "" || !strings.Contains(plain, "</html>") {
		t.Fatalf("/leads without gzip: Content-Encoding %q, %d bytes", plainRes.Header.Get("Content-Encoding"), len(plain))
	}
	if zipped != plain {
		t.Errorf("the gzipped page (%d bytes once unzipped) differs from the plain one (%d bytes)", len(zipped), len(plain))
	}
	if res, _ := rawGet(t, c, "/leads", "gzip;q=0"); res.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip refused with q=0: Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
	if res, body := rawGet(t, c, "/leads/export.csv?tab=marketplace", "gzip"); res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "" || !strings.Contains(body, ",") {
		t.Errorf("export: %d, Content-Encoding %q (it streams uncompressed)", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	if res, body := rawGet(t, s.Client(), "/leads", "gzip"); res.StatusCode/100 != 3 || res.Header.Get("Content-Encoding") != "" || body != "" {
		t.Errorf("signed out: %d, Content-Encoding %q, body %q (a redirect without a body)", res.StatusCode, res.Header.Get("Content-Encoding"), body)
	}
	if res, body := rawGet(t, c, "/no/such/page", "gzip"); res.StatusCode != http.StatusNotFound || !strings.Contains(body, "</html>") {
		t.Errorf("404: %d, %d bytes", res.StatusCode, len(body))
	}
}
