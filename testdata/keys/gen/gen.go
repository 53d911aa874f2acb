//go:build ignore

// gen writes the TEST key pairs of testdata/keys and the demo certificates:
//
//	go run testdata/keys/gen/gen.go
//
// Certificates look like a sealed-secrets controller's (CN=sealed-secret,
// O=sealed-secret) and are valid for a century, so tests never expire. The
// "expired" pair expired in 2020, for the expiry tests. exponent-1.pem is a
// hostile certificate: small's modulus with public exponent 1, with which a
// "ciphertext" would be the plaintext; it must be refused.
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log"
	"math/big"
	"os"
	"time"
)

func main() {
	for _, k := range []struct {
		name, cert string
		bits       int
		from, to   time.Time
	}{
		{"prod", "testdata/demo/certs/prod.pem", 4096, date(2025), date(2125)},
		{"stage", "testdata/demo/certs/stage.pem", 4096, date(2025), date(2125)},
		{"small", "testdata/keys/small.pem", 2048, date(2025), date(2125)},
		{"expired", "testdata/keys/expired.pem", 2048, date(2019), date(2020)},
	} {
		key, err := rsa.GenerateKey(rand.Reader, k.bits)
		if err != nil {
			log.Fatal(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(time.Now().UnixNano()),
			Subject:      pkix.Name{CommonName: "sealed-secret", Organization: []string{"sealed-secret"}},
			NotBefore:    k.from,
			NotAfter:     k.to,
			KeyUsage:     x509.KeyUsageEncipherOnly | x509.KeyUsageKeyEncipherment,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			log.Fatal(err)
		}
		write(k.cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
		write("testdata/keys/"+k.name+".key", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
		if k.name == "small" {
			exponent1(key, tmpl)
		}
	}
}

func exponent1(key *rsa.PrivateKey, tmpl *x509.Certificate) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &rsa.PublicKey{N: key.N, E: 1}, key)
	if err != nil {
		log.Fatal(err)
	}
	write("testdata/keys/exponent-1.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func date(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }

func write(path string, data []byte) {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		log.Fatal(err)
	}
}
