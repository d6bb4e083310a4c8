package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/leadfilter"
	"leaddesk/leads"
	"leaddesk/lifecycle"
)

// ownerFilter fills the owner filter (me, unassigned, each Referrals admin), its chips, the "My
// leads" view of the tab and the bulk assignment's choices (issue 17).
func (h *Handler) ownerFilter(c echo.Context, f leadfilter.View, q url.Values, d *leadsData) error {
	owners, err := h.DB.OwnersRemembered(c.Request().Context())
	if err != nil {
		return err
	}
	d.Assignees = owners
	d.Owners = []filterOption{{Value: leadfilter.OwnerMe, Label: h.T(c, "owner.me")}, {Value: leadfilter.OwnerNone, Label: h.T(c, "owner.none")}}
	for _, o := range owners {
		d.Owners = append(d.Owners, filterOption{Value: strconv.FormatInt(o.ID, 10), Label: o.Label()})
	}
	for i := range d.Owners {
		d.Owners[i].Checked = slices.Contains(f.Owner, d.Owners[i].Value)
	}
	for _, v := range f.Owner {
		name := h.T(c, "owner.unknown", v) // no longer a Referrals admin
		if i := slices.IndexFunc(d.Owners, func(o filterOption) bool { return o.Value == v }); i >= 0 {
			name = d.Owners[i].Label
		}
		d.Chips = append(d.Chips, leadChip{Label: h.T(c, "owner.title") + ": " + name, Remove: without(q, "owner", v)})
	}
	d.MyLeadsOn = slices.Equal(f.Owner, []string{leadfilter.OwnerMe})
	my := url.Values{"tab": {f.Tab}}
	if !d.MyLeadsOn {
		my.Set("owner", leadfilter.OwnerMe)
	}
	d.MyLeads = "/leads?" + my.Encode()
	return nil
}

// ownerValue reads an owner form field: "me" (the signed-in user), "none" or "" (no owner), or a
// user id; false for anything else.
func ownerValue(s string, me int64) (int64, bool) {
	switch s {
	case leadfilter.OwnerMe:
		return me, true
	case leadfilter.OwnerNone, "":
		return 0, true
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// assignRefusal maps an assignment error to a status and message naming the field, or 0.
func (h *Handler) assignRefusal(c echo.Context, err error) (int, string) {
	if errors.Is(err, leads.ErrNotOwner) {
		return http.StatusUnprocessableEntity, h.T(c, "owner.err.not_owner")
	}
	return 0, ""
}

// leadAssign is POST /leads/:id/owner: assign the lead to me, to someone, or to nobody (owner = me,
// a user id, none), based on the version the page showed.
func (h *Handler) leadAssign(c echo.Context) error {
	l, err := h.loadDetailLead(c)
	if err != nil {
		return err
	}
	u := h.user(c)
	owner, ok := ownerValue(c.FormValue("owner"), u.ID)
	if !ok {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, h.T(c, "owner.err.field"))
	}
	if _, err := h.Leads.AssignOwner(c.Request().Context(), u.LeadActor(), l.ID, formVersion(c.FormValue("version")), owner); err != nil {
		if status, msg := h.assignRefusal(c, err); status != 0 {
			return echo.NewHTTPError(status, msg)
		}
		if status, msg := h.lifecycleRefusal(c, l, err); status != 0 {
			return echo.NewHTTPError(status, msg)
		}
		return err
	}
	done := "owner.done.assigned"
	if owner == 0 {
		done = "owner.done.unassigned"
	}
	return h.actionDone(c, l.ID, done)
}

// leadsBulkAssign is POST /leads/bulk/assign: the checked leads get one owner (me, a user id, none);
// archived or vanished leads are skipped and counted in the flash.
func (h *Handler) leadsBulkAssign(c echo.Context) error {
	u := h.user(c)
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, h.T(c, "error.bad_request"))
	}
	owner, ok := ownerValue(form.Get("owner"), u.ID)
	if !ok {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, h.T(c, "owner.err.field"))
	}
	ids, err := h.bulkIDs(c, form["ids"])
	if err != nil {
		return err
	}
	next := safeNext(form.Get("next"), "/leads")
	if len(ids) == 0 {
		h.setFlash(c, "warning", "ws.bulk.none")
	} else {
		n, skipped, err := h.Leads.AssignMany(c.Request().Context(), u.LeadActor(), ids, owner)
		if status, msg := h.assignRefusal(c, err); status != 0 {
			return echo.NewHTTPError(status, msg)
		}
		if errors.Is(err, leads.ErrRole) {
			return echo.NewHTTPError(http.StatusForbidden, h.T(c, "error.forbidden"))
		}
		if err != nil {
			return err
		}
		switch {
		case skipped > 0:
			h.setFlash(c, "warning", "owner.done.bulk_skipped")
		case n == 0:
			h.setFlash(c, "success", "owner.done.bulk_unchanged")
		default:
			h.setFlash(c, "success", "owner.done.bulk")
		}
	}
	return h.backToList(c, next)
}

// detailsOwner is the details page's owner card: who owns the lead and whom it can be given to.
type detailsOwner struct {
	Owner     *db.Owner  // nil: unassigned
	Assignees []db.Owner // the Referrals admins; empty when the user cannot assign this lead
	Mine      bool       // the signed-in user owns it
	CanMe     bool       // the signed-in user may own leads (a Referrals admin)
	Open      bool       // the user may work this lead now: assign it, log activities
}

// ownerCard gathers the owner card of lead l for this user.
func (h *Handler) ownerCard(c echo.Context, l *lead.Lead) (detailsOwner, error) {
	ctx := c.Request().Context()
	u := h.user(c)
	var d detailsOwner
	if l.OwnerID != 0 {
		labels, err := h.DB.OwnerLabels(ctx, []int64{l.OwnerID})
		if err != nil {
			return d, err
		}
		if o, ok := labels[l.OwnerID]; ok {
			d.Owner = &o
		}
		d.Mine = l.OwnerID == u.ID
	}
	if lifecycle.CheckAssign(l, u.LeadActor()) != nil {
		return d, nil
	}
	d.Open = true
	owners, err := h.DB.Owners(ctx)
	if err != nil {
		return d, err
	}
	d.Assignees = owners
	d.CanMe = u.Has(db.RoleReferrals)
	return d, nil
}
