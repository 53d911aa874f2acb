package manifest

import (
	"fmt"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// External Secrets Operator API versions: v1beta1 is no longer served since
// ESO v0.17; v1 (since v0.16) replaces it.
const (
	ESOv1beta1 = "external-secrets.io/v1beta1"
	ESOv1      = "external-secrets.io/v1"
)

// ESOv1Changes says what a v1beta1 External Secrets resource uses that
// external-secrets.io/v1 does not accept unchanged, one phrase per change;
// none when changing the apiVersion is all it takes.
//
// At ESO v0.16, the one release line that serves both, the two schemas are the
// same; what differs is what v0.16 removed from both (template engine v1, the
// fake provider's valueMap) and what later v1 releases made stricter: rewrite
// entries with exactly one operation (v0.19), the alibaba and device42
// providers removed (v2.0), and exactly-one-of rules for conjur auth,
// kubernetes auth and secretserver credentials, and no negative
// refreshInterval (v2.8). Found by comparing the CRD schemas of every release.
func ESOv1Changes(o *yaml.Node) []string {
	var out []string
	add := func(format string, a ...any) { out = append(out, fmt.Sprintf(format, a...)) }
	kind := Scalar(Field(o, "kind"))
	spec := Field(o, "spec")
	switch kind {
	case "ExternalSecret", "ClusterExternalSecret":
		at := "spec."
		if kind == "ClusterExternalSecret" {
			spec, at = Field(spec, "externalSecretSpec"), "spec.externalSecretSpec."
		}
		if Scalar(Path(spec, "target", "template", "engineVersion")) == "v1" {
			add("%starget.template.engineVersion v1 is gone (v1 takes only v2): port the template to the v2 syntax", at)
		}
		for i, df := range Seq(Field(spec, "dataFrom")) {
			for j, rw := range Seq(Field(df, "rewrite")) {
				ops := 0
				for _, op := range []string{"regexp", "transform", "merge"} {
					if Field(rw, op) != nil {
						ops++
					}
				}
				if ops != 1 {
					add("%sdataFrom[%d].rewrite[%d] must hold exactly one of regexp, transform, merge (v1 since ESO v0.19)", at, i, j)
				}
			}
		}
	case "SecretStore", "ClusterSecretStore":
		p := Field(spec, "provider")
		for i, d := range Seq(Path(p, "fake", "data")) {
			if Field(d, "valueMap") != nil || Field(d, "value") == nil {
				add("spec.provider.fake.data[%d] needs value, and valueMap is gone", i)
			}
		}
		for _, gone := range []string{"alibaba", "device42"} {
			if Field(p, gone) != nil {
				add("spec.provider.%s is gone from v1 since ESO v2.0", gone)
			}
		}
		if auth := Path(p, "conjur", "auth"); auth != nil {
			n := 0
			for _, m := range []string{"apikey", "jwt", "cert"} {
				if Field(auth, m) != nil {
					n++
				}
			}
			if n != 1 {
				add("spec.provider.conjur.auth must hold exactly one of apikey, jwt, cert (v1 since ESO v2.8)")
			}
		}
		if cert := Path(p, "kubernetes", "auth", "cert"); cert != nil && (Field(cert, "clientCert") == nil || Field(cert, "clientKey") == nil) {
			add("spec.provider.kubernetes.auth.cert needs clientCert and clientKey (v1 since ESO v2.8)")
		}
		if tok := Path(p, "kubernetes", "auth", "token"); tok != nil && Field(tok, "bearerToken") == nil {
			add("spec.provider.kubernetes.auth.token needs bearerToken (v1 since ESO v2.8)")
		}
		for _, cred := range []string{"username", "password"} {
			c := Path(p, "secretserver", cred)
			if c == nil {
				continue
			}
			v, ref := Field(c, "value"), Field(c, "secretRef")
			if (v == nil) == (ref == nil) || v != nil && Scalar(v) == "" {
				add("spec.provider.secretserver.%s must hold exactly one of a non-empty value, secretRef (v1 since ESO v2.8)", cred)
			}
		}
		if r := Scalar(Field(spec, "refreshInterval")); strings.HasPrefix(r, "-") {
			if _, err := strconv.Atoi(r); err == nil {
				add("spec.refreshInterval must not be negative (v1 since ESO v2.8)")
			}
		}
	}
	return out
}
