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

// Browser starts headless Chromium for one test and returns a chromedp context that ends after 90 s.
// Without Chromium the test is skipped with a loud message locally, and fails under CI=true, where
// browser tests must run.
func Browser(t testing.TB) context.Context {
	t.Helper()
	return BrowserFor(t, 90*time.Second)
}

// BrowserFor is Browser for a test that walks many pages and needs longer than 90 s (limit).
func BrowserFor(t testing.TB, limit time.Duration) context.Context {
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
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		for i := 0; i < 50 && os.RemoveAll(profile) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser and opens the tab
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// Screenshot saves a full-page PNG of the current page as NAME.png into $LEADDESK_SCREENSHOTS when
// set (so people can look at it), else into the test's temp dir, and returns the path.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
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
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), email),
		chromedp.SendKeys(chromedp.CSS(`#password`), TestPassword),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`.topbar .user-menu`)),
	)
	if err != nil {
		t.Fatalf("browser sign-in as %s: %v", email, err)
	}
}

// HTMXSettled waits until htmx has finished every swap on the page and has wired up the element
// matching sel (or the form around it), so a click on freshly swapped content is handled by htmx and
// not by the browser's own form submission.
func HTMXSettled(sel string) chromedp.Action[chromedp.Void] {
	js := `(function () {
		if (!window.htmx || document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")) { return false; }
		var el = document.querySelector(` + strconv.Quote(sel) + `);
		if (!el) { return false; }
		var owner = el.closest("[hx-get], [hx-post], form") || el;
		return !!owner["htmx-internal-data"];
	})()`
	return chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(15*time.Second))
}

// htmxIdle is true when htmx is loaded and no request, swap or settle is in progress on the page.
const htmxIdle = `!!window.htmx && !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")`

// HTMXIdle waits until htmx has no request, swap or settle in progress, and the element htmx
// focuses after a swap ([autofocus]) has the focus, so the page no longer moves on its own.
func HTMXIdle() chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](htmxIdle+` && (function () {
		var f = document.querySelector("[autofocus]");
		return !f || f.offsetParent === null || document.activeElement === f;
	})()`, chromedp.WithPollingTimeout(15*time.Second))
}

// HTMXRequestDone runs trigger (a click, a key) and waits until the htmx request it starts has
// been answered and its swap has settled; it fails when no htmx request completes in 15 s.
func HTMXRequestDone(trigger chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Evaluate[chromedp.Void](`window.__htmxDone = false;
			document.addEventListener("htmx:afterRequest", function () { window.__htmxDone = true; }, {once: true})`),
		trigger,
		chromedp.Poll[chromedp.Void](`window.__htmxDone === true && `+htmxIdle, chromedp.WithPollingTimeout(15*time.Second)),
	)
}

// Into runs an action that returns a value as a step of chromedp.Do and stores the value in dst, so a
// test can read a text or an attribute in the middle of a sequence of steps.
func Into[T any](a chromedp.Action[T], dst *T) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, tg)
		if err != nil {
			return chromedp.Void{}, err
		}
		*dst = v
		return chromedp.Void{}, nil
	}
}

// Eval evaluates a JavaScript expression as a step of chromedp.Do and decodes its result into dst
// (the type of dst chooses the decoding, as chromedp.Evaluate's type parameter does).
func Eval[T any](expr string, dst *T) chromedp.Action[chromedp.Void] {
	return Into(chromedp.Evaluate[T](expr), dst)
}
