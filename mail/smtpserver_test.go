package mail_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message as the test SMTP server got it.
type received struct {
	From    string
	To      []string
	Raw     string
	Header  netmail.Header
	Subject string
	Text    string
	HTML    string
	TLS     bool
	Authed  bool
}

// testSMTP is a real SMTP server (emersion/go-smtp) inside the test process.
type testSMTP struct {
	t        *testing.T
	addr     string
	implicit bool
	tlsCfg   *tls.Config
	user     string
	pass     string
	mu       sync.Mutex
	srv      *smtp.Server
	msgs     []received
	refuse   map[string]bool
	certPool *x509.CertPool
}

type smtpOpt func(*testSMTP)

// withTLS gives the server a self-signed certificate for its address: STARTTLS, or implicit TLS.
func withTLS(implicit bool) smtpOpt {
	return func(s *testSMTP) {
		host, _, _ := net.SplitHostPort(s.addr)
		cert, pool := selfSigned(s.t, net.ParseIP(host))
		s.tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}}
		s.certPool = pool
		s.implicit = implicit
	}
}

// withAuth makes the server require AUTH PLAIN with these credentials.
func withAuth(user, pass string) smtpOpt { return func(s *testSMTP) { s.user, s.pass = user, pass } }

func startSMTP(t *testing.T, opts ...smtpOpt) *testSMTP {
	t.Helper()
	// An address of its own in 127.0.0.0/8: while the server is stopped (an outage), no other test
	// process's server can take over its port and answer in its place.
	s := &testSMTP{t: t, refuse: map[string]bool{}, addr: ownLoopback() + ":0"}
	for _, o := range opts {
		o(s)
	}
	s.start()
	t.Cleanup(s.stop)
	return s
}

// start listens (again, on the same port after stop) and serves.
func (s *testSMTP) start() {
	s.t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the old socket may take a moment to free its port
		if s.implicit {
			ln, err = tls.Listen("tcp", s.addr, s.tlsCfg)
		} else {
			ln, err = net.Listen("tcp", s.addr)
		}
		if err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("smtp listen: %v", err)
	}
	s.addr = ln.Addr().String()
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{s: s, conn: c}, nil }))
	srv.Domain = "mx.test"
	srv.AllowInsecureAuth = s.tlsCfg == nil
	if !s.implicit {
		srv.TLSConfig = s.tlsCfg
	}
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go srv.Serve(ln)
}

// stop takes the server down (an outage); start brings it back on the same address.
func (s *testSMTP) stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

func (s *testSMTP) url(userinfo string) string {
	scheme := "smtp://"
	if s.implicit {
		scheme = "smtps://"
	}
	if userinfo != "" {
		userinfo += "@"
	}
	return scheme + userinfo + s.addr
}

// messages returns what arrived so far.
func (s *testSMTP) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

// to returns the messages that arrived for one address.
func (s *testSMTP) to(addr string) []received {
	var out []received
	for _, m := range s.messages() {
		for _, r := range m.To {
			if strings.EqualFold(r, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

type session struct {
	s      *testSMTP
	conn   *smtp.Conn
	from   string
	to     []string
	authed bool
}

func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (x *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != x.s.user || password != x.s.pass {
			return errors.New("invalid credentials")
		}
		x.authed = true
		return nil
	}), nil
}
func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.user != "" && !x.authed {
		return smtp.ErrAuthRequired
	}
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	refused := x.s.refuse[strings.ToLower(to)]
	x.s.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	}
	x.to = append(x.to, to)
	return nil
}
func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := x.conn.TLSConnectionState()
	m := parseMessage(x.s.t, raw)
	m.From, m.To, m.TLS, m.Authed = x.from, append([]string(nil), x.to...), isTLS, x.authed
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, m)
	x.s.mu.Unlock()
	return nil
}

// parseMessage reads headers, the decoded subject and the text and HTML parts.
func parseMessage(t *testing.T, raw []byte) received {
	m := received{Raw: string(raw)}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Errorf("unparseable message: %v\n%s", err, raw)
		return m
	}
	m.Header = msg.Header
	dec := new(mime.WordDecoder)
	m.Subject, _ = dec.DecodeHeader(msg.Header.Get("Subject"))
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Errorf("content type: %v", err)
		return m
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		var body []byte
		if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			body, _ = io.ReadAll(quotedprintable.NewReader(p))
		} else {
			body, _ = io.ReadAll(p)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			m.Text = string(body)
		} else if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			m.HTML = string(body)
		}
	}
	return m
}

// ownLoopback picks a random address in 127.0.0.0/8 (all of it is loopback on Linux).
func ownLoopback() string {
	var b [3]byte
	rand.Read(b[:])
	return net.IPv4(127, b[0], b[1], b[2]|1).String()
}

// selfSigned makes a certificate for ip and a pool that trusts it.
func selfSigned(t *testing.T, ip net.IP) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mx.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{ip}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}
