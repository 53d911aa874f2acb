package transform

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"strings"
	"sync"
	"testing"
)

var (
	keyOnce sync.Once
	key2048 *rsa.PrivateKey
)

func testKey(t testing.TB) *rsa.PrivateKey {
	keyOnce.Do(func() {
		var err error
		if key2048, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatal(err)
		}
	})
	return key2048
}

func TestEncryptRoundTrip(t *testing.T) {
	k := testKey(t)
	for _, tc := range []struct {
		name  string
		label []byte
		value []byte
	}{
		{"strict", Label("strict", "web", "db"), []byte("s3cr3t")},
		{"namespace-wide", Label("namespace-wide", "web", "db"), []byte{0, 1, 2, 255}},
		{"cluster-wide", Label("cluster-wide", "web", "db"), nil},
		{"1 MiB", Label("strict", "a", "b"), bytes.Repeat([]byte("x"), 1<<20)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct, err := Encrypt(rand.Reader, &k.PublicKey, tc.label, tc.value)
			if err != nil {
				t.Fatal(err)
			}
			if n := int(ct[0])<<8 | int(ct[1]); n != 256 {
				t.Errorf("RSA part %d bytes, want 256", n)
			}
			pt, err := Decrypt(k, tc.label, ct)
			if err != nil || !bytes.Equal(pt, tc.value) {
				t.Errorf("round trip: %v", err)
			}
			if _, err := Decrypt(k, []byte("other/label"), ct); err == nil {
				t.Error("decrypted with another label")
			}
		})
	}
}

func TestLabel(t *testing.T) {
	for scope, want := range map[string]string{"strict": "ns/name", "namespace-wide": "ns", "cluster-wide": ""} {
		if got := string(Label(scope, "ns", "name")); got != want {
			t.Errorf("%s: %q, want %q", scope, got, want)
		}
	}
}

func TestCheckCiphertext(t *testing.T) {
	k := testKey(t)
	ct, _ := Encrypt(rand.Reader, &k.PublicKey, nil, []byte("v"))
	good := b64(ct)
	for _, tc := range []struct{ in, want string }{
		{good, ""},
		{"!!", "not base64"},
		{b64([]byte{1}), "shorter than the 2-byte header"},
		{b64(ct[:100]), "shorter than its own header says"},
	} {
		err := CheckCiphertext(&k.PublicKey, tc.in)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("CheckCiphertext: %v, want %q", err, tc.want)
		}
	}
	big, _ := rsa.GenerateKey(rand.Reader, 3072)
	if err := CheckCiphertext(&big.PublicKey, good); err == nil || !strings.Contains(err.Error(), "2048-bit RSA part, but the environment's key is 3072-bit") {
		t.Errorf("key size mismatch: %v", err)
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
