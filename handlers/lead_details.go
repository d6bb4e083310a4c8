package handlers

import (
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"leaddesk/contact"
	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/leadfilter"
	"leaddesk/leads"
	"leaddesk/lifecycle"
	"leaddesk/money"
)

// detailsData is the lead details page (docs/design.md §9).
type detailsData struct {
	Lead       *lead.Lead
	Can        map[string]bool // lifecycle actions this user may do now, by name
	CanWork    bool            // the user's role works leads at all (else read-only)
	Flame      string          // "", "hot", "calm"
	RespondBy  time.Time
	TimeLeft   string    // "3 days left", "5 hours left", "overdue"
	Urgency    string    // lifecycle.Urgency: "", "calm", "warning", "danger"
	SLA        *slaBadge // the response-target badge; nil: none (issue 17)
	Hearted    bool
	Progress   []progressStep
	Team       []db.TeamMember
	Location   *db.Location     // the business-profile location the lead was routed to (nil: none)
	Contacts   []db.LeadContact // extra company contacts given on accept
	Employees  []db.LeadContact
	Timeline   []timelineItem
	Prev, Next int64
	ListQuery  string // the list's query string, carried along previous/next and back
	BackURL    string
	PrevURL    string
	NextURL    string
	Done       string // a success message after an in-place action
	CloseModal bool   // an in-place action finished: clear the dialog

	// ContactWarning is which contact banner shows: "spam" (the address is on the spam list),
	// "invalid" (an address or number that cannot reach anyone: check the details), or "".
	ContactWarning string
	InvalidEmail   bool
	InvalidPhone   bool
	PC             *pcLeadView // Partner Center sync state; nil for a lead with none
	Owner          detailsOwner
	Activities     []db.Activity
	ActivityNow    string   // the activity form's default time (datetime-local)
	ActivityKinds  []string // leads.ActivityKinds
	Outcomes       []string // leads.ActivityOutcomes
}

type progressStep struct {
	Label string
	State string // done, current, todo
}

type timelineItem struct {
	At      time.Time
	Who     string
	What    string
	Changes []timelineChange
}

type timelineChange struct {
	Field, Old, New string
}

func (h *Handler) leadShow(c echo.Context) error {
	id, err := h.detailLeadID(c)
	if err != nil {
		return err
	}
	d, err := h.detailsData(c, id)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, "leads/show", h.page(c, d.Lead.CustomerCompany, "leads", d))
}

