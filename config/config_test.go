package config

import (
	"flag"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultsWorkOnALaptop(t *testing.T) {
	c, _, err := Load("serve", nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || c.BaseURL != "http://127.0.0.1:8080" || c.Location == nil || c.Secure() {
		t.Errorf("defaults: %+v", c)
	}
}

func TestFlagBeatsEnvironmentBeatsDefault(t *testing.T) {
	c, _, err := Load("serve", []string{"-addr", "127.0.0.1:9000"}, env(map[string]string{
		"LEADDESK_ADDR": "127.0.0.1:7000", "LEADDESK_TIMEZONE": "Asia/Tokyo", "LEADDESK_BASE_URL": "https://leads.example.com/",
		"LEADDESK_SIGNIN_DOMAINS": "Example.com, contoso.co.jp",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9000" || c.Location.String() != "Asia/Tokyo" || c.BaseURL != "https://leads.example.com" || !c.Secure() {
		t.Errorf("got %+v", c)
	}
	if strings.Join(c.SignInDomains, ",") != "example.com,contoso.co.jp" {
		t.Errorf("domains = %v", c.SignInDomains)
	}
}

func TestBadSettingsAreNamed(t *testing.T) {
	cases := map[string]map[string]string{
		"LEADDESK_ADDR":               {"LEADDESK_ADDR": "8080"},
		"LEADDESK_TIMEZONE":           {"LEADDESK_TIMEZONE": "Mars/Olympus"},
		"LEADDESK_BASE_URL":           {"LEADDESK_BASE_URL": "ftp://x"},
		"LEADDESK_SMTP_URL":           {"LEADDESK_SMTP_URL": "http://mail.example.com"},
		"LEADDESK_OIDC_CLIENT_SECRET": {"LEADDESK_OIDC_CLIENT_ID": "abc", "LEADDESK_OIDC_ISSUER": "https://id.example.com"},
		"LEADDESK_OIDC_ISSUER":        {"LEADDESK_OIDC_CLIENT_ID": "abc", "LEADDESK_OIDC_CLIENT_SECRET": "s", "LEADDESK_OIDC_ISSUER": "not a url"},
		"LEADDESK_DNS":                {"LEADDESK_DNS": "8.8.8.8"}, // no port
	}
	for name, e := range cases {
		_, _, err := Load("serve", nil, env(e))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v, want it named", name, err)
		}
	}
}

// LEADDESK_DNS names the server email domains are checked with: host:port, off, or empty for the
// system's resolver; the flag beats the variable.
func TestDNSSetting(t *testing.T) {
	for _, c := range []struct {
		env  string
		args []string
		want string
	}{
		{"", nil, ""},
		{"off", nil, "off"},
		{"127.0.0.1:5353", nil, "127.0.0.1:5353"},
		{"127.0.0.1:5353", []string{"-dns", "off"}, "off"},
	} {
		cfg, _, err := Load("serve", c.args, env(map[string]string{"LEADDESK_DNS": c.env}))
		if err != nil || cfg.DNS != c.want {
			t.Errorf("LEADDESK_DNS=%q %v: %q, %v; want %q", c.env, c.args, cfg.DNS, err, c.want)
		}
	}
}

func TestParseSMTPURL(t *testing.T) {
	s, err := ParseSMTPURL("smtps://user%40x:p%40ss@mail.example.com")
	if err != nil || !s.ImplicitTLS || s.Port != "465" || s.Username != "user@x" || s.Password != "p@ss" {
		t.Errorf("smtps: %+v %v", s, err)
	}
	s, err = ParseSMTPURL("smtp://127.0.0.1:1025")
	if err != nil || s.ImplicitTLS || s.Port != "1025" || s.Username != "" {
		t.Errorf("smtp: %+v %v", s, err)
	}
	for _, bad := range []string{"smtp://", "imap://x", "::"} {
		if _, err := ParseSMTPURL(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

// A Microsoft sign-in open to every tenant is refused: users of any tenant set their own mail address.
func TestEntraNeedsTheTenantsNamed(t *testing.T) {
	const tid = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
	base := map[string]string{"LEADDESK_ENTRA_CLIENT_ID": "app", "LEADDESK_ENTRA_CLIENT_SECRET": "s"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for name, tc := range map[string]struct {
		env     map[string]string
		refused string // the setting named, "" = accepted
		tenants []string
	}{
		"no tenant":            {with(), "LEADDESK_ENTRA_TENANT", nil},
		"common":               {with("LEADDESK_ENTRA_TENANT", "common"), "LEADDESK_ENTRA_TENANT", nil},
		"organizations":        {with("LEADDESK_ENTRA_TENANT", "organizations"), "LEADDESK_ENTRA_TENANT", nil},
		"consumers":            {with("LEADDESK_ENTRA_TENANT", "consumers"), "LEADDESK_ENTRA_TENANT", nil},
		"a domain alone":       {with("LEADDESK_ENTRA_TENANT", "contoso.onmicrosoft.com"), "LEADDESK_ENTRA_ALLOWED_TENANTS", nil},
		"a bad allowed tenant": {with("LEADDESK_ENTRA_TENANT", tid, "LEADDESK_ENTRA_ALLOWED_TENANTS", "contoso.com"), "LEADDESK_ENTRA_ALLOWED_TENANTS", nil},
		"a tenant ID":          {with("LEADDESK_ENTRA_TENANT", strings.ToUpper(tid)), "", []string{tid}},
		"a domain and its ID":  {with("LEADDESK_ENTRA_TENANT", "contoso.onmicrosoft.com", "LEADDESK_ENTRA_ALLOWED_TENANTS", tid), "", []string{tid}},
		"organizations listed": {with("LEADDESK_ENTRA_TENANT", "organizations", "LEADDESK_ENTRA_ALLOWED_TENANTS", tid+", 00000000-0000-0000-0000-000000000001"), "", []string{tid, "00000000-0000-0000-0000-000000000001"}},
	} {
		c, _, err := Load("serve", nil, env(tc.env))
		if tc.refused != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tc.refused+":") || strings.Contains(err.Error(), "\n") {
				t.Errorf("%s: err = %v, want one line naming %s", name, err, tc.refused)
			}
			continue
		}
		if err != nil || strings.Join(c.EntraTenants(), ",") != strings.Join(tc.tenants, ",") {
			t.Errorf("%s: err %v, tenants %v, want %v", name, err, c, tc.tenants)
		}
	}
}

func TestTrustedProxiesAreCIDRsOrAddresses(t *testing.T) {
	c, _, err := Load("serve", []string{"-trusted-proxies", "10.0.0.0/8, 192.0.2.1,2001:db8::/32"}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range c.TrustedProxyNets {
		got = append(got, n.String())
	}
	if strings.Join(got, " ") != "10.0.0.0/8 192.0.2.1/32 2001:db8::/32" {
		t.Errorf("nets = %v", got)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.local", "10.0.0.0/8,,x"} {
		_, _, err := Load("serve", nil, env(map[string]string{"LEADDESK_TRUSTED_PROXIES": bad}))
		if err == nil || !strings.Contains(err.Error(), "LEADDESK_TRUSTED_PROXIES") {
			t.Errorf("%q: err = %v, want it named", bad, err)
		}
	}
}

// Secrets given in the environment are used but never printed by -h (the Partner Center client
// secret, the other client secrets, the session key, the SMTP URL's password).
func TestHelpNeverPrintsSecrets(t *testing.T) {
	env := map[string]string{"LEADDESK_PC_CLIENT_SECRET": "pc-s3cret", "LEADDESK_ENTRA_CLIENT_SECRET": "entra-s3cret",
		"LEADDESK_SESSION_KEY": "key-s3cret", "LEADDESK_SMTP_URL": "smtp://u:smtp-s3cret@mail.example:587", "LEADDESK_PC_CLIENT_ID": "app"}
	cfg := Default()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	var help strings.Builder
	fs.SetOutput(&help)
	cfg.Register(fs, func(k string) string { return env[k] })
	fs.PrintDefaults()
	if strings.Contains(help.String(), "s3cret") {
		t.Fatalf("-h shows a secret:\n%s", help.String())
	}
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if cfg.PartnerCenter.ClientSecret != "pc-s3cret" || cfg.SessionKey != "key-s3cret" || cfg.PartnerCenter.ClientID != "app" {
		t.Fatalf("secrets from the environment not used: %+v", cfg.PartnerCenter)
	}
	fs2 := flag.NewFlagSet("t", flag.ContinueOnError)
	cfg2 := Default()
	cfg2.Register(fs2, func(k string) string { return env[k] })
	if err := fs2.Parse([]string{"-pc-client-secret", "from-flag"}); err != nil || cfg2.PartnerCenter.ClientSecret != "from-flag" {
		t.Fatalf("the flag does not win: %q %v", cfg2.PartnerCenter.ClientSecret, err)
	}
}

// Webhooks reach loopback only when LEADDESK_WEBHOOKS_ALLOW_LOOPBACK (or its flag) says 1; anything
// but 1/0/true/false is named.
func TestWebhooksAllowLoopback(t *testing.T) {
	for _, tc := range []struct {
		env  string
		args []string
		want bool
	}{{"", nil, false}, {"1", nil, true}, {"0", nil, false}, {"", []string{"-webhooks-allow-loopback", "1"}, true}, {"1", []string{"-webhooks-allow-loopback", "0"}, false}} {
		c, _, err := Load("serve", tc.args, env(map[string]string{"LEADDESK_WEBHOOKS_ALLOW_LOOPBACK": tc.env}))
		if err != nil || c.WebhooksAllowLoopback != tc.want {
			t.Errorf("env %q args %v: %v, %v", tc.env, tc.args, c.WebhooksAllowLoopback, err)
		}
	}
	if _, _, err := Load("serve", nil, env(map[string]string{"LEADDESK_WEBHOOKS_ALLOW_LOOPBACK": "yes please"})); err == nil ||
		!strings.Contains(err.Error(), "LEADDESK_WEBHOOKS_ALLOW_LOOPBACK") {
		t.Errorf("bad value: %v", err)
	}
}
