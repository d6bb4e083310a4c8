package secretkey_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	"leaddesk/internal/secretkey"
	"leaddesk/internal/testkit"
)

// The first start writes a private key file; every later start (and a CLI command beside serve)
// reads the same key, so sessions and sealed links survive restarts.
func TestKeyFileIsCreatedPrivateAndKept(t *testing.T) {
	cfg, d := testkit.Config(t), testkit.NewDB(t)
	first, err := secretkey.Load(t.Context(), cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) < 32 {
		t.Fatalf("key of %d bytes", len(first))
	}
	fi, err := os.Stat(secretkey.Path(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	again, err := secretkey.Load(t.Context(), cfg, d)
	if err != nil || !bytes.Equal(first, again) {
		t.Errorf("second load: %v, same key %v", err, bytes.Equal(first, again))
	}
}

// A key file copied back with loose permissions is made private again; a damaged one is refused
// with a message naming the file and what to do.
func TestKeyFileRepairsModeAndNamesADamagedFile(t *testing.T) {
	cfg, d := testkit.Config(t), testkit.NewDB(t)
	if _, err := secretkey.Load(t.Context(), cfg, d); err != nil {
		t.Fatal(err)
	}
	path := secretkey.Path(cfg)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := secretkey.Load(t.Context(), cfg, d); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode after load %v, want 0600", fi.Mode().Perm())
	}
	if err := os.WriteFile(path, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := secretkey.Load(t.Context(), cfg, d)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "restore it") {
		t.Errorf("damaged key: %v", err)
	}
}

// LEADDESK_SESSION_KEY wins over the file and must be long enough.
func TestConfiguredKeyWins(t *testing.T) {
	cfg, d := testkit.Config(t), testkit.NewDB(t)
	want := bytes.Repeat([]byte{7}, 40)
	cfg.SessionKey = hex.EncodeToString(want)
	got, err := secretkey.Load(t.Context(), cfg, d)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("configured key: %v %x", err, got)
	}
	if _, err := os.Stat(secretkey.Path(cfg)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a key file was written although the key is configured: %v", err)
	}
	cfg.SessionKey = hex.EncodeToString(want[:16])
	if _, err := secretkey.Load(t.Context(), cfg, d); err == nil || !strings.Contains(err.Error(), "LEADDESK_SESSION_KEY") {
		t.Errorf("short key: %v", err)
	}
}

// A sealed value opens only with the same key and for the same purpose.
func TestSealOpensOnlyWithTheSameKeyAndPurpose(t *testing.T) {
	a, _ := secretkey.NewSealer(bytes.Repeat([]byte{1}, 32))
	b, _ := secretkey.NewSealer(bytes.Repeat([]byte{2}, 32))
	const link = "https://leads.example/reset/s3cr3t"
	sealed := a.Seal(link, "password_reset")
	if strings.Contains(sealed, "s3cr3t") {
		t.Fatal("sealed text shows the secret")
	}
	if got, err := a.Open(sealed, "password_reset"); err != nil || got != link {
		t.Errorf("open: %q %v", got, err)
	}
	if _, err := a.Open(sealed, "invitation"); !errors.Is(err, secretkey.ErrUnsealable) {
		t.Errorf("other purpose: %v", err)
	}
	if _, err := b.Open(sealed, "password_reset"); !errors.Is(err, secretkey.ErrUnsealable) {
		t.Errorf("other key: %v", err)
	}
	altered := []byte(sealed)
	altered[len(altered)/2] ^= 1 // still URL-safe base64: flips one bit of one character
	if _, err := a.Open(string(altered), "password_reset"); !errors.Is(err, secretkey.ErrUnsealable) {
		t.Errorf("altered: %v", err)
	}
	if a.Seal(link, "password_reset") == sealed {
		t.Error("two seals of one value are equal (nonce reused)")
	}
}
