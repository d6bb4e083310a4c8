package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// proxyCase runs a documented reverse-proxy configuration (rewritten only for the test's ports and
// certificate) in front of a serving Leaddesk with LEADDESK_TRUSTED_PROXIES=127.0.0.1, and checks
// what a user behind it notices: HTTPS with HSTS, their own address in Leaddesk's log (not one a
// client wrote into X-Forwarded-For), and an upload larger than the proxy's default body limit
// reaching Leaddesk.
func proxyCase(t *testing.T, start func(t *testing.T, proxyAddr, upstream, cert, key string) *exec.Cmd) {
	t.Helper()
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	dir := t.TempDir()
	addr, proxyAddr := freeAddr(t), freeAddr(t)
	env := map[string]string{"LEADDESK_DATA_DIR": dir, "LEADDESK_ADDR": addr, "LEADDESK_BASE_URL": "https://" + proxyAddr,
		"LEADDESK_TRUSTED_PROXIES": "127.0.0.1"}
	stop, logs := serveInBackground(t, env, "http://"+addr+"/healthz", http.DefaultClient)

	cmd := start(t, proxyAddr, addr, certFile, keyFile)
	var proxyLog bytes.Buffer
	cmd.Stdout, cmd.Stderr = &proxyLog, &proxyLog
	cmd.WaitDelay = 10 * time.Second // nginx's workers may hold the output pipe a moment longer
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM) // nginx and Caddy stop their workers on SIGTERM
		cmd.Wait()
		if t.Failed() {
			t.Logf("proxy log:\n%s", proxyLog.String())
		}
	}()
	// The client connects from 127.0.0.2, an address that is not a trusted proxy.
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}
	client := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext, TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	base := "https://" + proxyAddr
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := client.Get(base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the proxy never answered /healthz: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}

	req, _ := http.NewRequest("GET", base+"/login", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Strict-Transport-Security"), "max-age") {
		t.Errorf("/login through the proxy: %d, HSTS %q", res.StatusCode, res.Header.Get("Strict-Transport-Security"))
	}

	// A signed-in CSV upload of 3 MB, over nginx's 1 MB default, reaches Leaddesk and is read there.
	_, pwOut, _ := cli(t, t.Context(), env, "user", "add", "--email", "up@example.com", "--name", "Uploader", "--roles", "referrals-admin")
	pw := regexp.MustCompile(`password \(shown once[^:]*: (\S+)`).FindStringSubmatch(pwOut)
	if pw == nil {
		t.Fatalf("user add: %s", pwOut)
	}
	jar, _ := cookiejar.New(nil)
	client.Jar = jar
	csrf := func(path string) string {
		t.Helper()
		res, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(b)
		if m == nil {
			t.Fatalf("no CSRF token on %s (%d)", path, res.StatusCode)
		}
		return string(m[1])
	}
	res, err = client.PostForm(base+"/login", url.Values{"csrf": {csrf("/login")}, "email": {"up@example.com"}, "password": {pw[1]}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in through the proxy: %v %v", res.StatusCode, err)
	}
	res.Body.Close()
	token := csrf("/leads/import")
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	mw.WriteField("csrf", token)
	fw, _ := mw.CreateFormFile("file", "leads.csv")
	fw.Write([]byte("Company,First name,Last name,Email,Country\n"))
	for i := 0; form.Len() < 3<<20; i++ {
		fmt.Fprintf(fw, "Contoso %d,Aiko,Sato,aiko%d@contoso.com,JP\n", i, i)
	}
	mw.Close()
	res, err = client.Post(base+"/leads/import", mw.FormDataContentType(), &form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode >= 400 || res.Header.Get("X-Request-Id") == "" {
		t.Errorf("3 MB CSV upload: %d from %q, want Leaddesk to take it", res.StatusCode, res.Header.Get("Server"))
	}

	stop()
	log := logs.String()
	if !strings.Contains(log, "path=/login") || !strings.Contains(log, "ip=127.0.0.2") || strings.Contains(log, "ip=203.0.113.9") || strings.Contains(log, "ip=127.0.0.1 ") {
		t.Errorf("Leaddesk did not log the client's own address (127.0.0.2):\n%s", log)
	}
}

// rewrite replaces each old string of the documented configuration (which must be there) with new.
func rewrite(t *testing.T, path string, pairs ...string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for i := 0; i < len(pairs); i += 2 {
		if !strings.Contains(s, pairs[i]) {
			t.Fatalf("%s no longer has %q; update the test with the documentation", path, pairs[i])
		}
		s = strings.ReplaceAll(s, pairs[i], pairs[i+1])
	}
	return s
}

func TestNginxInFront(t *testing.T) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		t.Skip("\n*** NGINX CONFIGURATION NOT TESTED: nginx is not installed (.ci/run installs it) ***")
	}
	proxyCase(t, func(t *testing.T, proxyAddr, upstream, cert, key string) *exec.Cmd {
		dir := t.TempDir()
		_, port, _ := net.SplitHostPort(proxyAddr)
		server := rewrite(t, "deploy/nginx.conf",
			"listen 80;", "listen 127.0.0.1:"+freePort(t)+";",
			"listen 443 ssl http2;", "listen 127.0.0.1:"+port+" ssl http2;",
			"/etc/letsencrypt/live/leads.example.com/fullchain.pem", cert,
			"/etc/letsencrypt/live/leads.example.com/privkey.pem", key,
			"http://127.0.0.1:8080", "http://"+upstream)
		os.WriteFile(filepath.Join(dir, "leaddesk.conf"), []byte(server), 0o600)
		user := ""
		if os.Getuid() == 0 {
			user = "user root;" // the workers write request bodies into the test's private temp dir
		}
		main := fmt.Sprintf(`%s
pid %[2]s/nginx.pid;
error_log stderr warn;
events {}
http {
    access_log off;
    client_body_temp_path %[2]s/body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;
    include %[2]s/leaddesk.conf;
}
`, user, dir)
		os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(main), 0o600)
		return exec.Command(nginx, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-g", "daemon off;")
	})
}

func TestCaddyInFront(t *testing.T) {
	caddy, err := exec.LookPath("caddy")
	if err != nil {
		t.Skip("\n*** CADDY CONFIGURATION NOT TESTED: caddy is not installed (.ci/run installs it) ***")
	}
	proxyCase(t, func(t *testing.T, proxyAddr, upstream, cert, key string) *exec.Cmd {
		dir := t.TempDir()
		site := rewrite(t, "deploy/Caddyfile",
			"leads.example.com {", "https://"+proxyAddr+" {\n\ttls "+cert+" "+key,
			"reverse_proxy 127.0.0.1:8080", "reverse_proxy "+upstream)
		// The test's Caddy has no admin endpoint and keeps its state in the temp dir.
		global := fmt.Sprintf("{\n\tadmin off\n\tauto_https disable_redirects\n\tstorage file_system %s\n}\n", filepath.Join(dir, "data"))
		path := filepath.Join(dir, "Caddyfile")
		os.WriteFile(path, []byte(global+site), 0o600)
		cmd := exec.CommandContext(context.Background(), caddy, "run", "--config", path, "--adapter", "caddyfile")
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
		return cmd
	})
}

func freePort(t *testing.T) string {
	_, p, _ := net.SplitHostPort(freeAddr(t))
	return p
}
