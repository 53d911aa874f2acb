package sealedsecret

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// One key per size per test binary: RSA-4096 generation takes about a second.
var testKeys = map[int]*struct {
	once sync.Once
	key  *rsa.PrivateKey
}{2048: {}, 4096: {}}

func testKey(t testing.TB, bits int) *rsa.PrivateKey {
	t.Helper()
	k := testKeys[bits]
	k.once.Do(func() {
		var err error
		if k.key, err = rsa.GenerateKey(rand.Reader, bits); err != nil {
			panic(err)
		}
	})
	return k.key
}

func TestLabel(t *testing.T) {
	for _, tc := range []struct{ scope, want string }{
		{Strict, "ns/name"},
		{"", "ns/name"}, // the default, as upstream's EncryptionLabel
		{NamespaceWide, "ns"},
		{ClusterWide, ""},
	} {
		if got := string(Label(tc.scope, "ns", "name")); got != tc.want {
			t.Errorf("Label(%q) = %q, want %q", tc.scope, got, tc.want)
		}
	}
}

func TestEncryptRoundTrip(t *testing.T) {
	values := []struct {
		name  string
		value []byte
	}{
		{"text", []byte("s3cr3t")},
		{"empty", []byte{}},
		{"nil", nil},
		{"binary", []byte{0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, '\n', 0}},
		{"1 MiB", bytes.Repeat([]byte("0123456789abcdef"), 1<<16)},
	}
	for _, bits := range []int{2048, 4096} {
		k := testKey(t, bits)
		for _, scope := range []string{Strict, NamespaceWide, ClusterWide} {
			label := Label(scope, "web", "db")
			for _, v := range values {
				t.Run(strconv.Itoa(bits)+"/"+scope+"/"+v.name, func(t *testing.T) {
					ct, err := Encrypt(rand.Reader, &k.PublicKey, label, v.value)
					if err != nil {
						t.Fatal(err)
					}
					// uint16 header || RSA part of the key's size || GCM (value + 16-byte tag)
					if n := int(binary.BigEndian.Uint16(ct)); n != bits/8 {
						t.Errorf("RSA part %d bytes, want %d", n, bits/8)
					}
					if want := 2 + bits/8 + len(v.value) + 16; len(ct) != want {
						t.Errorf("ciphertext %d bytes, want %d", len(ct), want)
					}
					pt, err := Decrypt(k, label, ct)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(pt, v.value) {
						t.Errorf("round trip gave %d bytes, want %d", len(pt), len(v.value))
					}
					if err := CheckCiphertext(&k.PublicKey, base64.StdEncoding.EncodeToString(ct)); err != nil {
						t.Errorf("CheckCiphertext: %v", err)
					}
				})
			}
		}
	}
}

// A ciphertext opens only under its own label: a strict value renamed or moved,
// or a value of one scope read as another, does not decrypt.
func TestWrongLabelFails(t *testing.T) {
	k := testKey(t, 2048)
	labels := map[string][]byte{
		"strict":         Label(Strict, "web", "db"),
		"renamed":        Label(Strict, "web", "db2"),
		"moved":          Label(Strict, "web2", "db"),
		"namespace-wide": Label(NamespaceWide, "web", "db"),
		"other ns":       Label(NamespaceWide, "web2", "db"),
		"cluster-wide":   Label(ClusterWide, "web", "db"),
	}
	for sealedAs, l1 := range labels {
		ct, err := Encrypt(rand.Reader, &k.PublicKey, l1, []byte("v"))
		if err != nil {
			t.Fatal(err)
		}
		for openedAs, l2 := range labels {
			_, err := Decrypt(k, l2, ct)
			if (sealedAs == openedAs) != (err == nil) {
				t.Errorf("sealed as %s, opened as %s: err %v", sealedAs, openedAs, err)
			}
		}
	}
}

func TestEncryptIsRandomized(t *testing.T) {
	k := testKey(t, 2048)
	a, _ := Encrypt(rand.Reader, &k.PublicKey, nil, []byte("v"))
	b, _ := Encrypt(rand.Reader, &k.PublicKey, nil, []byte("v"))
	if bytes.Equal(a, b) {
		t.Error("two encryptions of one value are equal")
	}
}

