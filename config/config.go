// Package config holds Leaddesk's settings: one struct, filled from flags and LEADDESK_* variables
// (docs/design.md §8), with defaults that work on a laptop, validated at start.
package config

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Config is every setting of a Leaddesk instance.
type Config struct {
	Addr     string // listen address
	DataDir  string // holds the SQLite file
	BaseURL  string // public URL, for links in mail and secure cookies
	Timezone string // IANA name; day boundary for digests, respond-by dates
	SMTPURL  string // smtp://user:pass@host:port or smtps://…; empty = mail stays queued
	MailFrom string

	SessionKey string // optional: hex or base64 key; else generated once and kept in the database

	Entra  Provider // Microsoft Entra ID (goth azureadv2); Tenant used
	Google Provider
	GitHub Provider
	OIDC   Provider // generic OpenID Connect; Issuer is the discovery URL's issuer
	// SignInDomains admits anyone whose verified provider email is in one of these domains, with no role.
	SignInDomains []string

	// Microsoft Entra ID tenants (issue 11, "nOAuth"): a sign-in is admitted by the id_token's tenant
	// (tid) and a verified claim, never by the tenant-controlled mail attribute.
	EntraAuthority      string   // sign-in host: https://login.microsoftonline.com or a national cloud's
	EntraAllowedTenants []string // tenant IDs whose users may sign in, besides LEADDESK_ENTRA_TENANT's
	entraAllowedRaw     string
	GitHubURL           string // GitHub or a GitHub Enterprise Server; the address used is the verified primary one
	// TrustedProxies lists the reverse proxies (CIDRs or addresses, comma-separated) whose
	// X-Forwarded-For names the real client; from any other peer the header is ignored.
	TrustedProxies   string
	TrustedProxyNets []*net.IPNet // parsed TrustedProxies

	// Operations (issue 20): scheduled backups, metrics listener, native TLS.
	BackupDir   string        // scheduled backups go here; "" = no scheduled backups
	backupEvery string        // raw LEADDESK_BACKUP_EVERY
	BackupEvery time.Duration // how often a backup is due (parsed backupEvery)
	MetricsAddr string        // listen address of /metrics; "" = off
	TLSCert     string        // PEM certificate chain file; with TLSKey, serve HTTPS directly
	TLSKey      string        // PEM private key file
	// Partner Center Referrals sync (issue 14): the partner's Entra app of the Secure Application Model.
	PartnerCenter PartnerCenter

	Location *time.Location // parsed Timezone

	// DNS is the server that checks whether a lead's email domain takes mail (issue 13): host:port,
	// "off" to skip the check, empty for the system's resolver.
	DNS string
	// Webhooks (issue 18): loopback targets, plain http among them, only for development.
	WebhooksAllowLoopback bool
	webhooksLoopbackRaw   string
	// MemoryLimit is the Go runtime's soft memory limit in bytes (debug.SetMemoryLimit): the collector
	// works harder as the heap nears it. 0 = no limit set by Leaddesk (GOMEMLIMIT, when set, then
	// applies as the runtime reads it).
	MemoryLimit    int64
	memoryLimitRaw string
	goMemLimitSet  bool // GOMEMLIMIT is in the environment
	// GCPercent is the collector's pace (debug.SetGCPercent): the heap grows by this percentage of the
	// live data before the next collection. 0 = left to the runtime (GOGC, when set).
	GCPercent    int
	gcPercentRaw string
	goGCSet      bool // GOGC is in the environment
}

// DefaultMemoryLimit is LEADDESK_MEMORY_LIMIT's default: room for the lead index of a few million
// leads with the collector's usual headroom, well inside a 1 GB machine.
const DefaultMemoryLimit = "384MiB"

// DefaultGCPercent is LEADDESK_GC_PERCENT's default: Go's own 100 let the heap reach twice the lead
// index (≈ 115 MB at a million leads) under load. Measured at a million leads with an export and 32
// clients on the list: 100 peaked at 354 MB, 75 at 310, 50 at 274; the export of a tab took 3.1 s at
// 100 and 75 but 3.8 s at 50 (an export reads every lead into fresh strings, so it makes the most
// garbage), and pages a second did not move.
const DefaultGCPercent = "75"

