// Package certs loads the sealed-secrets controllers' public certificates and
// maps repository paths to the environment (cluster) they deploy to.
package certs

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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

// Load reads the newest certificate of a PEM file (see Newest). Errors name
// the environment and the path: they end up in front of a user who has
// several of each.
func Load(env, path string) (*Cert, error) {
	all, err := LoadAll(env, path)
	if err != nil {
		return nil, err
	}
	return Newest(all), nil
}

// LoadAll reads every certificate of an environment's cert path: a PEM file
// with one or more CERTIFICATE blocks (`kubeseal --fetch-cert >> prod.pem`
// after a key renewal), or a directory of .pem and .crt files.
func LoadAll(env, path string) ([]*Cert, error) {
	fi, err := os.Stat(path)
	if err == nil && fi.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("environment %s: cannot read certificate directory %s: %w", env, path, errors.Unwrap(err))
		}
		var all []*Cert
		for _, e := range entries {
			if ext := filepath.Ext(e.Name()); e.IsDir() || ext != ".pem" && ext != ".crt" {
				continue
			}
			cs, err := loadFile(env, filepath.Join(path, e.Name()))
			if err != nil {
				return nil, err
			}
			all = append(all, cs...)
		}
		if len(all) == 0 {
			return nil, fmt.Errorf("environment %s: certificate directory %s holds no .pem or .crt file", env, path)
		}
		return all, nil
	}
	return loadFile(env, path)
}

func loadFile(env, path string) ([]*Cert, error) {
	data, err := readBounded(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("environment %s: certificate %s does not exist (fetch it from its cluster: secretguard certs fetch --env %s)", env, path, env)
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is in the message already
		}
		return nil, fmt.Errorf("environment %s: cannot read certificate %s: %w", env, path, err)
	}
	return ParseAll(env, path, data)
}

// ParseAll reads every CERTIFICATE block of PEM data, skipping other blocks
// (and, like kubeseal's client-go parser, certificate blocks with headers).
// Every certificate must be a usable sealing key: one that is not makes the
// whole file an error, since sealing could pick it.
func ParseAll(env, path string, data []byte) ([]*Cert, error) {
	var all []*Cert
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
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
		if err := checkKey(key); err != nil {
			return nil, fmt.Errorf("environment %s: certificate %s %v", env, path, err)
		}
		sum := sha256.Sum256(c.Raw)
		all = append(all, &Cert{Env: env, Path: path, X509: c, Key: key, SHA256: hex.EncodeToString(sum[:])})
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("environment %s: %s holds no PEM certificate: %s", env, path, whatItHolds(path, data))
	}
	return all, nil
}

// Newest is the certificate sealing uses: the controller's current key is the
// one with the latest NotBefore (it renews every 30 days and keeps the old
// ones). Ties keep the first.
func Newest(all []*Cert) *Cert {
	var best *Cert
	for _, c := range all {
		if best == nil || c.X509.NotBefore.After(best.X509.NotBefore) {
			best = c
		}
	}
	return best
}

// MinBits is the smallest RSA modulus secretguard seals for: controllers make
// 4096-bit keys, and nothing under 2048 bits is safe.
const MinBits = 2048

// checkKey refuses what crypto/rsa would refuse to encrypt with, and what no
// controller makes. The sealer does its own OAEP, so nothing else checks: with
// exponent 1 the "ciphertext" would be the session key itself.
func checkKey(k *rsa.PublicKey) error {
	switch {
	case k.N == nil || k.N.Sign() <= 0:
		return errors.New("has no RSA modulus")
	case k.N.Bit(0) == 0:
		return errors.New("has an even RSA modulus: that is not an RSA key")
	case k.N.BitLen() < MinBits:
		return fmt.Errorf("has a %d-bit RSA key; sealing needs at least %d bits (controllers make 4096)", k.N.BitLen(), MinBits)
	case k.E < 3 || k.E%2 == 0 || int64(k.E) >= 1<<31:
		return fmt.Errorf("has RSA public exponent %d, which cannot protect anything (want an odd exponent in [3, 2^31); controllers use 65537)", k.E)
	}
	return nil
}

// Note is what is unusual about a usable certificate, for `certs list` and
// `certs check`; "" when nothing is.
func (c *Cert) Note() string {
	if c.Key.E != 65537 {
		return fmt.Sprintf("RSA public exponent %d, not the 65537 every sealed-secrets controller uses: is this the controller's certificate?", c.Key.E)
	}
	return ""
}

// maxCertFile bounds what is read of a certificate file: a controller's PEM is
// under 2 KiB, and a path that is a link to /dev/zero must not fill memory.
const maxCertFile = 1 << 20

// readBounded reads a regular file of at most maxCertFile bytes.
func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: errors.New("not a regular file")}
	}
	data, err := io.ReadAll(io.LimitReader(f, maxCertFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxCertFile {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("larger than %d bytes: not a certificate", maxCertFile)}
	}
	return data, nil
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

// whatItHolds says what a file that holds no PEM certificate is instead, and
// what to do, so that a private key or a DER file given as the certificate
// gets more than "no certificate".
func whatItHolds(path string, data []byte) string {
	var types []string
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		types = append(types, block.Type)
	}
	fetch := "put the controller's certificate there (kubeseal --fetch-cert)"
	for _, t := range types {
		if strings.Contains(t, "PRIVATE KEY") {
			return "it is a private key (" + t + "), which sealing does not need and the repository must not hold: " + fetch
		}
	}
	switch {
	case len(types) > 0 && (types[0] == "PUBLIC KEY" || types[0] == "RSA PUBLIC KEY"):
		return "it is a bare public key; sealing needs the certificate that wraps it: " + fetch
	case len(types) > 0 && strings.Contains(types[0], "REQUEST"):
		return "it is a certificate request, not a certificate: " + fetch
	case len(types) > 0:
		return "it holds " + strings.Join(types, ", ") + " blocks: " + fetch
	}
	if _, err := x509.ParseCertificate(data); err == nil {
		return fmt.Sprintf("it is a DER (binary) certificate: convert it to PEM (openssl x509 -inform der -in %s -out %s.tmp && mv %s.tmp %s)", path, path, path, path)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return "it is empty: " + fetch
	}
	return "it is not PEM: " + fetch
}
