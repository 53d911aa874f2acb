package scan

import (
	"crypto/rsa"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/secretguard/secretguard/config"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/sealedsecret"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func init() {
	register(sealedEnvMismatch{})
	register(sealedInvalid{})
	register(sealedScope{})
	register(certExpiry{})
	register(environmentUnchecked{})
}

// pathEnv returns the one environment a file belongs to, or "" when it belongs
// to none or several (rules then stay quiet rather than guess).
func pathEnv(c *Context, file string) string {
	if c.Envs == nil {
		return ""
	}
	name, err := c.Envs.Pick(file)
	if err != nil {
		return ""
	}
	return name
}

// SealedSecretEnvMismatchID is the id of the sealed-secret-env-mismatch rule.
const SealedSecretEnvMismatchID = "sealed-secret-env-mismatch"

type sealedEnvMismatch struct{}

func (sealedEnvMismatch) Info() Info {
	return Info{
		ID: SealedSecretEnvMismatchID, Severity: Error,
		Short: "A SealedSecret is sealed for another environment's certificate than its path maps to",
		Help: "Only the controller whose certificate sealed a value can decrypt it: a SealedSecret sealed " +
			"for stage and committed under a prod path never unseals in prod. Re-create it from the " +
			"source values for the right environment (`kubectl create secret … --dry-run=client -o yaml | " +
			"secretguard seal --env ENV -`), or move it to a path of the environment it was sealed for. (secretguard records the " +
			"certificate in the secretguard.io/cert-sha256 annotation; SealedSecrets without it are not checked.)",
	}
}

func (sealedEnvMismatch) CheckObject(c *Context, o *Object, emit func(Finding)) {
	if !sealedsecret.Is(o.APIVersion, o.Kind) {
		return
	}
	annKey := manifest.KeyNode(manifest.Path(o.Node, "metadata", "annotations"), sealedsecret.CertAnnotation)
	got := manifest.Scalar(manifest.Path(o.Node, "metadata", "annotations", sealedsecret.CertAnnotation))
	env := pathEnv(c, o.File)
	if got == "" || env == "" {
		return
	}
	all, err := c.Envs.Certs(env)
	if err != nil {
		return
	}
	for _, cert := range all {
		if strings.EqualFold(cert.SHA256, got) {
			return // the current or an older key of this controller
		}
	}
	f := Finding{Line: o.Doc.LineOf(annKey), Column: annKey.Column}
	if owner := c.Envs.Owner(got); owner != "" {
		f.Message = fmt.Sprintf("%s is sealed for environment %s's certificate, but %s maps to environment %s: the %s controller cannot decrypt it",
			o.Ref(), owner, o.File, env, env)
		f.Advice = fmt.Sprintf("move it to a path of environment %s, or re-encrypt it for %s with the %s controller's private key (secretguard reseal --key FILE on it, the key kept outside the repository), or seal it again from its source values (pipe the Secret into secretguard seal --env %s -)", owner, env, owner, env)
	} else {
		// No positive evidence: most likely an older key of this controller
		// whose certificate was replaced by `kubeseal --fetch-cert >`.
		f.Severity = Warning
		f.Message = fmt.Sprintf("%s is sealed with a certificate that environment %s does not list (sha256 %s…): if it is an older key of the %s controller, it still decrypts (controllers keep their old keys) — keep that certificate beside the current one in %s",
			o.Ref(), env, strings.ToLower(got[:min(12, len(got))]), env, certPlace(c, env))
		f.Advice = fmt.Sprintf("otherwise re-encrypt it for %s with the private key that sealed it (secretguard reseal --key FILE on it), or seal it again from its source values (pipe the Secret into secretguard seal --env %s -)", env, env)
	}
	emit(f)
}

// certPlace is where an environment's certificates are kept, for advice.
func certPlace(c *Context, env string) string {
	if e, ok := c.Envs.Env(env); ok {
		return e.Cert
	}
	return "certs/"
}

// SealedSecretInvalidID is the id of the sealed-secret-invalid rule.
const SealedSecretInvalidID = "sealed-secret-invalid"

type sealedInvalid struct{}

func (sealedInvalid) Info() Info {
	return Info{
		ID: SealedSecretInvalidID, Severity: Error,
		Short: "A SealedSecret holds a value that is not a sealed-secrets ciphertext",
		Help: "Each encryptedData value must be base64 of a 2-byte length, an RSA-OAEP block the size of " +
			"the controller's key, and the AES-GCM payload. A truncated paste, a plain value or a value " +
			"sealed with a key of another size fails to unseal. Re-seal it. A null value, left for a " +
			"kustomize patch to fill, is fine.",
	}
}

func (sealedInvalid) CheckObject(c *Context, o *Object, emit func(Finding)) {
	if !sealedsecret.Is(o.APIVersion, o.Kind) {
		return
	}
	var keys []*rsa.PublicKey
	if env := pathEnv(c, o.File); env != "" {
		all, _ := c.Envs.Certs(env)
		for _, cert := range all {
			keys = append(keys, cert.Key)
		}
	}
	bad := newPerDocument(o)
	defer bad.emit(emit, "encryptedData.")
	for _, data := range manifest.Fields(manifest.Field(o.Node, "spec"), "encryptedData") {
		manifest.Pairs(manifest.Resolve(data), func(k, v *yaml.Node) {
			v = manifest.Resolve(v)
			if v == nil || (v.Kind == yaml.ScalarNode && v.Tag == "!!null") {
				return
			}
			var problem string
			if v.Kind != yaml.ScalarNode {
				problem = "is not a string"
			} else if exampleFile(o.File) && manifest.ClassifyText(v.Value, manifest.ValueContext{}) == manifest.UnfilledValue {
				// A template to copy from shows where the ciphertext goes.
			} else if err := sealedsecret.CheckCiphertextFor(keys, v.Value); err != nil {
				problem = err.Error()
			}
			if problem != "" {
				bad.add(k, k.Value, problem)
			}
		})
	}
}

// SealedSecretScopeID is the id of the sealed-secret-scope rule.
const SealedSecretScopeID = "sealed-secret-scope"

type sealedScope struct{}

func (sealedScope) Info() Info {
	return Info{
		ID: SealedSecretScopeID, Severity: Error,
		Short: "A SealedSecret cannot be unsealed where it is applied",
		Help: "A strict SealedSecret is bound to the namespace/name it was sealed for; if metadata and " +
			"spec.template.metadata disagree, or no namespace is recorded, the controller cannot decrypt it. " +
			"The controller reads the scope annotations (sealedsecrets.bitnami.com/namespace-wide, " +
			"cluster-wide) only from the SealedSecret's own metadata.annotations. Re-seal with the right " +
			"name, namespace and --scope.",
	}
}

func (sealedScope) CheckObject(c *Context, o *Object, emit func(Finding)) {
	if !sealedsecret.Is(o.APIVersion, o.Kind) {
		return
	}
	scope := sealedsecret.ScopeOf(o.Node)
	tmd := manifest.Path(o.Node, "spec", "template", "metadata")
	tAnns := manifest.Field(tmd, "annotations")
	for _, a := range []string{sealedsecret.ClusterWideAnnotation, sealedsecret.NamespaceWideAnnotation} {
		if manifest.Scalar(manifest.Field(tAnns, a)) == "true" && scope == sealedsecret.Strict {
			k := manifest.KeyNode(tAnns, a)
			emit(Finding{
				Line: o.Doc.LineOf(k), Column: k.Column, Keys: []string{a},
				Message: fmt.Sprintf("%s has %s only in spec.template.metadata, where the controller does not read it: it is unsealed as strict", o.Ref(), a),
			})
		}
	}
	if scope != sealedsecret.Strict || !sealedsecret.HasCiphertext(o.Node) {
		// No ciphertext yet (values null, filled by a kustomize patch): the
		// patch brings its own template and ciphertexts.
		return
	}
	tName, tNS := manifest.Scalar(manifest.Field(tmd, "name")), manifest.Scalar(manifest.Field(tmd, "namespace"))
	switch {
	case tName != "" && o.Name != "" && tName != o.Name:
		k := manifest.KeyNode(tmd, "name")
		emit(Finding{Line: o.Doc.LineOf(k), Column: k.Column,
			Message: fmt.Sprintf("%s is strict but its template is named %q: the controller decrypts with metadata.name and names the Secret after it, so either the values were sealed for %q and do not unseal, or the Secret is not called %q", o.Ref(), tName, tName, tName)})
	case tNS != "" && o.Namespace != "" && tNS != o.Namespace:
		k := manifest.KeyNode(tmd, "namespace")
		emit(Finding{Line: o.Doc.LineOf(k), Column: k.Column,
			Message: fmt.Sprintf("%s is strict but its template says namespace %q: the controller decrypts with metadata.namespace and creates the Secret there, so either the values were sealed for %q and do not unseal, or the Secret is not where the template says", o.Ref(), tNS, tNS)})
	}
}

// CertExpiryID is the id of the cert-expiry rule.
const CertExpiryID = "cert-expiry"

type certExpiry struct{}

func (certExpiry) Info() Info {
	return Info{
		ID: CertExpiryID, Severity: Warning,
		Short: "An environment's sealing certificate is expired or expires within 30 days",
		Help: "The sealed-secrets controller renews its key every 30 days by default and keeps the old " +
			"ones; a committed certificate past its NotAfter can no longer be used to seal (kubeseal " +
			"refuses it). Fetch the current one with `kubeseal --fetch-cert > certs/ENV.pem`.",
	}
}

// expiryWindow is how far ahead cert-expiry warns.
const expiryWindow = 30 * 24 * time.Hour

func (certExpiry) CheckTree(c *Context, _ *Index, emit func(Finding)) {
	if c.Envs == nil {
		return
	}
	names := c.Envs.Names()
	sort.Strings(names)
	t := c.now()
	for _, name := range names {
		env, _ := c.Envs.Env(name)
		cert, err := c.Envs.Cert(name)
		if err != nil {
			continue // `certs check` and `seal` report unusable certificates
		}
		left := cert.X509.NotAfter.Sub(t)
		var msg string
		switch {
		case left <= 0:
			msg = fmt.Sprintf("the certificate of environment %s expired on %s: sealing for %s fails until it is replaced",
				name, cert.X509.NotAfter.UTC().Format("2006-01-02"), name)
		case left < expiryWindow:
			msg = fmt.Sprintf("the certificate of environment %s expires on %s, in %d days",
				name, cert.X509.NotAfter.UTC().Format("2006-01-02"), int(left.Hours()/24))
		default:
			continue
		}
		emit(Finding{File: env.Cert, Line: 1, Column: 1, Message: msg})
	}
}

// CheckTree finds strict SealedSecrets that record no namespace at all: not in
// metadata, not in the template, and no kustomization that pulls them in sets
// one. The controller decrypts with the namespace they are applied to, which
// nothing here says is the one they were sealed for.
func (sealedScope) CheckTree(c *Context, ix *Index, emit func(Finding)) {
	for _, p := range ix.Producers {
		if p.Via != "SealedSecret" || p.Scope != sealedsecret.Strict || !p.HasCiphertext || p.Namespace != "" {
			continue
		}
		known := false
		for _, ns := range ix.Build.NamespacesOf(p.File, "") {
			known = known || ns != ""
		}
		if known {
			continue
		}
		emit(Finding{File: p.File, Line: p.Line, Column: p.Column, Resource: &p.Resource,
			Message: fmt.Sprintf("%s is strict but records no namespace (metadata, template or kustomization): it unseals only in the namespace it was sealed for, which nothing here says", refOf(p.Resource))})
	}
}

// EnvironmentUncheckedID is the id of the environment-unchecked rule.
const EnvironmentUncheckedID = "environment-unchecked"

type environmentUnchecked struct{}

func (environmentUnchecked) Info() Info {
	return Info{
		ID: EnvironmentUncheckedID, Severity: Warning, WholeTree: true,
		Short: "An environment's checks are silently off: its certificate cannot be used, or nothing maps to it",
		Help: "The SealedSecret checks (env-mismatch, RSA sizes) and sealing need an environment's " +
			"certificate and the paths that deploy to it. A certificate that is missing or unreadable, " +
			"paths that match no file, or a certificate that git ignores (so CI never has it) turn them " +
			"off without a word: fix the path or commit the certificate. (A sealed-secrets certificate " +
			"found where no environment is named is a note of every scan, with the config lines that use it.)",
	}
}

func (environmentUnchecked) CheckTree(c *Context, ix *Index, emit func(Finding)) {
	if c.Envs == nil {
		return
	}
	where := c.ConfigFile
	if where == "" && c.Config.Path != "" {
		where = config.FileName
	}
	// Which environments some file maps to: one pass over the files (a
	// pass per environment would match every glob once per environment).
	mapped := map[string]bool{}
	for _, f := range ix.files {
		if len(mapped) == len(c.Envs.Names()) {
			break
		}
		for _, name := range c.Envs.ForPath(f) {
			mapped[name] = true
		}
	}
	for _, name := range c.Envs.Names() {
		env, _ := c.Envs.Env(name)
		file := env.Cert
		if where != "" {
			file = where
		}
		all, err := c.Envs.Certs(name)
		if err != nil {
			emit(Finding{File: file, Line: 1, Message: fmt.Sprintf("environment %s is unchecked: %v", name, err)})
			continue
		}
		if c.Ignored != nil {
			for _, cert := range all {
				if why := c.Ignored(cert.Path); why != "" {
					emit(Finding{File: cert.Path, Line: 1, Message: fmt.Sprintf(
						"environment %s is unchecked in CI: its certificate %s is ignored by git (%s) and not committed, so a checkout never has it: commit it with `git add -f %s` (a certificate is public)",
						name, cert.Path, why, cert.Path)})
				}
			}
		}
		if len(env.Paths) == 0 {
			continue
		}
		if !mapped[name] {
			emit(Finding{File: file, Line: 1, Message: fmt.Sprintf("environment %s is unchecked: its paths (%s) match no file of the repository", name, strings.Join(env.Paths, ", "))})
		}
	}
}
