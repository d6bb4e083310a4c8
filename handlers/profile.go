package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"leaddesk/db"
	"leaddesk/views"
)

// Limits of the business profile's fields (docs/design.md §6), checked before anything is saved.
const (
	profileMaxCompanyName    = 120
	profileMaxDescription    = 2000
	profileMaxWebsite        = 300
	profileMaxKeyword        = 60 // Partner Center keywords are short phrases; a paragraph is a mistake
	profileMaxKeywordsByKind = 30
)

// profileSections are the cards of the profile page; each is swapped in place on its own.
var profileSections = map[string]bool{"company": true, "keywords": true, "preferences": true, "locations": true}

// profileChoice is one option of a checkbox list or select.
type profileChoice struct {
	Code, Label string
	On          bool
}

// profileChoices is a list of options.
type profileChoices []profileChoice

// AnyOn reports whether any option is chosen.
func (cs profileChoices) AnyOn() bool {
	for _, c := range cs {
		if c.On {
			return true
		}
	}
	return false
}

// profileData is the profile page. Section names the card an htmx answer carries; Edit the card shown
// as a form (EditID the location in it, 0 = a new one; RemoveID a location whose removal is asked).
type profileData struct {
	CanEdit      bool
	Section      string
	Edit         string
	EditID       int64
	RemoveID     int64
	Live         string // announced to screen readers after an in-place save
	Focus        string // id of the field that takes focus in a swapped-in form
	Profile      *db.Profile
	Keywords     map[string][]db.Keyword
	KeywordKinds []string
	Suggestions  map[string][]string
	Sizes        profileChoices
	Industries   profileChoices
	Locations    []*db.Location
	Countries    profileChoices
	Form         map[string]string // the submitted values of the form being edited
	Errors       map[string]string // field → message
}

// loadProfile reads the whole profile for the page in the request's language.
func (h *Handler) loadProfile(c echo.Context) (*profileData, error) {
	ctx := c.Request().Context()
	p, err := h.DB.Profile(ctx)
	if err != nil {
		return nil, err
	}
	kws, err := h.DB.Keywords(ctx)
	if err != nil {
		return nil, err
	}
	prefs, err := h.DB.Preferences(ctx)
	if err != nil {
		return nil, err
	}
	locs, err := h.DB.ListLocations(ctx)
	if err != nil {
		return nil, err
	}
	d := &profileData{
		CanEdit: profileEditors.Allows(h.user(c)), Profile: p, Keywords: kws, KeywordKinds: db.KeywordKinds,
		Locations: locs, Form: map[string]string{}, Errors: map[string]string{},
	}
	d.Sizes = h.profileChoiceList(c, "profile.size.", db.CompanySizes, prefs[db.PrefCompanySize])
	d.Industries = h.profileChoiceList(c, "profile.industry.", db.Industries, prefs[db.PrefIndustry])
	d.Suggestions = profileKeywordSuggestions(h.lang(c), kws)
	return d, nil
}

// profileChoiceList labels each code in the request's language and marks the chosen ones.
func (h *Handler) profileChoiceList(c echo.Context, prefix string, codes, chosen []string) profileChoices {
	out := make(profileChoices, len(codes))
	for i, code := range codes {
		out[i] = profileChoice{Code: code, Label: h.T(c, prefix+code)}
		for _, x := range chosen {
			if x == code {
				out[i].On = true
			}
		}
	}
	return out
}

// showProfile renders the page, or for htmx only the card of d.Section.
func (h *Handler) showProfile(c echo.Context, status int, d *profileData) error {
	p := h.page(c, h.T(c, "profile.title"), "profile", d)
	if d.Section != "" {
		p.Fragment = "profile-fragment"
	}
	return h.render(c, status, "profile/index", p)
}

// profileSaved answers a successful save: htmx gets the card back in its read view (and the new "last
// changed" line); a plain form post gets 303 to the page with a flash.
func (h *Handler) profileSaved(c echo.Context, section, msgKey string) error {
	if !views.WantsFragment(c.Request()) {
		h.setFlash(c, "success", msgKey)
		return c.Redirect(http.StatusSeeOther, "/profile#profile-"+section)
	}
	d, err := h.loadProfile(c)
	if err != nil {
		return err
	}
	d.Section, d.Live = section, h.T(c, msgKey)
	return h.showProfile(c, http.StatusOK, d)
}

// profileActor is who is changing the profile, now.
func (h *Handler) profileActor(c echo.Context) db.ProfileActor {
	return db.ProfileActor{UserID: h.user(c).ID, At: h.Clock.Now()}
}

// profileIndex shows the profile; every role may read it, editors get the Edit buttons.
func (h *Handler) profileIndex(c echo.Context) error {
	d, err := h.loadProfile(c)
	if err != nil {
		return err
	}
	return h.showProfile(c, http.StatusOK, d)
}

