package transform

import (
	"bytes"
	"encoding/base64"
	"math/rand"
	"testing"

	"github.com/secretguard/secretguard/certs"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// TestRenderSealedIsRender: the stand-in render gives the bytes of the whole
// render, for keys and metadata that need quoting, stand-ins that occur in the
// Secret's own metadata, and values that are not plain base64 (rendered whole).
func TestRenderSealedIsRender(t *testing.T) {
	secret := func(src string) *yaml.Node {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(src), &n); err != nil {
			t.Fatal(err)
		}
		return n.Content[0]
	}
	rnd := rand.New(rand.NewSource(1))
	ct := func(n int) string {
		b := make([]byte, n)
		rnd.Read(b)
		b[0], b[1] = 2, 0 // the RSA part's length, as Encrypt writes it
		return base64.StdEncoding.EncodeToString(b)
	}
	cert := &certs.Cert{SHA256: "abc"}
	for _, c := range []struct {
		name, src string
		enc       map[string]string
	}{
		{"plain", "metadata: {name: s, namespace: ns}\n", map[string]string{"password": ct(560), "token": ct(600)}},
		{"keys that need quotes", "metadata: {name: s}\n", map[string]string{"true": ct(560), "1": ct(560), "a b": ct(530), "x:y": ct(520), "-": ct(515), "é": ct(700)}},
		{"stand-in in metadata", "metadata:\n  name: sgct0z\n  labels: {l: sgct1z, m: 'sgct0z sgct1z'}\n  annotations: {a: \"#: x\", argocd.argoproj.io/sync-wave: sgct1z sgct0z}\n", map[string]string{"a": ct(560), "b": ct(560)}},
		{"not plain base64", "metadata: {name: s}\n", map[string]string{"a": "+" + ct(560), "b": ct(560)}},
		{"many", "metadata: {name: s}\n", func() map[string]string {
			m := map[string]string{}
			for _, k := range []string{"k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11"} {
				m[k] = ct(540)
			}
			return m
		}()},
	} {
		t.Run(c.name, func(t *testing.T) {
			var keys []string
			for k := range c.enc {
				keys = append(keys, k)
			}
			ch := Change{Name: "s", Namespace: "ns", Keys: keys}
			want, err := render(sealedSecret(secret(c.src), ch, cert, c.enc), false)
			if err != nil {
				t.Fatal(err)
			}
			got, err := renderSealed(secret(c.src), ch, cert, c.enc, false)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("renderSealed differs from render:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