// PartnerCenter is the Entra app the Partner Center sync signs in with (App + User). It is on when
// ClientID is set. ClientSecret is never logged nor shown.
type PartnerCenter struct {
	Tenant       string
	ClientID     string
	ClientSecret string
	APIURL       string // scheme://host of the Referrals API; a simulator's in tests and the demo
	Authority    string // Entra authority with {tenant}; a national cloud's if yours is one
}

// Enabled reports whether the Partner Center sync is configured.
func (p PartnerCenter) Enabled() bool { return p.ClientID != "" }

// Provider is one single-sign-on provider's settings. It is on when ClientID is set.
type Provider struct {
	ClientID     string
	ClientSecret string
	Tenant       string // Entra only
	Issuer       string // OIDC only: issuer URL (discovery at Issuer/.well-known/openid-configuration)
	Name         string // display name on the button (OIDC)
}

// Enabled reports whether the provider is configured.
func (p Provider) Enabled() bool { return p.ClientID != "" }

// env names each setting's variable and flag, so both stay in one place.
type setting struct {
	flag, env, usage string
	dst              *string
	def              string
}

func (c *Config) settings() []setting {
	return []setting{
		{"addr", "LEADDESK_ADDR", "listen address", &c.Addr, "127.0.0.1:8080"},
		{"data-dir", "LEADDESK_DATA_DIR", "data directory holding the database", &c.DataDir, "./data"},
		{"base-url", "LEADDESK_BASE_URL", "public base URL (default http://ADDR)", &c.BaseURL, ""},
		{"timezone", "LEADDESK_TIMEZONE", "IANA time zone for day boundaries (default: the machine's)", &c.Timezone, ""},
		{"smtp-url", "LEADDESK_SMTP_URL", "smtp://user:pass@host:port (STARTTLS when offered) or smtps://… (implicit TLS)", &c.SMTPURL, ""},
		{"mail-from", "LEADDESK_MAIL_FROM", "sender address of outgoing mail", &c.MailFrom, "Leaddesk <leaddesk@localhost>"},
		{"session-key", "LEADDESK_SESSION_KEY", "session signing key (default: generated once, kept in the database)", &c.SessionKey, ""},
		{"entra-client-id", "LEADDESK_ENTRA_CLIENT_ID", "Microsoft Entra ID client id", &c.Entra.ClientID, ""},
		{"entra-client-secret", "LEADDESK_ENTRA_CLIENT_SECRET", "Microsoft Entra ID client secret", &c.Entra.ClientSecret, ""},
		{"entra-tenant", "LEADDESK_ENTRA_TENANT", "Microsoft Entra ID directory (tenant) ID whose users may sign in; organizations with LEADDESK_ENTRA_ALLOWED_TENANTS for several", &c.Entra.Tenant, ""},
		{"entra-allowed-tenants", "LEADDESK_ENTRA_ALLOWED_TENANTS", "comma-separated further tenant IDs whose users may sign in through Microsoft Entra ID", &c.entraAllowedRaw, ""},
		{"entra-authority", "LEADDESK_ENTRA_AUTHORITY", "Microsoft Entra ID sign-in host (a national cloud's, e.g. https://login.microsoftonline.us)", &c.EntraAuthority, "https://login.microsoftonline.com"},
		{"google-client-id", "LEADDESK_GOOGLE_CLIENT_ID", "Google client id", &c.Google.ClientID, ""},
		{"google-client-secret", "LEADDESK_GOOGLE_CLIENT_SECRET", "Google client secret", &c.Google.ClientSecret, ""},
		{"github-client-id", "LEADDESK_GITHUB_CLIENT_ID", "GitHub client id", &c.GitHub.ClientID, ""},
		{"github-client-secret", "LEADDESK_GITHUB_CLIENT_SECRET", "GitHub client secret", &c.GitHub.ClientSecret, ""},
		{"github-url", "LEADDESK_GITHUB_URL", "GitHub Enterprise Server URL, e.g. https://github.example.com", &c.GitHubURL, "https://github.com"},
		{"oidc-issuer", "LEADDESK_OIDC_ISSUER", "OpenID Connect issuer URL", &c.OIDC.Issuer, ""},
		{"oidc-client-id", "LEADDESK_OIDC_CLIENT_ID", "OpenID Connect client id", &c.OIDC.ClientID, ""},
		{"oidc-client-secret", "LEADDESK_OIDC_CLIENT_SECRET", "OpenID Connect client secret", &c.OIDC.ClientSecret, ""},
		{"oidc-name", "LEADDESK_OIDC_NAME", "OpenID Connect button label", &c.OIDC.Name, "OpenID Connect"},
		{"trusted-proxies", "LEADDESK_TRUSTED_PROXIES", "comma-separated CIDRs of reverse proxies whose X-Forwarded-For is believed", &c.TrustedProxies, ""},
		// Operations (issue 20)
		{"backup-dir", "LEADDESK_BACKUP_DIR", "directory for scheduled backups (off when empty; pre-upgrade backups then go to DATA_DIR/backups)", &c.BackupDir, ""},
		{"backup-every", "LEADDESK_BACKUP_EVERY", "how often a scheduled backup is taken, e.g. 1h or 30m", &c.backupEvery, "1h"},
		{"metrics-addr", "LEADDESK_METRICS_ADDR", "listen address of the Prometheus /metrics endpoint, e.g. 127.0.0.1:9090 (off when empty)", &c.MetricsAddr, ""},
		{"tls-cert", "LEADDESK_TLS_CERT", "PEM certificate file for serving HTTPS without a reverse proxy (with LEADDESK_TLS_KEY)", &c.TLSCert, ""},
		{"tls-key", "LEADDESK_TLS_KEY", "PEM private key file for LEADDESK_TLS_CERT", &c.TLSKey, ""},
		{"dns", "LEADDESK_DNS", "DNS server (host:port) that checks whether lead email domains take mail; off to skip (default: the system's resolver)", &c.DNS, ""},
		// Partner Center Referrals sync (issue 14)
		{"pc-tenant", "LEADDESK_PC_TENANT", "Partner Center: the partner's directory (tenant) ID", &c.PartnerCenter.Tenant, ""},
		{"pc-client-id", "LEADDESK_PC_CLIENT_ID", "Partner Center: the Entra app's client id (turns the sync on)", &c.PartnerCenter.ClientID, ""},
		{"pc-client-secret", "LEADDESK_PC_CLIENT_SECRET", "Partner Center: the Entra app's client secret", &c.PartnerCenter.ClientSecret, ""},
		{"pc-api-url", "LEADDESK_PC_API_URL", "Partner Center: Referrals API base URL", &c.PartnerCenter.APIURL, "https://api.partner.microsoft.com"},
		{"pc-authority", "LEADDESK_PC_AUTHORITY", "Partner Center: Entra authority ({tenant} is replaced)", &c.PartnerCenter.Authority, "https://login.microsoftonline.com/{tenant}"},
		{"memory-limit", "LEADDESK_MEMORY_LIMIT", "soft memory limit of the Go runtime, e.g. 384MiB or 1GiB; off for none (default " + DefaultMemoryLimit + ", or GOMEMLIMIT when that is set)", &c.memoryLimitRaw, ""},
		{"gc-percent", "LEADDESK_GC_PERCENT", "how far the heap grows past the live data before a collection, in percent (default " + DefaultGCPercent + ", or GOGC when that is set)", &c.gcPercentRaw, ""},
		{"webhooks-allow-loopback", "LEADDESK_WEBHOOKS_ALLOW_LOOPBACK", "1 lets webhooks go to loopback addresses, plain http among them (development only)", &c.webhooksLoopbackRaw, ""},
	}
}

