package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/leadfilter"
	"leaddesk/views"
)

// Saved views (issue 17): a named list view — the list's query string, so the URL stays the source of
// truth — personal or shared with the team, shown beside the Leads tabs in each person's own order. A
// shared view is changed only by its author or an Account admin; deleting one never touches a lead.

// maxViewNameRunes is how long a saved view's name may be.
const maxViewNameRunes = 60

// savedViewsBar is what the saved_views partial shows beside the tabs: the views this person sees, in
// their order, and the form saving the view on screen.
type savedViewsBar struct {
	Views []savedViewLink
	Query string // the view on screen, without its page: what "Save view" stores
	CSRF  string
}

type savedViewLink struct {
	ID      int64
	Name    string
	Shared  bool
	Current bool // the view on screen is this saved view
}

// savedViewsBar reads the saved views for the Leads page (one query); nil for a results-only htmx
// request, which does not show them. Without them the list still works, so an error is only logged.
func (h *Handler) savedViewsBar(c echo.Context, f leadfilter.View) *savedViewsBar {
	req := c.Request()
	if req.Header.Get(views.HXTarget) == "results" && views.WantsFragment(req) {
		return nil
	}
	f.Page = 1
	csrf, _ := c.Get(ctxCSRF).(string)
	bar := &savedViewsBar{Query: f.Query().Encode(), CSRF: csrf}
	list, err := h.DB.SavedViewsRemembered(req.Context(), h.user(c).ID)
	if err != nil {
		h.Log.Warn("saved views", "err", err)
		return bar
	}
	for _, v := range list {
		bar.Views = append(bar.Views, savedViewLink{ID: v.ID, Name: v.Name, Shared: v.Shared, Current: v.Query == bar.Query})
	}
	return bar
}

// savedViewForm is the save/edit form as sent, with its messages per field.
type savedViewForm struct {
	ID     int64
	Name   string
	Query  string
	Shared bool
	Errors map[string]string
	// Broken lists why a stored view no longer opens (a removed location, …), shown above the form.
	Broken []string
	// CanChange: the form is shown (the author, or an Account admin for a shared view).
	CanChange bool
}

// savedViewsPage is the Manage views page.
type savedViewsPage struct {
	Views []savedViewRow
}

type savedViewRow struct {
	*db.SavedView
	Mine      bool
	CanChange bool
	First     bool
	Last      bool
}

// listQueryParams are the Leads list's query parameters a saved view may hold, besides the filters
// of leadfilter's table (page is dropped: a view opens on its first page).
var listQueryParams = []string{"tab", "q", "test", "sort", "dir", "per_page", "size", "page"}

// checkViewQuery validates a list query string as a saved view stores it — the filters with
// leadfilter's strict parser, then that the locations and people it names still exist — and answers
// its canonical form (page left out), or the problems, each naming the setting.
func (h *Handler) checkViewQuery(c echo.Context, raw string) (string, []string) {
	raw = strings.TrimSpace(raw)
	if _, after, ok := strings.Cut(raw, "?"); ok {
		raw = after // a whole /leads?… link is taken too
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return "", []string{h.T(c, "views.err.query")}
	}
	var problems []string
	known := slices.Clone(listQueryParams)
	for _, fd := range (leadfilter.Filter{}).Fields() {
		known = append(known, fd.Param)
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(known, k) {
			problems = append(problems, h.T(c, "views.err.param", k))
		}
	}
	if t := q.Get("tab"); t != "" && t != "marketplace" && t != "qualified" && t != "favorites" {
		problems = append(problems, h.T(c, "views.err.value", h.T(c, "views.setting.tab")))
	}
	filters := url.Values{}
	for k, vs := range q {
		if k != "tab" {
			filters[k] = vs
		}
	}
	f, bad := leadfilter.ParseStrict(filters, nil)
	for _, p := range bad {
		problems = append(problems, h.T(c, "views.err.value", h.viewSettingLabel(c, p.Field)))
	}
	if s := q.Get("sort"); s != "" && !slices.Contains(leadfilter.Sorts, s) {
		problems = append(problems, h.T(c, "views.err.value", h.T(c, "views.setting.sort")))
	}
	if d := q.Get("dir"); d != "" && d != "asc" && d != "desc" {
		problems = append(problems, h.T(c, "views.err.value", h.T(c, "views.setting.sort")))
	}
	for _, k := range []string{"per_page", "size"} {
		if s := q.Get(k); s != "" {
			if n, err := strconv.Atoi(s); err != nil || !slices.Contains(leadfilter.PageSizes, n) {
				problems = append(problems, h.T(c, "views.err.value", h.T(c, "views.setting.per_page")))
			}
		}
	}
	ctx := c.Request().Context()
	if len(f.Location) > 0 {
		locs, err := h.DB.LocationNames(ctx)
		if err != nil {
			h.Log.Warn("saved view locations", "err", err)
		}
		for _, id := range f.Location {
			if !slices.ContainsFunc(locs, func(l db.LocationName) bool { return strconv.FormatInt(l.ID, 10) == id }) {
				problems = append(problems, h.T(c, "views.err.location_gone", id))
			}
		}
	}
	for _, o := range f.Owner {
		id, err := strconv.ParseInt(o, 10, 64)
		if err != nil {
			continue // me, none
		}
		if _, err := h.DB.UserByID(ctx, id); errors.Is(err, db.ErrNotFound) {
			problems = append(problems, h.T(c, "views.err.owner_gone", o))
		}
	}
	if len(problems) > 0 {
		return "", problems
	}
	v := leadfilter.ParseView(q)
	v.Page = 1
	return v.Query().Encode(), nil
}

