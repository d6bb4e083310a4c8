package handlers

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/leads"
	"leaddesk/lifecycle"
	"leaddesk/views"
)

// leadFormData is what the accept, edit, decline, lost and employee forms show, as a modal or a page.
type leadFormData struct {
	Lead       *lead.Lead
	Action     string // accept, edit, decline, lost, employee
	PostURL    string
	Deal       dealForm
	Reason     reasonForm
	Employee   contactRow
	Users      []*db.User
	Currencies []string
	Reasons    []string
	Today      string // the earliest purchase date, YYYY-MM-DD in the configured zone
	Conflict   string // set when the lead changed or moved on: the form cannot be sent as it is
}

// formPage starts the data of a lifecycle form for l, refusing (409) when the lead no longer offers a.
// A form sent for a lead that moved on meanwhile (another user answered it, or it expired) gets the
// form back with the reason and a reload link, so a dialog shows it in place; formPage has then
// answered the request and returns a nil form.
func (h *Handler) formPage(c echo.Context, a lifecycle.Action, name string) (*lead.Lead, *leadFormData, error) {
	l, err := h.loadDetailLead(c)
	if err != nil {
		return nil, nil, err
	}
	if err := lifecycle.Check(l, h.user(c).LeadActor(), a); err != nil {
		status, msg := h.lifecycleRefusal(c, l, err)
		if status == http.StatusConflict && c.Request().Method == http.MethodPost {
			d := h.newFormData(l, name)
			d.Conflict = msg
			return nil, nil, h.renderForm(c, status, d)
		}
		return nil, nil, echo.NewHTTPError(status, msg)
	}
	d := h.newFormData(l, name)
	switch name {
	case "accept", "edit":
		users, err := h.teamCandidates(c)
		if err != nil {
			return nil, nil, err
		}
		d.Users = users
	case "decline":
		d.Reasons = lead.DeclineReasons
	case "lost":
		d.Reasons = lead.LostReasons
	}
	return l, d, nil
}

func (h *Handler) newFormData(l *lead.Lead, name string) *leadFormData {
	id := strconv.FormatInt(l.ID, 10)
	post := map[string]string{"accept": "/leads/" + id + "/accept", "edit": "/leads/" + id, "decline": "/leads/" + id + "/decline",
		"lost": "/leads/" + id + "/lost", "employee": "/leads/" + id + "/employees"}[name]
	d := &leadFormData{Lead: l, Action: name, PostURL: post, Currencies: DealCurrencies, Today: h.todayInZone().Format(leadDateInput),
		Deal:   dealForm{Version: strconv.FormatInt(l.Version, 10), Team: map[int64]bool{}, Errors: map[string]string{}},
		Reason: reasonForm{Version: strconv.FormatInt(l.Version, 10), Errors: map[string]string{}}}
	return d
}

// teamCandidates are the users a lead's team may be chosen from: every enabled user of this instance.
func (h *Handler) teamCandidates(c echo.Context) ([]*db.User, error) {
	all, err := h.DB.ListUsers(c.Request().Context())
	if err != nil {
		return nil, err
	}
	var out []*db.User
	for _, u := range all {
		if !u.Disabled {
			out = append(out, u)
		}
	}
	return out, nil
}

// renderForm shows a lifecycle form: only the dialog for htmx (swapped into #modal), the whole page
// otherwise (the same form without JavaScript).
func (h *Handler) renderForm(c echo.Context, status int, d *leadFormData) error {
	page := "leads/" + d.Action
	p := h.page(c, h.catalogOr(c, "lifecycle.title."+d.Action, d.Action), "leads", d)
	p.Fragment = "modal"
	return h.render(c, status, page, p)
}

// formRefused answers a form whose action was refused in the transaction: the form again with the
// reason and a reload link (409), never a silent overwrite.
func (h *Handler) formRefused(c echo.Context, d *leadFormData, err error) error {
	status, msg := h.lifecycleRefusal(c, d.Lead, err)
	if status == 0 {
		return err
	}
	if status != http.StatusConflict {
		return echo.NewHTTPError(status, msg)
	}
	d.Conflict = msg
	return h.renderForm(c, status, d)
}

