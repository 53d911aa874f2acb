package scan

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/secretguard/secretguard/gitops"
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

const esoV1beta1 = manifest.ESOv1beta1

// CheckObject reports v1beta1 resources in history mode, where tree rules do
// not run (blobs of many commits cannot be judged against one set of pins).
func (externalSecretAPIRemoved) CheckObject(c *Context, o *Object, emit func(Finding)) {
	if !c.History || o.APIVersion != esoV1beta1 {
		return
	}
	k := manifest.KeyNode(o.Node, "apiVersion")
	emit(Finding{Line: o.Doc.LineOf(k), Column: k.Column,
		Message: fmt.Sprintf("%s is at external-secrets.io/v1beta1, which ESO no longer serves (since v0.17): use external-secrets.io/v1", o.Ref())})
}

// CheckTree reports v1beta1 resources, unless the repository pins the
// operator to a version that still serves v1beta1 (before v0.17) everywhere it
// installs it: there the advice to move to v1 would break it (v1 came in
// v0.16), and the resources are fine until the upgrade.
func (externalSecretAPIRemoved) CheckTree(c *Context, ix *Index, emit func(Finding)) {
	if len(ix.esoV1beta1) == 0 {
		return
	}
	if len(ix.esoPins) > 0 {
		// A pin a variable fills in (targetRevision:
		// ${ARGOCD_ENV_external_secrets_helm_version}) says nothing; the
		// vars file that gives it is a pin of its own. Only such pins: the
		// version is unknown, and the advice could break it.
		old := true
		for _, v := range ix.esoPins {
			if !strings.ContainsAny(v, "${}") {
				old = old && versionBefore(v, 0, 17)
			}
		}
		if old {
			return
		}
	}
	for _, l := range ix.esoV1beta1 {
		if ix.undeployed(l.File) {
			continue // it cannot fail to apply
		}
		f := Finding{File: l.File, Line: l.Line, Column: l.Column, Resource: &l.Resource,
			Message: fmt.Sprintf("%s is at external-secrets.io/v1beta1, which ESO no longer serves (since v0.17): use external-secrets.io/v1", refOf(l.Resource))}
		if len(l.changes) > 0 {
			f.Message += ", and change what v1 does not accept: " + strings.Join(l.changes, "; ")
		} else if l.fixable {
			f.Fixable, f.Advice = true, FixAdvice(l.File)
		}
		emit(f)
	}
}

