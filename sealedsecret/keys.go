package sealedsecret

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/secretguard/secretguard/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// PrivateKey is one controller private key a user backed up.
type PrivateKey struct {
	Key *rsa.PrivateKey
	// From says where it was read: "FILE" for a PEM file, "FILE: Secret NAME"
	// for an item of a backup List.
	From string
}

// maxKeyFile bounds what is read of a key file: a backup of a controller
// that renewed its key for years is a few hundred KiB.
const maxKeyFile = 8 << 20

// ReadKeyFile reads the controller private keys of a file as a user backs
// them up: PEM (PKCS#1 or PKCS#8 RSA keys, one or more blocks), or the YAML
// or JSON that `kubectl get secret -l sealedsecrets.bitnami.com/sealed-secrets-key
// -o yaml` prints — a `kind: List` of `kubernetes.io/tls` Secrets, or one
// such Secret — whose `data: tls.key` holds the PEM key in base64.
//
// A key file inside the repository at root, or readable by group or others,
// is refused with the reason: it would be the worst leak of all. Errors name
// the file, never its content.
func ReadKeyFile(path, root string) ([]PrivateKey, error) {
	if err := checkKeyPlace(path, root); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--key %s: %w", path, unwrapPath(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("--key %s: %w", path, unwrapPath(err))
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("--key %s: not a regular file", path)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o044 != 0 {
		return nil, fmt.Errorf("--key %s: readable by group or others (mode %04o): a controller's private key opens every SealedSecret of its cluster; chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	defer clear(data)
	if err != nil {
		return nil, fmt.Errorf("--key %s: %w", path, unwrapPath(err))
	}
	if len(data) > maxKeyFile {
		return nil, fmt.Errorf("--key %s: larger than %d bytes: not a key backup", path, maxKeyFile)
	}
	keys, err := ParseKeys(path, data)
	if err != nil {
		return nil, fmt.Errorf("--key %s: %w", path, err)
	}
	return keys, nil
}

// checkKeyPlace refuses a key file inside the repository (links followed:
// a link outside that points in is inside).
func checkKeyPlace(path, root string) error {
	if root == "" {
		return nil
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("--key %s: %w", path, err)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	r, err := filepath.Abs(root)
	if err != nil {
		return fmt.Errorf("--key %s: %w", path, err)
	}
	if real, err := filepath.EvalSymlinks(r); err == nil {
		r = real
	}
	rel, err := filepath.Rel(r, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return nil
	}
	return fmt.Errorf("--key %s: inside the repository (%s): a controller's private key must never be where it can be committed; move it out (and if git ever held it, rotate the controller's key)", path, rel)
}

// ParseKeys reads the RSA private keys of PEM data or of a kubectl backup
// (see ReadKeyFile). name is for messages only.
func ParseKeys(name string, data []byte) ([]PrivateKey, error) {
	if keys, found, err := pemKeys(name, data); found || err != nil {
		return keys, err
	}
	var out []PrivateKey
	docs := manifest.Documents(data, false)
	for _, d := range docs {
		if d.Blank() {
			continue
		}
		if d.Parse() != nil {
			return nil, errors.New("neither PEM nor a YAML or JSON backup that parses")
		}
		items := []*yaml.Node{d.Node}
		if strings.HasSuffix(manifest.Scalar(manifest.Field(d.Node, "kind")), "List") {
			items = manifest.Seq(manifest.Field(d.Node, "items"))
		}
		for _, it := range items {
			if !manifest.IsCoreSecret(manifest.Scalar(manifest.Field(it, "apiVersion")), manifest.Scalar(manifest.Field(it, "kind"))) {
				continue
			}
			secret := manifest.Scalar(manifest.Path(it, "metadata", "name"))
			b64 := manifest.Scalar(manifest.Path(it, "data", "tls.key"))
			if b64 == "" {
				continue
			}
			pemData, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(b64), ""))
			if err != nil {
				return nil, fmt.Errorf("data tls.key of Secret %s is not base64", secret)
			}
			from := name + ": Secret " + secret
			keys, found, err := pemKeys(from, pemData)
			clear(pemData)
			if err != nil {
				return nil, err
			}
			if !found {
				return nil, fmt.Errorf("data tls.key of Secret %s holds no PEM private key", secret)
			}
			out = append(out, keys...)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("holds no RSA private key: want the controller's key as PEM, or the output of `kubectl get secret -n kube-system -l sealedsecrets.bitnami.com/sealed-secrets-key -o yaml`")
	}
	return out, nil
}

// pemKeys reads the private key blocks of PEM data; found is false when it
// holds none (it may be YAML).
func pemKeys(from string, data []byte) (keys []PrivateKey, found bool, err error) {
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if !strings.Contains(block.Type, "PRIVATE KEY") {
			continue
		}
		found = true
		k, err := parsePrivateKey(block)
		clear(block.Bytes)
		if err != nil {
			return nil, true, fmt.Errorf("%s: %s block: %w", from, block.Type, err)
		}
		keys = append(keys, PrivateKey{Key: k, From: from})
	}
	return keys, found, nil
}

func parsePrivateKey(block *pem.Block) (*rsa.PrivateKey, error) {
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, errors.New("not an RSA private key (PKCS#1 or PKCS#8)")
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an RSA key: sealed-secrets keys are RSA")
	}
	return rk, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// DecryptWith decrypts a base64 encryptedData value with the first of keys
// that opens it under label; which is its index. The plaintext is the
// caller's to clear.
func DecryptWith(keys []PrivateKey, label []byte, b64 string) (plain []byte, which int, err error) {
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, -1, errors.New("is not base64")
	}
	for i, k := range keys {
		if p, err := Decrypt(k.Key, label, ct); err == nil {
			return p, i, nil
		}
	}
	return nil, -1, errors.New("no key decrypts it")
}
