package sealedsecret

import (
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func parse(t *testing.T, s string) *yaml.Node {
	t.Helper()
	rn, err := yaml.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return rn.YNode()
}

// The controller reads the scope from the SealedSecret's own metadata only;
// cluster-wide wins over namespace-wide; anything but "true" is strict.
func TestScopeOf(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{"metadata: {name: a}", Strict},
		{"metadata: {annotations: {sealedsecrets.bitnami.com/namespace-wide: \"true\"}}", NamespaceWide},
		{"metadata: {annotations: {sealedsecrets.bitnami.com/cluster-wide: \"true\"}}", ClusterWide},
		{"metadata: {annotations: {sealedsecrets.bitnami.com/cluster-wide: \"true\", sealedsecrets.bitnami.com/namespace-wide: \"true\"}}", ClusterWide},
		{"metadata: {annotations: {sealedsecrets.bitnami.com/cluster-wide: \"yes\"}}", Strict},
		{"spec: {template: {metadata: {annotations: {sealedsecrets.bitnami.com/cluster-wide: \"true\"}}}}", Strict},
	} {
		if got := ScopeOf(parse(t, c.doc)); got != c.want {
			t.Errorf("%s: scope %q, want %q", c.doc, got, c.want)
		}
	}
}

func TestNameOfFallsBackToTemplate(t *testing.T) {
	ns, name := NameOf(parse(t, "metadata: {name: own}\nspec: {template: {metadata: {namespace: web, name: tmpl}}}"))
	if ns != "web" || name != "own" {
		t.Errorf("got %s/%s, want web/own", ns, name)
	}
}

func TestHasCiphertext(t *testing.T) {
	if HasCiphertext(parse(t, "spec: {encryptedData: {a: null, b: \"\"}}")) {
		t.Error("null and empty values are no ciphertext")
	}
	if !HasCiphertext(parse(t, "spec: {encryptedData: {a: null, b: AgB}}")) {
		t.Error("a set value is ciphertext")
	}
}

func TestCheckScope(t *testing.T) {
	for _, s := range append([]string{""}, Scopes...) {
		if err := CheckScope(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	if err := CheckScope("namespace"); err == nil {
		t.Error("namespace: accepted")
	}
}
