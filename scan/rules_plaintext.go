package scan

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// HelmValuesKind stands for the kind of a Helm values file's document, which
// has none.
const HelmValuesKind = "(Helm values)"

// PlaintextCredentialID is the id of the plaintext-credential rule.
const PlaintextCredentialID = "plaintext-credential"

func init() { register(plaintextCredential{}) }

type plaintextCredential struct{}

func (plaintextCredential) Info() Info {
	return Info{
		ID: PlaintextCredentialID, Severity: Error, Templates: true,
		Short: "A credential is written in plain text outside a Secret",
		Help: "A literal value for an env variable named like a credential (DB_PASSWORD, API_TOKEN) in a " +
			"pod template, a ConfigMap entry or an inline Helm value (a Flux HelmRelease's values, an Argo " +
			"CD Application's helm values) under a key named like one, or — under any key — a URL with a " +
			"password, a webhook URL, a private key or a token of a known shape, is in Git for everyone to " +
			"read, like a raw Secret. Put it in a Secret (a SealedSecret or an ExternalSecret) and refer to " +
			"it: valueFrom.secretKeyRef for env, existingSecret or valuesFrom for charts. References, " +
			"placeholders, file paths, booleans and numbers are not credentials.",
	}
}

func (plaintextCredential) CheckObject(c *Context, o *Object, emit func(Finding)) {
	if manifest.IsCoreSecret(o.APIVersion, o.Kind) || manifest.IsSOPS(o.Node) {
		return // raw-secret's; SOPS-encrypted
	}
	var found []string
	var first *yaml.Node
	add := func(what string, k *yaml.Node) {
		found = append(found, what)
		if first == nil || k != nil && k.Line < first.Line {
			first = k
		}
	}
	if p, ok := manifest.PodSpecPaths[o.Kind]; ok {
		spec := manifest.Path(o.Node, p...)
		for _, list := range []string{"containers", "initContainers", "ephemeralContainers"} {
			for _, ctr := range manifest.Seq(manifest.Field(spec, list)) {
				// A URL with a password in the command line (--db=postgres://u:p@db/x).
				for _, list := range []string{"command", "args"} {
					for _, a := range manifest.Seq(manifest.Field(ctr, list)) {
						if manifest.LiteralURLPassword(manifest.Scalar(a)) {
							add(list, a)
						}
					}
				}
				for _, e := range manifest.Seq(manifest.Field(ctr, "env")) {
					name := manifest.Scalar(manifest.Field(e, "name"))
					if manifest.Field(e, "valueFrom") != nil {
						continue
					}
					if v := manifest.Field(e, "value"); v != nil && !namesASecret(name, v) && manifest.PlaintextCredential(name, v) {
						add("env "+name, manifest.KeyNode(e, "value"))
					}
				}
			}
		}
	}
	switch {
	case o.Kind == HelmValuesKind:
		if !exampleFile(o.File) && !chartTestFile(o.File) {
			if chartDefaults(c, o.File) {
				// A chart's own defaults: stand-ins (storepassword) are for
				// its users to override.
				valuesCredentials(o.Node, "values", func(what string, k *yaml.Node) {
					if v := valueAt(o.Node, what); v == nil || !manifest.ChartDefault(manifest.Scalar(v)) {
						add(what, k)
					}
				})
			} else {
				valuesCredentials(o.Node, "values", add)
			}
		}
	case o.Kind == "ConfigMap" && (o.APIVersion == "v1" || o.APIVersion == ""):
		for _, m := range manifest.Fields(o.Node, "data") {
			dataCredentials(manifest.Resolve(m), "", add)
		}
	case isExternalSecretsKind(o, "ExternalSecret"), isExternalSecretsKind(o, "ClusterExternalSecret"):
		// The template of the Secret it makes: its {{ .x }} are the store's
		// values; a literal there is committed as it is (cookie-secret: …).
		spec := manifest.Field(o.Node, "spec")
		if o.Kind == "ClusterExternalSecret" {
			spec = manifest.Field(spec, "externalSecretSpec")
		}
		dataCredentials(manifest.Path(spec, "target", "template", "data"), "target.template.data.", add)
	case o.Kind == "HelmRelease" && strings.HasPrefix(o.APIVersion, "helm.toolkit.fluxcd.io/"):
		valuesCredentials(manifest.Path(o.Node, "spec", "values"), "values", add)
	case o.Kind == "Application" && strings.HasPrefix(o.APIVersion, "argoproj.io/"):
		sources := append([]*yaml.Node{manifest.Path(o.Node, "spec", "source")}, manifest.Seq(manifest.Path(o.Node, "spec", "sources"))...)
		for _, src := range sources {
			helm := manifest.Field(src, "helm")
			valuesCredentials(manifest.Field(helm, "valuesObject"), "helm.valuesObject", add)
			if text := manifest.Scalar(manifest.Field(helm, "values")); text != "" {
				if n, err := yaml.Parse(text); err == nil {
					valuesCredentials(n.YNode(), "helm.values", func(what string, _ *yaml.Node) { add(what, manifest.KeyNode(helm, "values")) })
				}
			}
		}
	}
	if len(found) == 0 {
		return
	}
	sort.Strings(found)
	f := Finding{Keys: found, Message: fmt.Sprintf("%s has %d plain-text credential%s (%s)", o.Ref(), len(found), words.Plural(len(found)), strings.Join(found, ", ")),
		Advice: "put it in a Secret (a SealedSecret or an ExternalSecret) and refer to it (valueFrom.secretKeyRef, existingSecret, valuesFrom); rotate it if it was pushed"}
	if first != nil {
		f.Line, f.Column = o.Doc.LineOf(first), first.Column
	}
	emit(f)
}

