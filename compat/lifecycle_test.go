package compat

import (
	"bytes"
	"os"
	"testing"

	"github.com/secretguard/secretguard/certs"
	"github.com/secretguard/secretguard/sealedsecret"
	"github.com/secretguard/secretguard/transform"
)

const (
	stageCertFile = "../testdata/demo/certs/stage.pem"
	stageKeyFile  = "../testdata/keys/stage.key"
)

func loadKeys(t *testing.T, path string) []sealedsecret.PrivateKey {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := sealedsecret.ParseKeys(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// prodTarget is the prod environment after a key renewal: prod.pem is the
// newest certificate, stage.pem (whose key is stage.key) the older one.
func prodTarget(t *testing.T) (*transform.Target, *certs.Cert) {
	t.Helper()
	prod, err := certs.Load("prod", certFile)
	if err != nil {
		t.Fatal(err)
	}
	old, err := certs.Load("prod", stageCertFile)
	if err != nil {
		t.Fatal(err)
	}
	return &transform.Target{Env: "prod", Cert: prod, Known: []string{old.SHA256}}, old
}

// unsealsOnlyWithProd checks that kubeseal opens sealed with prod.key to
// want, and that stage.key (the older certificate's, the other
// environment's) cannot.
func unsealsOnlyWithProd(t *testing.T, sealed []byte, want map[string]string) {
	t.Helper()
	got, err := recoveryUnsealWith(t, keyFile, sealed)
	if err != nil {
		t.Fatalf("kubeseal with prod.key: %v", err)
	}
	for k, v := range want {
		if !bytes.Equal(got[k], []byte(v)) {
			t.Errorf("%s: kubeseal decrypted %d bytes, want %d", k, len(got[k]), len(v))
		}
	}
	if len(got) != len(want) {
		t.Errorf("kubeseal returned %d keys, want %d", len(got), len(want))
	}
	if _, err := recoveryUnsealWith(t, stageKeyFile, sealed); err == nil {
		t.Error("kubeseal decrypted it with stage.key")
	}
}

// reseal re-encrypts what the older certificate sealed with the newest, and
// kubeseal's own code decrypts the result with the newest key only; set and
// unset then change one key, and it still does.
func TestKubesealDecryptsResealAndSet(t *testing.T) {
	kubeseal(t)
	target, old := prodTarget(t)
	for _, scope := range []string{sealedsecret.Strict, sealedsecret.NamespaceWide, sealedsecret.ClusterWide} {
		t.Run(scope, func(t *testing.T) {
			in := secret("app", "web", "stringData", map[string]string{"password": "s3cr3t", "empty": ""})
			res, err := transform.Seal("in.yaml", []byte(in), transform.Options{Scope: scope}, func() (*transform.Target, error) {
				return &transform.Target{Env: "prod", Cert: old}, nil
			})
			if err != nil || res.New == nil {
				t.Fatalf("seal: %v", err)
			}
			if _, err := recoveryUnsealWith(t, stageKeyFile, res.New); err != nil {
				t.Fatalf("the older certificate's key does not open what it sealed: %v", err)
			}
			resealed, err := transform.Reseal("in.yaml", res.New, transform.ResealOptions{Keys: loadKeys(t, stageKeyFile)}, func() (*transform.Target, error) { return target, nil })
			if err != nil || resealed.New == nil || len(resealed.Left) > 0 {
				t.Fatalf("reseal: %v, left %v", err, resealed)
			}
			unsealsOnlyWithProd(t, resealed.New, map[string]string{"password": "s3cr3t", "empty": ""})

			set, err := transform.SetKey("in.yaml", resealed.New, transform.SetOptions{Key: "token", Value: []byte("t0k\x00en\n")}, func() (*transform.Target, error) { return target, nil })
			if err != nil {
				t.Fatalf("set: %v", err)
			}
			unsealsOnlyWithProd(t, set.New, map[string]string{"password": "s3cr3t", "empty": "", "token": "t0k\x00en\n"})

			unset, err := transform.SetKey("in.yaml", set.New, transform.SetOptions{Key: "empty", Unset: true}, nil)
			if err != nil {
				t.Fatalf("unset: %v", err)
			}
			unsealsOnlyWithProd(t, unset.New, map[string]string{"password": "s3cr3t", "token": "t0k\x00en\n"})
		})
	}
	// A change of scope: strict -> namespace-wide, then the namespace-wide
	// SealedSecret renamed still opens (its label no longer names it).
	in := secret("app", "web", "stringData", map[string]string{"k": "v"})
	res, err := transform.Seal("in.yaml", []byte(in), transform.Options{}, func() (*transform.Target, error) { return target, nil })
	if err != nil {
		t.Fatal(err)
	}
	wide, err := transform.Reseal("in.yaml", res.New, transform.ResealOptions{Keys: loadKeys(t, keyFile), Scope: sealedsecret.NamespaceWide}, func() (*transform.Target, error) { return target, nil })
	if err != nil || wide.New == nil {
		t.Fatalf("reseal --scope: %v", err)
	}
	unsealsOnlyWithProd(t, bytes.ReplaceAll(wide.New, []byte("name: app"), []byte("name: other")), map[string]string{"k": "v"})
}

// A SealedSecret that set creates in an empty file is what kubeseal opens.
func TestKubesealDecryptsANewSet(t *testing.T) {
	kubeseal(t)
	target, _ := prodTarget(t)
	res, err := transform.SetKey("new.yaml", nil, transform.SetOptions{Key: "password", Value: []byte("n3w"), Name: "db", Namespace: "web"}, func() (*transform.Target, error) { return target, nil })
	if err != nil {
		t.Fatal(err)
	}
	unsealsOnlyWithProd(t, res.New, map[string]string{"password": "n3w"})
}
