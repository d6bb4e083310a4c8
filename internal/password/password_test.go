package password_test

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"leaddesk/internal/password"
)

func TestCheckNamesWhatIsWrong(t *testing.T) {
	cases := []struct {
		pw   string
		want error
	}{
		{"", password.ErrTooShort},
		{"elevenchars", password.ErrTooShort},
		{"twelve chars", nil},
		{"パスワードは十二文字以上です", nil},               // 14 characters, 42 bytes: counted in characters
		{"パスワード十一文字です", password.ErrTooShort}, // 11 characters though 33 bytes
		{strings.Repeat("a", 72), nil},
		{strings.Repeat("a", 73), password.ErrTooLong}, // bcrypt would silently ignore byte 73
		{strings.Repeat("漢", 25), password.ErrTooLong}, // 25 characters but 75 bytes
	}
	for _, tc := range cases {
		if got := password.Check(tc.pw); !errors.Is(got, tc.want) {
			t.Errorf("Check(%q) = %v, want %v", tc.pw, got, tc.want)
		}
	}
}

func TestHashVerifies(t *testing.T) {
	h, err := password.HashWithCost("correct horse battery", bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h, "correct horse") {
		t.Fatal("the hash contains the password")
	}
	if !password.Verify(h, "correct horse battery") {
		t.Error("the right password does not verify")
	}
	for _, wrong := range []string{"correct horse batter", "Correct horse battery", "correct horse battery ", ""} {
		if password.Verify(h, wrong) {
			t.Errorf("Verify accepted %q", wrong)
		}
	}
	h2, _ := password.HashWithCost("correct horse battery", bcrypt.MinCost)
	if h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
}

func TestHashUsesTheProductionCost(t *testing.T) {
	h, err := password.Hash("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if cost, err := bcrypt.Cost([]byte(h)); err != nil || cost != password.Cost {
		t.Errorf("Hash cost = %d (%v), want %d", cost, err, password.Cost)
	}
}

func TestHashRefusesWhatBcryptWouldCut(t *testing.T) {
	if _, err := password.HashWithCost(strings.Repeat("a", 73), bcrypt.MinCost); !errors.Is(err, password.ErrTooLong) {
		t.Errorf("HashWithCost(73 bytes) error = %v, want ErrTooLong", err)
	}
}

func TestSSOOnlyAccountNeverVerifies(t *testing.T) {
	if password.Verify("", "") || password.Verify("", "anything at all") {
		t.Error("an empty hash (an account without a local password) verified")
	}
}

func TestDummyIsAHashNoPasswordMatches(t *testing.T) {
	d := password.Dummy()
	if d != password.Dummy() {
		t.Error("Dummy changes between calls")
	}
	if cost, err := bcrypt.Cost([]byte(d)); err != nil || cost != password.Cost {
		t.Errorf("Dummy cost = %d (%v), want %d so an unknown email takes as long as a wrong password", cost, err, password.Cost)
	}
	if password.Verify(d, "") || password.Verify(d, "leaddesk") {
		t.Error("a guessable password matches the dummy hash")
	}
}
