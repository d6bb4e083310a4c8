package handlers

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/sla"
)

// Response targets (issue 17): the page where Account and Referrals admins set how long each kind
// of lead may wait for its first answer, the business hours that count, and who hears of a missed
// target. The rule itself is package sla; the job that warns and escalates is leads.NotifyResponseTargets.

// responseTargetsData is the Response targets page.
type responseTargetsData struct {
	Rows       []responseTargetRow
	HoursOn    bool
	Days       [7]bool
	Weekdays   []int // display order, Monday first
	Start, End string
	EscalateTo string
	Owners     []db.Owner
	Zone       string
	Errors     map[string]string
}

// responseTargetRow is one kind of lead with its target in hours, as shown or as sent.
type responseTargetRow struct {
	Field string // the form field: target_<kind>_<cta>
	Kind  string
	CTA   string
	Hours string
}

// maxTargetHours is the longest target the form takes: a lead expires after 14 days.
const maxTargetHours = int(sla.MaxTarget / time.Hour)

func targetField(k sla.Key) string { return "target_" + k.Kind + "_" + k.CTA }

func (h *Handler) renderResponseTargets(c echo.Context, status int, d *responseTargetsData) error {
	var err error
	if d.Owners, err = h.DB.Owners(c.Request().Context()); err != nil {
		return err
	}
	d.Weekdays = []int{1, 2, 3, 4, 5, 6, 0}
	d.Zone = h.Cfg.Location.String()
	p := h.page(c, h.T(c, "sla.admin.title"), "", d)
	return h.render(c, status, "admin/response_targets", p)
}

// responseTargets is GET /response-targets.
func (h *Handler) responseTargets(c echo.Context) error {
	s, err := h.DB.SLASettings(c.Request().Context(), h.Cfg.Location)
	if err != nil {
		return err
	}
	d := &responseTargetsData{HoursOn: s.Policy.Hours.On, Days: s.Policy.Hours.Days,
		Start: clockText(s.Policy.Hours.Start), End: clockText(s.Policy.Hours.End)}
	if s.EscalateTo != 0 {
		d.EscalateTo = strconv.FormatInt(s.EscalateTo, 10)
	}
	for _, k := range sla.Keys {
		t := s.Policy.Targets[k]
		hours := strconv.FormatFloat(t.Hours(), 'f', -1, 64)
		d.Rows = append(d.Rows, responseTargetRow{Field: targetField(k), Kind: k.Kind, CTA: k.CTA, Hours: hours})
	}
	return h.renderResponseTargets(c, http.StatusOK, d)
}

// saveResponseTargets is POST /response-targets: every target in whole hours (1 to 336), business
// hours (at least one day, start before end) and the escalation user (a Referrals admin, or none: the
// other Referrals admins). A bad field is a 422 naming it, with the form as sent.
func (h *Handler) saveResponseTargets(c echo.Context) error {
	ctx := c.Request().Context()
	d := &responseTargetsData{Errors: map[string]string{}, HoursOn: c.FormValue("hours_on") != "",
		Start: strings.TrimSpace(c.FormValue("start")), End: strings.TrimSpace(c.FormValue("end")),
		EscalateTo: c.FormValue("escalate_to")}
	s := &db.SLASettings{Policy: sla.Policy{Targets: map[sla.Key]time.Duration{}}}
	for _, k := range sla.Keys {
		row := responseTargetRow{Field: targetField(k), Kind: k.Kind, CTA: k.CTA, Hours: strings.TrimSpace(c.FormValue(targetField(k)))}
		d.Rows = append(d.Rows, row)
		n, err := strconv.Atoi(row.Hours)
		if err != nil || n < 1 || n > maxTargetHours {
			d.Errors[row.Field] = h.T(c, "sla.err.hours", maxTargetHours)
			continue
		}
		s.Policy.Targets[k] = time.Duration(n) * time.Hour
	}
	hrs := &s.Policy.Hours
	hrs.On, hrs.Loc = d.HoursOn, h.Cfg.Location
	for _, v := range c.Request().Form["day"] {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 6 {
			d.Errors["day"] = h.T(c, "sla.err.day")
			break
		}
		hrs.Days[n] = true
	}
	d.Days = hrs.Days
	// The times matter only while business hours are on; off, a field left unreadable keeps the
	// usual 9:00–18:00 for the day they are switched on.
	var ok bool
	if hrs.Start, ok = parseClock(d.Start); !ok {
		hrs.Start = 9 * time.Hour
		if d.HoursOn {
			d.Errors["start"] = h.T(c, "sla.err.time")
		}
	}
	if hrs.End, ok = parseClock(d.End); !ok {
		hrs.End = 18 * time.Hour
		if d.HoursOn {
			d.Errors["end"] = h.T(c, "sla.err.time")
		}
	}
	if d.HoursOn && d.Errors["day"] == "" && d.Errors["start"] == "" && d.Errors["end"] == "" && !hrs.Valid() {
		if slices.Contains(hrs.Days[:], true) {
			d.Errors["end"] = h.T(c, "sla.err.order")
		} else {
			d.Errors["day"] = h.T(c, "sla.err.no_day")
		}
	}
	if d.EscalateTo != "" {
		owners, err := h.DB.Owners(ctx)
		if err != nil {
			return err
		}
		id, err := strconv.ParseInt(d.EscalateTo, 10, 64)
		if err != nil || !slices.ContainsFunc(owners, func(o db.Owner) bool { return o.ID == id }) {
			d.Errors["escalate_to"] = h.T(c, "owner.err.not_owner")
		}
		s.EscalateTo = id
	}
	if len(d.Errors) > 0 {
		return h.renderResponseTargets(c, http.StatusUnprocessableEntity, d)
	}
	if err := h.DB.SaveSLASettings(ctx, s, h.Clock.Now()); err != nil {
		return err
	}
	h.setFlash(c, "success", "sla.admin.saved")
	return h.redirect(c, "/response-targets")
}

// clockText is an offset from midnight as the form's time field shows it (HH:MM).
func clockText(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// parseClock reads HH:MM (00:00 to 24:00) as an offset from midnight.
func parseClock(s string) (time.Duration, bool) {
	hh, mm, ok := strings.Cut(s, ":")
	if !ok {
		return 0, false
	}
	hours, err1 := strconv.Atoi(hh)
	minutes, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || hours < 0 || minutes < 0 || minutes > 59 || hours > 24 || (hours == 24 && minutes != 0) {
		return 0, false
	}
	return time.Duration(hours)*time.Hour + time.Duration(minutes)*time.Minute, true
}
