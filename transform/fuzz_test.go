package transform_test

import (
	"bytes"
	"crypto/rand"
	"testing"

	"github.com/secretguard/secretguard/internal/sealtest"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/transform"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// FuzzSeal: whatever the input, sealing never panics; when it rewrites, every
// document that is not a raw Secret survives byte for byte and in order, no
// raw Secret is left in the output, and the output seals to itself
// (idempotent).
func FuzzSeal(f *testing.F) {
	cert, _ := testCert(f, "small")
	for _, s := range []string{
		"apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: b}\nstringData: {k: FUZZVALUE1}\n",
		"# c\n---\nkind: ConfigMap\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: b}\ndata: {k: RlVaWlZBTFVFMg==}\n---\nx: 1\n",
		"apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: a, namespace: b}\nspec: {encryptedData: {x: null}}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: b}\nstringData: {k: FUZZVALUE3}\n",
		"kind: Secret\r\nmetadata:\r\n  name: c\r\n  namespace: d\r\nstringData:\r\n  k: FUZZVALUE4\r\n",
	} {
		f.Add([]byte(s))
	}
	target := func() (*transform.Target, error) {
		return &transform.Target{Env: "fuzz", Cert: cert, Namespace: "ns"}, nil
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := transform.Seal("f.yaml", data, transform.Options{Rand: rand.Reader}, target)
		if err != nil || res.New == nil {
			return
		}
		// Documents that were not raw Secrets, in order, unchanged.
		var kept [][]byte
		for _, d := range manifest.Documents(data, false) {
			if d.Blank() || d.Parse() != nil {
				kept = append(kept, d.Text)
				continue
			}
			root := d.Node
			_, raw := manifest.RawSecret(root)
			// SealedSecrets may take a merge; raw Secrets are replaced.
			if manifest.Scalar(manifest.Field(root, "kind")) != "SealedSecret" && (!raw || manifest.IsSOPS(root)) {
				kept = append(kept, d.Text)
			}
		}
		rest := res.New
		for _, k := range kept {
			i := bytes.Index(rest, k)
			if i < 0 {
				t.Fatalf("document %q changed or moved in\n%s", k, res.New)
			}
			rest = rest[i+len(k):]
		}
		for _, d := range manifest.Documents(res.New, false) {
			if d.Blank() {
				continue
			}
			if err := d.Parse(); err != nil {
				if bytes.Contains(res.Old, d.Text) {
					continue // a kept document that did not parse before either
				}
				t.Fatalf("output document does not parse: %v\n%s", err, res.New)
			}
			if _, raw := manifest.RawSecret(d.Node); raw && !manifest.IsSOPS(d.Node) {
				t.Fatalf("a raw Secret is left in the output:\n%s", res.New)
			}
		}
		again, err := transform.Seal("f.yaml", res.New, transform.Options{Rand: rand.Reader}, target)
		if err != nil || again.New != nil {
			t.Fatalf("not idempotent: %v\n%s", err, res.New)
		}
	})
}

// FuzzSetKey: whatever the input, set never panics; when it rewrites a file
// that had a SealedSecret, the other documents stay byte for byte, the
// output parses, and the value decrypts from the one SealedSecret set chose.
func FuzzSetKey(f *testing.F) {
	cert, key := testCert(f, "small")
	for _, s := range []string{
		"apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: a, namespace: b}\nspec:\n  encryptedData:\n    x: AgA=\n",
		"# c\n---\nkind: ConfigMap\n---\napiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: a\n  annotations:\n    k: v\nspec:\n  encryptedData:\n    fz: \"old\"\n  template: {}\n",
		"{\"apiVersion\": \"bitnami.com/v1alpha1\", \"kind\": \"SealedSecret\", \"metadata\": {\"name\": \"a\"}, \"spec\": {\"encryptedData\": {\"x\": \"y\"}}}\n",
		"kind: SealedSecret\r\napiVersion: bitnami.com/v1\r\nmetadata:\r\n  name: c\r\nspec:\r\n  encryptedData: {fz: x}\r\n",
	} {
		f.Add([]byte(s))
	}
	target := func() (*transform.Target, error) {
		return &transform.Target{Env: "fuzz", Cert: cert, Known: []string{}, Namespace: "ns"}, nil
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		opt := transform.SetOptions{Key: "fz", Value: []byte("FUZZVALUE"), Rand: rand.Reader}
		res, err := transform.SetKey("f.yaml", data, opt, target)
		if err != nil || res.New == nil {
			return
		}
		oldDocs, newDocs := manifest.Documents(data, false), manifest.Documents(res.New, false)
		if len(oldDocs) != len(newDocs) {
			t.Fatalf("%d documents became %d:\n%s", len(oldDocs), len(newDocs), res.New)
		}
		changed := 0
		var doc []byte
		var node *yaml.Node
		for i := range oldDocs {
			if !bytes.Equal(oldDocs[i].Text, newDocs[i].Text) {
				changed++
				doc = newDocs[i].Text
				if err := newDocs[i].Parse(); err != nil {
					t.Fatalf("the changed document does not parse: %v\n%s", err, res.New)
				}
				node = newDocs[i].Node
			}
		}
		if changed != 1 {
			t.Fatalf("%d documents changed:\n%s", changed, res.New)
		}
		values, err := sealtest.DecryptAll(doc, false, key)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range values {
			if v.Key == "fz" && string(v.Plain) == "FUZZVALUE" {
				return
			}
		}
		// DecryptAll labels by the SealedSecret's own metadata: one that
		// names no namespace was sealed for the target's.
		if manifest.Scalar(manifest.Path(node, "metadata", "namespace")) == "" {
			return
		}
		t.Fatalf("the value does not decrypt:\n%s", res.New)
	})
}
