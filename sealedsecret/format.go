// Package sealedsecret holds the Sealed Secrets format: the SealedSecret kind,
// the annotations the controller reads, the three scopes and the label each
// binds a ciphertext to, and the hybrid encryption of one value. Detection
// (scan) and sealing (transform) both read it from here, so the two can never
// disagree about what the controller does.
package sealedsecret

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/secretguard/secretguard/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// APIVersion and Kind of the objects kubeseal writes.
const (
	APIVersion = "bitnami.com/v1alpha1"
	Kind       = "SealedSecret"
)

// Annotations. The controller reads the scope annotations only from the
// SealedSecret's own metadata.annotations; kubeseal also writes them into the
// template. CertAnnotation is secretguard's: the SHA-256 of the certificate a
// SealedSecret was sealed with.
const (
	NamespaceWideAnnotation = "sealedsecrets.bitnami.com/namespace-wide"
	ClusterWideAnnotation   = "sealedsecrets.bitnami.com/cluster-wide"
	CertAnnotation          = "secretguard.io/cert-sha256"
	// SealedForAnnotation records the namespace/name a SealedSecret was
	// sealed for when a kustomize build gives it that name after sealing
	// (seal of a base shared by several environments): "NAMESPACE/NAME".
	SealedForAnnotation = "secretguard.io/sealed-for"
)

// Scopes, as `scope:` and `seal --scope` name them.
const (
	Strict        = "strict"
	NamespaceWide = "namespace-wide"
	ClusterWide   = "cluster-wide"
)

// Scopes lists the scope names, strictest first.
var Scopes = []string{Strict, NamespaceWide, ClusterWide}

// CheckScope accepts a scope name, or "" for the default.
func CheckScope(s string) error {
	switch s {
	case "", Strict, NamespaceWide, ClusterWide:
		return nil
	}
	return fmt.Errorf("scope %q: want %s", s, strings.Join(Scopes, ", "))
}

// Is reports a SealedSecret of any bitnami.com version.
func Is(apiVersion, kind string) bool {
	return kind == Kind && strings.HasPrefix(apiVersion, "bitnami.com/")
}

// AnnotatedScope reads the scope that scope annotations in a metadata mapping
// ask for: cluster-wide wins, as in the controller; "" when neither is set.
func AnnotatedScope(metadata *yaml.Node) string {
	anns := manifest.Field(metadata, "annotations")
	switch {
	case manifest.Scalar(manifest.Field(anns, ClusterWideAnnotation)) == "true":
		return ClusterWide
	case manifest.Scalar(manifest.Field(anns, NamespaceWideAnnotation)) == "true":
		return NamespaceWide
	}
	return ""
}

// ScopeOf is the scope the controller unseals a SealedSecret with: from its
// own metadata, the only place it looks; strict when that says nothing.
func ScopeOf(root *yaml.Node) string {
	if s := AnnotatedScope(manifest.Field(root, "metadata")); s != "" {
		return s
	}
	return Strict
}

// NameOf is the namespace and name a SealedSecret is known by: its own
// metadata, else its template's.
func NameOf(root *yaml.Node) (namespace, name string) {
	md := manifest.Field(root, "metadata")
	tmd := manifest.Path(root, "spec", "template", "metadata")
	namespace = manifest.Scalar(manifest.Field(md, "namespace"))
	if namespace == "" {
		namespace = manifest.Scalar(manifest.Field(tmd, "namespace"))
	}
	name = manifest.Scalar(manifest.Field(md, "name"))
	if name == "" {
		name = manifest.Scalar(manifest.Field(tmd, "name"))
	}
	return namespace, name
}

// SealedFor is the namespace and name a SealedSecret is sealed for: those
// its secretguard.io/sealed-for annotation records (the name a kustomize
// build gives it, which its own metadata may not say), else NameOf's.
func SealedFor(root *yaml.Node) (namespace, name string) {
	v := manifest.Scalar(manifest.Path(root, "metadata", "annotations", SealedForAnnotation))
	if ns, n, ok := strings.Cut(v, "/"); ok && n != "" && !strings.Contains(n, "/") {
		return ns, n
	}
	return NameOf(root)
}

// HasCiphertext reports whether any encryptedData value is set (values may be
// null, left for a kustomize patch to fill).
func HasCiphertext(root *yaml.Node) bool {
	found := false
	manifest.Pairs(manifest.Path(root, "spec", "encryptedData"), func(_, v *yaml.Node) {
		if manifest.Scalar(v) != "" {
			found = true
		}
	})
	return found
}

// ScopeAnnotation is the annotation that asks for scope ("" for strict, which
// none asks for), and the scope annotations that must go for it.
func ScopeAnnotation(scope string) (set string, drop []string) {
	switch scope {
	case ClusterWide:
		return ClusterWideAnnotation, []string{NamespaceWideAnnotation}
	case NamespaceWide:
		return NamespaceWideAnnotation, []string{ClusterWideAnnotation}
	}
	return "", []string{NamespaceWideAnnotation, ClusterWideAnnotation}
}

// secretKey is what the API server accepts as a Secret's data key.
var secretKey = regexp.MustCompile(`^[-._a-zA-Z0-9]+$`)

// CheckKey accepts a valid Secret data key: letters, digits, '-', '_' and
// '.', at most 253 of them, not "." or "..".
func CheckKey(k string) error {
	if len(k) > 253 || !secretKey.MatchString(k) || k == "." || k == ".." {
		return fmt.Errorf("key %q: a Secret's keys are letters, digits, '-', '_' and '.' (at most 253, not . or ..)", k)
	}
	return nil
}