// Default returns the laptop defaults, before environment and flags.
func Default() *Config {
	c := &Config{}
	for _, s := range c.settings() {
		*s.dst = s.def
	}
	return c
}

// Setting describes one setting for the README and -help.
type Setting struct{ Flag, Env, Default, Usage string }

// Settings lists every setting.
func Settings() []Setting {
	c := &Config{}
	var out []Setting
	for _, s := range c.settings() {
		out = append(out, Setting{s.flag, s.env, s.def, s.usage})
	}
	return out
}

// Register adds every setting to fs as a flag whose default is the environment variable, else the
// built-in default; so a flag beats the environment, which beats the default.
func (c *Config) Register(fs *flag.FlagSet, getenv func(string) string) {
	var domains string
	for _, s := range c.settings() {
		def := s.def
		if v := getenv(s.env); v != "" {
			def = v
		}
		if isSecret(s.env) {
			// The environment's value is not the flag's shown default: -h would print the secret.
			fs.StringVar(s.dst, s.flag, s.def, s.usage+" ["+s.env+"]")
			*s.dst = def
			continue
		}
		fs.StringVar(s.dst, s.flag, def, s.usage+" ["+s.env+"]")
	}
	c.goMemLimitSet = getenv("GOMEMLIMIT") != ""
	c.goGCSet = getenv("GOGC") != ""
	domains = getenv("LEADDESK_SIGNIN_DOMAINS")
	fs.Func("signin-domains", "comma-separated email domains admitted through single sign-on with no role [LEADDESK_SIGNIN_DOMAINS]", func(v string) error {
		domains = v
		c.SignInDomains = splitList(domains)
		return nil
	})
	c.SignInDomains = splitList(domains)
}

