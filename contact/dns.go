package contact

import (
	"container/list"
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/idna"
)

// Defaults of a Resolver: a lookup that takes longer than LookupTimeout says nothing (unknown), an
// answer is kept for CacheTTL (an unanswered question for UnknownTTL, so a resolver that recovers is
// asked again soon), and at most CacheSize domains are remembered.
const (
	LookupTimeout = 2 * time.Second
	CacheTTL      = time.Hour
	UnknownTTL    = time.Minute
	CacheSize     = 100_000
)

// breakerAfter consecutive unanswered lookups make the Resolver stop asking for breakerPause: a
// resolver that is down must not cost every distinct domain of a million-row import its full timeout.
const (
	breakerAfter = 3
	breakerPause = 30 * time.Second
)

// Resolver tells whether an email domain can receive mail (MX records, else A/AAAA records: RFC 5321
// §5.1) by asking a DNS server, with a short timeout and a bounded cache with expiry. A nil *Resolver
// is "off": MailDomain answers "" and callers keep their offline checks.
type Resolver struct {
	dns     *net.Resolver
	timeout time.Duration
	now     func() time.Time

	mu      sync.Mutex
	cache   map[string]*list.Element // domain → element of lru holding a *cacheEntry
	lru     *list.List               // most recently used first
	max     int
	misses  int       // consecutive unanswered lookups
	pauseTo time.Time // no lookups before this time (breaker open)
}

type cacheEntry struct {
	domain  string
	verdict string
	expires time.Time
}

// NewResolver builds the resolver LEADDESK_DNS names: "off" gives nil (no lookups), "" the system's
// resolver, "host:port" that DNS server (UDP, falling back to TCP for long answers). now is the clock
// the cache expires by.
func NewResolver(server string, now func() time.Time) *Resolver {
	if server == "off" {
		return nil
	}
	r := &net.Resolver{PreferGo: true}
	if server != "" {
		r.Dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, server)
		}
	}
	return &Resolver{dns: r, timeout: LookupTimeout, now: now, cache: map[string]*list.Element{}, lru: list.New(), max: CacheSize}
}

// WithLimits sets the lookup timeout and the cache size (tests and tuning); it returns r.
func (r *Resolver) WithLimits(timeout time.Duration, size int) *Resolver {
	if r != nil {
		r.timeout, r.max = timeout, max(size, 1)
	}
	return r
}

// MailDomain answers Valid when domain has MX records (or, lacking them, an A or AAAA record), Invalid
// when it does not exist (NXDOMAIN) or has neither (or only the null MX of RFC 7505), and Unknown when
// the server gave no answer in time. A nil Resolver answers "" (not checked).
func (r *Resolver) MailDomain(ctx context.Context, domain string) string {
	if r == nil {
		return ""
	}
	domain = strings.TrimSuffix(strings.ToLower(domain), ".")
	if v, ok := r.cached(domain); ok {
		return v
	}
	if r.paused() {
		return Unknown
	}
	v := r.lookup(ctx, domain)
	r.store(domain, v)
	return v
}

// Prefetch looks up every domain not yet cached, several at a time, so that the checks that follow
// (a CSV import's batch) find them in the cache; it returns when all are answered or ctx ends.
func (r *Resolver) Prefetch(ctx context.Context, domains []string) {
	if r == nil || len(domains) == 0 {
		return
	}
	const workers = 16
	work := make(chan string)
	var wg sync.WaitGroup
	for range min(workers, len(domains)) {
		wg.Go(func() {
			for d := range work {
				r.MailDomain(ctx, d)
			}
		})
	}
	seen := make(map[string]bool, len(domains))
	for _, d := range domains {
		if seen[d] {
			continue
		}
		seen[d] = true
		if _, ok := r.cached(d); ok {
			continue
		}
		select {
		case work <- d:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
}

func (r *Resolver) lookup(ctx context.Context, domain string) string {
	ascii, err := idna.Lookup.ToASCII(domain) // 例え.jp is asked as xn--r8jz45g.jp
	if err != nil {
		return Unknown
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	fqdn := ascii + "." // rooted: no search-list suffixes from resolv.conf
	mx, err := r.dns.LookupMX(ctx, fqdn)
	switch {
	case err == nil && len(mx) == 1 && (mx[0].Host == "." || mx[0].Host == ""):
		return r.answered(Invalid) // null MX: the domain says it takes no mail
	case err == nil && len(mx) > 0:
		return r.answered(Valid)
	case err != nil && !notFound(err):
		return r.unanswered()
	}
	ips, err := r.dns.LookupIPAddr(ctx, fqdn)
	switch {
	case err == nil && len(ips) > 0:
		return r.answered(Valid)
	case err != nil && !notFound(err):
		return r.unanswered()
	}
	return r.answered(Invalid)
}

// notFound tells an answer that the name or record does not exist from a timeout or a failing server.
func notFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

func (r *Resolver) answered(v string) string {
	r.mu.Lock()
	r.misses = 0
	r.mu.Unlock()
	return v
}

func (r *Resolver) unanswered() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.misses++
	if r.misses >= breakerAfter {
		r.pauseTo, r.misses = r.now().Add(breakerPause), 0
	}
	return Unknown
}

func (r *Resolver) paused() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.now().Before(r.pauseTo)
}

func (r *Resolver) cached(domain string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	el, ok := r.cache[domain]
	if !ok {
		return "", false
	}
	e := el.Value.(*cacheEntry)
	if !r.now().Before(e.expires) {
		r.lru.Remove(el)
		delete(r.cache, domain)
		return "", false
	}
	r.lru.MoveToFront(el)
	return e.verdict, true
}

func (r *Resolver) store(domain, verdict string) {
	ttl := CacheTTL
	if verdict == Unknown {
		ttl = UnknownTTL
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e := &cacheEntry{domain: domain, verdict: verdict, expires: r.now().Add(ttl)}
	if el, ok := r.cache[domain]; ok {
		el.Value = e
		r.lru.MoveToFront(el)
		return
	}
	r.cache[domain] = r.lru.PushFront(e)
	for r.lru.Len() > r.max {
		old := r.lru.Back()
		r.lru.Remove(old)
		delete(r.cache, old.Value.(*cacheEntry).domain)
	}
}
