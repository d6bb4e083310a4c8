package testkit

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath finds Debian's chromium (or another Chrome) on this machine, or "".
func ChromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Browser starts headless Chromium for one test and returns a chromedp context. Without Chromium the
// test is skipped with a loud message locally, and fails under CI=true, where browser tests must run.
func Browser(t testing.TB) context.Context {
	t.Helper()
	path := ChromiumPath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("browser test: Chromium is not installed, and CI=true requires browser tests to run (apt-get install chromium)")
		}
		t.Skip("!!! SKIPPING BROWSER TEST: Chromium not found. Install it with `apt-get install chromium` to run browser tests. !!!")
	}
	// Not t.TempDir(): Chromium's helper processes can still be writing the profile for a moment after
	// the browser is cancelled, which made t.TempDir's own cleanup fail the test; removal is retried below.
	profile, err := os.MkdirTemp("", "leaddesk-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // we run as root in CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1366, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		for i := 0; i < 50 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// Screenshot saves a full-page PNG of the current page as NAME.png into $LEADDESK_SCREENSHOTS when
// set (so people can look at it), else into the test's temp dir, and returns the path.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := os.Getenv("LEADDESK_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, strings.ReplaceAll(name, "/", "_")+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// SignIn signs the browser in through the real form.
func (s *Server) SignIn(t testing.TB, ctx context.Context, email string) {
	t.Helper()
	err := chromedp.Run(ctx,
		chromedp.Navigate(s.URL+"/login"),
		chromedp.WaitVisible(`#email`, chromedp.ByQuery),
		chromedp.SendKeys(`#email`, email, chromedp.ByQuery),
		chromedp.SendKeys(`#password`, TestPassword, chromedp.ByQuery),
		chromedp.Submit(`#password`, chromedp.ByQuery),
		chromedp.WaitVisible(`.topbar .user-menu`, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("browser sign-in as %s: %v", email, err)
	}
}

// HTMXSettled waits until htmx has finished every swap on the page and has wired up the element
// matching sel (or the form around it), so a click on freshly swapped content is handled by htmx and
// not by the browser's own form submission.
func HTMXSettled(sel string) chromedp.Action {
	js := `(function () {
		if (!window.htmx || document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")) { return false; }
		var el = document.querySelector(` + strconv.Quote(sel) + `);
		if (!el) { return false; }
		var owner = el.closest("[hx-get], [hx-post], form") || el;
		return !!owner["htmx-internal-data"];
	})()`
	return chromedp.Poll(js, nil, chromedp.WithPollingTimeout(15*time.Second))
}