// isSecret tells the settings whose value is a secret (client secrets, the session key, the SMTP URL
// with its password): never shown by -h.
func isSecret(env string) bool {
	return strings.HasSuffix(env, "_SECRET") || env == "LEADDESK_SESSION_KEY" || env == "LEADDESK_SMTP_URL"
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Load parses args (after the command name) with the environment and validates the result.
func Load(name string, args []string, getenv func(string) string) (*Config, *flag.FlagSet, error) {
	c := Default()
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	c.Register(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return nil, fs, err
	}
	return c, fs, c.Validate()
}

// DBPath is the database file.
func (c *Config) DBPath() string { return filepath.Join(c.DataDir, "leaddesk.db") }

// Secure reports whether cookies must be Secure (the base URL is https).
func (c *Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Validate checks every setting and fills derived ones. The error names the bad setting and the fix.
func (c *Config) Validate() error {
	var errs []error
	bad := func(env, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{env}, a...)...))
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		bad("LEADDESK_ADDR", "%q is not host:port (for example 127.0.0.1:8080)", c.Addr)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		bad("LEADDESK_DATA_DIR", "must not be empty")
	}
	if c.BaseURL == "" {
		host := c.Addr
		if h, p, err := net.SplitHostPort(c.Addr); err == nil && (h == "" || h == "0.0.0.0" || h == "::") {
			host = net.JoinHostPort("127.0.0.1", p)
		}
		c.BaseURL = "http://" + host
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("LEADDESK_BASE_URL", "%q is not an http(s) URL such as https://leads.example.com", c.BaseURL)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.Timezone == "" {
		c.Location = time.Local
		c.Timezone = time.Local.String()
	} else if loc, err := time.LoadLocation(c.Timezone); err != nil {
		bad("LEADDESK_TIMEZONE", "%q is not a known IANA time zone (for example Asia/Tokyo)", c.Timezone)
	} else {
		c.Location = loc
	}
	if c.SMTPURL != "" {
		if _, err := ParseSMTPURL(c.SMTPURL); err != nil {
			bad("LEADDESK_SMTP_URL", "%v", err)
		}
	}
	if c.MailFrom == "" {
		bad("LEADDESK_MAIL_FROM", "must not be empty")
	}
	for env, p := range map[string]Provider{"LEADDESK_ENTRA": c.Entra, "LEADDESK_GOOGLE": c.Google, "LEADDESK_GITHUB": c.GitHub, "LEADDESK_OIDC": c.OIDC} {
		if p.ClientID != "" && p.ClientSecret == "" {
			bad(env+"_CLIENT_SECRET", "is required when %s_CLIENT_ID is set", env)
		}
	}
	if c.Entra.ClientID != "" {
		c.validateEntra(bad)
	}
	if u, err := url.Parse(c.GitHubURL); c.GitHub.ClientID != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
		bad("LEADDESK_GITHUB_URL", "%q is not a URL such as https://github.example.com", c.GitHubURL)
	}
	if c.PartnerCenter.Enabled() {
		pc := c.PartnerCenter
		if strings.TrimSpace(pc.Tenant) == "" {
			bad("LEADDESK_PC_TENANT", "is required when LEADDESK_PC_CLIENT_ID is set: give the partner's directory (tenant) ID")
		}
		if pc.ClientSecret == "" {
			bad("LEADDESK_PC_CLIENT_SECRET", "is required when LEADDESK_PC_CLIENT_ID is set")
		}
		for env, v := range map[string]string{"LEADDESK_PC_API_URL": pc.APIURL, "LEADDESK_PC_AUTHORITY": strings.ReplaceAll(pc.Authority, "{tenant}", "t")} {
			if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				bad(env, "%q is not an http(s) URL", v)
			}
		}
	}
	if c.OIDC.ClientID != "" {
		if u, err := url.Parse(c.OIDC.Issuer); err != nil || u.Scheme == "" || u.Host == "" {
			bad("LEADDESK_OIDC_ISSUER", "%q is not an issuer URL such as https://login.example.com", c.OIDC.Issuer)
		}
	}
	if nets, err := parseCIDRs(c.TrustedProxies); err != nil {
		bad("LEADDESK_TRUSTED_PROXIES", "%v", err)
	} else {
		c.TrustedProxyNets = nets
	}
	c.validateOps(bad)
	if c.DNS != "" && c.DNS != "off" {
		if host, port, err := net.SplitHostPort(c.DNS); err != nil || host == "" || port == "" {
			bad("LEADDESK_DNS", "%q is not host:port of a DNS server (for example 127.0.0.1:53), or off", c.DNS)
		}
	}
	c.validateMemoryLimit(bad)
	c.validateGCPercent(bad)
	switch strings.ToLower(strings.TrimSpace(c.webhooksLoopbackRaw)) {
	case "", "0", "false":
		c.WebhooksAllowLoopback = false
	case "1", "true":
		c.WebhooksAllowLoopback = true
	default:
		bad("LEADDESK_WEBHOOKS_ALLOW_LOOPBACK", "%q is neither 1 nor 0", c.webhooksLoopbackRaw)
	}
	return errors.Join(errs...)
}

