package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// SecretPrefix starts every signing secret, as the Standard Webhooks specification writes them, so
// receivers can hand the secret to an existing library unchanged.
const SecretPrefix = "whsec_"

// NewSecret makes a signing secret: whsec_ and 32 random bytes in standard base64.
func NewSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// secretKey is the HMAC key of a whsec_ secret: the base64-decoded part after the prefix.
func secretKey(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(key) == 0 {
		return nil, errors.New("webhooks: the signing secret is not whsec_ followed by base64")
	}
	return key, nil
}

// Sign returns the webhook-signature header value of the Standard Webhooks scheme:
// "v1," and the base64 HMAC-SHA256, keyed by the secret, of "<msgID>.<unix seconds>.<body>".
func Sign(secret, msgID string, at time.Time, body []byte) (string, error) {
	key, err := secretKey(secret)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msgID + "." + strconv.FormatInt(at.Unix(), 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// NewMessageID makes a webhook-id: msg_ and 16 random bytes, unique per delivery and the same on
// every attempt of it, so receivers can drop repeats.
func NewMessageID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "msg_" + base64.RawURLEncoding.EncodeToString(b)
}
