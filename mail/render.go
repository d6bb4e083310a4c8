package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"net/url"
	"strings"
	texttemplate "text/template"
	"time"

	"leaddesk/db"
	"leaddesk/views"
)

//go:embed templates
var templateFS embed.FS

// Kinds are the messages Leaddesk sends; each has templates/<kind>.txt (subject and text body) and
// templates/<kind>.html (the HTML body).
var Kinds = []string{"new_lead", "digest", "decline_customer", "decline_sender", "expired_sender", "expiry_reminder", "invitation", "password_reset", "webhook_disabled",
	KindWeeklySummary, KindToday, "response_due_soon", "response_missed"}

// internalKinds go to the team (they get the link to their settings); the others go to customers,
// senders of referrals and invitees.
var internalKinds = map[string]bool{"new_lead": true, "digest": true, "expiry_reminder": true, "webhook_disabled": true,
	KindWeeklySummary: true, KindToday: true, "response_due_soon": true, "response_missed": true}

// scheduledKinds are the mails a user chose on the Settings page (scheduled.go): their footer says
// where to switch them off.
var scheduledKinds = map[string]bool{KindWeeklySummary: true, KindToday: true}

// Rendered is one message ready to be turned into MIME.
type Rendered struct {
	Subject string
	Text    string
	HTML    string
}

// Renderer turns outbox rows into subject, text and HTML in the recipient's language. The text part
// comes from text/template and the HTML part from html/template, so a customer's name containing
// markup is shown as text in the HTML part, never interpreted.
type Renderer struct {
	cat     *views.Catalog
	loc     *time.Location
	baseURL string
	text    map[string]map[string]*texttemplate.Template // lang → kind
	html    map[string]map[string]*htmltemplate.Template
}

// NewRenderer parses every template once per language; a template that does not parse stops the start.
func NewRenderer(cat *views.Catalog, loc *time.Location, baseURL string) (*Renderer, error) {
	if loc == nil {
		loc = time.UTC
	}
	r := &Renderer{cat: cat, loc: loc, baseURL: strings.TrimRight(baseURL, "/"),
		text: map[string]map[string]*texttemplate.Template{}, html: map[string]map[string]*htmltemplate.Template{}}
	for _, lang := range views.Languages {
		r.text[lang] = map[string]*texttemplate.Template{}
		r.html[lang] = map[string]*htmltemplate.Template{}
		funcs := r.funcs(lang)
		for _, kind := range Kinds {
			tt, err := texttemplate.New(kind).Funcs(funcs).ParseFS(templateFS, "templates/layout.txt", "templates/"+kind+".txt")
			if err != nil {
				return nil, fmt.Errorf("mail: parse %s.txt: %w", kind, err)
			}
			ht, err := htmltemplate.New(kind).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+kind+".html")
			if err != nil {
				return nil, fmt.Errorf("mail: parse %s.html: %w", kind, err)
			}
			r.text[lang][kind], r.html[lang][kind] = tt, ht
		}
	}
	return r, nil
}

func (r *Renderer) funcs(lang string) map[string]any {
	return map[string]any{
		"t":        func(key string, args ...any) string { return r.cat.T(lang, key, args...) },
		"date":     func(v any) string { return r.formatTime(v, lang, false) },
		"datetime": func(v any) string { return r.formatTime(v, lang, true) },
		"sub":      func(a, b int) int { return a - b },
		"summary":  func(p map[string]any) ([]summaryRow, error) { return r.summaryRows(lang, p) },
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	}
}

// formatTime shows unix seconds (as JSON numbers arrive) or a YYYY-MM-DD day in the configured zone.
func (r *Renderer) formatTime(v any, lang string, withTime bool) string {
	var t time.Time
	switch x := v.(type) {
	case float64:
		t = time.Unix(int64(x), 0)
	case int64:
		t = time.Unix(x, 0)
	case string:
		d, err := time.ParseInLocation("2006-01-02", x, r.loc)
		if err != nil {
			return x
		}
		t, withTime = d, false
	default:
		return ""
	}
	t = t.In(r.loc)
	layout := map[bool]map[bool]string{
		true:  {false: "2006年1月2日", true: "2006年1月2日 15:04 (MST)"},
		false: {false: "Jan 2, 2006", true: "Jan 2, 2006 15:04 (MST)"},
	}[lang == "ja"][withTime]
	return t.Format(layout)
}

// mailData is what a mail template sees.
type mailData struct {
	P           map[string]any
	Name        string
	Lang        string
	Subject     string
	Internal    bool
	Scheduled   bool // one of the scheduled mails: the footer links to Settings, where it is switched off
	SettingsURL string
}

// Render renders one outbox row.
func (r *Renderer) Render(m *db.OutboxRow) (*Rendered, error) {
	lang := m.Lang
	if !views.ValidLanguage(lang) {
		lang = views.Languages[0]
	}
	tt, ok := r.text[lang][m.Kind]
	if !ok {
		return nil, fmt.Errorf("mail: no template for %q", m.Kind)
	}
	data := &mailData{P: m.Params, Name: CleanHeader(m.ToName), Lang: lang, Internal: internalKinds[m.Kind],
		SettingsURL: r.baseURL + "/settings/notifications"}
	if scheduledKinds[m.Kind] {
		data.Scheduled, data.SettingsURL = true, r.baseURL+"/settings#scheduled-mails"
	}
	if data.P == nil {
		data.P = map[string]any{}
	}
	var subj, text, html bytes.Buffer
	if err := tt.ExecuteTemplate(&subj, "subject", data); err != nil {
		return nil, fmt.Errorf("mail: render %s subject: %w", m.Kind, err)
	}
	data.Subject = CleanHeader(subj.String())
	if err := tt.ExecuteTemplate(&text, "text", data); err != nil {
		return nil, fmt.Errorf("mail: render %s text: %w", m.Kind, err)
	}
	if err := r.html[lang][m.Kind].ExecuteTemplate(&html, "html", data); err != nil {
		return nil, fmt.Errorf("mail: render %s html: %w", m.Kind, err)
	}
	return &Rendered{Subject: data.Subject, Text: strings.TrimSpace(text.String()) + "\n", HTML: html.String()}, nil
}

// CleanHeader makes a value safe for one header line: line breaks and other control characters
// become spaces, so a name like "Bob\r\nBcc: x@evil" cannot start a header of its own.
func CleanHeader(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// MessageID is a message's stable Message-ID: it derives from the outbox id and the instance's host,
// so a resend or a retry after a crash carries the same id and mail clients see one message.
func MessageID(outboxID int64, baseURL string) string {
	host := "leaddesk.local"
	if u, err := url.Parse(baseURL); err == nil && u.Hostname() != "" && !strings.Contains(u.Hostname(), ":") {
		host = u.Hostname()
	}
	return fmt.Sprintf("<outbox-%d@%s>", outboxID, host)
}
