package webhooks

import (
	"encoding/json"
	"strconv"
	"time"

	"leaddesk/lead"
	"leaddesk/money"
	"leaddesk/views"
)

// ChannelKinds are the chat channels a target can post to.
var ChannelKinds = []string{"teams", "slack"}

// ChannelEvents are what a channel can be told, in the order the form shows them: a lead whose
// customer asked to be contacted (the flame), a lead about to expire unanswered (ExpiringCardBefore
// ahead), and a won deal.
var ChannelEvents = []string{"flame", "expiring", "won"}

// ExpiringCardBefore is how long before a lead's expiry its "expiring" card is posted. The card is
// queued at the expiry reminder (lifecycle.ReminderBefore, earlier) and held until then; a lead
// answered meanwhile is not posted (the delivery is 'skipped').
const ExpiringCardBefore = 24 * time.Hour

// ChannelEvent is the channel event of a domain event, or "".
func ChannelEvent(e lead.Event) string {
	l := e.Subject()
	if l.IsTest {
		return ""
	}
	switch e.(type) {
	case lead.Received:
		if l.Actionable && l.Status == "received" && (l.CTA == "contact_me" || l.CustomerRequestedContact) {
			return "flame"
		}
	case lead.ExpiryNear:
		return "expiring"
	case lead.Won:
		return "won"
	}
	return ""
}

// card is a channel post before it is shaped for Teams or Slack.
type card struct {
	Title     string
	Facts     [][2]string
	Link      string
	LinkLabel string
}

// channelCard writes the post about l for event ev in lang. Contact details only when the admin
// turned them on for the channel, and never for a lead whose contact is hidden.
func channelCard(cat *views.Catalog, loc *time.Location, baseURL, lang, ev string, l *lead.Lead, includeContact bool) card {
	t := func(key string, args ...any) string { return cat.T(lang, key, args...) }
	if loc == nil {
		loc = time.UTC
	}
	company := l.CustomerCompany
	c := card{Link: baseURL + "/leads/" + strconv.FormatInt(l.ID, 10), LinkLabel: t("integ.card.open")}
	switch ev {
	case "flame":
		c.Title = "🔥 " + t("integ.card.flame", company)
	case "expiring":
		when := ""
		if l.ExpiresAt != nil {
			when = l.ExpiresAt.In(loc).Format("2006-01-02 15:04 MST")
		}
		c.Title = "⏰ " + t("integ.card.expiring", company, when)
	case "won":
		c.Title = "🏆 " + t("integ.card.won", company)
		if l.DealName != "" {
			c.Facts = append(c.Facts, [2]string{t("integ.card.deal"), l.DealName})
		}
		if l.Currency != "" {
			c.Facts = append(c.Facts, [2]string{t("integ.card.value"), money.Amount{Minor: l.DealValue, Currency: l.Currency}.Format(lang)})
		}
	}
	if l.OfferTitle != "" {
		c.Facts = append(c.Facts, [2]string{t("integ.card.offer"), l.OfferTitle})
	}
	if l.Country != "" {
		c.Facts = append(c.Facts, [2]string{t("integ.card.country"), views.CountryNameIn(lang, l.Country)})
	}
	if includeContact && !l.ContactHidden() {
		for _, f := range [][2]string{{t("integ.card.contact"), l.ContactName()}, {t("integ.card.email"), l.ContactEmail}, {t("integ.card.phone"), l.ContactPhone}} {
			if f[1] != "" {
				c.Facts = append(c.Facts, f)
			}
		}
	}
	return c
}

// teamsBody is the card as a Teams Workflows / incoming-webhook message with one Adaptive Card.
func teamsBody(c card) ([]byte, error) {
	facts := make([]map[string]string, 0, len(c.Facts))
	for _, f := range c.Facts {
		facts = append(facts, map[string]string{"title": f[0], "value": f[1]})
	}
	body := []any{map[string]any{"type": "TextBlock", "text": c.Title, "weight": "Bolder", "size": "Medium", "wrap": true}}
	if len(facts) > 0 {
		body = append(body, map[string]any{"type": "FactSet", "facts": facts})
	}
	return json.Marshal(map[string]any{
		"type": "message",
		"attachments": []any{map[string]any{
			"contentType": "application/vnd.microsoft.card.adaptive",
			"content": map[string]any{
				"$schema": "http://adaptivecards.io/schemas/adaptive-card.json", "type": "AdaptiveCard", "version": "1.4",
				"body":    body,
				"actions": []any{map[string]any{"type": "Action.OpenUrl", "title": c.LinkLabel, "url": c.Link}},
			},
		}},
	})
}

// slackBody is the card as a Slack incoming-webhook message in Block Kit, with the title as the
// notification text.
func slackBody(c card) ([]byte, error) {
	blocks := []any{map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "*" + slackEscape(c.Title) + "*"}}}
	if len(c.Facts) > 0 {
		fields := make([]any, 0, len(c.Facts))
		for _, f := range c.Facts {
			fields = append(fields, map[string]any{"type": "mrkdwn", "text": "*" + slackEscape(f[0]) + "*\n" + slackEscape(f[1])})
		}
		if len(fields) > 10 { // Block Kit's limit per section
			fields = fields[:10]
		}
		blocks = append(blocks, map[string]any{"type": "section", "fields": fields})
	}
	blocks = append(blocks, map[string]any{"type": "actions", "elements": []any{map[string]any{
		"type": "button", "text": map[string]any{"type": "plain_text", "text": c.LinkLabel}, "url": c.Link}}})
	return json.Marshal(map[string]any{"text": slackEscape(c.Title), "blocks": blocks})
}

// slackEscape escapes the three characters Slack's mrkdwn gives meaning to, so a company name cannot
// mention @channel or fake a link.
func slackEscape(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '&':
			out = append(out, "&amp;"...)
		case '<':
			out = append(out, "&lt;"...)
		case '>':
			out = append(out, "&gt;"...)
		default:
			out = append(out, s[i])
		}
	}
	return string(out)
}
