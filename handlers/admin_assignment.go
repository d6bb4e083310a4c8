package handlers

import (
	"database/sql"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/contact"
	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/leads"
)

// assignmentData is Admin › Assignment (issue 17): the ordered rules, the form adding one, the
// re-run on unassigned leads, and who is away (the signed-in user sets their own span here).
type assignmentData struct {
	Rules     []assignmentRuleView
	Owners    []db.Owner
	Locations []db.LocationName
	Codes     map[string][]string // the condition fields' codes: source, cta, type, classification
	Form      assignmentForm
	Errors    map[string]string
	Away      *db.Away // the signed-in user's span
	AwayFrom  string
	AwayUntil string
	AwayNow   []string // who is away now
	// TeamAway is every Referrals admin's away days, which Account and Referrals admins set for one
	// another (a colleague fell ill); TeamFor, TeamFrom and TeamUntil are that form as sent.
	TeamAway                     []teamAwayRow
	TeamFor, TeamFrom, TeamUntil string
	Rerun                        string // the result of a re-run on unassigned leads
}

// teamAwayRow is one Referrals admin's away days ("" when none), as dates in the configured zone.
type teamAwayRow struct {
	ID           int64
	Label        string
	Me           bool
	From, Until  string
	AwayNowToday bool
}

type assignmentRuleView struct {
	Rule       *db.AssignmentRule
	N          int      // 1-based place in the order
	Conditions []string // "Country: DE, FR", …; none: every lead
	Members    []string
	RoundRobin bool
}

// assignmentForm is the add-rule form as sent, so a refused one comes back filled in.
type assignmentForm struct {
	Name                                string
	Countries                           string
	Sources, CTAs, Types, Classes, Locs []string
	Members                             []string
}

func (h *Handler) renderAssignment(c echo.Context, status int, d *assignmentData) error {
	ctx := c.Request().Context()
	var err error
	if d.Owners, err = h.DB.Owners(ctx); err != nil {
		return err
	}
	if d.Locations, err = h.DB.LocationNames(ctx); err != nil {
		return err
	}
	rules, err := h.DB.AssignmentRules(ctx)
	if err != nil {
		return err
	}
	label := map[int64]string{}
	for _, o := range d.Owners {
		label[o.ID] = o.Label()
	}
	locName := map[int64]string{}
	for _, l := range d.Locations {
		locName[l.ID] = l.Name
	}
	lang := h.lang(c)
	for _, r := range rules {
		v := assignmentRuleView{Rule: r, N: len(d.Rules) + 1, RoundRobin: len(r.Members) > 1}
		cond := func(key string, vs []string, name func(string) string) {
			if len(vs) == 0 {
				return
			}
			names := make([]string, len(vs))
			for i, s := range vs {
				names[i] = name(s)
			}
			v.Conditions = append(v.Conditions, h.T(c, key)+": "+strings.Join(names, ", "))
		}
		var locs []string
		for _, id := range r.Locations {
			locs = append(locs, strconv.FormatInt(id, 10))
		}
		cond("ws.filter.location", locs, func(s string) string {
			id, _ := strconv.ParseInt(s, 10, 64)
			if n, ok := locName[id]; ok {
				return n
			}
			return s
		})
		cond("ws.filter.country", r.Countries, func(s string) string { return h.countryName(lang, s) })
		code := func(prefix string) func(string) string {
			return func(s string) string { return h.catalogOr(c, prefix+s, s) }
		}
		cond("ws.filter.source", r.Sources, code("lead.source."))
		cond("ws.filter.cta", r.CTAs, code("lead.cta."))
		cond("ws.filter.type", r.Types, code("lead.type."))
		cond("ws.filter.classification", r.Classifications, code("lead.classification."))
		for _, m := range r.Members {
			name, ok := label[m]
			if !ok {
				name = h.T(c, "owner.unknown", strconv.FormatInt(m, 10))
			}
			v.Members = append(v.Members, name)
		}
		d.Rules = append(d.Rules, v)
	}
	d.Codes = map[string][]string{"source": lead.Sources, "cta": lead.CTAs, "type": lead.LeadTypes, "classification": lead.Classifications}
	u := h.user(c)
	if d.Away, err = h.DB.AwayOf(ctx, u.ID); err != nil {
		return err
	}
	if d.Away != nil && d.AwayFrom == "" {
		d.AwayFrom, d.AwayUntil = h.awayDays(d.Away)
	}
	for _, o := range d.Owners {
		a, err := h.DB.AwayOf(ctx, o.ID)
		if err != nil {
			return err
		}
		row := teamAwayRow{ID: o.ID, Label: o.Label(), Me: o.ID == u.ID}
		if a != nil {
			row.From, row.Until = h.awayDays(a)
			if !h.Clock.Now().Before(a.From) && h.Clock.Now().Before(a.Until) {
				d.AwayNow = append(d.AwayNow, o.Label())
				row.AwayNowToday = true
			}
		}
		d.TeamAway = append(d.TeamAway, row)
	}
	return h.render(c, status, "admin/assignment", h.page(c, h.T(c, "assign.title"), "leads", d))
}