// viewSettingLabel names a list parameter as the filter panel does.
func (h *Handler) viewSettingLabel(c echo.Context, param string) string {
	switch param {
	case "email_validity":
		return h.T(c, "lead.email_validity")
	case "phone_validity":
		return h.T(c, "lead.phone_validity")
	case "owner":
		return h.T(c, "owner.title")
	case "test":
		return h.T(c, "ws.filter.test")
	}
	return h.catalogOr(c, "ws.filter."+param, param)
}

// readSavedViewForm reads and checks the save/edit form; id is the view being edited (0: a new one),
// query the list's query string to store.
func (h *Handler) readSavedViewForm(c echo.Context, id int64, query string) *savedViewForm {
	f := &savedViewForm{ID: id, Name: strings.TrimSpace(c.FormValue("name")), Query: strings.TrimSpace(query),
		Shared: c.FormValue("shared") == "1", Errors: map[string]string{}, CanChange: true}
	switch {
	case f.Name == "":
		f.Errors["name"] = h.T(c, "views.err.name_empty")
	case utf8.RuneCountInString(f.Name) > maxViewNameRunes:
		f.Errors["name"] = h.T(c, "views.err.name_long", maxViewNameRunes)
	default:
		taken, err := h.DB.SavedViewNameTaken(c.Request().Context(), h.user(c).ID, f.Name, id)
		if err != nil {
			h.Log.Warn("saved view name", "err", err)
		}
		if taken {
			f.Errors["name"] = h.T(c, "views.err.name_taken", f.Name)
		}
	}
	canon, problems := h.checkViewQuery(c, f.Query)
	if len(problems) > 0 {
		f.Errors["query"] = strings.Join(problems, " ")
	} else {
		f.Query = canon
	}
	return f
}

func (h *Handler) renderSavedViewForm(c echo.Context, status int, f *savedViewForm) error {
	title := h.T(c, "views.new_title")
	if f.ID != 0 {
		title = h.T(c, "views.edit_title")
	}
	return h.render(c, status, "leads/saved_view", h.page(c, title, "leads", f))
}

// savedViewsIndex is GET /leads/views: the views this person sees, in their order, to open, move,
// edit and delete.
func (h *Handler) savedViewsIndex(c echo.Context) error {
	u := h.user(c)
	list, err := h.DB.SavedViews(c.Request().Context(), u.ID)
	if err != nil {
		return err
	}
	d := &savedViewsPage{}
	for i, v := range list {
		d.Views = append(d.Views, savedViewRow{SavedView: v, Mine: v.UserID == u.ID, CanChange: mayChangeView(u, v),
			First: i == 0, Last: i == len(list)-1})
	}
	return h.render(c, http.StatusOK, "leads/saved_views", h.page(c, h.T(c, "views.title"), "leads", d))
}

// savedViewCreate is POST /leads/views (name, query, shared=1): saves a view and opens it.
func (h *Handler) savedViewCreate(c echo.Context) error {
	query := c.FormValue("query")
	// From beside the tabs with htmx, the list may have been filtered in place since the page came
	// (only the results are swapped, and the address pushed): the address htmx sends is the view on
	// screen. Without JavaScript every filter loads the page, so the form's own field is right.
	if cur, err := url.Parse(c.Request().Header.Get(views.HXCurrentURL)); err == nil && cur.Path == "/leads" && c.FormValue("from") == "bar" {
		query = cur.RawQuery
	}
	f := h.readSavedViewForm(c, 0, query)
	if len(f.Errors) > 0 {
		return h.renderSavedViewForm(c, http.StatusUnprocessableEntity, f)
	}
	v := &db.SavedView{UserID: h.user(c).ID, Name: f.Name, Query: f.Query, Shared: f.Shared}
	if err := h.DB.CreateSavedView(c.Request().Context(), v, h.Clock.Now()); err != nil {
		return err
	}
	h.setFlash(c, "success", "views.saved")
	return h.redirect(c, "/leads?"+v.Query)
}

