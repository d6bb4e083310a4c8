package testkit

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"leaddesk/mail"
)

// Mail is one message as the test SMTP server received it, decoded.
type Mail struct {
	To      []string
	Subject string
	Text    string
	HTML    string
}

// SMTP is a real SMTP server (emersion/go-smtp) on loopback, for tests that follow a lead's mail from
// the endpoint that received the lead to the mailbox.
type SMTP struct {
	t    testing.TB
	Addr string
	mu   sync.Mutex
	msgs []Mail
}

// StartSMTP starts a plain SMTP server on 127.0.0.1, stopped when the test ends.
func StartSMTP(t testing.TB) *SMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtp listen: %v", err)
	}
	s := &SMTP{t: t, Addr: ln.Addr().String()}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s: s}, nil }))
	srv.Domain = "mx.test"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s
}

// To returns the messages received for addr so far, in order.
func (s *SMTP) To(addr string) []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Mail
	for _, m := range s.msgs {
		for _, r := range m.To {
			if strings.EqualFold(r, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

// All returns every message received so far.
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
	cfg.SMTPURL = "smtp://" + smtpSrv.Addr
	cfg.MailFrom = "Leaddesk <leaddesk@leads.example.com>"
	sender, err := mail.NewSender(&cfg, s.DB, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		s.T.Fatalf("mail sender: %v", err)
	}
	if tr, ok := sender.Transport.(*mail.SMTPTransport); ok {
		tr.Timeout = 5 * time.Second
	}
	if err := sender.Run(context.Background(), s.Clock.Now()); err != nil {
		s.T.Fatalf("mail sender run: %v", err)
	}
}

type smtpSession struct {
	s  *SMTP
	to []string
}

func (x *smtpSession) Reset()                                    { x.to = nil }
func (x *smtpSession) Logout() error                             { return nil }
func (x *smtpSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (x *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error { x.to = append(x.to, to); return nil }
func (x *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := parseMail(x.s.t, raw)
	m.To = append([]string(nil), x.to...)
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, m)
	x.s.mu.Unlock()
	return nil
}

// parseMail decodes the subject and the text and HTML parts of a multipart/alternative message.
func parseMail(t testing.TB, raw []byte) Mail {
	var m Mail
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Errorf("unparseable message: %v", err)
		return m
	}
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
