// Package sealtest decrypts SealedSecrets with a TEST private key, for the
// round-trip tests. secretguard itself never unseals: it has no private keys.
package sealtest

import (
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"os"
	"sort"

	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/sealedsecret"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Value is one decrypted encryptedData entry.
type Value struct {
	Namespace, Name, Key string
	Null                 bool   // a null value, left for a patch to fill
	Plain                []byte // set when it decrypted
	Err                  error  // set when it did not
}

func (v Value) String() string {
	switch {
	case v.Null:
		return fmt.Sprintf("%s/%s %s=<null>", v.Namespace, v.Name, v.Key)
	case v.Err != nil:
		return fmt.Sprintf("%s/%s %s=<%v>", v.Namespace, v.Name, v.Key, v.Err)
	}
	return fmt.Sprintf("%s/%s %s=%q", v.Namespace, v.Name, v.Key, v.Plain)
}

// DecryptAll decrypts every value of every SealedSecret of a file, with the
// label its own metadata and scope give, as the controller does. Output is
// sorted by namespace/name and key.
func DecryptAll(data []byte, isJSON bool, priv *rsa.PrivateKey) ([]Value, error) {
	var out []Value
	for _, d := range manifest.Documents(data, isJSON) {
		if d.Blank() {
			continue
		}
		if err := d.Parse(); err != nil {
			return nil, fmt.Errorf("does not parse: %w", err)
		}
		root := d.Node
		if manifest.Scalar(manifest.Field(root, "kind")) != "SealedSecret" {
			continue
		}
		md := manifest.Field(root, "metadata")
		ns, name := manifest.Scalar(manifest.Field(md, "namespace")), manifest.Scalar(manifest.Field(md, "name"))
		label := sealedsecret.Label(sealedsecret.ScopeOf(root), ns, name)
		manifest.Pairs(manifest.Path(root, "spec", "encryptedData"), func(k, v *yaml.Node) {
			val := Value{Namespace: ns, Name: name, Key: k.Value}
			if v.Tag == "!!null" {
				val.Null = true
			} else if ct, err := base64.StdEncoding.DecodeString(v.Value); err != nil {
				val.Err = err
			} else {
				val.Plain, val.Err = sealedsecret.Decrypt(priv, label, ct)
			}
			out = append(out, val)
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out, nil
}

// LoadKey reads the first RSA private key of a file (PEM, or a kubectl
// backup: sealedsecret.ParseKeys), wherever it is and whatever its mode.
func LoadKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	keys, err := sealedsecret.ParseKeys(path, data)
	if err != nil {
		return nil, err
	}
	return keys[0].Key, nil
}
