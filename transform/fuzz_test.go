package transform_test

import (
	"bytes"
	"crypto/rand"
	"testing"

	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/transform"
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
