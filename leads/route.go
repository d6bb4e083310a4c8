package leads

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"leaddesk/db"
	"leaddesk/lead"
)

// ErrUnknownLocation: the payload names a location (by id or name) that the business profile does
// not have. It is an ErrInvalid; the API answers 422 naming the field "location".
var ErrUnknownLocation = fmt.Errorf("%w: no such location", ErrInvalid)

// Routing of incoming leads to business-profile locations (docs/design.md §6, "Lead routing"): every
// lead that arrives — marketplace endpoint, API, CSV import, later Partner Center — is linked to ONE
// location, decided in the transaction that stores it, in this order:
//
//  1. the location the payload names (l.LocationRef: the location's id, or its name compared without
//     regard to case); an API lead naming no such location is refused (ErrUnknownLocation), a CSV row
//     naming one is routed by the steps below, as the import does not stop for one row;
//  2. else the location that covers the customer's country: a location's own country first, then one
//     whose extra countries list it; among several, the default if it is one of them, else the oldest;
//  3. else the default location (the first one created unless another was made the default; the
//     oldest if none is marked).
//
// With no location at all the lead has none, and only the Referrals admins hear of it.

// router decides locations for incoming leads from the locations as the transaction reads them.
type router struct{ locs []*db.Location }

// newRouterTx reads the locations inside tx.
func newRouterTx(ctx context.Context, q db.Querier) (*router, error) {
	locs, err := db.LocationsTx(ctx, q)
	if err != nil {
		return nil, err
	}
	return &router{locs: locs}, nil
}

// fallback is the default location: the marked one, else the oldest.
func (r *router) fallback() *db.Location {
	for _, l := range r.locs {
		if l.Default {
			return l
		}
	}
	if len(r.locs) > 0 {
		return r.locs[0]
	}
	return nil
}

// named finds the location ref names: by id, then by name.
func (r *router) named(ref string) *db.Location {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		for _, l := range r.locs {
			if l.ID == id {
				return l
			}
		}
	}
	for _, l := range r.locs {
		if strings.EqualFold(strings.TrimSpace(l.Name), ref) {
			return l
		}
	}
	return nil
}

// covering finds the location for a customer country (step 2).
func (r *router) covering(country string) *db.Location {
	if country == "" {
		return nil
	}
	var own, listed []*db.Location
	for _, l := range r.locs {
		if strings.EqualFold(l.Country, country) {
			own = append(own, l)
			continue
		}
		for _, c := range l.Countries {
			if strings.EqualFold(c, country) {
				listed = append(listed, l)
				break
			}
		}
	}
	for _, set := range [][]*db.Location{own, listed} {
		if len(set) == 0 {
			continue
		}
		for _, l := range set {
			if l.Default {
				return l
			}
		}
		return set[0] // oldest: r.locs is by id
	}
	return nil
}

// route sets l.LocationID by the rule above. strict refuses a named location that does not exist.
func (r *router) route(l *lead.Lead, strict bool) error {
	if ref := strings.TrimSpace(l.LocationRef); ref != "" {
		if loc := r.named(ref); loc != nil {
			l.LocationID = loc.ID
			return nil
		}
		if strict {
			return fmt.Errorf("%w: %q", ErrUnknownLocation, ref)
		}
	}
	loc := r.covering(l.Country)
	if loc == nil {
		loc = r.fallback()
	}
	l.LocationID = 0
	if loc != nil {
		l.LocationID = loc.ID
	}
	return nil
}

// IsUnknownLocation tells whether err is a payload naming a location the profile does not have.
func IsUnknownLocation(err error) bool { return errors.Is(err, ErrUnknownLocation) }
