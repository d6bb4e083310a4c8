package handlers_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"leaddesk/db"
	"leaddesk/handlers"
	"leaddesk/internal/testkit"
)

// TestBrowserSignInAndOut drives real Chromium through the sign-in form, the settings and admin pages,
// and the sign-out item of the user menu, taking screenshots of each page for people to look at.
func TestBrowserSignInAndOut(t *testing.T) {
	s := testkit.NewServer(t)
	s.Cfg.Google.ClientID, s.Cfg.Google.ClientSecret = "id", "secret" // show a provider button
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals, db.RoleAccount)
	s.CreateUser("ken@example.com", "Ken Sato", db.RoleProfile)
	s.CreateUser("mia@example.com", "Mia Suzuki")
	ctx := testkit.Browser(t)

	var banner string
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "aiko@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "not the password"),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`.banner-danger`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`.banner-danger`)), &banner),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(banner, "The email or password is not right") {
		t.Errorf("wrong password banner = %q", banner)
	}
	testkit.Screenshot(t, ctx, "auth-login-error")

	s.SignIn(t, ctx, "aiko@example.com")
	var heading, users string
	err = chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/settings"),
		chromedp.WaitVisible(chromedp.CSS(`#pw-h`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`h1`)), &heading),
	)
	if err != nil {
		t.Fatal(err)
	}
	if heading != "Settings" {
		t.Errorf("settings heading = %q", heading)
	}
	testkit.Screenshot(t, ctx, "auth-settings")
	err = chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/admin/users"),
		chromedp.WaitVisible(chromedp.CSS(`table.data`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`table.data tbody`)), &users),
	)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Aiko Tanaka", "Ken Sato", "Business profile admin", "No role yet", "Never"} {
		if !strings.Contains(users, want) {
			t.Errorf("users table lacks %q:\n%s", want, users)
		}
	}
	testkit.Screenshot(t, ctx, "auth-admin-users")

	// Japanese, through the language switch.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.lang-switch button[value="ja"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="ja"] table.data`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`h1`)), &heading),
	)
	if err != nil {
		t.Fatal(err)
	}
	if heading != "ユーザーとロール" {
		t.Errorf("Japanese heading = %q", heading)
	}
	testkit.Screenshot(t, ctx, "auth-admin-users-ja")
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.lang-switch button[value="en"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] table.data`)))
	if err != nil {
		t.Fatal(err)
	}

	// Sign out through the user menu.
	var url string
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.user-menu summary`)),
		chromedp.WaitVisible(chromedp.CSS(`.user-menu form[action="/logout"] button`)),
		chromedp.Click(chromedp.CSS(`.user-menu form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`.flash`)), &banner),
		chromedp.Navigate(s.URL+"/admin/users"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		testkit.Into(chromedp.Location(), &url),
	)
	if err != nil {
		t.Fatalf("sign out: %v", err)
	}
	if !strings.Contains(banner, "You are signed out") {
		t.Errorf("sign-out notice = %q", banner)
	}
	if !strings.Contains(url, "/login?next=") {
		t.Errorf("after sign-out /admin/users went to %q, want the sign-in page", url)
	}
	testkit.Screenshot(t, ctx, "auth-login")
}

// TestBrowserAdminInvitesAndResets invites someone and makes a reset link through the real pages,
// copying nothing by hand: the links shown are the ones that work.
func TestBrowserAdminInvitesAndResets(t *testing.T) {
	s := testkit.NewServer(t)
	s.CreateUser("aiko@example.com", "Aiko Tanaka", db.RoleReferrals, db.RoleAccount)
	ken := s.CreateUser("ken@example.com", "Ken Sato", db.RoleProfile)
	ctx := testkit.Browser(t)
	s.SignIn(t, ctx, "aiko@example.com")

	var link string
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/admin/users/invite"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "mia@example.com"),
		chromedp.Click(chromedp.CSS(`input[value="business-profile-admin"]`)),
		chromedp.Submit(chromedp.CSS(`#email`)),
		chromedp.WaitVisible(chromedp.CSS(`.link-box`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`.link-box`)), &link),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, s.URL+"/invite/") {
		t.Fatalf("invitation link = %q", link)
	}
	testkit.Screenshot(t, ctx, "auth-admin-invite-sent")

	err = chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/admin/users/"+itoa(ken.ID)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/reset"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="/reset"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.link-box`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`.link-box`)), &link),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, s.URL+"/reset/") {
		t.Fatalf("reset link = %q", link)
	}
	testkit.Screenshot(t, ctx, "auth-admin-user-edit")

	var rows int
	err = chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/admin/audit"),
		chromedp.WaitVisible(chromedp.CSS(`table.data`)),
		testkit.Eval(`document.querySelectorAll("table.data tbody tr").length`, &rows),
	)
	if err != nil {
		t.Fatal(err)
	}
	if rows != 2 {
		t.Errorf("audit rows = %d, want the invitation and the reset link", rows)
	}
	testkit.Screenshot(t, ctx, "auth-admin-audit")

	// The reset page as Ken sees it, with a field message after a too-short password.
	var msg string
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`.user-menu summary`)),
		chromedp.Click(chromedp.CSS(`.user-menu form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`#password`)),
		chromedp.SendKeys(chromedp.CSS(`#password`), "short"),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`.field-error`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`.field-error`)), &msg),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "Use at least 12 characters") {
		t.Errorf("field message = %q", msg)
	}
	testkit.Screenshot(t, ctx, "auth-reset-error")
}

// TestBrowserFirstRunSetup follows the link `leaddesk serve` prints on an empty database, in Japanese.
func TestBrowserFirstRunSetup(t *testing.T) {
	s := testkit.NewServer(t)
	link, err := handlers.FirstRunLink(t.Context(), s.DB, s.URL, s.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	ctx := testkit.Browser(t)
	var heading, flash string
	err = chromedp.Do(ctx,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.Click(chromedp.CSS(`button[value="ja"]`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="ja"] #name`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`h1`)), &heading),
	)
	if err != nil {
		t.Fatal(err)
	}
	if heading != "Leaddesk のセットアップ" {
		t.Errorf("setup heading = %q", heading)
	}
	testkit.Screenshot(t, ctx, "auth-setup-ja")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#name`), "田中 愛子"),
		chromedp.SendKeys(chromedp.CSS(`#email`), "aiko@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "長くて覚えやすいパスワードです"),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`table.data`)),
		testkit.Into(chromedp.Text(chromedp.CSS(`.flash`)), &flash),
		testkit.Into(chromedp.Text(chromedp.CSS(`h1`)), &heading),
	)
	if err != nil {
		t.Fatal(err)
	}
	if heading != "ユーザーとロール" || !strings.Contains(flash, "アカウントの準備ができました") {
		t.Errorf("after setup: heading %q, flash %q", heading, flash)
	}
	testkit.Screenshot(t, ctx, "auth-setup-done-ja")
	err = chromedp.Do(ctx, chromedp.Navigate(s.URL+"/settings"), chromedp.WaitVisible(chromedp.CSS(`#pw-h`)))
	if err != nil {
		t.Fatal(err)
	}
	testkit.Screenshot(t, ctx, "auth-settings-ja")
}
