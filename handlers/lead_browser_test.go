package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"leaddesk/internal/testkit"
	"leaddesk/lead"
)

// TestBrowserAcceptAndDeclineThroughTheModals drives real Chromium: open the accept dialog, send it
// with a mistake (the message appears in place), fix it, and see the details update without a page
// load; then decline another lead through its dialog.
func TestBrowserAcceptAndDeclineThroughTheModals(t *testing.T) {
	f := newLCFixture(t)
	first := f.addLead(t, func(l *lead.Lead) {
		l.CustomerRequestedContact = true
		l.ContactEmail = "aiko@throwaway.example"
		l.EmailValidity = "spam"
	})
	second := f.addLead(t, func(l *lead.Lead) { l.CustomerCompany = "Fabrikam GK"; l.ContactFirstName = "Kenji" })
	ctx := testkit.Browser(t)
	f.s.SignIn(t, ctx, "aiko@example.com")

	var noReload bool
	var dialogOpen bool
	var errText, status, dealCard, focused string
	err := chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/leads/%d", f.s.URL, first.ID)),
		htmxReady(),
		chromedp.WaitVisible(chromedp.CSS(`#btn-accept`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	testkit.Screenshot(t, ctx, "lifecycle-details-received-en")
	err = chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](`window.__noReload = true`),
		chromedp.Click(chromedp.CSS(`#btn-accept`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] #f-deal_name`)),
		testkit.HTMXIdle(), // htmx wires the dialog's form up as the swap settles
		testkit.Eval(`document.querySelector("dialog").open`, &dialogOpen),
		chromedp.SendKeys(chromedp.CSS(`#f-deal_name`), "Contoso CRM rollout"),
		chromedp.SendKeys(chromedp.CSS(`#f-deal_value`), "0"),
		chromedp.SetValue(chromedp.CSS(`#f-currency`), "USD"),
		chromedp.SetValue(chromedp.CSS(`#f-close_date`), "2027-01-15"),
		chromedp.Click(chromedp.CSS(`dialog .checks input[value="`+fmt.Sprint(f.teammate.ID)+`"]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-notes`), "Call on Monday."),
		chromedp.Click(chromedp.CSS(`[data-add-row]`)),
		chromedp.SendKeys(chromedp.CSS(`#c-name-0`), "Ken Mori"),
		chromedp.SendKeys(chromedp.CSS(`#c-email-0`), "ken@contoso.example"),
		chromedp.Click(chromedp.CSS(`dialog button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] #err-deal_value`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#err-deal_value`)), &errText),
		testkit.Eval(`document.activeElement && document.activeElement.id`, &focused),
	)
	if err != nil {
		t.Fatalf("accept dialog: %v", err)
	}
	if !dialogOpen {
		t.Error("the accept form did not open as a modal dialog")
	}
	if !strings.Contains(errText, "more than zero") {
		t.Errorf("field message = %q", errText)
	}
	if focused != "f-deal_value" {
		t.Errorf("focus after the 422 is on %q, want the field to fix", focused)
	}
	testkit.Screenshot(t, ctx, "lifecycle-accept-modal-error-en")
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#f-deal_value`), "12500"),
		chromedp.Click(chromedp.CSS(`dialog button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#card-deal`)),
		chromedp.WaitNotPresent(chromedp.CSS(`dialog`)),
		testkit.Eval(`window.__noReload === true`, &noReload),
		testkit.Into(chromedp.Text(chromedp.CSS(`.lead-sub .label`)), &status),
		testkit.Into(chromedp.Text(chromedp.CSS(`#card-deal`)), &dealCard),
	)
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	if !noReload {
		t.Error("accepting reloaded the page instead of updating in place")
	}
	if !strings.Contains(status, "Accepted") || !strings.Contains(dealCard, "USD 12,500.00") {
		t.Errorf("after accept: status %q, deal %q", status, dealCard)
	}
	testkit.Screenshot(t, ctx, "lifecycle-details-accepted-en")
	if got := f.lead(t, first.ID); got.Status != "accepted" || got.DealValue != 1250000 {
		t.Errorf("stored lead = %s %d", got.Status, got.DealValue)
	}
	if n := f.count(t, `SELECT COUNT(*) FROM lead_contacts WHERE lead_id = ?`, first.ID); n != 1 {
		t.Errorf("contacts stored = %d, want 1 (the added empty row is ignored)", n)
	}

	// Decline the second lead through its dialog, in a tab of its own (same browser, same session), so
	// nothing the first page still does (an htmx swap settling, a history entry) can race the navigation.
	ctx, cancelTab := chromedp.NewContext(ctx)
	defer cancelTab()
	err = chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/leads/%d", f.s.URL, second.ID)),
		htmxReady(),
		chromedp.WaitVisible(chromedp.CSS(`#btn-decline`)),
		chromedp.Click(chromedp.CSS(`#btn-decline`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] input[value="other"]`)),
		testkit.HTMXIdle(), // htmx wires the dialog's form up as the swap settles
		chromedp.Click(chromedp.CSS(`dialog input[value="other"]`)),
		chromedp.Click(chromedp.CSS(`dialog button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] #err-notes`)),
	)
	if err != nil {
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		var loc, modal string
		_ = chromedp.Do(dctx, testkit.Into(chromedp.Location(), &loc), testkit.Eval(`document.getElementById("modal") ? document.getElementById("modal").outerHTML.slice(0, 3000) : document.body.innerHTML.slice(0, 3000)`, &modal))
		testkit.Screenshot(t, dctx, "lifecycle-debug")
		t.Fatalf("decline dialog: %v\nlocation %s\n%s", err, loc, modal)
	}
	testkit.Screenshot(t, ctx, "lifecycle-decline-modal-error-en")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#f-reason-notes`), "Outside our region."),
		chromedp.Click(chromedp.CSS(`dialog button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#card-outcome`)),
		chromedp.WaitNotPresent(chromedp.CSS(`dialog`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`.lead-sub .label`)), &status),
	)
	if err != nil {
		t.Fatalf("decline: %v", err)
	}
	if !strings.Contains(status, "Declined") {
		t.Errorf("after decline: status %q", status)
	}
	if got := f.lead(t, second.ID); got.Outcome != "declined" || got.ReasonNotes != "Outside our region." {
		t.Errorf("stored lead = %s/%s", got.Status, got.Outcome)
	}
	testkit.Screenshot(t, ctx, "lifecycle-details-declined-en")
}

