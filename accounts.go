package main

import (
	"bufio"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"

	"leaddesk/contact"
	"leaddesk/db"
	"leaddesk/handlers"
	"leaddesk/internal/password"
)

// Accounts (issue 3): `leaddesk user add` and the first-run setup link.

// printSetupLink prints a one-time link that creates the first Account admin, when no user exists.
func (m *Main) printSetupLink() error {
	link, err := handlers.FirstRunLink(m.ctx, m.DB, m.Cfg.BaseURL, m.Clock.Now())
	if err != nil || link == "" {
		return err
	}
	fmt.Fprintf(m.Out, "\nLeaddesk has no users yet. Open this link within 24 hours to create the first Account admin\n(it works once; restarting prints a new one):\n\n  %s\n\n", link)
	return nil
}

func (m *Main) userCmd(args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return fmt.Errorf("%w: the only user command is `leaddesk user add --email E --name N --roles %s [--password-stdin]`",
			errUsage, strings.Join(db.AllRoles, ","))
	}
	var email, name, roles string
	var fromStdin bool
	if _, err := m.setup("user add", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the user's email address (required)")
		fs.StringVar(&name, "name", "", "the user's name (required)")
		fs.StringVar(&roles, "roles", "", "comma-separated roles: "+strings.Join(db.AllRoles, ", "))
		fs.BoolVar(&fromStdin, "password-stdin", false, "read the password from the first line of standard input (else one is generated and printed once)")
	}); err != nil {
		return err
	}
	defer m.close()
	u, err := newUserFromFlags(email, name, roles)
	if err != nil {
		return err
	}
	pw := ""
	if fromStdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read the password from standard input: %w", err)
		}
		pw = strings.TrimRight(line, "\r\n")
		switch password.Check(pw, u.Email, u.Name) {
		case password.ErrTooShort:
			return fmt.Errorf("%w: the password on standard input is shorter than %d characters", errUsage, password.MinLength)
		case password.ErrTooLong:
			return fmt.Errorf("%w: the password on standard input is longer than %d bytes", errUsage, password.MaxBytes)
		case password.ErrTooGuessable:
			return fmt.Errorf("%w: the password on standard input is too easy to guess (a common password, word, name or pattern); a few unrelated words make a good one", errUsage)
		}
	} else {
		pw = generatePassword()
	}
	if u.PasswordHash, err = password.Hash(pw); err != nil {
		return err
	}
	u.CreatedAt = m.Clock.Now()
	err = m.DB.InTx(m.ctx, func(tx *sql.Tx) error {
		if err := db.CreateUserTx(m.ctx, tx, u); err != nil {
			return err
		}
		details, _ := json.Marshal(map[string]any{"roles": [2][]string{nil, u.Roles}, "via": "cli"})
		return db.Audit(m.ctx, tx, u.CreatedAt, 0, "cli", "user.create", u.Email, string(details))
	})
	if errors.Is(err, db.ErrConflict) {
		return fmt.Errorf("a user with the email %s exists already", u.Email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Out, "created user %s (%s) with roles %s\n", u.Email, u.Name, strings.Join(u.Roles, ", "))
	if !fromStdin {
		fmt.Fprintf(m.Out, "password (shown once; the user can change it under Settings): %s\n", pw)
	}
	return nil
}

// newUserFromFlags checks the flags of `user add`; every mistake is a usage error naming the fix.
func newUserFromFlags(email, name, roles string) (*db.User, error) {
	email, name = strings.TrimSpace(email), strings.TrimSpace(name)
	var problems []string
	if !contact.EmailSyntaxOK(email) {
		problems = append(problems, fmt.Sprintf("--email %q is not an email address such as aiko@example.com", email))
	}
	if name == "" {
		problems = append(problems, "--name is required (the user's display name)")
	}
	var rs []string
	for _, r := range strings.Split(roles, ",") {
		if r = strings.TrimSpace(r); r == "" {
			continue
		}
		if !db.ValidRole(r) {
			problems = append(problems, fmt.Sprintf("--roles: %q is not a role; use %s", r, strings.Join(db.AllRoles, ", ")))
			continue
		}
		rs = append(rs, r)
	}
	if len(rs) == 0 && !strings.Contains(strings.Join(problems, ";"), "--roles:") {
		problems = append(problems, "--roles is required: one or more of "+strings.Join(db.AllRoles, ", "))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s", errUsage, strings.Join(problems, "; "))
	}
	return &db.User{Email: email, Name: name, Roles: rs}, nil
}

// generatePassword makes a 20-character password from an alphabet without look-alikes (about 115 bits).
func generatePassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	var b strings.Builder
	for i := 0; i < 20; i++ {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(err)
		}
		if i > 0 && i%5 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(alphabet[n.Int64()])
	}
	return b.String()
}
