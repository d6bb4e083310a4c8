package pcsync

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"leaddesk/db"
	"leaddesk/lead"
	"leaddesk/leads"
	"leaddesk/partnercenter"
)

// Queue is the leads service's subscriber for Partner Center: a change made here to a lead that came
// from Partner Center — accepted, declined, won, lost, its deal value, currency or close date edited,
// an employee added to the team — becomes a row of the durable sync queue in the change's own
// transaction (the outbox pattern of the mail), so a change is never lost and never sent without
// having been made. Changes brought from Partner Center are not sent back.
type Queue struct{}

// Handle implements lead.Subscriber.
func (Queue) Handle(ctx context.Context, tx *sql.Tx, e lead.Event) error {
	if e.By().Label == leads.PartnerCenterActor().Label {
		return nil
	}
	if a, ok := e.(lead.Accepted); ok && a.Lead.Tab == "marketplace" {
		// The API does not carry marketplace leads: remind the team to mark it there by hand.
		return db.AddPCReminderTx(ctx, tx, a.Lead.ID, a.At)
	}
	var before *lead.Lead
	var extra []partnercenter.PatchOp
	switch e := e.(type) {
	case lead.Accepted:
		before = e.Before
	case lead.Declined:
		before = e.Before
	case lead.Won:
		before = e.Before
	case lead.Lost:
		before = e.Before
	case lead.Edited:
		before = e.Before
	case lead.EmployeeAdded:
		first, last := lead.SplitContactName(e.Employee.Name)
		extra = append(extra, partnercenter.AddTeamMember(partnercenter.Member{FirstName: first, LastName: last,
			Email: e.Employee.Email, PhoneNumber: e.Employee.Phone}))
	default:
		return nil
	}
	after := e.Subject()
	ref, err := db.PCReferralByLead(ctx, tx, after.ID)
	if errors.Is(err, db.ErrNotFound) {
		return nil // not a lead from Partner Center
	}
	if err != nil {
		return err
	}
	b := base{After: FieldsOf(after)}
	ops := extra
	if before != nil {
		b.Before = FieldsOf(before)
		ops, err = partnercenter.PatchOpsFor(before, after)
		if err != nil {
			// A move Partner Center's transition table does not allow: the change here stands, the lead
			// shows the sync failed with the reason.
			return db.SetPCStateTx(ctx, tx, after.ID, db.PCFailed, err.Error())
		}
	} else {
		b.Before = b.After
	}
	if len(ops) == 0 {
		return nil
	}
	o, err := json.Marshal(ops)
	if err != nil {
		return err
	}
	bb, err := json.Marshal(b)
	if err != nil {
		return err
	}
	return db.EnqueuePCPushTx(ctx, tx, after.ID, ref.ReferralID, string(o), string(bb), e.When())
}