// TestBrowserScreenshotsJapanese takes the details page and both dialogs in Japanese.
func TestBrowserScreenshotsJapanese(t *testing.T) {
	f := newLCFixture(t)
	if err := f.s.DB.SetUserLang(context.Background(), f.worker.ID, "ja"); err != nil {
		t.Fatal(err)
	}
	l := f.addLead(t, func(l *lead.Lead) {
		l.CustomerCompany, l.ContactFirstName, l.ContactLastName, l.CustomerRequestedContact = "コントソ株式会社", "愛子", "佐藤", true
		l.CreatedAt = f.s.Clock.Now().Add(-80 * time.Hour)
	})
	ctx := testkit.Browser(t)
	f.s.SignIn(t, ctx, "aiko@example.com")
	var title, accept string
	err := chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/leads/%d", f.s.URL, l.ID)),
		htmxReady(),
		chromedp.WaitVisible(chromedp.CSS(`#btn-accept`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#btn-accept`)), &accept),
		testkit.Into(chromedp.Text(chromedp.CSS(`h1`)), &title),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(accept, "承諾") || !strings.Contains(title, "コントソ株式会社") {
		t.Errorf("Japanese page: button %q title %q", accept, title)
	}
	testkit.Screenshot(t, ctx, "lifecycle-details-ja")
	var legend string
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#btn-accept`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] #f-deal_name`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	testkit.Screenshot(t, ctx, "lifecycle-accept-modal-ja")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`dialog [data-close-dialog]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`dialog`)),
		chromedp.Click(chromedp.CSS(`#btn-decline`)),
		chromedp.WaitVisible(chromedp.CSS(`dialog[open] .radios`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`dialog legend`)), &legend),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(legend, "辞退する理由") {
		t.Errorf("decline legend = %q", legend)
	}
	testkit.Screenshot(t, ctx, "lifecycle-decline-modal-ja")

	// The same forms as whole pages, as a browser without JavaScript gets them.
	other := f.addLead(t, func(l *lead.Lead) { l.CustomerCompany = "ファブリカム合同会社" })
	var heading string
	err = chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/leads/bulk/decline?ids=%d&ids=%d", f.s.URL, l.ID, other.ID)),
		chromedp.WaitVisible(chromedp.CSS(`.form-page .radios`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`.form-page h1`)), &heading),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(heading, "選択したリードを辞退") {
		t.Errorf("bulk decline page heading = %q", heading)
	}
	testkit.Screenshot(t, ctx, "lifecycle-bulk-decline-page-ja")
}

// htmxReady waits until htmx has loaded (scripts are deferred), so a click opens the dialog in place
// rather than following the link to the form page.
func htmxReady() chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](`!!(window.htmx && document.readyState === "complete")`, chromedp.WithPollingTimeout(10*time.Second))
}

// TestBrowserExpiredLeadHidesTheContact: after the expiry job, the page shows the outcome and no
// contact details at all.
func TestBrowserExpiredLeadHidesTheContact(t *testing.T) {
	f := newLCFixture(t)
	l := f.addLead(t, nil)
	f.s.Clock.Set(l.CreatedAt.Add(lead.ExpiryWindow))
	expireAt(t, f.s, f.s.Clock.Now())
	ctx := testkit.Browser(t)
	f.s.SignIn(t, ctx, "aiko@example.com")
	var customer string
	err := chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/leads/%d", f.s.URL, l.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#contact-hidden`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#card-customer`)), &customer),
	)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(customer, "Sato") || strings.Contains(customer, "@") || strings.Contains(customer, "5678") {
		t.Errorf("expired lead shows contact details: %q", customer)
	}
	testkit.Screenshot(t, ctx, "lifecycle-details-expired-en")
}