// esoPin is the operator versions an object installs: a Helm chart dependency
// (Chart.yaml), a Flux HelmRelease or OCIRepository, an Argo CD Application or
// ApplicationSet (its generators' values resolved), a kustomize helmCharts
// entry, values that describe chart installs, the operator's Deployment in
// committed manifests; none for anything else.
func esoPin(o *Object) []string {
	s := func(n *yaml.Node, keys ...string) string { return manifest.Scalar(manifest.Path(n, keys...)) }
	switch {
	case path.Base(o.File) == "Chart.yaml" && o.Kind == "":
		for _, d := range manifest.Seq(manifest.Field(o.Node, "dependencies")) {
			if s(d, "name") == "external-secrets" {
				return []string{s(d, "version")}
			}
		}
	case o.Kind == "HelmRelease" && strings.HasPrefix(o.APIVersion, "helm.toolkit.fluxcd.io/"):
		if s(o.Node, "spec", "chart", "spec", "chart") == "external-secrets" {
			return []string{s(o.Node, "spec", "chart", "spec", "version")}
		}
	case o.Kind == "OCIRepository" && strings.HasPrefix(o.APIVersion, "source.toolkit.fluxcd.io/"):
		if strings.HasSuffix(s(o.Node, "spec", "url"), "/external-secrets") {
			return []string{s(o.Node, "spec", "ref", "tag")}
		}
	case o.Kind == "Application" && strings.HasPrefix(o.APIVersion, "argoproj.io/"):
		sources := append([]*yaml.Node{manifest.Path(o.Node, "spec", "source")}, manifest.Seq(manifest.Path(o.Node, "spec", "sources"))...)
		for _, src := range sources {
			if s(src, "chart") == "external-secrets" {
				return []string{s(src, "targetRevision")}
			}
		}
	case o.Kind == "ApplicationSet" && strings.HasPrefix(o.APIVersion, "argoproj.io/"):
		// The template's chart and version may come from the generators'
		// values: chart '{{values.addonChart}}', targetRevision
		// '{{values.addonChartVersion}}'.
		vals := generatorValues(manifest.Path(o.Node, "spec", "generators"))
		spec := manifest.Path(o.Node, "spec", "template", "spec")
		sources := append([]*yaml.Node{manifest.Field(spec, "source")}, manifest.Seq(manifest.Field(spec, "sources"))...)
		for _, src := range sources {
			charts := resolveValues(s(src, "chart"), vals)
			if !slices.Contains(charts, "external-secrets") {
				continue
			}
			return resolveValues(s(src, "targetRevision"), vals)
		}
	case gitops.IsKustomize(o.APIVersion, o.Kind):
		for _, h := range manifest.Seq(manifest.Field(o.Node, "helmCharts")) {
			if s(h, "name") == "external-secrets" {
				return []string{s(h, "version")}
			}
		}
	case o.Kind == "" || o.Kind == HelmValuesKind:
		return chartInstallPins(o.Node)
	case o.Kind == "Deployment":
		// The operator installed from committed manifests (`helm template`
		// output, an install.yaml): its image's tag is its version.
		var pins []string
		for _, c := range manifest.Seq(manifest.Path(o.Node, "spec", "template", "spec", "containers")) {
			image := s(c, "image")
			if repo, tag, ok := strings.Cut(image, ":"); ok && strings.HasSuffix(repo, "/external-secrets/external-secrets") {
				pins = append(pins, tag)
			}
		}
		return pins
	}
	return nil
}

// chartInstallPins reads the ESO versions that values describing chart
// installs give: an umbrella ApplicationSet chart (gitops-bridge's addons)
// renders one Application per entry of
//
//	external-secrets: {chartName: external-secrets, chartRepository: https://charts.external-secrets.io, defaultVersion: "0.10.3"}
//
// An entry is a mapping that names the chart (chart, chartName) or its
// repository (the ESO chart repository under any key), with a version under
// one of the keys such tools use.
func chartInstallPins(root *yaml.Node) []string {
	var pins []string
	manifest.Walk(root, "", func(n *yaml.Node, _ string) bool {
		if n.Kind != yaml.MappingNode {
			return true
		}
		eso := false
		var versions []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, manifest.Scalar(n.Content[i+1])
			switch {
			case (k == "chart" || k == "chartName") && v == "external-secrets",
				strings.Contains(v, "charts.external-secrets.io"):
				eso = true
			case chartVersionKeys[k] && v != "":
				versions = append(versions, v)
			case esoVersionVar.MatchString(k) && v != "":
				pins = append(pins, v) // a vars file: external_secrets_helm_version: "0.9.20"
			}
		}
		if eso && len(versions) > 0 {
			pins = append(pins, versions...)
			return false
		}
		return true
	})
	return pins
}

// terraformESOPins reads the operator's chart versions from Terraform: a
// helm_release of chart "external-secrets" (its version), and the
// external_secrets block of the EKS blueprints addons (chart_version).
func terraformESOPins(data []byte) []string {
	var pins []string
	for _, m := range tfHelmRelease.FindAllSubmatch(data, -1) {
		block := m[0]
		if !tfESOChart.Match(block) {
			continue
		}
		if v := tfVersion.FindSubmatch(block); v != nil {
			pins = append(pins, string(v[1]))
		}
	}
	for _, m := range tfBlueprint.FindAllSubmatch(data, -1) {
		pins = append(pins, string(m[1]))
	}
	return pins
}

