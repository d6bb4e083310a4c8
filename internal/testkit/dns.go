package testkit

import (
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// DNSServer is a real DNS server on loopback (github.com/miekg/dns) answering from a fixed zone, so
// email-domain checks are tested against the wire protocol without asking any outside resolver.
type DNSServer struct {
	Addr string // host:port, for LEADDESK_DNS / contact.NewResolver

	mu      sync.Mutex
	queries map[string]int // "name. TYPE" → how many questions arrived
}

// NewDNSServer serves records (zone-file lines such as "example.com. 300 IN MX 10 mail.example.com.")
// over UDP on 127.0.0.1 until the test ends. A name with records answers NOERROR (with no answer when
// it lacks the type asked), any other name NXDOMAIN.
func NewDNSServer(t testing.TB, records ...string) *DNSServer {
	t.Helper()
	var rrs []dns.RR
	for _, line := range records {
		rr, err := dns.NewRR(line)
		if err != nil {
			t.Fatalf("dns record %q: %v", line, err)
		}
		rrs = append(rrs, rr)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &DNSServer{Addr: pc.LocalAddr().String(), queries: map[string]int{}}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		m.Authoritative = true
		if len(req.Question) == 1 {
			q := req.Question[0]
			s.mu.Lock()
			s.queries[strings.ToLower(q.Name)+" "+dns.TypeToString[q.Qtype]]++
			s.mu.Unlock()
			known := false
			for _, rr := range rrs {
				if strings.EqualFold(rr.Header().Name, q.Name) {
					known = true
					if rr.Header().Rrtype == q.Qtype {
						m.Answer = append(m.Answer, rr)
					}
				}
			}
			if !known {
				m.Rcode = dns.RcodeNameError
			}
		}
		w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	return s
}

// Queries is how many questions of type qtype ("MX", "A", …) about name (rooted, "example.com.")
// the server received.
func (s *DNSServer) Queries(name, qtype string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries[strings.ToLower(name)+" "+qtype]
}

// SilentDNSServer is a loopback UDP address that receives questions and never answers, as a resolver
// that is down or filtered does; it returns the address.
func SilentDNSServer(t testing.TB) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	return pc.LocalAddr().String()
}
