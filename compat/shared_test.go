package compat

import (
	"strings"
	"testing"

	"github.com/secretguard/secretguard/certs"
	"github.com/secretguard/secretguard/gitops"
	"github.com/secretguard/secretguard/transform"
)

// A Secret of a base that prod and stage build, sealed once per overlay:
// each copy decrypts with its own cluster's key, for the namespace that
// overlay's build gives it, and not with the other cluster's key.
func TestSharedBaseDecryptsPerCluster(t *testing.T) {
	kubeseal(t)
	certFiles := map[string]string{"prod": certFile, "stage": "../testdata/demo/certs/stage.pem"}
	keys := map[string]string{"prod": keyFile, "stage": "../testdata/keys/stage.key"}
	overlay := func(env, ns string) gitops.Overlay {
		dir := "app/overlays/" + env
		return gitops.Overlay{Env: env, Kustomization: &gitops.Kustomization{File: dir + "/kustomization.yaml", Dir: dir},
			Membership: gitops.Membership{Namespace: ns, Kustomized: true}}
	}
	sh := transform.Shared{
		Overlays: []gitops.Overlay{overlay("prod", "shop-prod"), overlay("stage", "shop-stage")},
		ListedBy: []string{"app/base/kustomization.yaml"},
		Target: func(env string) (*transform.Target, error) {
			cert, err := certs.Load(env, certFiles[env])
			return &transform.Target{Env: env, Cert: cert}, err
		},
	}
	in := secret("db", "shop", "stringData", map[string]string{"password": "shared-base-value"})
	res, err := transform.SealShared("app/base/secret.yaml", []byte(in), transform.Options{}, sh)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Created) != 2 || !res.Spread.Delete {
		t.Fatalf("created %d files (delete base: %v), want 2 and the base gone", len(res.Created), res.Spread != nil && res.Spread.Delete)
	}
	for _, c := range res.Created {
		env := strings.Split(c.Path, "/")[2]
		other := map[string]string{"prod": "stage", "stage": "prod"}[env]
		got, err := recoveryUnsealWith(t, keys[env], c.Data)
		if err != nil {
			t.Fatalf("%s: %v", c.Path, err)
		}
		if string(got["password"]) != "shared-base-value" {
			t.Errorf("%s: kubeseal decrypted %d bytes, want the value", c.Path, len(got["password"]))
		}
		if _, err := recoveryUnsealWith(t, keys[other], c.Data); err == nil {
			t.Errorf("%s decrypts with the %s key", c.Path, other)
		}
	}
}