// adminAssignment is GET /assignment.
func (h *Handler) adminAssignment(c echo.Context) error {
	return h.renderAssignment(c, http.StatusOK, &assignmentData{})
}

// adminAddAssignmentRule is POST /assignment: a new last rule. Every condition is optional (none:
// every lead); at least one person is needed; several make a round-robin group.
func (h *Handler) adminAddAssignmentRule(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, h.T(c, "error.bad_request"))
	}
	fm := assignmentForm{Name: strings.TrimSpace(form.Get("name")), Countries: strings.TrimSpace(form.Get("countries")),
		Sources: form["source"], CTAs: form["cta"], Types: form["type"], Classes: form["classification"], Locs: form["location"], Members: form["member"]}
	d := &assignmentData{Form: fm, Errors: map[string]string{}}
	r := &db.AssignmentRule{Name: fm.Name}
	if len([]rune(fm.Name)) > 100 {
		d.Errors["name"] = h.T(c, "assign.err.name")
	}
	for _, s := range strings.FieldsFunc(fm.Countries, func(r rune) bool { return r == ',' || r == ' ' || r == '、' }) {
		code, ok := contact.CountryCode(s)
		if !ok || code == "" {
			d.Errors["countries"] = h.T(c, "assign.err.country", s)
			break
		}
		if !slices.Contains(r.Countries, code) {
			r.Countries = append(r.Countries, code)
		}
	}
	codes := func(field string, vs, allowed []string) []string {
		for _, v := range vs {
			if !slices.Contains(allowed, v) {
				d.Errors[field] = h.T(c, "assign.err.code", v)
				return nil
			}
		}
		return vs
	}
	r.Sources, r.CTAs = codes("source", fm.Sources, lead.Sources), codes("cta", fm.CTAs, lead.CTAs)
	r.Types, r.Classifications = codes("type", fm.Types, lead.LeadTypes), codes("classification", fm.Classes, lead.Classifications)
	for _, s := range fm.Locs {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			d.Errors["location"] = h.T(c, "assign.err.code", s)
			break
		}
		r.Locations = append(r.Locations, id)
	}
	owners, err := h.DB.Owners(c.Request().Context())
	if err != nil {
		return err
	}
	for _, s := range fm.Members {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || !slices.ContainsFunc(owners, func(o db.Owner) bool { return o.ID == id }) {
			d.Errors["member"] = h.T(c, "owner.err.not_owner")
			break
		}
		if !slices.Contains(r.Members, id) {
			r.Members = append(r.Members, id)
		}
	}
	if len(r.Members) == 0 && d.Errors["member"] == "" {
		d.Errors["member"] = h.T(c, "assign.err.member")
	}
	if len(d.Errors) > 0 {
		return h.renderAssignment(c, http.StatusUnprocessableEntity, d)
	}
	if err := h.DB.AddAssignmentRule(c.Request().Context(), r, h.Clock.Now()); err != nil {
		return err
	}
	h.setFlash(c, "success", "assign.added")
	return h.redirect(c, "/assignment")
}

func (h *Handler) assignmentRuleID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	return id, nil
}

// adminDeleteAssignmentRule removes a rule; the owners it gave stay.
func (h *Handler) adminDeleteAssignmentRule(c echo.Context) error {
	id, err := h.assignmentRuleID(c)
	if err != nil {
		return err
	}
	if err := h.DB.DeleteAssignmentRule(c.Request().Context(), id); errors.Is(err, db.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	} else if err != nil {
		return err
	}
	h.setFlash(c, "success", "assign.deleted")
	return h.redirect(c, "/assignment")
}

// adminMoveAssignmentRule moves a rule up or down one place (dir = up | down).
func (h *Handler) adminMoveAssignmentRule(c echo.Context) error {
	id, err := h.assignmentRuleID(c)
	if err != nil {
		return err
	}
	dir := c.FormValue("dir")
	if dir != "up" && dir != "down" {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, h.T(c, "assign.err.dir"))
	}
	if err := h.DB.MoveAssignmentRule(c.Request().Context(), id, dir == "up"); errors.Is(err, db.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	} else if err != nil {
		return err
	}
	return h.redirect(c, "/assignment")
}

