package sealedsecret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// sessionKeySize is AES-256.
const sessionKeySize = 32

// Label is the RSA-OAEP label that binds a ciphertext to where it may be
// unsealed: strict "namespace/name", namespace-wide "namespace", cluster-wide "".
func Label(scope, namespace, name string) []byte {
	switch scope {
	case ClusterWide:
		return nil
	case NamespaceWide:
		return []byte(namespace)
	}
	return []byte(namespace + "/" + name)
}

// Encrypt is the sealed-secrets hybrid scheme: a fresh AES-256 session key is
// RSA-OAEP(SHA-256)-encrypted with the label; the value is AES-GCM-sealed with it
// under an all-zero nonce (safe: every key seals exactly one value). Output:
// uint16 big-endian len(rsa part) || rsa part || GCM ciphertext.
func Encrypt(rnd io.Reader, pub *rsa.PublicKey, label, plaintext []byte) ([]byte, error) {
	if pub == nil || pub.N == nil {
		return nil, errors.New("no RSA public key")
	}
	if pub.Size() > math.MaxUint16 {
		return nil, fmt.Errorf("%d-bit RSA key: too large for the 2-byte length header", pub.N.BitLen())
	}
	key := make([]byte, sessionKeySize)
	if _, err := io.ReadFull(rnd, key); err != nil {
		return nil, fmt.Errorf("session key: %w", err)
	}
	rsaCT, err := encryptOAEP(rnd, pub, key, label)
	if err != nil {
		return nil, fmt.Errorf("rsa-oaep: %w", err)
	}
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 2, 2+len(rsaCT)+len(plaintext)+gcm.Overhead())
	binary.BigEndian.PutUint16(out, uint16(len(rsaCT)))
	out = append(out, rsaCT...)
	return gcm.Seal(out, make([]byte, gcm.NonceSize()), plaintext, nil), nil
}

// EncryptString is Encrypt with the result in standard base64, as it is written
// to spec.encryptedData.
func EncryptString(rnd io.Reader, pub *rsa.PublicKey, label, plaintext []byte) (string, error) {
	ct, err := Encrypt(rnd, pub, label, plaintext)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(ct), nil
}

// Decrypt reverses Encrypt. secretguard never unseals in normal use (it has no
// private keys); tests and the round-trip checks do.
func Decrypt(priv *rsa.PrivateKey, label, ciphertext []byte) ([]byte, error) {
	if len(ciphertext) < 2 {
		return nil, errors.New("ciphertext too short")
	}
	n := int(binary.BigEndian.Uint16(ciphertext))
	if len(ciphertext) < 2+n {
		return nil, errors.New("ciphertext shorter than its RSA part")
	}
	key, err := rsa.DecryptOAEP(sha256.New(), nil, priv, ciphertext[2:2+n], label)
	if err != nil {
		return nil, fmt.Errorf("rsa-oaep: %w", err)
	}
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return gcm.Open(nil, make([]byte, gcm.NonceSize()), ciphertext[2+n:], nil)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// CheckCiphertext validates the structure of a base64 encryptedData value
// without a private key: base64, a header, an RSA part of the key's size (when
// pub is known) and room for the GCM tag. The error never quotes the value.
func CheckCiphertext(pub *rsa.PublicKey, b64 string) error {
	var keys []*rsa.PublicKey
	if pub != nil {
		keys = append(keys, pub)
	}
	return CheckCiphertextFor(keys, b64)
}

// CheckCiphertextFor is CheckCiphertext against any of several keys (an
// environment's current and older controller keys); none means any size.
func CheckCiphertextFor(keys []*rsa.PublicKey, b64 string) error {
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return errors.New("is not base64")
	}
	if len(ct) < 2 {
		return errors.New("is shorter than the 2-byte header")
	}
	n := int(binary.BigEndian.Uint16(ct))
	const gcmTag = 16
	if len(ct) < 2+n+gcmTag {
		return fmt.Errorf("is shorter than its own header says (%d bytes, header promises a %d-byte RSA part)", len(ct), n)
	}
	if len(keys) == 0 {
		return nil
	}
	var sizes []string
	seen := map[int]bool{}
	for _, k := range keys {
		if k.Size() == n {
			return nil
		}
		if !seen[k.Size()] {
			seen[k.Size()] = true
			sizes = append(sizes, fmt.Sprintf("%d-bit", k.Size()*8))
		}
	}
	what := "key is"
	if len(keys) > 1 {
		what = "keys are"
	}
	return fmt.Errorf("has a %d-bit RSA part, but the environment's %s %s: sealed with another certificate", n*8, what, strings.Join(sizes, ", "))
}