// detailsData gathers everything the details page shows about lead id for this user.
func (h *Handler) detailsData(c echo.Context, id int64) (*detailsData, error) {
	ctx := c.Request().Context()
	l, err := h.DB.LeadByID(ctx, id)
	if err != nil {
		return nil, err
	}
	u := h.user(c)
	now := h.Clock.Now()
	d := &detailsData{Lead: l, Can: map[string]bool{}, CanWork: lifecycle.CanWork(u.LeadActor()), Flame: lifecycle.Flame(l, now),
		RespondBy: lifecycle.RespondBy(l), Urgency: lifecycle.Urgency(l, now), ListQuery: leadfilter.ParseView(c.QueryParams()).Query().Encode()}
	d.ContactWarning, d.InvalidEmail, d.InvalidPhone = contactWarning(l)
	d.SLA = h.slaBadgeOf(h.lang(c), h.slaPolicy(c), l, now)
	for _, a := range lifecycle.Allowed(l, u.LeadActor()) {
		d.Can[string(a)] = true
	}
	if !d.RespondBy.IsZero() {
		d.TimeLeft = h.timeLeftPhrase(c, d.RespondBy.Sub(now))
	}
	d.Progress = h.progress(c, l)
	if d.Owner, err = h.ownerCard(c, l); err != nil {
		return nil, err
	}
	if d.Activities, err = h.DB.LeadActivities(ctx, l.ID); err != nil {
		return nil, err
	}
	d.ActivityNow, d.ActivityKinds, d.Outcomes = now.In(h.Cfg.Location).Format(activityInput), leads.ActivityKinds, leads.ActivityOutcomes
	if l.LocationID != 0 {
		if d.Location, err = h.DB.LocationByID(ctx, l.LocationID); err != nil && !errors.Is(err, db.ErrNotFound) {
			return nil, err
		}
	}
	if d.Hearted, err = h.DB.LeadHeartedBy(ctx, l.ID, u.ID); err != nil {
		return nil, err
	}
	if d.Team, err = db.LeadTeam(ctx, h.DB, l.ID); err != nil {
		return nil, err
	}
	contacts, err := h.DB.LeadContacts(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	for _, ct := range contacts {
		if ct.Kind == "employee" {
			d.Employees = append(d.Employees, ct)
		} else {
			d.Contacts = append(d.Contacts, ct)
		}
	}
	events, err := h.DB.LeadEvents(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	d.Timeline = h.timeline(c, l, events)
	if d.PC, err = h.pcLeadState(c, l.ID, l.Tab); err != nil {
		return nil, err
	}
	if d.Prev, d.Next, err = h.adjacentLeads(c, l.ID); err != nil {
		return nil, err
	}
	// Built here whole: html/template would escape the & and = of a query placed inside an href.
	d.BackURL, d.PrevURL, d.NextURL = withQuery("/leads", d.ListQuery), withQuery("/leads/"+strconv.FormatInt(d.Prev, 10), d.ListQuery),
		withQuery("/leads/"+strconv.FormatInt(d.Next, 10), d.ListQuery)
	return d, nil
}

// contactWarning chooses the contact banner: the spam warning only for a spam-listed address; the
// "check the contact details" notice when the address or the number cannot reach anyone (not for
// expired leads, whose details are hidden anyway); nothing when the details are valid or unknown.
func contactWarning(l *lead.Lead) (kind string, badEmail, badPhone bool) {
	if l.EmailValidity == contact.Spam {
		return "spam", false, false
	}
	badEmail, badPhone = l.EmailValidity == contact.Invalid, l.PhoneValidity == contact.Invalid
	if (badEmail || badPhone) && !l.ContactHidden() {
		return "invalid", badEmail, badPhone
	}
	return "", false, false
}

// adjacentLeads gives the leads before and after id in the list view the user came from (the query
// string the list put on the link), or 0 where there is none.
func (h *Handler) adjacentLeads(c echo.Context, id int64) (prev, next int64, err error) {
	v := leadfilter.ParseView(c.QueryParams())
	v.Me, v.Loc = h.user(c).ID, h.Cfg.Location
	return h.DB.AdjacentLeadIDs(c.Request().Context(), v, v.Me, id)
}

// timeLeftPhrase says how long is left to respond (lifecycle.TimeLeft) as a phrase for a sentence;
// the list's timeLeft gives the shorter table cell.
func (h *Handler) timeLeftPhrase(c echo.Context, left time.Duration) string {
	switch unit, n := lifecycle.TimeLeft(left); unit {
	case "days":
		return h.T(c, "details.days_left", n)
	case "hours":
		return h.T(c, "details.hours_left", n)
	default:
		return h.T(c, "details.overdue")
	}
}

// progress is the Received → Accepted → Won/Lost track; declined and expired leads end after Received.
func (h *Handler) progress(c echo.Context, l *lead.Lead) []progressStep {
	if !l.Actionable {
		return nil
	}
	received := progressStep{Label: h.T(c, "lead.status.received"), State: "done"}
	accepted := progressStep{Label: h.T(c, "lead.status.accepted"), State: "todo"}
	closed := progressStep{Label: h.T(c, "details.progress_closed"), State: "todo"}
	switch {
	case l.Status == "received":
		received.State = "current"
	case l.Status == "accepted":
		accepted.State = "current"
	case l.Outcome == "won" || l.Outcome == "lost":
		accepted.State = "done"
		closed = progressStep{Label: h.catalogOr(c, "lead.outcome."+l.Outcome, l.Outcome), State: "done"}
	default: // declined or expired: the track ends at the answer that never came or was no
		return []progressStep{received, {Label: h.catalogOr(c, "lead.outcome."+l.Outcome, l.Outcome), State: "done"}}
	}
	return []progressStep{received, accepted, closed}
}

// timeline turns stored events into readable entries: who, when, what, and each field old → new.
func (h *Handler) timeline(c echo.Context, l *lead.Lead, events []db.LeadEvent) []timelineItem {
	out := make([]timelineItem, 0, len(events))
	for _, e := range events {
		it := timelineItem{At: e.At, Who: h.actorName(c, e)}
		it.What = h.catalogOr(c, "details.event."+e.Kind, e.Kind)
		if e.Kind == "reminded" {
			it.What = h.T(c, "details.event.reminded_at", h.Views.FormatTime(lifecycle.ExpiryOf(l), h.lang(c), true))
		}
		fields := make([]string, 0, len(e.Changes))
		for f := range e.Changes {
			fields = append(fields, f)
		}
		sort.Slice(fields, func(i, j int) bool {
			a, b := fieldRank(fields[i]), fieldRank(fields[j])
			if a != b {
				return a < b
			}
			return fields[i] < fields[j]
		})
		for _, f := range fields {
			v := e.Changes[f]
			key := f
			if strings.HasPrefix(f, "contact_") {
				key = "contact" // contact_1, contact_2, … given on accept
			}
			it.Changes = append(it.Changes, timelineChange{Field: h.catalogOr(c, "details.field."+key, f),
				Old: h.changeValue(c, l, key, v[0]), New: h.changeValue(c, l, key, v[1])})
		}
		out = append(out, it)
	}
	// Leads stored before the timeline existed, or by an intake that records no "created" entry, still
	// show when they arrived.
	if len(events) == 0 || events[len(events)-1].Kind != "created" {
		out = append(out, timelineItem{At: l.CreatedAt, Who: h.senderName(c, l), What: h.T(c, "details.event.created")})
	}
	return out
}

// actorName says who made a timeline entry: a person by name (with the way in when it was an import),
// a way in by its localized name (never the stored label: "api:microsoft-referrals" reads "Microsoft
// referral API"), or the automatic jobs.
func (h *Handler) actorName(c echo.Context, e db.LeadEvent) string {
	via := ""
	switch label := e.ActorLabel; {
	case label == "job":
		via = h.T(c, "details.actor_job")
	case label == "marketplace":
		via = h.T(c, "details.actor.marketplace")
	case label == "api" || strings.HasPrefix(label, "api:"):
		via = h.T(c, "details.actor.api")
	case label == "import":
		via = h.T(c, "details.actor.import")
	case label == "partner_center" || strings.HasPrefix(label, "partner_center:"):
		via = h.T(c, "details.actor.partner_center")
	}
	switch {
	case e.ActorName != "" && via != "":
		return h.T(c, "details.actor.person_via", e.ActorName, via)
	case e.ActorName != "":
		return e.ActorName
	case via != "":
		return via
	}
	return h.T(c, "details.actor_unknown")
}

// timelineFieldOrder is the order changed fields are listed in: the state first, then the deal.
var timelineFieldOrder = []string{"status", "outcome", "reason", "reason_notes", "deal_name", "deal_value", "purchase_date", "team", "notes", "campaign_id", "crm_id"}

func fieldRank(f string) int {
	for i, x := range timelineFieldOrder {
		if x == f {
			return i
		}
	}
	return len(timelineFieldOrder)
}

func (h *Handler) senderName(c echo.Context, l *lead.Lead) string {
	if l.SenderName != "" {
		return l.SenderName
	}
	return h.T(c, "details.actor_unknown")
}

// changeValue shows a stored value for reading: codes translated, money formatted, long notes cut.
func (h *Handler) changeValue(c echo.Context, l *lead.Lead, field, v string) string {
	if v == "" {
		return ""
	}
	switch field {
	case "status":
		return h.catalogOr(c, "lead.status."+v, v)
	case "outcome":
		return h.catalogOr(c, "lead.outcome."+v, v)
	case "reason":
		return h.catalogOr(c, "lifecycle.reason."+v, v)
	case "activity_outcome":
		return h.catalogOr(c, "activity.outcome."+v, v)
	case "deal_value":
		if a, ok := money.ParseStored(v); ok {
			return a.Format(h.lang(c))
		}
	case "contact", "employee":
		if l.ContactHidden() {
			return h.T(c, "details.hidden")
		}
	}
	if utf8.RuneCountInString(v) > 160 {
		return string([]rune(v)[:160]) + "…"
	}
	return v
}

// catalogOr translates key, or gives fallback when the catalog has no such key (events and fields
// written by other features).
func (h *Handler) catalogOr(c echo.Context, key, fallback string) string {
	if h.Catalog.Has(key) {
		return h.T(c, key)
	}
	return fallback
}

func withQuery(path, query string) string {
	if query == "" {
		return path
	}
	return path + "?" + query
}
