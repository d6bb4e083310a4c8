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
	var employee *lead.Contact
	teamMayChange := false
	switch e := e.(type) {
	case lead.Accepted:
		before, teamMayChange = e.Before, true
	case lead.Declined:
		before = e.Before
	case lead.Won:
		before = e.Before
	case lead.Lost:
		before = e.Before
	case lead.Edited:
		before, teamMayChange = e.Before, true
	case lead.EmployeeAdded:
		employee = &e.Employee
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
	// The partner's people on the referral's team: the lead's team (users of this instance) as it
	// grows, and employees added to the lead; Partner Center's PATCH adds, never removes.
	var extra []partnercenter.PatchOp
	if teamMayChange {
		members, err := db.NewPCTeamMembersTx(ctx, tx, after.ID)
		if err != nil {
			return err
		}
		for _, m := range members {
			first, last := lead.SplitContactName(m.Name)
			extra = append(extra, partnercenter.AddTeamMember(partnercenter.Member{FirstName: first, LastName: last, Email: m.Email}))
		}
	}
	if employee != nil {
		if _, err := db.MarkPCTeamSentTx(ctx, tx, after.ID, employee.Email); err != nil {
			return err
		}
		first, last := lead.SplitContactName(employee.Name)
		extra = append(extra, partnercenter.AddTeamMember(partnercenter.Member{FirstName: first, LastName: last,
			Email: employee.Email, PhoneNumber: employee.Phone}))
	}
	b := base{Before: FieldsOf(after), After: FieldsOf(after)}
	var ops []partnercenter.PatchOp
	if before != nil {
		b.Before = FieldsOf(before)
		ops, err = partnercenter.PatchOpsFor(before, after)
		if err != nil {
			// A move Partner Center's transition table does not allow: the change here stands, the lead
			// shows the sync failed with the reason.
			return db.SetPCStateTx(ctx, tx, after.ID, db.PCFailed, err.Error())
		}
	}
	ops = append(ops, extra...)
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
