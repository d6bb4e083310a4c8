package handlers

import (
	"errors"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"leaddesk/contact"
	"leaddesk/db"
	"leaddesk/views"
)

// Limits of a location's fields.
const (
	profileMaxLocationName = 100
	profileMaxAddress      = 300
	profileMaxContactName  = 100
	profileMaxEmail        = 254
)

// profileCountries are the ISO 3166-1 alpha-2 codes a location may name.
var profileCountries = strings.Fields(`AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA
GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN
KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG
NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS
ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`)

func profileCountryValid(code string) bool {
	i := sort.SearchStrings(profileCountries, code)
	return i < len(profileCountries) && profileCountries[i] == code
}

// profileCountryChoices lists every country by its name in lang, sorted as that language sorts.
func profileCountryChoices(lang, selected string) profileChoices {
	out := make(profileChoices, len(profileCountries))
	for i, code := range profileCountries {
		out[i] = profileChoice{Code: code, Label: views.CountryNameIn(lang, code), On: code == selected}
	}
	col := collate.New(language.Make(lang))
	sort.SliceStable(out, func(i, j int) bool { return col.CompareString(out[i].Label, out[j].Label) < 0 })
	return out
}

// profileLocationFromForm reads and checks a location form; errs maps field → message.
func (h *Handler) profileLocationFromForm(c echo.Context) (*db.Location, map[string]string) {
	l := &db.Location{
		Name:         strings.TrimSpace(c.FormValue("name")),
		Address:      strings.TrimSpace(strings.ReplaceAll(c.FormValue("address"), "\r\n", "\n")),
		Country:      strings.ToUpper(strings.TrimSpace(c.FormValue("country"))),
		ContactName:  strings.TrimSpace(c.FormValue("contact_name")),
		ContactEmail: strings.TrimSpace(c.FormValue("contact_email")),
		ContactPhone: strings.TrimSpace(c.FormValue("contact_phone")),
		Default:      c.FormValue("default") != "",
	}
	errs := map[string]string{}
	// The extra countries the location covers for lead routing (docs/design.md §6): codes or names,
	// separated by commas or spaces ("KR, TW").
	for _, f := range strings.FieldsFunc(c.FormValue("countries"), func(r rune) bool { return r == ',' || r == '、' || r == ';' || r == '\n' }) {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		for _, w := range profileCountryWords(f) {
			code, ok := profileCountryCode(w)
			if !ok {
				errs["countries"] = h.T(c, "profile.err.countries", w)
				break
			}
			if code != l.Country && !slices.Contains(l.Countries, code) {
				l.Countries = append(l.Countries, code)
			}
		}
	}
	sort.Strings(l.Countries)
	required := func(field, v string, max int) {
		switch {
		case v == "":
			errs[field] = h.T(c, "profile.err.required")
		case utf8.RuneCountInString(v) > max:
			errs[field] = h.T(c, "profile.err.too_long", max)
		}
	}
	required("name", l.Name, profileMaxLocationName)
	required("contact_name", l.ContactName, profileMaxContactName)
	if utf8.RuneCountInString(l.Address) > profileMaxAddress {
		errs["address"] = h.T(c, "profile.err.too_long", profileMaxAddress)
	}
	if !profileCountryValid(l.Country) {
		errs["country"] = h.T(c, "profile.err.country")
	}
	if l.ContactEmail == "" {
		errs["contact_email"] = h.T(c, "profile.err.email_required")
	} else if !contact.EmailSyntaxOK(l.ContactEmail) {
		errs["contact_email"] = h.T(c, "profile.err.email")
	}
	if l.ContactPhone != "" && !contact.PhoneSyntaxOK(l.ContactPhone) {
		errs["contact_phone"] = h.T(c, "profile.err.phone")
	}
	return l, errs
}

// profileCountryCode reads a country typed by code or name: the names contact.CountryCode knows, and
// every country's name as the location form lists it in English and Japanese ("Hong Kong SAR China",
// "香港").
func profileCountryCode(w string) (string, bool) {
	if code, ok := contact.CountryCode(w); ok && profileCountryValid(code) {
		return code, true
	}
	for _, code := range profileCountries {
		for _, lang := range views.Languages {
			name := views.CountryNameIn(lang, code)
			if strings.EqualFold(name, w) || strings.EqualFold(strings.TrimSuffix(name, " SAR China"), w) {
				return code, true
			}
		}
	}
	return "", false
}

// profileCountryWords splits one entry of the countries field: a name with spaces ("South Korea")
// stays whole unless every word is a two-letter code ("KR TW").
func profileCountryWords(entry string) []string {
	words := strings.Fields(entry)
	for _, w := range words {
		if len(w) != 2 {
			return []string{entry}
		}
	}
	return words
}

func profileLocationValues(l *db.Location) map[string]string {
	v := map[string]string{"name": l.Name, "address": l.Address, "country": l.Country,
		"contact_name": l.ContactName, "contact_email": l.ContactEmail, "contact_phone": l.ContactPhone,
		"countries": strings.Join(l.Countries, ", ")}
	if l.Default {
		v["default"] = "on"
	}
	return v
}

