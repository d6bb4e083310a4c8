package main

import (
	"errors"
	"flag"
	"fmt"

	"leaddesk/lead"
	"leaddesk/leads"
)

// eraseCmd is `leaddesk erase --email E [--phone P] --reason R [--dry-run]`: the erasure of Admin ›
// Privacy for scripts (issue 19). It prints what it found and, unless --dry-run, erases it through
// the leads service, which records it in the audit log by a hash of the address.
func (m *Main) eraseCmd(args []string) error {
	var req leads.ErasureRequest
	var dry bool
	if _, err := m.setup("erase", args, func(fs *flag.FlagSet) {
		fs.StringVar(&req.Email, "email", "", "the person's email address")
		fs.StringVar(&req.Phone, "phone", "", "the person's phone number (compared by its digits)")
		fs.StringVar(&req.Reason, "reason", "", "why (kept in the audit log; no personal data), e.g. a ticket number")
		fs.BoolVar(&dry, "dry-run", false, "only print what would be erased")
	}); err != nil {
		return err
	}
	defer m.close()
	found, err := m.Leads.FindPerson(m.ctx, req.Email, req.Phone)
	if errors.Is(err, leads.ErrInvalid) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err != nil {
		return err
	}
	for _, l := range found.Leads {
		fmt.Fprintf(m.Out, "lead %d (%s, %s): customer contact\n", l.ID, l.CustomerCompany, l.Country)
	}
	for _, c := range found.Contacts {
		fmt.Fprintf(m.Out, "lead %d: %s\n", c.LeadID, c.Kind)
	}
	for _, ml := range found.Mail {
		fmt.Fprintf(m.Out, "mail %d (%s, %s)\n", ml.ID, ml.Kind, ml.Status)
	}
	if dry {
		fmt.Fprintf(m.Out, "%d records would be erased (dry run)\n", found.Count())
		return nil
	}
	rep, err := m.Leads.Erase(m.ctx, lead.Actor{Label: "cli"}, req)
	if errors.Is(err, leads.ErrInvalid) {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Out, "erased %d leads' contact, %d extra contacts, %d mails; audit log: %s\n", rep.Leads, rep.Contacts, rep.Mail, rep.Hash)
	return nil
}