func TestEncryptErrors(t *testing.T) {
	k := testKey(t, 2048)
	if _, err := Encrypt(rand.Reader, nil, nil, []byte("v")); err == nil {
		t.Error("nil key accepted")
	}
	if _, err := Encrypt(bytes.NewReader(make([]byte, 10)), &k.PublicKey, nil, []byte("v")); err == nil || !strings.Contains(err.Error(), "session key") {
		t.Errorf("short random source: %v", err)
	}
	// OAEP hashes the label: a long namespace/name is fine.
	long := []byte(strings.Repeat("n", 253) + "/" + strings.Repeat("m", 253))
	if ct, err := Encrypt(rand.Reader, &k.PublicKey, long, []byte("v")); err != nil {
		t.Error(err)
	} else if _, err := Decrypt(k, long, ct); err != nil {
		t.Error(err)
	}
}

func TestEncryptString(t *testing.T) {
	k := testKey(t, 2048)
	s, err := EncryptString(rand.Reader, &k.PublicKey, []byte("ns/n"), []byte("v"))
	if err != nil {
		t.Fatal(err)
	}
	ct, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := Decrypt(k, []byte("ns/n"), ct); err != nil || string(pt) != "v" {
		t.Errorf("Decrypt = %q, %v", pt, err)
	}
}

func TestDecryptMalformed(t *testing.T) {
	k := testKey(t, 2048)
	ct, _ := Encrypt(rand.Reader, &k.PublicKey, nil, []byte("value"))
	flipped := bytes.Clone(ct)
	flipped[len(flipped)-1] ^= 1
	for _, tc := range []struct {
		name string
		ct   []byte
	}{
		{"empty", nil},
		{"one byte", []byte{1}},
		{"truncated RSA part", ct[:100]},
		{"no GCM part", ct[:2+256]},
		{"tampered GCM tag", flipped},
	} {
		if pt, err := Decrypt(k, nil, tc.ct); err == nil {
			t.Errorf("%s: decrypted to %d bytes", tc.name, len(pt))
		}
	}
}

func TestCheckCiphertext(t *testing.T) {
	k2, k4 := testKey(t, 2048), testKey(t, 4096)
	ct, _ := Encrypt(rand.Reader, &k2.PublicKey, nil, []byte("v"))
	empty, _ := Encrypt(rand.Reader, &k2.PublicKey, nil, nil)
	const secretValue = "hunter2-must-not-leak"
	for _, tc := range []struct {
		name string
		pub  *rsa.PublicKey
		in   string
		want string // "" means valid
	}{
		{"valid", &k2.PublicKey, b64(ct), ""},
		{"valid empty value", &k2.PublicKey, b64(empty), ""},
		{"no key: structure only", nil, b64(ct), ""},
		{"not base64", &k2.PublicKey, secretValue, "is not base64"},
		{"raw url base64", &k2.PublicKey, base64.RawURLEncoding.EncodeToString(ct), "is not base64"},
		{"empty", &k2.PublicKey, "", "shorter than the 2-byte header"},
		{"one byte", &k2.PublicKey, b64([]byte{1}), "shorter than the 2-byte header"},
		{"truncated", &k2.PublicKey, b64(ct[:100]), "is shorter than its own header says (100 bytes, header promises a 256-byte RSA part)"},
		{"no GCM tag", &k2.PublicKey, b64(ct[:2+256]), "shorter than its own header says"},
		{"a value base64'd, not sealed", &k2.PublicKey, b64([]byte(secretValue)), "shorter than its own header says"},
		{"other key size", &k4.PublicKey, b64(ct), "has a 2048-bit RSA part, but the environment's key is 4096-bit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckCiphertext(tc.pub, tc.in)
			if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("CheckCiphertext = %v, want %q", err, tc.want)
			}
			if err != nil && (strings.Contains(err.Error(), secretValue) || (tc.in != "" && strings.Contains(err.Error(), tc.in))) {
				t.Errorf("error quotes the value: %v", err)
			}
		})
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
