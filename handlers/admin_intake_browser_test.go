package handlers_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leaddesk/db"
	"leaddesk/internal/testkit"
)

// TestBrowserIntakeAdminPages drives Chromium through the token, spam-list and import pages: a new
// token is shown once with its endpoint URL, the spam list shows the seeded domains, and an upload
// leads to a preview naming the bad rows. Screenshots go to $LEADDESK_SCREENSHOTS.
func TestBrowserIntakeAdminPages(t *testing.T) {
	s := testkit.NewServer(t)
	u := s.CreateUser("root@example.com", "Rika Admin", db.RoleAccount, db.RoleReferrals)
	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "root@example.com")
	newToken(t, s, "read")

	var secret, list string
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/admin/tokens"),
		chromedp.WaitVisible(chromedp.CSS(`#token-name`)),
		chromedp.SendKeys(chromedp.CSS(`#token-name`), "Marketplace endpoint"),
		chromedp.Click(chromedp.CSS(`input[name="scopes"][value="read"]`)),
		chromedp.Submit(chromedp.CSS(`#token-name`)),
		chromedp.WaitVisible(chromedp.CSS(`#new-token`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`#new-token`)), &secret),
		testkit.Into(chromedp.Text(chromedp.CSS(`table.data`)), &list),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "ld_") || !strings.Contains(list, "Marketplace endpoint") || !strings.Contains(list, "Never") {
		t.Errorf("token page: secret %q, list %q", secret, list)
	}
	testkit.Screenshot(t, ctx, "intake-admin-tokens")

	var spam string
	if err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/admin/spam"),
		chromedp.WaitVisible(chromedp.CSS(`table.data`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`table.data`)), &spam),
	); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(spam, "mailinator.com") {
		t.Errorf("spam list lacks the seeded domains")
	}
	testkit.Screenshot(t, ctx, "intake-admin-spam")

	file := filepath.Join(t.TempDir(), "leads.csv")
	os.WriteFile(file, []byte(exportCSV), 0o644)
	var banner string
	if err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/leads/import"),
		chromedp.WaitVisible(chromedp.CSS(`#import-file`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#import-file`), []string{file}),
		chromedp.Submit(chromedp.CSS(`#import-file`)),
		chromedp.WaitVisible(chromedp.CSS(`.intake-confirm`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`.banner`)), &banner),
	); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(banner, "2 rows can be imported") {
		t.Errorf("preview banner = %q", banner)
	}
	testkit.Screenshot(t, ctx, "intake-admin-import-preview")

	// The same preview in Japanese.
	if err := s.DB.SetUserLang(t.Context(), u.ID, "ja"); err != nil {
		t.Fatal(err)
	}
	var title string
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.intake-confirm`)), testkit.Into(chromedp.Text(chromedp.CSS(`h1`)), &title)); err != nil {
		t.Fatal(err)
	}
	if title != "インポートの確認" {
		t.Errorf("Japanese title = %q", title)
	}
	testkit.Screenshot(t, ctx, "intake-admin-import-preview-ja")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.intake-confirm button`)), chromedp.WaitVisible(chromedp.CSS(`.banner-success`))); err != nil {
		t.Fatal(err)
	}
	testkit.Screenshot(t, ctx, "intake-admin-import-done-ja")
}