var (
	// A resource block up to its closing brace at the start of a line.
	tfHelmRelease = regexp.MustCompile(`(?ms)^resource\s+"helm_release"\s+"[^"]*"\s*\{.*?^\}`)
	tfESOChart    = regexp.MustCompile(`(?m)^\s*chart\s*=\s*"external-secrets"`)
	tfVersion     = regexp.MustCompile(`(?m)^\s*version\s*=\s*"([^"]+)"`)
	tfBlueprint   = regexp.MustCompile(`(?s)external_secrets\s*=\s*\{[^{}]*?chart_version\s*=\s*"([^"]+)"`)
)

// esoVersionVar is a variable that holds the operator's chart version in a
// vars file a template or an Argo CD plugin fills in.
var esoVersionVar = regexp.MustCompile(`(?i)^external[-_]secrets?[-_](?:helm[-_]|chart[-_])?version$`)

// esoChartName is in every file that installs the operator's chart.
var esoChartName = []byte("external-secrets")

// esoVarName is in a vars file's external_secrets_helm_version.
var esoVarName = []byte("external_secrets")

// chartVersionKeys hold a chart's version in values that describe installs.
var chartVersionKeys = map[string]bool{"version": true, "chartVersion": true, "targetRevision": true,
	"defaultVersion": true, "revision": true}

// valuesRef is an ApplicationSet template's reference to a generator value.
var valuesRef = regexp.MustCompile(`^\{\{-?\s*\.?values\.([A-Za-z0-9_]+)\s*-?\}\}$`)

// generatorValues collects the `values` maps of every generator, nested ones
// (merge, matrix) included: name → every value given.
func generatorValues(gens *yaml.Node) map[string][]string {
	out := map[string][]string{}
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		n = manifest.Resolve(n)
		if n == nil || depth > 8 {
			return
		}
		switch n.Kind {
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, depth+1)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i].Value, manifest.Resolve(n.Content[i+1])
				if k == "values" && v != nil && v.Kind == yaml.MappingNode {
					manifest.Pairs(v, func(k, v *yaml.Node) {
						if x := manifest.Scalar(v); x != "" && !slices.Contains(out[k.Value], x) {
							out[k.Value] = append(out[k.Value], x)
						}
					})
					continue
				}
				walk(v, depth+1)
			}
		}
	}
	walk(gens, 0)
	return out
}

// resolveValues is what a template field becomes: itself, or every value the
// generators give the one it names.
func resolveValues(field string, vals map[string][]string) []string {
	if m := valuesRef.FindStringSubmatch(strings.TrimSpace(field)); m != nil {
		return vals[m[1]]
	}
	if field == "" {
		return nil
	}
	return []string{field}
}

// versionBefore reports whether a chart version (0.10.2, v0.16.1) is before
// major.minor; a version it cannot read is not.
func versionBefore(v string, major, minor int) bool {
	parts := strings.SplitN(strings.TrimPrefix(strings.TrimSpace(v), "v"), ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return ma < major || ma == major && mi < minor
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
	var first *yaml.Node // one finding per store, at its first literal
	var paths []string
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
				if first == nil {
					first = k
				}
				paths = append(paths, p)
			}
		})
	}
	manifest.Pairs(manifest.Path(o.Node, "spec", "provider"), func(k, v *yaml.Node) {
		if k.Value == "fake" {
			return // the fake provider holds test data by design
		}
		walk(v, "spec.provider."+k.Value, false)
	})
	switch {
	case len(paths) == 1:
		emit(Finding{Line: o.Doc.LineOf(first), Column: first.Column, Keys: paths,
			Message: fmt.Sprintf("%s has a literal value at %s where a reference to a Secret belongs", o.Ref(), paths[0])})
	case len(paths) > 1:
		emit(Finding{Line: o.Doc.LineOf(first), Column: first.Column, Keys: paths,
			Message: fmt.Sprintf("%s has literal values at %s where references to a Secret belong", o.Ref(), strings.Join(paths, ", "))})
	}
}
