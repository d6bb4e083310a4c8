package testkit

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
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

	"leaddesk/mail"
)

// Mail is one message as the test SMTP server received it: the envelope, the message as sent and its
// header, the decoded subject and text and HTML parts, and whether the session was TLS and signed in.
type Mail struct {
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

// SMTP is a real SMTP server (emersion/go-smtp) on a loopback address of its own, for tests that
// follow mail from the sender to the mailbox.
type SMTP struct {
	// Addr is where the server listens (host:port); it stays the same across Stop and Start.
	Addr string
	// CertPool trusts the server's certificate; nil without SMTPWithTLS.
	CertPool *x509.CertPool

	t        testing.TB
	implicit bool
	tlsCfg   *tls.Config
	user     string
	pass     string
	mu       sync.Mutex
	srv      *smtp.Server
	msgs     []Mail
	refused  map[string]bool
}

// SMTPOption configures a server for StartSMTP.
type SMTPOption func(*SMTP)

// SMTPWithTLS gives the server a self-signed certificate for its address (trusted by its CertPool):
// STARTTLS, or implicit TLS (smtps).
func SMTPWithTLS(implicit bool) SMTPOption {
	return func(s *SMTP) {
		host, _, _ := net.SplitHostPort(s.Addr)
		cert, pool := SelfSigned(s.t, net.ParseIP(host))
		s.tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}}
		s.CertPool = pool
		s.implicit = implicit
	}
}

// SMTPWithAuth makes the server require AUTH PLAIN with these credentials.
func SMTPWithAuth(user, pass string) SMTPOption {
	return func(s *SMTP) { s.user, s.pass = user, pass }
}

// StartSMTP starts an SMTP server (plain, unless an option says otherwise), stopped when the test ends.
func StartSMTP(t testing.TB, opts ...SMTPOption) *SMTP {
	t.Helper()
	// An address of its own in 127.0.0.0/8: while the server is stopped (an outage), no other test
	// process's server can take over its port and answer in its place.
	s := &SMTP{t: t, refused: map[string]bool{}, Addr: ownLoopback() + ":0"}
	for _, o := range opts {
		o(s)
	}
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Start listens (again, on the same address after Stop) and serves.
func (s *SMTP) Start() {
	s.t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ { // the old socket may take a moment to free its port
		if s.implicit {
			ln, err = tls.Listen("tcp", s.Addr, s.tlsCfg)
		} else {
			ln, err = net.Listen("tcp", s.Addr)
		}
		if err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatalf("smtp listen: %v", err)
	}
	s.Addr = ln.Addr().String()
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &smtpSession{s: s, conn: c}, nil }))
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

// Stop takes the server down, as an outage does; Start brings it back.
func (s *SMTP) Stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// URL is the server's SMTP URL (smtps:// with implicit TLS), with userinfo ("user:pass", "" for none).
func (s *SMTP) URL(userinfo string) string {
	scheme := "smtp://"
	if s.implicit {
		scheme = "smtps://"
	}
	if userinfo != "" {
		userinfo += "@"
	}
	return scheme + userinfo + s.Addr
}

// Refuse makes the server answer 550 5.1.1 (no such user) to the recipient addr from now on.
func (s *SMTP) Refuse(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused[strings.ToLower(addr)] = true
}

// To returns the messages received for addr so far, in order.
func (s *SMTP) To(addr string) []Mail {
	var out []Mail
	for _, m := range s.All() {
		for _, r := range m.To {
			if strings.EqualFold(r, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

// All returns every message received so far, in order.
func (s *SMTP) All() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.msgs...)
}

// DeliverMail runs the server's outbox sender once, as of its clock, into smtpSrv — what the
// mail-sender job does on its tick.
func (s *Server) DeliverMail(smtpSrv *SMTP) {
	s.T.Helper()
	cfg := *s.Cfg
	cfg.SMTPURL = smtpSrv.URL("")
	cfg.MailFrom = "Leaddesk <leaddesk@leads.example.com>"
	sender, err := mail.NewSender(&cfg, s.DB, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		s.T.Fatalf("mail sender: %v", err)
	}
	if tr, ok := sender.Transport.(*mail.SMTPTransport); ok {
		tr.RootCAs = smtpSrv.CertPool
		tr.Timeout = 5 * time.Second
	}
	if err := sender.Run(context.Background(), s.Clock.Now()); err != nil {
		s.T.Fatalf("mail sender run: %v", err)
	}
}

type smtpSession struct {
	s      *SMTP
	conn   *smtp.Conn
	from   string
	to     []string
	authed bool
}

func (x *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (x *smtpSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != x.s.user || password != x.s.pass {
			return errors.New("invalid credentials")
		}
		x.authed = true
		return nil
	}), nil
}
func (x *smtpSession) Reset()        { x.from, x.to = "", nil }
func (x *smtpSession) Logout() error { return nil }
func (x *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if x.s.user != "" && !x.authed {
		return smtp.ErrAuthRequired
	}
	x.from = from
	return nil
}
func (x *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	refused := x.s.refused[strings.ToLower(to)]
	x.s.mu.Unlock()
	if refused {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	}
	x.to = append(x.to, to)
	return nil
}
func (x *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := x.conn.TLSConnectionState()
	m := parseMail(x.s.t, raw)
	m.From, m.To, m.TLS, m.Authed = x.from, append([]string(nil), x.to...), isTLS, x.authed
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, m)
	x.s.mu.Unlock()
	return nil
}

// parseMail reads the header, the decoded subject and the text and HTML parts of a
// multipart/alternative message.
func parseMail(t testing.TB, raw []byte) Mail {
	m := Mail{Raw: string(raw)}
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Errorf("unparseable message: %v\n%s", err, raw)
		return m
	}
	m.Header = msg.Header
	m.Subject, _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
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
		switch ct := p.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/plain"):
			m.Text = string(body)
		case strings.HasPrefix(ct, "text/html"):
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

// SelfSigned makes a certificate for ip, valid for an hour either side of now, and a pool that
// trusts it.
func SelfSigned(t testing.TB, ip net.IP) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "leaddesk test"},
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
