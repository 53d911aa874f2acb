// Package certs loads the sealed-secrets controllers' public certificates and
// maps repository paths to the environment (cluster) they deploy to.
package certs

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// Cert is one environment's sealing certificate.
type Cert struct {
	Env, Path string
	X509      *x509.Certificate
	Key       *rsa.PublicKey
	// SHA256 is the lowercase hex SHA-256 of the DER bytes, as
	// `openssl x509 -noout -fingerprint -sha256` prints it without colons.
	SHA256 string
}

// Load reads the first certificate of a PEM file. Errors name the environment
// and the path: they end up in front of a user who has several of each.
func Load(env, path string) (*Cert, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("environment %s: certificate %s does not exist (fetch it with `kubeseal --fetch-cert > %s`)", env, path, path)
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is in the message already
		}
		return nil, fmt.Errorf("environment %s: cannot read certificate %s: %w", env, path, err)
	}
	return Parse(env, path, data)
}

// Parse reads the first CERTIFICATE block of PEM data, skipping other blocks
// (and, like kubeseal's client-go parser, certificate blocks with headers).
func Parse(env, path string, data []byte) (*Cert, error) {
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, fmt.Errorf("environment %s: %s holds no PEM certificate", env, path)
		}
		if block.Type != "CERTIFICATE" || len(block.Headers) != 0 {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("environment %s: certificate %s: %w", env, path, err)
		}
		key, ok := c.PublicKey.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("environment %s: certificate %s has a %s key; sealed-secrets needs RSA", env, path, c.PublicKeyAlgorithm)
		}
		sum := sha256.Sum256(c.Raw)
		return &Cert{Env: env, Path: path, X509: c, Key: key, SHA256: hex.EncodeToString(sum[:])}, nil
	}
}

// Bits is the RSA key size.
func (c *Cert) Bits() int { return c.Key.N.BitLen() }

// Check refuses an expired certificate, as kubeseal does (it checks NotAfter
// only: a controller's fresh certificate must not fail on a laptop whose clock
// is a little behind, so NotBefore is not checked either).
func (c *Cert) Check(now time.Time) error {
	if now.After(c.X509.NotAfter) {
		return fmt.Errorf("environment %s: certificate %s expired on %s; fetch the controller's current one (kubeseal --fetch-cert)",
			c.Env, c.Path, c.X509.NotAfter.UTC().Format("2006-01-02"))
	}
	return nil
}

// ExpiresWithin reports whether the certificate is expired or expires within d.
func (c *Cert) ExpiresWithin(now time.Time, d time.Duration) bool {
	return c.X509.NotAfter.Before(now.Add(d))
}