// mayChangeView: a personal view is its author's; a shared one its author's or any Account admin's.
func mayChangeView(u *db.User, v *db.SavedView) bool {
	return v.UserID == u.ID || (v.Shared && u.Has(db.RoleAccount))
}

// visibleSavedView loads the :id view if this person sees it (their own or a shared one): 404 else,
// so another person's personal view does not even show it exists.
func (h *Handler) visibleSavedView(c echo.Context) (*db.SavedView, error) {
	notFound := echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, notFound
	}
	v, err := h.DB.SavedViewByID(c.Request().Context(), id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && !v.Shared && v.UserID != h.user(c).ID) {
		return nil, notFound
	}
	return v, err
}

// changeableSavedView is visibleSavedView for a change: 403 for a shared view of someone else
// unless an Account admin.
func (h *Handler) changeableSavedView(c echo.Context) (*db.SavedView, error) {
	v, err := h.visibleSavedView(c)
	if err != nil {
		return nil, err
	}
	if !mayChangeView(h.user(c), v) {
		return nil, echo.NewHTTPError(http.StatusForbidden, h.T(c, "views.err.not_author"))
	}
	return v, nil
}

// savedViewOpen is GET /leads/views/:id: the list with the view's query, checked again first — a
// view naming a location removed since opens its form with what no longer holds, not the list.
func (h *Handler) savedViewOpen(c echo.Context) error {
	v, err := h.visibleSavedView(c)
	if err != nil {
		return err
	}
	canon, problems := h.checkViewQuery(c, v.Query)
	if len(problems) == 0 {
		return c.Redirect(http.StatusSeeOther, "/leads?"+canon)
	}
	f := &savedViewForm{ID: v.ID, Name: v.Name, Query: v.Query, Shared: v.Shared, Broken: problems,
		CanChange: mayChangeView(h.user(c), v), Errors: map[string]string{"query": strings.Join(problems, " ")}}
	return h.renderSavedViewForm(c, http.StatusOK, f)
}

// savedViewEdit is GET /leads/views/:id/edit.
func (h *Handler) savedViewEdit(c echo.Context) error {
	v, err := h.changeableSavedView(c)
	if err != nil {
		return err
	}
	return h.renderSavedViewForm(c, http.StatusOK, &savedViewForm{ID: v.ID, Name: v.Name, Query: v.Query, Shared: v.Shared, CanChange: true})
}

// savedViewUpdate is POST /leads/views/:id: a new name, query or sharing.
func (h *Handler) savedViewUpdate(c echo.Context) error {
	v, err := h.changeableSavedView(c)
	if err != nil {
		return err
	}
	f := h.readSavedViewForm(c, v.ID, c.FormValue("query"))
	if len(f.Errors) > 0 {
		return h.renderSavedViewForm(c, http.StatusUnprocessableEntity, f)
	}
	v.Name, v.Query, v.Shared = f.Name, f.Query, f.Shared
	if err := h.DB.UpdateSavedView(c.Request().Context(), v, h.Clock.Now()); err != nil {
		return err
	}
	h.setFlash(c, "success", "views.updated")
	return h.redirect(c, "/leads/views")
}

// savedViewDelete is POST /leads/views/:id/delete: the view goes, for everyone it was shared with;
// no lead is touched.
func (h *Handler) savedViewDelete(c echo.Context) error {
	v, err := h.changeableSavedView(c)
	if err != nil {
		return err
	}
	if err := h.DB.DeleteSavedView(c.Request().Context(), v.ID); err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	h.setFlash(c, "success", "views.deleted")
	return h.redirect(c, "/leads/views")
}

// savedViewMove is POST /leads/views/:id/move (dir = up | down): one place in this person's order.
func (h *Handler) savedViewMove(c echo.Context) error {
	v, err := h.visibleSavedView(c)
	if err != nil {
		return err
	}
	dir := c.FormValue("dir")
	if dir != "up" && dir != "down" {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, h.T(c, "views.err.dir"))
	}
	if err := h.DB.MoveSavedView(c.Request().Context(), h.user(c).ID, v.ID, dir == "up"); errors.Is(err, db.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	} else if err != nil {
		return err
	}
	return h.redirect(c, "/leads/views#view-"+strconv.FormatInt(v.ID, 10))
}
