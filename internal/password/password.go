// Package password hashes and checks local account passwords with bcrypt.
package password

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"golang.org/x/crypto/bcrypt"
)

// MinLength is the shortest password accepted, in characters.
const MinLength = 12

// MaxBytes is bcrypt's input limit; longer passwords are refused rather than silently cut.
const MaxBytes = 72

// ErrTooShort, ErrTooLong and ErrTooGuessable name what is wrong with a new password.
var (
	ErrTooShort     = errors.New("password: too short")
	ErrTooLong      = errors.New("password: too long")
	ErrTooGuessable = errors.New("password: too easy to guess")
)

// MinScore is the lowest zxcvbn score accepted (0–4): 3 is "safely unguessable", about 10⁸ guesses
// for an attacker who knows the common password lists, dictionaries, names, keyboard runs, repeats
// and sequences that zxcvbn (github.com/trustelem/zxcvbn, with its bundled frequency lists) checks.
const MinScore = 3

// Cost is bcrypt's work factor; tests may lower it through HashWithCost.
const Cost = 12

// Check reports whether pw is acceptable as a new password: at least MinLength characters, at most
// MaxBytes bytes, and not a common password or pattern. userInputs are what an attacker knows about
// the account (email, name), which must not make up the password either.
func Check(pw string, userInputs ...string) error {
	if utf8.RuneCountInString(pw) < MinLength {
		return ErrTooShort
	}
	if len(pw) > MaxBytes {
		return ErrTooLong
	}
	// Each input as given, word by word, and its words run together in either order ("Aiko Tanaka"
	// → aiko, tanaka, aikotanaka, tanakaaiko), since names are typed without spaces.
	var words []string
	for _, in := range userInputs {
		parts := strings.FieldsFunc(strings.ToLower(in), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		words = append(words, strings.ToLower(in), strings.Join(parts, ""))
		words = append(words, parts...)
		if len(parts) > 1 {
			slices.Reverse(parts)
			words = append(words, strings.Join(parts, ""))
		}
	}
	words = append(words, "leaddesk")
	if zxcvbn.PasswordStrength(pw, words).Score < MinScore {
		return ErrTooGuessable
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
