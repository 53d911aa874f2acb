package sealedsecret

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"testing"
)

// Our OAEP must produce what crypto/rsa decrypts, for every key size and label
// shape; and, with the same random stream, the very bytes crypto/rsa produces.
func TestEncryptOAEPMatchesStdlib(t *testing.T) {
	for _, bits := range []int{1024, 2048, 3072, 4096} {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		for _, label := range [][]byte{nil, []byte("ns"), []byte("ns/name"), bytes.Repeat([]byte("l"), 300)} {
			for _, msg := range [][]byte{{}, make([]byte, 32), bytes.Repeat([]byte{0xff}, 32)} {
				ct, err := encryptOAEP(rand.Reader, &k.PublicKey, msg, label)
				if err != nil {
					t.Fatal(err)
				}
				if len(ct) != k.Size() {
					t.Fatalf("%d bits: ciphertext %d bytes", bits, len(ct))
				}
				pt, err := rsa.DecryptOAEP(sha256.New(), nil, k, ct, label)
				if err != nil || !bytes.Equal(pt, msg) {
					t.Fatalf("%d bits, label %d bytes: stdlib decrypt: %v", bits, len(label), err)
				}
			}
		}
		// Deterministic randomness: identical bytes to crypto/rsa.
		seed := bytes.Repeat([]byte{7}, 64)
		ours, _ := encryptOAEP(bytes.NewReader(seed), &k.PublicKey, []byte("session-key-0123456789abcdef0123"), []byte("a/b"))
		theirs, err := rsa.EncryptOAEP(sha256.New(), bytes.NewReader(seed), &k.PublicKey, []byte("session-key-0123456789abcdef0123"), []byte("a/b"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ours, theirs) {
			t.Errorf("%d bits: bytes differ from crypto/rsa with the same random stream", bits)
		}
	}
}

func TestEncryptOAEPTooLong(t *testing.T) {
	k := testKey(t, 2048)
	if _, err := encryptOAEP(rand.Reader, &k.PublicKey, make([]byte, k.Size()), nil); err == nil {
		t.Error("no error for a message longer than the key allows")
	}
}