// actionDone answers a successful action: for htmx the refreshed details replace the page content and
// close the dialog, and leadChanged tells the list to refresh its row; without JavaScript, 303 to the
// details with a flash.
func (h *Handler) actionDone(c echo.Context, id int64, doneKey string) error {
	c.Response().Header().Set("HX-Trigger", "leadChanged")
	if !views.WantsFragment(c.Request()) {
		h.setFlash(c, "success", doneKey)
		return c.Redirect(http.StatusSeeOther, "/leads/"+strconv.FormatInt(id, 10))
	}
	d, err := h.detailsData(c, id)
	if err != nil {
		return err
	}
	d.Done = h.T(c, doneKey)
	d.CloseModal = true
	hdr := c.Response().Header()
	hdr.Set("HX-Retarget", "#main")
	hdr.Set("HX-Reswap", "innerHTML")
	hdr.Set("HX-Push-Url", "/leads/"+strconv.FormatInt(id, 10))
	return h.render(c, http.StatusOK, "leads/show", h.page(c, d.Lead.CustomerCompany, "leads", d))
}

func (h *Handler) acceptForm(c echo.Context) error {
	_, d, err := h.formPage(c, lifecycle.Accept, "accept")
	if err != nil || d == nil {
		return err
	}
	d.Deal.Contacts = []contactRow{{}}
	return h.renderForm(c, http.StatusOK, d)
}

func (h *Handler) accept(c echo.Context) error {
	l, d, err := h.formPage(c, lifecycle.Accept, "accept")
	if err != nil || d == nil {
		return err
	}
	form, deal, team, contacts := h.readDealForm(c, d.Users, true)
	d.Deal = form
	if len(form.Errors) > 0 {
		if len(d.Deal.Contacts) == 0 {
			d.Deal.Contacts = []contactRow{{}}
		}
		return h.renderForm(c, http.StatusUnprocessableEntity, d)
	}
	_, err = h.Leads.Accept(c.Request().Context(), h.user(c).LeadActor(), l.ID, formVersion(form.Version), deal, team, contacts)
	if err != nil {
		return h.formRefused(c, d, err)
	}
	return h.actionDone(c, l.ID, "lifecycle.done.accepted")
}

func (h *Handler) editForm(c echo.Context) error {
	l, d, err := h.formPage(c, lifecycle.Edit, "edit")
	if err != nil || d == nil {
		return err
	}
	d.Deal = dealForm{DealName: l.DealName, DealValue: dealValueInput(l.DealValue, l.Currency), Currency: l.Currency, CloseDate: l.PurchaseDate,
		Notes: l.Notes, CampaignID: l.CampaignID, CRMID: l.CRMID, Version: strconv.FormatInt(l.Version, 10), Team: map[int64]bool{}, Errors: map[string]string{}}
	team, err := db.LeadTeam(c.Request().Context(), h.DB, l.ID)
	if err != nil {
		return err
	}
	for _, m := range team {
		d.Deal.Team[m.ID] = true
	}
	return h.renderForm(c, http.StatusOK, d)
}

func (h *Handler) edit(c echo.Context) error {
	l, d, err := h.formPage(c, lifecycle.Edit, "edit")
	if err != nil || d == nil {
		return err
	}
	form, deal, team, _ := h.readDealForm(c, d.Users, false)
	d.Deal = form
	if form.Version == "" {
		// An edit must say which version it was based on, or it could overwrite a newer one unseen.
		d.Deal.Version = strconv.FormatInt(l.Version, 10)
		return h.formRefused(c, d, leads.ErrStale)
	}
	if len(form.Errors) > 0 {
		return h.renderForm(c, http.StatusUnprocessableEntity, d)
	}
	_, err = h.Leads.Edit(c.Request().Context(), h.user(c).LeadActor(), l.ID, formVersion(form.Version), deal, team)
	if err != nil {
		return h.formRefused(c, d, err)
	}
	return h.actionDone(c, l.ID, "lifecycle.done.edited")
}