// validateOps checks the operations settings (issue 20).
func (c *Config) validateOps(bad func(env, format string, a ...any)) {
	if d, err := time.ParseDuration(c.backupEvery); err != nil || d < time.Minute {
		bad("LEADDESK_BACKUP_EVERY", "%q is not a duration of at least a minute such as 1h or 30m", c.backupEvery)
	} else {
		c.BackupEvery = d
	}
	if c.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(c.MetricsAddr); err != nil || port == "" {
			bad("LEADDESK_METRICS_ADDR", "%q is not host:port (for example 127.0.0.1:9090)", c.MetricsAddr)
		} else if c.MetricsAddr == c.Addr {
			bad("LEADDESK_METRICS_ADDR", "must differ from LEADDESK_ADDR (%s): metrics are served on their own listener", c.Addr)
		}
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("LEADDESK_TLS_CERT", "LEADDESK_TLS_CERT and LEADDESK_TLS_KEY must be set together")
	} else if c.TLSCert != "" {
		if _, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey); err != nil {
			bad("LEADDESK_TLS_CERT", "cannot load the certificate and key: %v", err)
		}
	}
}

// BackupTarget is where backups are written: LEADDESK_BACKUP_DIR, else DATA_DIR/backups (which only
// the automatic pre-upgrade backups use).
func (c *Config) BackupTarget() string {
	if c.BackupDir != "" {
		return c.BackupDir
	}
	return filepath.Join(c.DataDir, "backups")
}

// Value is one setting as in effect, for Admin › System; a secret's value is masked.
type Value struct {
	Env, Value string
	IsDefault  bool
}

// Values lists every setting's value in effect. Client secrets and the session key show only whether
// they are set, and the SMTP URL without its password.
func (c *Config) Values() []Value {
	var out []Value
	for _, s := range c.settings() {
		v := Value{Env: s.env, Value: *s.dst, IsDefault: *s.dst == s.def}
		switch {
		case v.Value == "":
		case strings.HasSuffix(s.env, "_SECRET") || s.env == "LEADDESK_SESSION_KEY":
			v.Value = "••••••"
		case s.env == "LEADDESK_SMTP_URL":
			if u, err := url.Parse(v.Value); err == nil && u.User != nil {
				if _, ok := u.User.Password(); ok {
					u.User = url.UserPassword(u.User.Username(), "xxxxxx")
					v.Value = strings.Replace(u.String(), "xxxxxx", "••••••", 1)
				}
			}
		}
		out = append(out, v)
	}
	out = append(out, Value{Env: "LEADDESK_SIGNIN_DOMAINS", Value: strings.Join(c.SignInDomains, ","), IsDefault: len(c.SignInDomains) == 0})
	return out
}

