package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Guard decides which addresses Leaddesk may send webhooks to (no SSRF): public addresses only —
// never private, loopback, link-local (cloud metadata at 169.254.169.254 among them), shared (CGNAT),
// multicast or reserved ones — except loopback when AllowLoopback is set for development
// (LEADDESK_WEBHOOKS_ALLOW_LOOPBACK=1). The check runs on the address actually dialled, after DNS
// resolution (Control), so a name that resolves to a public address when the endpoint is saved and to
// a private one when a delivery goes out (DNS rebinding) is refused all the same.
type Guard struct {
	AllowLoopback bool
	// loopbackOnly is set for plain-http targets, which only loopback may be.
	loopbackOnly bool
}

// ErrRefusedAddress marks a target address the guard refuses.
var ErrRefusedAddress = errors.New("address not allowed")

// blocked are the ranges that are neither private nor loopback by net/netip's tests but must not be
// reached either.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (CGNAT; Alibaba's metadata)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64: would reach any IPv4 address, private ones too
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001:db8::/32"), // documentation
}

// CheckAddr reports why addr may not be dialled, or nil.
func (g Guard) CheckAddr(addr netip.Addr) error {
	addr = addr.Unmap()
	if addr.IsLoopback() {
		if g.AllowLoopback {
			return nil
		}
		return fmt.Errorf("%w: %s is a loopback address", ErrRefusedAddress, addr)
	}
	if g.loopbackOnly {
		return fmt.Errorf("%w: plain http is only allowed to loopback, %s is not", ErrRefusedAddress, addr)
	}
	switch {
	case !addr.IsValid(), addr.IsUnspecified():
		return fmt.Errorf("%w: %s is unspecified", ErrRefusedAddress, addr)
	case addr.IsPrivate():
		return fmt.Errorf("%w: %s is a private address", ErrRefusedAddress, addr)
	case addr.IsLinkLocalUnicast(), addr.IsLinkLocalMulticast():
		return fmt.Errorf("%w: %s is a link-local (metadata) address", ErrRefusedAddress, addr)
	case addr.IsMulticast(), addr.IsInterfaceLocalMulticast():
		return fmt.Errorf("%w: %s is a multicast address", ErrRefusedAddress, addr)
	}
	for _, p := range blocked {
		if p.Contains(addr) {
			return fmt.Errorf("%w: %s is a reserved address", ErrRefusedAddress, addr)
		}
	}
	return nil
}

// control is the net.Dialer Control function: it sees the resolved address about to be connected.
func (g Guard) control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrRefusedAddress, address)
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("%w: %q is not an IP address", ErrRefusedAddress, host)
	}
	return g.CheckAddr(addr)
}

// forScheme is the guard for one target's scheme: plain http may only reach loopback.
func (g Guard) forScheme(scheme string) Guard {
	g.loopbackOnly = scheme == "http"
	return g
}

// Client returns an HTTP client that dials only what the guard allows, uses no proxy (a proxy would
// dial for us, past the check), follows no redirect (a receiver could point us anywhere) and gives up
// after timeout.
func (g Guard) Client(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: timeout, Control: g.control}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// URLProblem is why a target URL is refused, for the form; Code picks the message.
type URLProblem struct {
	Code   string // "url", "scheme", "address", "resolve"
	Detail string
}

func (p *URLProblem) Error() string { return "webhooks: target URL: " + p.Code + ": " + p.Detail }

// CheckURL validates a target URL when an endpoint is saved: an absolute https URL (http only to
// loopback when that is allowed), no credentials in it, and a host whose every address the guard
// allows now. The dial-time check still runs on every delivery.
func (g Guard) CheckURL(ctx context.Context, raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.Hostname() == "" || u.User != nil || u.Fragment != "" {
		return &URLProblem{Code: "url", Detail: raw}
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !g.AllowLoopback {
			return &URLProblem{Code: "scheme", Detail: u.Scheme}
		}
	default:
		return &URLProblem{Code: "scheme", Detail: u.Scheme}
	}
	sg := g.forScheme(u.Scheme)
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil {
		addrs = []netip.Addr{a}
	} else {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		addrs, err = net.DefaultResolver.LookupNetIP(rctx, "ip", u.Hostname())
		if err != nil || len(addrs) == 0 {
			return &URLProblem{Code: "resolve", Detail: u.Hostname()}
		}
	}
	for _, a := range addrs {
		if err := sg.CheckAddr(a); err != nil {
			return &URLProblem{Code: "address", Detail: err.Error()}
		}
	}
	return nil
}