// chartDefaults reports a chart's own values.yaml: the file beside its
// Chart.yaml.
func chartDefaults(c *Context, file string) bool {
	return path.Base(file) == "values.yaml" && c.Source != nil && c.Source.Exists(path.Join(path.Dir(file), "Chart.yaml"))
}

// valueAt is the node at a dotted path that valuesCredentials reported
// ("values.db.password", list items as [i]); nil when it cannot be followed.
func valueAt(root *yaml.Node, what string) *yaml.Node {
	var found *yaml.Node
	manifest.Walk(root, "values", func(n *yaml.Node, p string) bool {
		if found != nil {
			return false
		}
		if p == what {
			found = n
			return false
		}
		return strings.HasPrefix(what, p)
	})
	return found
}

// dataCredentials adds each entry of a string map (a ConfigMap's data, an
// ExternalSecret's template data) that holds a credential, under its key or
// in the configuration it is.
func dataCredentials(m *yaml.Node, at string, add func(string, *yaml.Node)) {
	manifest.Pairs(m, func(k, v *yaml.Node) {
		if !namesASecret(k.Value, v) && manifest.PlaintextCredential(k.Value, v) || configHolds(manifest.Scalar(v)) {
			add(at+k.Value, k) // (publicTlsSecret: wildcard-example-net-tls names a Secret)
		}
	})
}