// entraMultiTenant are the Entra ID authorities that let users of any tenant sign in.
var entraMultiTenant = []string{"", "common", "organizations", "consumers"}

// validateEntra refuses a Microsoft sign-in open to every tenant: anyone can make a tenant and give a
// user there any mail address ("nOAuth"), so the tenants whose users may sign in must be named.
func (c *Config) validateEntra(bad func(env, format string, a ...any)) {
	c.EntraAllowedTenants = append(c.EntraAllowedTenants, splitList(c.entraAllowedRaw)...)
	for _, t := range c.EntraAllowedTenants {
		if !IsTenantID(t) {
			bad("LEADDESK_ENTRA_ALLOWED_TENANTS", "%q is not a tenant ID (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47)", t)
		}
	}
	t := strings.ToLower(strings.TrimSpace(c.Entra.Tenant))
	switch {
	case t == "consumers":
		bad("LEADDESK_ENTRA_TENANT", "consumers (personal Microsoft accounts) cannot be used; give your directory (tenant) ID")
	case t == "" && len(c.EntraAllowedTenants) == 0:
		bad("LEADDESK_ENTRA_TENANT", "is required with Microsoft sign-in: give your directory (tenant) ID, or list tenant IDs in LEADDESK_ENTRA_ALLOWED_TENANTS (any other tenant's users could set their mail to a colleague's address)")
	case slices.Contains(entraMultiTenant, t) && len(c.EntraAllowedTenants) == 0:
		bad("LEADDESK_ENTRA_TENANT", "%q lets users of any Microsoft tenant sign in; give your directory (tenant) ID, or list tenant IDs in LEADDESK_ENTRA_ALLOWED_TENANTS", c.Entra.Tenant)
	case !slices.Contains(entraMultiTenant, t) && !IsTenantID(t) && len(c.EntraAllowedTenants) == 0:
		bad("LEADDESK_ENTRA_ALLOWED_TENANTS", "is required when LEADDESK_ENTRA_TENANT is a domain name (%s): give that directory's tenant ID", c.Entra.Tenant)
	}
	if u, err := url.Parse(c.EntraAuthority); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		bad("LEADDESK_ENTRA_AUTHORITY", "%q is not a URL such as https://login.microsoftonline.com", c.EntraAuthority)
	}
}

// EntraTenants are the tenant IDs whose users may sign in through Microsoft Entra ID: the configured
// tenant when it is an ID, and the allowed list.
func (c *Config) EntraTenants() []string {
	var out []string
	if t := strings.ToLower(strings.TrimSpace(c.Entra.Tenant)); IsTenantID(t) {
		out = append(out, t)
	}
	for _, t := range c.EntraAllowedTenants {
		if t = strings.ToLower(strings.TrimSpace(t)); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// IsTenantID reports whether s is an Entra ID tenant ID (a GUID).
func IsTenantID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", r):
			return false
		}
	}
	return true
}

// parseCIDRs parses comma-separated CIDRs; a bare address stands for itself alone.
func parseCIDRs(s string) ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !strings.Contains(p, "/") {
			ip := net.ParseIP(p)
			if ip == nil {
				return nil, fmt.Errorf("%q is not an address or CIDR such as 10.0.0.0/8", p)
			}
			bits := 128
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			out = append(out, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(p)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or CIDR such as 10.0.0.0/8", p)
		}
		out = append(out, n)
	}
	return out, nil
}

// SMTP is a parsed LEADDESK_SMTP_URL.
type SMTP struct {
	Host, Port         string
	Username, Password string
	ImplicitTLS        bool // smtps://
}

// ParseSMTPURL parses smtp://user:pass@host:port or smtps://user:pass@host:port.
func ParseSMTPURL(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("cannot be parsed; use smtp://user:pass@host:port")
	}
	s := &SMTP{Host: u.Hostname(), Port: u.Port()}
	switch u.Scheme {
	case "smtp":
		if s.Port == "" {
			s.Port = "587"
		}
	case "smtps":
		s.ImplicitTLS = true
		if s.Port == "" {
			s.Port = "465"
		}
	default:
		return nil, fmt.Errorf("scheme %q is not smtp or smtps; use smtp://user:pass@host:port", u.Scheme)
	}
	if s.Host == "" {
		return nil, fmt.Errorf("has no host; use smtp://user:pass@host:port")
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	return s, nil
}
