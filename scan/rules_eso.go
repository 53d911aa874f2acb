package scan

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/secretguard/secretguard/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func init() {
	register(externalSecretAPIRemoved{})
	register(secretStoreInlineCredentials{})
}

// ExternalSecretApiRemovedID is the id of the external-secret-api-removed rule.
const ExternalSecretApiRemovedID = "external-secret-api-removed"

type externalSecretAPIRemoved struct{}

func (externalSecretAPIRemoved) Info() Info {
	return Info{
		ID: ExternalSecretApiRemovedID, Severity: Error,
		Short: "An External Secrets resource uses external-secrets.io/v1beta1, which is no longer served",
		Help: "External Secrets Operator serves external-secrets.io/v1 since v0.16 and stopped serving " +
			"v1beta1 in v0.17: applying a v1beta1 manifest fails with \"no matches for kind\". Change " +
			"apiVersion to external-secrets.io/v1 (ExternalSecret, SecretStore, ClusterSecretStore, " +
			"ClusterExternalSecret); check the v1 field changes in the ESO upgrade notes.",
	}
}

func (externalSecretAPIRemoved) CheckObject(c *Context, o *Object, emit func(Finding)) {
	if o.APIVersion != "external-secrets.io/v1beta1" {
		return
	}
	k := manifest.KeyNode(o.Node, "apiVersion")
	emit(Finding{Line: o.Doc.LineOf(k), Column: k.Column,
		Message: fmt.Sprintf("%s is at external-secrets.io/v1beta1, which ESO no longer serves (since v0.17): use external-secrets.io/v1", o.Ref())})
}

// SecretStoreInlineCredentialsID is the id of the secret-store-inline-credentials rule.
const SecretStoreInlineCredentialsID = "secret-store-inline-credentials"

type secretStoreInlineCredentials struct{}

func (secretStoreInlineCredentials) Info() Info {
	return Info{
		ID: SecretStoreInlineCredentialsID, Severity: Error,
		Short: "A SecretStore carries a credential inline instead of a reference to a Secret",
		Help: "Store credentials (AWS access keys, Vault tokens, GCP service-account keys, Azure client " +
			"secrets…) belong in a Kubernetes Secret referenced by a secretRef/*SecretRef ({name, key}), " +
			"or better in workload identity (IRSA, jwt.serviceAccountRef). A literal in the store is in " +
			"Git for everyone to read: remove it and rotate it.",
	}
}

// credentialKey matches the names providers use for credential material.
var credentialKey = regexp.MustCompile(`(?i)(secret|token|password|passwd|apikey|api_key|accesskey|accesskeyid|privatekey|private_key|credentials?|clientcert|serviceaccountkey|bearer)$`)

// referenceKeys are the fields of a reference ({name, key, namespace}): their
// values name a Secret, they are not one.
var referenceKeys = map[string]bool{"name": true, "key": true, "namespace": true, "kind": true, "property": true}

func isRefKey(k string) bool { return strings.HasSuffix(k, "Ref") || k == "secretRef" }

// CheckObject walks the provider blocks. A literal is a leak where a reference
// belongs (`accessKeyIDSecretRef: AKIA…`), or under a credential-like key that
// is not a field of a reference (`secretRef: {accessKeyID: AKIA…}`).
func (secretStoreInlineCredentials) CheckObject(c *Context, o *Object, emit func(Finding)) {
	if !isExternalSecretsKind(o, "SecretStore") && !isExternalSecretsKind(o, "ClusterSecretStore") {
		return
	}
	// Each node is walked once: aliases may point at the same node many times
	// (an alias bomb would otherwise take exponential time).
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node, path string, inRef bool)
	walk = func(n *yaml.Node, path string, inRef bool) {
		n = manifest.Resolve(n)
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		manifest.Pairs(n, func(k, v *yaml.Node) {
			v = manifest.Resolve(v)
			p := path + "." + k.Value
			switch {
			case v == nil:
			case v.Kind == yaml.MappingNode:
				walk(v, p, inRef || isRefKey(k.Value))
			case v.Kind == yaml.SequenceNode:
				for _, it := range v.Content {
					walk(it, p+"[]", inRef || isRefKey(k.Value))
				}
			case manifest.Scalar(v) == "", inRef && referenceKeys[k.Value]:
			case isRefKey(k.Value), credentialKey.MatchString(k.Value):
				emit(Finding{Line: o.Doc.LineOf(k), Column: k.Column, Keys: []string{p},
					Message: fmt.Sprintf("%s has a literal value at %s where a reference to a Secret belongs", o.Ref(), p)})
			}
		})
	}
	manifest.Pairs(manifest.Path(o.Node, "spec", "provider"), func(k, v *yaml.Node) {
		if k.Value == "fake" {
			return // the fake provider holds test data by design
		}
		walk(v, "spec.provider."+k.Value, false)
	})
}