// profileLocationTyped is a refused form's values as typed, so a country the form could not read
// stays in the field to be corrected.
func profileLocationTyped(c echo.Context, l *db.Location) map[string]string {
	v := profileLocationValues(l)
	v["countries"] = c.FormValue("countries")
	return v
}

func (h *Handler) profileLocationID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusNotFound, h.T(c, "error.not_found"))
	}
	return id, nil
}

// showProfileLocations renders the locations card with location editID (0 = a new one) open as a form.
func (h *Handler) showProfileLocations(c echo.Context, status int, edit string, editID int64, form, errs map[string]string) error {
	d, err := h.loadProfile(c)
	if err != nil {
		return err
	}
	d.Section, d.Edit, d.EditID = "locations", edit, editID
	if form != nil {
		d.Form = form
	}
	if errs != nil {
		d.Errors = errs
	}
	d.Focus = "loc_name"
	if len(errs) > 0 {
		d.Focus = profileFirstError(errs, "loc_", "name", "country", "countries", "address", "contact_name", "contact_email", "contact_phone")
	}
	d.Countries = profileCountryChoices(h.lang(c), d.Form["country"])
	return h.showProfile(c, status, d)
}

// profileNewLocation opens an empty location form.
func (h *Handler) profileNewLocation(c echo.Context) error {
	return h.showProfileLocations(c, http.StatusOK, "location", 0, nil, nil)
}

// profileEditLocation opens location id's form.
func (h *Handler) profileEditLocation(c echo.Context) error {
	id, err := h.profileLocationID(c)
	if err != nil {
		return err
	}
	l, err := h.DB.LocationByID(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return h.showProfileLocations(c, http.StatusOK, "location", id, profileLocationValues(l), nil)
}

// profileCreateLocation adds a location.
func (h *Handler) profileCreateLocation(c echo.Context) error {
	l, errs := h.profileLocationFromForm(c)
	if len(errs) > 0 {
		return h.showProfileLocations(c, http.StatusUnprocessableEntity, "location", 0, profileLocationTyped(c, l), errs)
	}
	if err := h.DB.CreateLocation(c.Request().Context(), h.profileActor(c), l); err != nil {
		return err
	}
	return h.profileSaved(c, "locations", "profile.location_added")
}

// profileUpdateLocation saves location id.
func (h *Handler) profileUpdateLocation(c echo.Context) error {
	id, err := h.profileLocationID(c)
	if err != nil {
		return err
	}
	l, errs := h.profileLocationFromForm(c)
	l.ID = id
	if len(errs) > 0 {
		return h.showProfileLocations(c, http.StatusUnprocessableEntity, "location", id, profileLocationTyped(c, l), errs)
	}
	if err := h.DB.UpdateLocation(c.Request().Context(), h.profileActor(c), l); err != nil {
		return err
	}
	return h.profileSaved(c, "locations", "profile.saved")
}

// profileConfirmRemoveLocation asks before removing: it says how many leads name the location and
// offers to move them to another one in the same step, or says why the last location must stay.
func (h *Handler) profileConfirmRemoveLocation(c echo.Context) error {
	id, err := h.profileLocationID(c)
	if err != nil {
		return err
	}
	if _, err := h.DB.LocationByID(c.Request().Context(), id); err != nil {
		return err
	}
	d, err := h.loadProfile(c)
	if err != nil {
		return err
	}
	d.Section, d.RemoveID = "locations", id
	return h.showProfile(c, http.StatusOK, d)
}

// profileRemoveLocation removes location id, moving its leads to move_to when given.
func (h *Handler) profileRemoveLocation(c echo.Context) error {
	id, err := h.profileLocationID(c)
	if err != nil {
		return err
	}
	moveTo, _ := strconv.ParseInt(c.FormValue("move_to"), 10, 64)
	err = h.Leads.RemoveLocation(c.Request().Context(), h.user(c).LeadActor(), id, moveTo)
	var inUse *db.LocationInUseError
	switch {
	case err == nil:
		return h.profileSaved(c, "locations", "profile.location_removed")
	case errors.Is(err, db.ErrLastLocation):
		return h.refuseLocationRemoval(c, id, h.T(c, "profile.err.last_location"))
	case errors.As(err, &inUse):
		return h.refuseLocationRemoval(c, id, h.T(c, "profile.err.location_in_use", inUse.Leads))
	case errors.Is(err, db.ErrNoMoveTarget):
		return h.refuseLocationRemoval(c, id, h.T(c, "profile.err.move_to"))
	}
	return err
}

func (h *Handler) refuseLocationRemoval(c echo.Context, id int64, msg string) error {
	d, err := h.loadProfile(c)
	if err != nil {
		return err
	}
	d.Section, d.RemoveID = "locations", id
	d.Errors["remove"] = msg
	return h.showProfile(c, http.StatusUnprocessableEntity, d)
}