func (h *Handler) reasonFormGet(a lifecycle.Action, name string) echo.HandlerFunc {
	return func(c echo.Context) error {
		_, d, err := h.formPage(c, a, name)
		if err != nil || d == nil {
			return err
		}
		return h.renderForm(c, http.StatusOK, d)
	}
}

func (h *Handler) decline(c echo.Context) error {
	l, d, err := h.formPage(c, lifecycle.Decline, "decline")
	if err != nil || d == nil {
		return err
	}
	d.Reason = h.readReasonForm(c, lead.DeclineReasons)
	if len(d.Reason.Errors) > 0 {
		return h.renderForm(c, http.StatusUnprocessableEntity, d)
	}
	_, err = h.Leads.Decline(c.Request().Context(), h.user(c).LeadActor(), l.ID, formVersion(d.Reason.Version), d.Reason.Reason, d.Reason.Notes)
	if err != nil {
		return h.formRefused(c, d, err)
	}
	return h.actionDone(c, l.ID, "lifecycle.done.declined")
}

func (h *Handler) lost(c echo.Context) error {
	l, d, err := h.formPage(c, lifecycle.Lost, "lost")
	if err != nil || d == nil {
		return err
	}
	d.Reason = h.readReasonForm(c, lead.LostReasons)
	if len(d.Reason.Errors) > 0 {
		return h.renderForm(c, http.StatusUnprocessableEntity, d)
	}
	_, err = h.Leads.Lost(c.Request().Context(), h.user(c).LeadActor(), l.ID, formVersion(d.Reason.Version), d.Reason.Reason, d.Reason.Notes)
	if err != nil {
		return h.formRefused(c, d, err)
	}
	return h.actionDone(c, l.ID, "lifecycle.done.lost")
}

// won marks an accepted deal won; it is one button, so a refusal is a 409 page rather than a form.
func (h *Handler) won(c echo.Context) error {
	l, err := h.loadDetailLead(c)
	if err != nil {
		return err
	}
	if _, err := h.Leads.Won(c.Request().Context(), h.user(c).LeadActor(), l.ID, formVersion(c.FormValue("version"))); err != nil {
		if status, msg := h.lifecycleRefusal(c, l, err); status != 0 {
			return echo.NewHTTPError(status, msg)
		}
		return err
	}
	return h.actionDone(c, l.ID, "lifecycle.done.won")
}

func (h *Handler) employeeForm(c echo.Context) error {
	_, d, err := h.formPage(c, lifecycle.AddEmployee, "employee")
	if err != nil || d == nil {
		return err
	}
	return h.renderForm(c, http.StatusOK, d)
}

func (h *Handler) addEmployee(c echo.Context) error {
	l, d, err := h.formPage(c, lifecycle.AddEmployee, "employee")
	if err != nil || d == nil {
		return err
	}
	d.Employee = contactRow{Name: formTrimmed(c, "name"), Email: formTrimmed(c, "email"), Phone: formTrimmed(c, "phone")}
	d.Employee.Errors = h.checkContact(c, d.Employee, true)
	d.Reason.Version = c.FormValue("version")
	if len(d.Employee.Errors) > 0 {
		return h.renderForm(c, http.StatusUnprocessableEntity, d)
	}
	emp := lead.Contact{Name: d.Employee.Name, Email: d.Employee.Email, Phone: d.Employee.Phone}
	_, err = h.Leads.AddEmployee(c.Request().Context(), h.user(c).LeadActor(), l.ID, formVersion(d.Reason.Version), emp)
	if err != nil {
		return h.formRefused(c, d, err)
	}
	return h.actionDone(c, l.ID, "lifecycle.done.employee")
}