// profileSection is one card in its read view (Cancel of an in-place form).
func (h *Handler) profileSection(c echo.Context) error {
	section := c.Param("section")
	if !profileSections[section] {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	d, err := h.loadProfile(c)
	if err != nil {
		return err
	}
	d.Section = section
	return h.showProfile(c, http.StatusOK, d)
}

// profileEditSection swaps a card's form in (or, without JavaScript, shows the page with it open).
func (h *Handler) profileEditSection(c echo.Context) error {
	section := c.Param("section")
	if !profileSections[section] || section == "locations" {
		return echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	d, err := h.loadProfile(c)
	if err != nil {
		return err
	}
	d.Section, d.Edit = section, section
	d.Focus = map[string]string{"company": "company_name", "keywords": "keyword_expertise"}[section]
	if section == "company" {
		d.Form = map[string]string{"company_name": d.Profile.CompanyName, "description": d.Profile.Description, "website": d.Profile.Website}
	}
	return h.showProfile(c, http.StatusOK, d)
}

// profileSaveCompany saves company name, description and website.
func (h *Handler) profileSaveCompany(c echo.Context) error {
	name := strings.TrimSpace(c.FormValue("company_name"))
	desc := strings.TrimSpace(strings.ReplaceAll(c.FormValue("description"), "\r\n", "\n"))
	site := strings.TrimSpace(c.FormValue("website"))
	errs := map[string]string{}
	switch {
	case name == "":
		errs["company_name"] = h.T(c, "profile.err.company_name_required")
	case utf8.RuneCountInString(name) > profileMaxCompanyName:
		errs["company_name"] = h.T(c, "profile.err.too_long", profileMaxCompanyName)
	}
	if utf8.RuneCountInString(desc) > profileMaxDescription {
		errs["description"] = h.T(c, "profile.err.too_long", profileMaxDescription)
	}
	if site != "" && !profileWebsiteValid(site) {
		errs["website"] = h.T(c, "profile.err.website")
	}
	if len(errs) > 0 {
		d, err := h.loadProfile(c)
		if err != nil {
			return err
		}
		d.Section, d.Edit, d.Errors = "company", "company", errs
		d.Focus = profileFirstError(errs, "", "company_name", "description", "website")
		d.Form = map[string]string{"company_name": name, "description": desc, "website": site}
		return h.showProfile(c, http.StatusUnprocessableEntity, d)
	}
	if err := h.DB.UpdateProfile(c.Request().Context(), h.profileActor(c), name, desc, site); err != nil {
		return err
	}
	return h.profileSaved(c, "company", "profile.saved")
}

// profileWebsiteValid accepts an absolute http(s) URL with a host and no spaces.
func profileWebsiteValid(s string) bool {
	if len(s) > profileMaxWebsite || strings.ContainsAny(s, " \t\n") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && strings.Contains(u.Hostname(), ".")
}

// profileSavePreferences saves the customer company sizes and industries.
func (h *Handler) profileSavePreferences(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, h.T(c, "error.bad_request"))
	}
	sizes, industries := form["company_size"], form["industry"]
	errs := map[string]string{}
	if !profileAllIn(sizes, db.CompanySizes) {
		errs["company_size"] = h.T(c, "profile.err.unknown_choice")
	}
	if !profileAllIn(industries, db.Industries) {
		errs["industry"] = h.T(c, "profile.err.unknown_choice")
	}
	if len(errs) > 0 {
		d, err := h.loadProfile(c)
		if err != nil {
			return err
		}
		d.Section, d.Edit, d.Errors = "preferences", "preferences", errs
		d.Sizes = h.profileChoiceList(c, "profile.size.", db.CompanySizes, sizes)
		d.Industries = h.profileChoiceList(c, "profile.industry.", db.Industries, industries)
		return h.showProfile(c, http.StatusUnprocessableEntity, d)
	}
	if err := h.DB.SetPreferences(c.Request().Context(), h.profileActor(c), sizes, industries); err != nil {
		return err
	}
	return h.profileSaved(c, "preferences", "profile.saved")
}

func profileAllIn(vals, allowed []string) bool {
	for _, v := range vals {
		ok := false
		for _, a := range allowed {
			ok = ok || a == v
		}
		if !ok {
			return false
		}
	}
	return true
}

// profileFirstError returns the id (prefix + field) of the first field in order that has a message, so the
// re-shown form puts the cursor where the first fix is needed.
func profileFirstError(errs map[string]string, prefix string, order ...string) string {
	for _, f := range order {
		if errs[f] != "" {
			return prefix + f
		}
	}
	return ""
}
