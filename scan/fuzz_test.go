package scan_test

import (
	"strings"
	"testing"

	"github.com/secretguard/secretguard/config"
	"github.com/secretguard/secretguard/scan"
	"github.com/secretguard/secretguard/source"
)

// memSource is files in memory.
type memSource map[string][]byte

func (m memSource) Walk(fn func(source.Entry) error) error {
	for _, p := range []string{"kustomization.yaml", "a.yaml", "b.json"} {
		if data, ok := m[p]; ok {
			if err := fn(source.Entry{Path: p, Size: int64(len(data)), Read: func() ([]byte, error) { return data, nil }}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m memSource) Exists(rel string) bool { _, ok := m[rel]; return ok }

// FuzzScan runs every rule on arbitrary manifests: it never panics, and a
// message never carries the value FUZZSECRET that the seeds put in values.
func FuzzScan(f *testing.F) {
	for _, s := range []string{
		"apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: b}\nstringData: {k: FUZZSECRET}\n",
		"apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: a, annotations: {reflector.v1.k8s.emberstack.com/reflects: x/y}}\nspec: {encryptedData: {k: FUZZSECRET}, template: {metadata: {name: b}}}\n",
		"apiVersion: external-secrets.io/v1beta1\nkind: SecretStore\nmetadata: {name: s}\nspec: {provider: {aws: {auth: {secretRef: {accessKeyID: FUZZSECRET}}}}}\n",
		"apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Secret, metadata: {name: l}, data: {k: RlVaWlNFQ1JFVA==}}]\n",
		"-----BEGIN RSA PRIVATE KEY-----\nFUZZSECRET\n",
	} {
		f.Add([]byte(s), []byte("namespace: n\nnamePrefix: p-\nresources: [a.yaml]\nsecretGenerator: [{name: g, literals: [K=FUZZSECRET]}]\n"))
	}
	cfg := &config.Config{MaxFileSize: config.DefaultMaxFileSize}
	f.Fuzz(func(t *testing.T, a, k []byte) {
		src := memSource{"a.yaml": a, "kustomization.yaml": k, "b.json": a}
		res, err := scan.Scan(&scan.Context{Config: cfg, Source: src}, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range res.Findings {
			if strings.Contains(fd.Message, "FUZZSECRET") && !strings.Contains(fd.Message, "FUZZSECRET=") {
				// A key may be named FUZZSECRET; a value never shows.
				if !keyNamed(fd.Keys, "FUZZSECRET") && !strings.Contains(fd.Message, "secretguard seal") {
					t.Fatalf("%s: %s", fd.Rule, fd.Message)
				}
			}
		}
	})
}

func keyNamed(keys []string, s string) bool {
	for _, k := range keys {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}