// valuesCredentials walks inline Helm values and adds each credential by its
// dotted path.
func valuesCredentials(n *yaml.Node, at string, add func(string, *yaml.Node)) {
	manifest.Walk(n, at, func(n *yaml.Node, path string) bool {
		if strings.HasSuffix(path, ".encryptedData") {
			return false // ciphertext, the way values should be
		}
		if n.Kind != yaml.MappingNode {
			return true
		}
		if manifest.FieldNameMap(path[strings.LastIndexByte(path, '.')+1:]) {
			return false // a dashboard's column names and their labels
		}
		switch manifest.Scalar(manifest.Field(n, "kind")) {
		case "SealedSecret":
			return false // ciphertext, the way values should be
		case "ExternalSecret", "ClusterExternalSecret", "PushSecret":
			return false // names keys of a store and of a Secret (secretKey: access-token)
		}
		for _, sw := range []string{"enabled", "create"} {
			if e := manifest.Resolve(manifest.Field(n, sw)); e != nil && e.Tag == "!!bool" && e.Value == "false" {
				return false // a disabled part of a chart (admin.create: false): its values (often the chart's defaults) are not used
			}
		}
		// auth: {methods: password,token, password: cc_password}: the plugin
		// that serves each method, named under the method's name.
		methods := manifest.Scalar(manifest.Field(n, "methods"))
		refs := refersToSecret(path, n)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "encryptedData" {
				continue
			}
			// In a mapping that points into a Secret, its *Key and *Name
			// entries name keys and Secrets; another entry is a
			// credential when it cannot be a name (Harbor's core.secret
			// beside core.secretName).
			val := manifest.Scalar(v)
			named := refs && (dnsName.MatchString(val) || namesKey(k.Value) && !manifest.RandomString(val))
			// A chart's ExternalSecret data entry ({secretKey: .dockerconfigjson,
			// remoteKey: …}) names the key the store's value goes to.
			named = named || k.Value == "secretKey" && (manifest.Field(n, "remoteRef") != nil || manifest.Field(n, "remoteKey") != nil)
			// An OAuth client's secret beside its id (Keycloak's realm
			// export: {"clientId": "app", "secret": "…"}) is no Secret's name.
			client := k.Value == "secret" && manifest.Field(n, "clientId") != nil
			method := methods != "" && slices.Contains(strings.Split(methods, ","), k.Value)
			if !named && !method && (client || !namesASecret(k.Value, v)) && manifest.PlaintextCredential(k.Value, v) {
				add(path+"."+k.Value, k)
			} else if manifest.IniText(val) && manifest.LineConfigCredential(val, manifest.ValueContext{}) {
				add(path+"."+k.Value, k) // a credentials file as a value (velero's secretContents.cloud INI)
			}
			// Keycloak's credentials: {"type": "password", "value": "…"}.
			if k.Value == "value" && manifest.Scalar(manifest.Field(n, "type")) == "password" && manifest.PlaintextCredential("password", v) {
				add(path+".value", k)
			}
		}
		return true
	})
}

// configHolds reports a ConfigMap value that is a nested YAML or JSON
// configuration with a credential in a field.
func configHolds(text string) bool {
	if !strings.Contains(text, "\n") && !strings.HasPrefix(strings.TrimSpace(text), "{") {
		return false
	}
	n, err := yaml.Parse(text)
	if err != nil || n == nil {
		return false
	}
	hit := false
	valuesCredentials(n.YNode(), "", func(string, *yaml.Node) { hit = true })
	return hit
}

