// Package password hashes and checks local account passwords with bcrypt.
package password

import (
	"errors"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
)

// MinLength is the shortest password accepted, in characters.
const MinLength = 12

// MaxBytes is bcrypt's input limit; longer passwords are refused rather than silently cut.
const MaxBytes = 72

// ErrTooShort and ErrTooLong name what is wrong with a new password.
var (
	ErrTooShort = errors.New("password: too short")
	ErrTooLong  = errors.New("password: too long")
)

// Cost is bcrypt's work factor; tests may lower it through HashWithCost.
const Cost = 12

// Check reports whether pw is acceptable as a new password.
func Check(pw string) error {
	if utf8.RuneCountInString(pw) < MinLength {
		return ErrTooShort
	}
	if len(pw) > MaxBytes {
		return ErrTooLong
	}
	return nil
}

// Hash returns the bcrypt hash of pw.
func Hash(pw string) (string, error) { return HashWithCost(pw, Cost) }

// HashWithCost hashes with an explicit cost (demo data and tests use bcrypt.MinCost for speed).
func HashWithCost(pw string, cost int) (string, error) {
	if len(pw) > MaxBytes {
		return "", ErrTooLong
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	if err != nil {
		return "", err
	}
	return string(h), nil
}

// Verify reports whether pw matches hash. An empty hash (an SSO-only account) never matches.
func Verify(hash, pw string) bool {
	if hash == "" {
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// Dummy is a valid hash to compare against when the account does not exist, so a wrong email takes
// as long as a wrong password and the timing tells nothing.
// It is computed on first use, so starting the binary stays fast.
var Dummy = sync.OnceValue(func() string {
	h, _ := bcrypt.GenerateFromPassword([]byte("leaddesk-no-such-account"), Cost)
	return string(h)
})