// adminRerunAssignment is POST /assignment/rerun: the rules over the unassigned open leads.
func (h *Handler) adminRerunAssignment(c echo.Context) error {
	n, left, err := h.Leads.AssignUnassigned(c.Request().Context(), h.user(c).LeadActor())
	if errors.Is(err, leads.ErrRole) {
		return echo.NewHTTPError(http.StatusForbidden, h.T(c, "error.forbidden"))
	}
	if err != nil {
		return err
	}
	return h.renderAssignment(c, http.StatusOK, &assignmentData{Rerun: h.T(c, "assign.rerun_done", n, left)})
}

// awayDays is an away span as its first and last day in the configured zone.
func (h *Handler) awayDays(a *db.Away) (string, string) {
	return a.From.In(h.Cfg.Location).Format(leadDateInput), a.Until.Add(-time.Second).In(h.Cfg.Location).Format(leadDateInput)
}

// adminSetAway is POST /assignment/away: the signed-in user's away days (from, until, both
// inclusive, in the configured time zone), or clear=1 to be back. With user, another Referrals
// admin's days: Account and Referrals admins cover for a colleague who cannot set them. Every change
// is in the audit log (user.away, before → after), and the rules skip whoever is away.
func (h *Handler) adminSetAway(c echo.Context) error {
	u := h.user(c)
	ctx := c.Request().Context()
	target := db.Owner{ID: u.ID, Name: u.Name, Email: u.Email}
	other := false
	if s := c.FormValue("user"); s != "" && s != strconv.FormatInt(u.ID, 10) {
		owners, err := h.DB.Owners(ctx)
		if err != nil {
			return err
		}
		id, _ := strconv.ParseInt(s, 10, 64)
		i := slices.IndexFunc(owners, func(o db.Owner) bool { return o.ID == id })
		if i < 0 {
			d := &assignmentData{Errors: map[string]string{"user": h.T(c, "owner.err.not_owner")}, TeamFor: s,
				TeamFrom: c.FormValue("from"), TeamUntil: c.FormValue("until")}
			return h.renderAssignment(c, http.StatusUnprocessableEntity, d)
		}
		target, other = owners[i], true
	}
	var span *db.Away
	if c.FormValue("clear") != "1" {
		d := &assignmentData{Errors: map[string]string{}}
		fromKey, untilKey := "from", "until"
		if other {
			d.TeamFor, d.TeamFrom, d.TeamUntil = strconv.FormatInt(target.ID, 10), c.FormValue("from"), c.FormValue("until")
			fromKey, untilKey = "team_from", "team_until"
		} else {
			d.AwayFrom, d.AwayUntil = c.FormValue("from"), c.FormValue("until")
		}
		from, err1 := time.ParseInLocation(leadDateInput, c.FormValue("from"), h.Cfg.Location)
		until, err2 := time.ParseInLocation(leadDateInput, c.FormValue("until"), h.Cfg.Location)
		switch {
		case err1 != nil:
			d.Errors[fromKey] = h.T(c, "assign.err.away_from")
		case err2 != nil || until.Before(from):
			d.Errors[untilKey] = h.T(c, "assign.err.away_until")
		}
		if len(d.Errors) > 0 {
			return h.renderAssignment(c, http.StatusUnprocessableEntity, d)
		}
		span = &db.Away{UserID: target.ID, From: from, Until: until.AddDate(0, 0, 1)}
	}
	old, err := h.DB.AwayOf(ctx, target.ID)
	if err != nil {
		return err
	}
	days := func(a *db.Away) any {
		if a == nil {
			return nil
		}
		from, until := h.awayDays(a)
		return from + " – " + until
	}
	err = h.DB.InTx(ctx, func(tx *sql.Tx) error {
		if err := db.SetAwayTx(ctx, tx, target.ID, span); err != nil {
			return err
		}
		return db.Audit(ctx, tx, h.Clock.Now(), u.ID, "", "user.away", target.Email, auditJSON(map[string]any{"away": [2]any{days(old), days(span)}}))
	})
	if err != nil {
		return err
	}
	switch {
	case other && span == nil:
		h.setFlash(c, "success", "assign.team_away_cleared")
	case other:
		h.setFlash(c, "success", "assign.team_away_saved")
	case span == nil:
		h.setFlash(c, "success", "assign.away_cleared")
	default:
		h.setFlash(c, "success", "assign.away_saved")
	}
	return h.redirect(c, "/assignment")
}
