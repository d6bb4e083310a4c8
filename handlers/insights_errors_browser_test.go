package handlers_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// TestBrowserInsightsBadRangeInPlace: a "To" day before "From" swaps the message in where the figures
// were (the 422 fragment), with the field marked and the form still working: a good day brings the
// figures back, in place, without a reload.
func TestBrowserInsightsBadRangeInPlace(t *testing.T) {
	s := testkit.NewServer(t)
	insightsBrowserFixture(t, s)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals)
	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "aiko@example.com")
	setTo := func(day string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`(function () { var to = document.querySelector('input[name="to"]');
			to.value = "` + day + `"; to.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	}
	var problem, invalid string
	var marker, figures bool
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/insights?range=custom&from=2026-11-02&to=2026-11-15"),
		chromedp.WaitVisible(chromedp.CSS(`#fig-received`)),
		chromedp.Evaluate[chromedp.Void](`window.__noReload = true`),
		testkit.HTMXSettled(`input[name="to"]`),
		testkit.HTMXRequestDone(setTo("2026-10-01")),
		chromedp.WaitVisible(chromedp.CSS(`#insights-problem`)),
		testkit.Eval(`document.querySelector("#insights-problem").textContent.trim()`, &problem),
		testkit.Eval(`document.querySelector('input[name="to"]').getAttribute("aria-invalid") || ""`, &invalid),
		testkit.Eval(`!!document.querySelector("#fig-received")`, &figures),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(problem, "To:") || invalid != "true" || figures {
		t.Errorf("bad range: message %q, To marked %q, figures still shown %v", problem, invalid, figures)
	}
	insightsShots(t, ctx, "insights-bad-range-en")
	err = chromedp.Do(ctx,
		testkit.HTMXSettled(`input[name="to"]`),
		testkit.HTMXRequestDone(setTo("2026-11-30")),
		chromedp.WaitVisible(chromedp.CSS(`#fig-received`)),
		testkit.Eval(`window.__noReload === true && !document.querySelector("#insights-problem") && !document.querySelector("[aria-invalid]")`, &marker),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !marker {
		t.Error("a good range after the bad one did not bring the figures back in place")
	}
}
