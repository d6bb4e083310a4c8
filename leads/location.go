package leads

import (
	"context"
	"database/sql"
	"strconv"

	"leaddesk/db"
	"leaddesk/lead"
)

// RemoveLocation removes a business-profile location. Leads that came through it are moved to
// moveTo in the same transaction (the store refuses with db.ErrLastLocation, *db.LocationInUseError
// or db.ErrNoMoveTarget when it cannot be done), and each moved lead records an Edited event: its
// location is part of the lead, so a location removed is a change to every lead that named it.
func (s *Service) RemoveLocation(ctx context.Context, by lead.Actor, id, moveTo int64) error {
	now := s.clock.Now()
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		moved, err := db.RemoveLocationTx(ctx, tx, db.ProfileActor{UserID: by.UserID, At: now}, id, moveTo)
		if err != nil {
			return err
		}
		events := make([]recorded, 0, len(moved))
		for _, before := range moved {
			after, err := db.LeadByIDTx(ctx, tx, before.ID)
			if err != nil {
				return err
			}
			changes := map[string][2]string{"location_id": {strconv.FormatInt(before.LocationID, 10), strconv.FormatInt(after.LocationID, 10)}}
			events = append(events, recorded{lead.Edited{Change: lead.Change{Lead: after, Actor: by, At: now}, Before: before}, changes})
		}
		return s.record(ctx, tx, events...)
	})
}
