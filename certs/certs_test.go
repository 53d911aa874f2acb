package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secretguard/secretguard/config"
)

func writeCert(t *testing.T, path string, pub, priv any, notAfter time.Time) {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sealed-secret"},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: notAfter,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	rk, _ := rsa.GenerateKey(rand.Reader, 1024)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	writeCert(t, filepath.Join(dir, "ok.pem"), &rk.PublicKey, rk, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	writeCert(t, filepath.Join(dir, "ec.pem"), &ek.PublicKey, ek, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	os.WriteFile(filepath.Join(dir, "junk.pem"), []byte("not pem"), 0o644)

	c, err := Load("prod", filepath.Join(dir, "ok.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Bits() != 1024 || len(c.SHA256) != 64 || strings.ToLower(c.SHA256) != c.SHA256 {
		t.Errorf("bits %d, sha256 %q", c.Bits(), c.SHA256)
	}
	for _, tc := range []struct{ file, want string }{
		{"missing.pem", "environment stage: certificate " + filepath.Join(dir, "missing.pem") + " does not exist"},
		{"ec.pem", "has a ECDSA key; sealed-secrets needs RSA"},
		{"junk.pem", "holds no PEM certificate"},
	} {
		_, err := Load("stage", filepath.Join(dir, tc.file))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "stage") {
			t.Errorf("%s: error %v, want %q", tc.file, err, tc.want)
		}
	}
}

// The fingerprint is openssl's: sha256 over the DER, lowercase hex.
func TestFingerprintOfDemoCert(t *testing.T) {
	c, err := Load("prod", "../testdata/demo/certs/prod.pem")
	if err != nil {
		t.Fatal(err)
	}
	// openssl x509 -in testdata/demo/certs/prod.pem -noout -fingerprint -sha256
	const want = "21c5805c72c2f1dd2f41d3ead98d2be503c462bf992eaaba9b0657042e250b3d"
	if c.SHA256 != want {
		t.Errorf("sha256 %s, want %s", c.SHA256, want)
	}
}

func TestExpiry(t *testing.T) {
	c, err := Load("old", "../testdata/keys/expired.pem")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	if err := c.Check(now); err == nil || !strings.Contains(err.Error(), "environment old: certificate ../testdata/keys/expired.pem expired on 2020-01-01") {
		t.Errorf("Check: %v", err)
	}
	if err := c.Check(time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Errorf("valid in 2019: %v", err)
	}
	if !c.ExpiresWithin(time.Date(2019, 12, 15, 0, 0, 0, 0, time.UTC), 30*24*time.Hour) {
		t.Error("expires within 30 days of 2019-12-15")
	}
	if c.ExpiresWithin(time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC), 30*24*time.Hour) {
		t.Error("does not expire within 30 days of 2019-06-01")
	}
}

func TestEnvMapping(t *testing.T) {
	root := t.TempDir()
	rk, _ := rsa.GenerateKey(rand.Reader, 1024)
	for _, n := range []string{"prod", "stage"} {
		writeCert(t, filepath.Join(root, "certs", n+".pem"), &rk.PublicKey, rk, time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	}
	// Without a config: certs/NAME.pem and a directory named NAME.
	e, err := Resolve(root, &config.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want, err string }{
		{"clusters/prod/app/secret.yaml", "prod", ""},
		{"apps/web/overlays/stage/s.yaml", "stage", ""},
		{"apps/web/base/s.yaml", "", "belongs to no environment (known: prod, stage)"},
		{"prod/stage/s.yaml", "", "belongs to several environments (prod, stage)"},
		{"apps/prod.yaml", "", "belongs to no environment"}, // a file name is not a directory
	} {
		got, err := e.Pick(tc.path)
		if got != tc.want || (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("Pick(%s) = %q, %v; want %q, %q", tc.path, got, err, tc.want, tc.err)
		}
	}
	if c, err := e.Cert("prod"); err != nil || c.Path != "certs/prod.pem" {
		t.Errorf("Cert(prod) = %v, %v", c, err)
	}

	// With a config: doublestar globs; a single environment takes every file.
	cfg, err := config.Parse([]byte("environments:\n  prod:\n    cert: certs/prod.pem\n    paths: [\"**/overlays/prod/**\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	e, err = Resolve(root, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"a/overlays/prod/x.yaml", "anything/else.yaml"} {
		if got, err := e.Pick(p); got != "prod" || err != nil {
			t.Errorf("Pick(%s) = %q, %v", p, got, err)
		}
	}
	if got := e.ForPath("anything/else.yaml"); len(got) != 0 {
		t.Errorf("ForPath = %v", got)
	}
	if _, err := e.Cert("nope"); err == nil {
		t.Error("no error for an unknown environment")
	}
}
