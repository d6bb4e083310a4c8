package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"time"

	"leaddesk/config"
)

// Transport delivers one raw message to its recipients.
type Transport interface {
	Send(ctx context.Context, from string, to []string, raw []byte) error
}

// SMTPTransport speaks SMTP to the server of LEADDESK_SMTP_URL: implicit TLS for smtps://, STARTTLS
// whenever the server offers it for smtp://, and AUTH PLAIN when the URL carries credentials (Go's
// PlainAuth refuses to send them unencrypted except to localhost).
type SMTPTransport struct {
	Server  config.SMTP
	Timeout time.Duration // for the whole conversation; default 60 s
	Hello   string        // EHLO name; default "localhost"
	// RootCAs is a test-only hook: the certificates to trust instead of the system's. Verification
	// itself is never turned off.
	RootCAs *x509.CertPool
}

// NewSMTPTransport returns a transport for a parsed LEADDESK_SMTP_URL.
func NewSMTPTransport(s config.SMTP) *SMTPTransport { return &SMTPTransport{Server: s} }

// PermanentError is a refusal the server will repeat on every try (a 5xx answer to a recipient or to
// the message): the outbox marks the message failed instead of retrying it.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a permanent refusal.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}

// permanentIf5xx wraps a 5xx server answer as permanent; anything else (4xx, network) stays temporary.
func permanentIf5xx(step string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return &PermanentError{Err: fmt.Errorf("%s: %d %s", step, te.Code, te.Msg)}
	}
	return fmt.Errorf("%s: %w", step, err)
}

func (t *SMTPTransport) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: t.Server.Host, RootCAs: t.RootCAs, MinVersion: tls.VersionTLS12}
}

// Send delivers raw to every address in to, in one SMTP conversation.
func (t *SMTPTransport) Send(ctx context.Context, from string, to []string, raw []byte) error {
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	addr := net.JoinHostPort(t.Server.Host, t.Server.Port)
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", addr, err)
	}
	_ = conn.SetDeadline(time.Now().Add(timeout))
	if t.Server.ImplicitTLS {
		tc := tls.Client(conn, t.tlsConfig())
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return fmt.Errorf("tls with %s: %w", addr, err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, t.Server.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("greeting from %s: %w", addr, err)
	}
	defer c.Close()
	hello := t.Hello
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return fmt.Errorf("ehlo: %w", err)
	}
	if !t.Server.ImplicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(t.tlsConfig()); err != nil {
				return fmt.Errorf("starttls: %w", err)
			}
		}
	}
	if t.Server.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fmt.Errorf("auth: %s does not offer AUTH, but LEADDESK_SMTP_URL has credentials", addr)
		}
		// A wrong password is the operator's to fix, not the message's fault: it stays temporary.
		if err := c.Auth(smtp.PlainAuth("", t.Server.Username, t.Server.Password, t.Server.Host)); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt); err != nil {
			return permanentIf5xx("rcpt to "+rcpt, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return permanentIf5xx("data", err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := w.Close(); err != nil {
		return permanentIf5xx("data", err)
	}
	// The message is accepted once DATA is answered; a failed QUIT does not make it undelivered.
	_ = c.Quit()
	return nil
}
