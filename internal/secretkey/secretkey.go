// Package secretkey keeps the instance's master key out of the database: from LEADDESK_SESSION_KEY,
// else from the file session.key beside the database (created 0600 on first start). The session
// cookies are signed and encrypted with it, and one-time links waiting in the mail outbox are sealed
// with a key derived from it, so a copy of the database alone can neither forge a session nor replay
// a link.
package secretkey

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"leaddesk/config"
	"leaddesk/db"
)

// FileName is the key file inside the data directory.
const FileName = "session.key"

// legacyName is where Leaddesk kept the key in the database before it moved to the file.
const legacyName = "session_key"

// Path is the key file of cfg's data directory.
func Path(cfg *config.Config) string { return filepath.Join(cfg.DataDir, FileName) }

// Load returns the master key (at least 32 bytes). LEADDESK_SESSION_KEY wins; else the key file is
// read, or created from the key an older Leaddesk kept in the database (which is then deleted from
// it), or from fresh random bytes. Either way no key remains in the database.
func Load(ctx context.Context, cfg *config.Config, d *db.DB) ([]byte, error) {
	var master []byte
	if k := cfg.SessionKey; k != "" {
		if b, err := hex.DecodeString(k); err == nil {
			master = b
		} else if b, err := base64.StdEncoding.DecodeString(k); err == nil {
			master = b
		}
		if len(master) < 32 {
			return nil, errors.New("LEADDESK_SESSION_KEY: must be at least 32 bytes, hex or base64 encoded (for example: openssl rand -hex 64)")
		}
	} else {
		var err error
		if master, err = loadFile(ctx, Path(cfg), d); err != nil {
			return nil, err
		}
	}
	if _, err := d.LegacySecret(ctx, legacyName); err == nil {
		if err := d.DeleteLegacySecret(ctx, legacyName); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	return master, nil
}

// loadFile reads the key file, creating it when missing. The file is written under a temporary name
// and linked into place, so two processes starting at once (serve and a CLI command) agree on one key
// and neither reads a half-written file.
func loadFile(ctx context.Context, path string, d *db.DB) ([]byte, error) {
	if b, err := readFile(path); err == nil || !errors.Is(err, os.ErrNotExist) {
		return b, err
	}
	key, err := d.LegacySecret(ctx, legacyName)
	if errors.Is(err, db.ErrNotFound) {
		key = make([]byte, 64)
		_, err = rand.Read(key)
	}
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".session.key-*")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600.
	_, err = tmp.WriteString(hex.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return readFile(path)
}

func readFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// A key restored or copied with looser permissions is made owner-only again.
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("%s is readable by other users and cannot be made private (chmod 600 it): %w", path, err)
		}
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(b) < 32 {
		return nil, fmt.Errorf("%s is not a Leaddesk key (64 hex-encoded bytes); restore it from your backup of the key, or delete it to sign everyone out and start with a new key", path)
	}
	return b, nil
}

// Derive returns a sub-key of master for one purpose, so no two uses share a key.
func Derive(master []byte, purpose string) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte("leaddesk " + purpose))
	return m.Sum(nil)
}

// Sealer encrypts short secrets (one-time links) with a key that is not in the database.
type Sealer struct{ aead cipher.AEAD }

// NewSealer builds a Sealer from the master key.
func NewSealer(master []byte) (*Sealer, error) {
	block, err := aes.NewCipher(Derive(master, "outbox link seal v1"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plain for the given context (what the secret is for), as URL-safe text.
func (s *Sealer) Seal(plain, context string) string {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(plain), []byte(context)))
}

// ErrUnsealable means a sealed value was made with another key (session.key replaced) or altered.
var ErrUnsealable = errors.New("sealed with another key or altered")

// Open decrypts what Seal made for the same context.
func (s *Sealer) Open(sealed, context string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(sealed)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", ErrUnsealable
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, b[:n], b[n:], []byte(context))
	if err != nil {
		return "", ErrUnsealable
	}
	return string(plain), nil
}
