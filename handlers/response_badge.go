package handlers

import (
	"time"

	"github.com/labstack/echo/v4"

	"leaddesk/lead"
	"leaddesk/lifecycle"
	"leaddesk/sla"
)

// slaBadge is a lead's response-target badge ("ws-sla"): "Answer within 5 h" while it waits, "Overdue
// 3 h" once missed (issue 17). It depends on the time, so it is made per request from the lead's own
// fields (sla.Policy.Of), never kept with the row's cached cells.
type slaBadge struct {
	State string    // sla.Open, sla.DueSoon, sla.Overdue
	Text  string    // what the badge says
	Due   time.Time // when the target is missed (the badge's title)
}

// slaPolicy is the configured response-target policy for this request; nil (no badges) when it cannot
// be read, so the list and the details page still work.
func (h *Handler) slaPolicy(c echo.Context) *sla.Policy {
	s, err := h.DB.SLASettingsRemembered(c.Request().Context(), h.Cfg.Location)
	if err != nil {
		h.Log.Warn("response targets", "err", err)
		return nil
	}
	return &s.Policy
}

// slaBadgeOf is l's badge at now under p, or nil for a lead with no target (answered, informational,
// archived, a test lead).
func (h *Handler) slaBadgeOf(lang string, p *sla.Policy, l *lead.Lead, now time.Time) *slaBadge {
	if p == nil {
		return nil
	}
	st := p.Of(l, now)
	if st.State == sla.None {
		return nil
	}
	b := &slaBadge{State: st.State, Due: st.Due}
	if st.State == sla.Overdue {
		// Said like the time left, on the other side: hours (rounded up) for two days, then days.
		unit, n := lifecycle.TimeLeft(max(st.Over, time.Minute))
		b.Text = h.Catalog.T(lang, map[string]string{"hours": "sla.badge.over_hours", "days": "sla.badge.over_days"}[unit], n)
		return b
	}
	unit, n := lifecycle.TimeLeft(st.Left)
	b.Text = h.Catalog.T(lang, map[string]string{"hours": "sla.badge.hours", "days": "sla.badge.days", "overdue": "sla.badge.hours"}[unit], max(n, 1))
	return b
}

// slaActionItem is a lead of the Action Center whose response target is near or missed.
type slaActionItem struct {
	LeadID  int64
	Company string
	Badge   *slaBadge
}

// slaActionItems are this user's leads (and unassigned ones) that the response-target job warned of
// and that still wait for an answer, with their badges.
func (h *Handler) slaActionItems(c echo.Context, userID int64, now time.Time) ([]slaActionItem, error) {
	p := h.slaPolicy(c)
	if p == nil {
		return nil, nil
	}
	ls, err := h.DB.SLAActionLeads(c.Request().Context(), userID)
	if err != nil {
		return nil, err
	}
	lang := h.lang(c)
	var out []slaActionItem
	for _, l := range ls {
		if b := h.slaBadgeOf(lang, p, l, now); b != nil {
			out = append(out, slaActionItem{LeadID: l.ID, Company: l.CustomerCompany, Badge: b})
		}
	}
	return out, nil
}