// dnsName is a Kubernetes object name: what a chart's `…Secret:` value names.
var dnsName = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$`)

// objectName is a value shaped like the name of a Secret: DNS-1123, made
// of words (web-tls, admin-token, db), not a random or hex string
// (REGISTRY_HTTP_SECRET: 30 hex digits is the secret itself).
func objectName(v string) bool {
	return dnsName.MatchString(v) && !manifest.RandomString(v) && (strings.ContainsAny(v, "-.") || strings.Trim(v, "abcdefghijklmnopqrstuvwxyz") == "")
}

// camelWords is an identifier of words, as a key in a Secret is named
// (secretKey: dbPassword).
var camelWords = regexp.MustCompile(`^[a-z]+(?:[A-Z][a-z0-9]*)+$`)

// namesASecret is a Helm value that names a Secret (githubConfigSecret:
// gh-app, tlsSecret: web-tls, existingSecret: db): a key whose last word is
// "secret" with a value shaped like an object name.
func namesASecret(key string, v *yaml.Node) bool {
	w := strings.ToLower(key)
	val := manifest.Scalar(v)
	if strings.HasSuffix(w, ".client.secret") {
		return false // a Java property (…oauthbearer.login.client.secret): an OAuth client's secret, never a Secret's name
	}
	if strings.HasSuffix(w, "secret") && (objectName(val) || nsName(val)) {
		return true // tlsSecret: web-tls; nginx's auth-secret: ns/name
	}
	// databaseUrlSecretKey: url, masterkeySecretKey: LITELLM_MASTER_KEY — the
	// key within a Secret that holds the value.
	words := manifest.KeyWords(key)
	n := len(words)
	if n >= 1 && words[n-1] == "key" && wellKnownKeyName.MatchString(val) {
		return true // dags.gitSync.sshSecretKey: id_rsa, the file's name in the Secret
	}
	if n >= 2 && words[n-2] == "secret" && words[n-1] == "key" && (upperSnake.MatchString(val) || camelWords.MatchString(val)) {
		return true // secretKey: WIREGUARD_PRIVATE_KEY, an ExternalSecret's data entry
	}
	return n >= 3 && words[n-2] == "secret" && words[n-1] == "key" && objectName(val) // (WEBUI_SECRET_KEY: 64 hex is the key)
}

// wellKnownKeyName is the name under which a Secret conventionally holds a
// key or certificate (ssh-privatekey, id_ed25519, tls.key, .dockerconfigjson)
// or a credential (redis-ha's authKey: auth, the key holding the password).
var wellKnownKeyName = regexp.MustCompile(`^(?:id_(?:rsa|dsa|ecdsa|ed25519)(?:\.pub)?|ssh-privatekey|identity(?:\.pub)?|known_hosts|tls\.(?:crt|key)|ca\.(?:crt|key)|\.dockerconfigjson|\.dockercfg|auth|password|username|token)$`)

// namesKey is a key whose value names something: userKey, passwordKey,
// secretName, secretRef.
func namesKey(key string) bool {
	w := manifest.KeyWords(key)
	if len(w) < 2 {
		return false
	}
	switch w[len(w)-1] {
	case "key", "name", "ref":
		return true
	}
	return false
}

// nsName is namespace/name.
func nsName(v string) bool {
	ns, name, ok := strings.Cut(v, "/")
	return ok && dnsName.MatchString(ns) && dnsName.MatchString(name)
}

// upperSnake is an environment variable's or a Secret key's name.
var upperSnake = regexp.MustCompile(`^[A-Z][A-Z0-9_]{1,62}$`)

// refersToSecret is a values mapping that points into a Secret rather than
// holding values — existingSecret: {name, userKey, passwordKey}, redisSecret:
// {secretName, secretKey}, envFrom: [{secret: …}] — so its *Key and secret
// entries name keys and Secrets.
func refersToSecret(path string, n *yaml.Node) bool {
	last := strings.ToLower(path[strings.LastIndexAny(path, ".]")+1:])
	if strings.Contains(last, "secret") || strings.HasPrefix(last, "existing") || strings.HasPrefix(last, "envfrom") {
		return true
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := separators.Replace(strings.ToLower(n.Content[i].Value)) // secret_name as secretName
		if strings.HasPrefix(k, "existing") || k == "secretname" || k == "secretref" || k == "secret" && dnsName.MatchString(manifest.Scalar(n.Content[i+1])) {
			return true
		}
	}
	return false
}

// separators are taken out of a key to compare its words (built once: a
// Replacer builds its tables on first use).
var separators = strings.NewReplacer("_", "", "-", "")

// chartTestFile is a values file of a chart's tests (ci/, test/, tests/,
// scenarios/): dummy values for chart-testing, not what is deployed.
func chartTestFile(p string) bool {
	for _, seg := range strings.Split(path.Dir(p), "/") {
		switch seg {
		case "ci", "test", "tests", "scenarios", "testdata":
			return true
		}
	}
	return false
}
