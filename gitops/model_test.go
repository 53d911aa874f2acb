package gitops

import (
	"fmt"
	"reflect"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func kust(t *testing.T, file, text string) *Kustomization {
	t.Helper()
	rn, err := yaml.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return ReadKustomization(file, rn.YNode())
}

// A base built by two overlays lands in each overlay's namespace; the outer
// namespace wins, prefixes nest outer-first; patches are members but patches.
func TestBuildOverlays(t *testing.T) {
	ks := []*Kustomization{
		kust(t, "app/base/kustomization.yaml", "namespace: base\nnamePrefix: b-\nresources: [secret.yaml, https://example.com/x.yaml, ../../../outside.yaml]\n"),
		kust(t, "app/overlays/prod/kustomization.yaml", "namespace: prod\nnamePrefix: p-\nresources: [../../base]\npatches: [{path: patch.yaml}]\n"),
		kust(t, "app/overlays/stage/kustomization.yaml", "resources: [../../base]\n"),
	}
	if got := ks[0].Resources; !reflect.DeepEqual(got, []string{"app/base/secret.yaml"}) {
		t.Fatalf("base resources %q: URLs and paths outside the repository are left out", got)
	}
	m := Build(ks, []string{"app/base/secret.yaml", "loose/prod/a.yaml", "loose/b.yaml", "app/overlays/prod/patch.yaml"},
		func(f string) string {
			if f == "loose/prod/a.yaml" {
				return "environment prod"
			}
			return ""
		}, nil)
	var names []string
	for _, u := range m.Units {
		names = append(names, u.Name)
	}
	want := []string{"app/overlays/prod/kustomization.yaml", "app/overlays/stage/kustomization.yaml", "environment prod", "the whole tree"}
	if !reflect.DeepEqual(names, want) {
		t.Fatalf("units %q, want %q", names, want)
	}
	if got := m.NamespacesOf("app/base/secret.yaml", "own"); !reflect.DeepEqual(got, []string{"prod", "base"}) {
		t.Errorf("namespaces %q, want [prod base]", got)
	}
	prod := m.Units[0].Members["app/base/secret.yaml"][0]
	if prod.Prefix != "p-b-" || prod.RenameBy.File != "app/overlays/prod/kustomization.yaml" || prod.NamespaceBy.Namespace != "prod" {
		t.Errorf("prod membership %+v", prod)
	}
	if !m.IsPatch("app/overlays/prod/patch.yaml") || m.IsPatch("app/base/secret.yaml") {
		t.Error("IsPatch")
	}
	if got := m.NamespacesOf("nowhere.yaml", "x"); !reflect.DeepEqual(got, []string{"x"}) {
		t.Errorf("a file in no unit keeps its own namespace, got %q", got)
	}
}

func TestKustomizationFiles(t *testing.T) {
	for _, c := range []struct {
		path string
		want bool
	}{{"a/kustomization.yaml", true}, {"Kustomization", true}, {"a/kustomization.yml", true}, {"a/kustomization.json", false}, {"a/my-kustomization.yaml", false}} {
		if got := IsKustomizationFile(c.path); got != c.want {
			t.Errorf("%s: %v", c.path, got)
		}
	}
	if IsKustomize("kustomize.toolkit.fluxcd.io/v1", "Kustomization") || !IsKustomize("", "Kustomization") || !IsKustomize("kustomize.config.k8s.io/v1alpha1", "Component") {
		t.Error("IsKustomize: a Flux Kustomization is an entry point, not a kustomize build")
	}
}

// A diamond of bases included twice at every level is walked a bounded number
// of times, not 2^depth.
func TestBuildDiamondIsBounded(t *testing.T) {
	var ks []*Kustomization
	const depth = 40
	for i := 0; i < depth; i++ {
		next := fmt.Sprintf("l%d", i+1)
		ks = append(ks, &Kustomization{File: fmt.Sprintf("l%d/kustomization.yaml", i), Dir: fmt.Sprintf("l%d", i),
			Namespace: fmt.Sprintf("ns%d", i%2), Resources: []string{next, next}})
	}
	ks = append(ks, &Kustomization{File: fmt.Sprintf("l%d/kustomization.yaml", depth), Dir: fmt.Sprintf("l%d", depth)})
	m := Build(ks, nil, func(string) string { return "" }, nil)
	if len(m.Units) != 1 {
		t.Fatalf("%d units", len(m.Units))
	}
}
