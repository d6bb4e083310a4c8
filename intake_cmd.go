package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"leaddesk/db"
	"leaddesk/intake"
	"leaddesk/lead"
)

// tokenCmd is `leaddesk token create --name N --scopes intake,read,write`: it prints the new token
// once; only its hash is stored.
func (m *Main) tokenCmd(args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: leaddesk token create --name N --scopes intake,read,write", errUsage)
	}
	var name, scopes string
	if _, err := m.setup("token create", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&name, "name", "", "what the token is for, e.g. \"Marketplace\" (required)")
		fs.StringVar(&scopes, "scopes", "intake", "comma-separated scopes: intake, read, write")
	}); err != nil {
		return err
	}
	defer m.close()
	name = strings.TrimSpace(name)
	if name == "" {
		return fmt.Errorf("%w: --name is required", errUsage)
	}
	list := splitScopes(scopes)
	if bad, ok := db.ValidScopes(list); !ok {
		return fmt.Errorf("%w: unknown scope %q: use intake, read, write", errUsage, bad)
	}
	secret, t, err := m.DB.CreateToken(m.ctx, name, list, 0, "cli", m.Clock.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Out, "Token %q (id %d, scopes %s) — copy it now, it is not shown again:\n\n  %s\n\n", t.Name, t.ID, strings.Join(t.Scopes, ","), secret)
	if t.Has("intake") {
		fmt.Fprintf(m.Out, "Marketplace HTTPS endpoint URL: %s/intake/marketplace/%s\n", m.Cfg.BaseURL, secret)
	}
	return nil
}

func splitScopes(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(strings.ToLower(p)); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// importCmd is `leaddesk import FILE.csv`: it checks the whole file first (nothing is stored when the
// file itself is broken), then imports valid rows in batches and prints a line per row that was not
// imported plus a summary (-v prints every row).
func (m *Main) importCmd(args []string) error {
	var verbose bool
	fs, err := m.setup("import", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&verbose, "v", false, "print every row, imported ones too")
	})
	if err != nil {
		return err
	}
	defer m.close()
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: give the CSV file: leaddesk import FILE.csv", errUsage)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	im, err := m.Leads.StartImport(m.ctx, lead.Actor{Label: "import"})
	if err != nil {
		return err
	}
	defer im.Close()
	now := im.Now()
	if _, err := intake.Check(f, now, nil); err != nil {
		return fmt.Errorf("%s: %v; nothing was imported", fs.Arg(0), err)
	}
	if _, err := f.Seek(0, 0); err != nil {
		return err
	}
	rep, err := intake.Import(m.ctx, m.DB, f, intake.ImportOptions{Now: now, Store: im.Save, DNS: m.DNS,
		OnRow: func(r intake.RowResult) {
			switch {
			case r.Status == "skipped":
				fmt.Fprintf(m.Out, "line %d: skipped: %s\n", r.Line, r.Reason)
			case r.Status == "duplicate":
				fmt.Fprintf(m.Out, "line %d: duplicate of lead %d\n", r.Line, r.ID)
			case verbose:
				fmt.Fprintf(m.Out, "line %d: imported as lead %d\n", r.Line, r.ID)
			}
		}})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Out, "%d rows: %d imported, %d duplicates, %d skipped (%s)\n", rep.Rows, rep.Imported, rep.Duplicates, rep.Skipped, rep.Took.Round(1e6))
	return nil
}
