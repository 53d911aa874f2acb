package scan

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/secretguard/secretguard/gitops"
	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/source"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func init() {
	register(secretGenerator{})
	register(privateKey{})
	register(engineRule{parseErrorRule})
	register(engineRule{historyIncompleteRule})
	register(engineRule{fileTooLargeRule})
	register(engineRule{configWeakenedRule})
	register(engineRule{unusedAllowRule})
	register(sopsUnencrypted{})
}

// SecretGeneratorID is the id of the secret-generator rule.
const SecretGeneratorID = "secret-generator"

type secretGenerator struct{}

func (secretGenerator) Info() Info {
	return Info{
		ID: SecretGeneratorID, Severity: Error,
		Short: "A kustomize secretGenerator builds a Secret from values committed to the repository",
		Help: "secretGenerator literals, and files or envs that are committed next to the " +
			"kustomization, put the plain values in Git. Generate the Secret outside the repository " +
			"and seal it (`kubectl create secret … --dry-run=client -o yaml | secretguard seal -`), " +
			"or keep the env file out of Git (.gitignore) and create it in CI.",
	}
}

func (secretGenerator) CheckObject(c *Context, o *Object, emit func(Finding)) {
	if !gitops.IsKustomize(o.APIVersion, o.Kind) {
		return
	}
	dir := path.Dir(o.File)
	for _, gens := range manifest.Fields(o.Node, "secretGenerator") {
		if gens.Kind != yaml.SequenceNode {
			continue
		}
		for _, g := range gens.Content {
			name := manifest.Scalar(manifest.Field(g, "name"))
			ns := manifest.Scalar(manifest.Field(g, "namespace"))
			res := &Resource{APIVersion: "v1", Kind: "Secret", Namespace: ns, Name: name}
			var literalKeys []string
			var lit *yaml.Node
			for _, l := range manifest.Seq(manifest.Field(g, "literals")) {
				if k, v, ok := strings.Cut(manifest.Scalar(l), "="); ok && manifest.LiteralKind(strings.TrimSpace(k), v) == manifest.PlainValue {
					literalKeys = append(literalKeys, strings.TrimSpace(k))
					if lit == nil {
						lit = l
					}
				}
			}
			if len(literalKeys) > 0 {
				emit(Finding{
					Line: o.Doc.LineOf(lit), Column: lit.Column, Resource: res, Keys: literalKeys,
					Message: fmt.Sprintf("secretGenerator %q has %d literal value%s (%s) in %s",
						name, len(literalKeys), words.Plural(len(literalKeys)), strings.Join(literalKeys, ", "), o.File),
				})
			}
			// Every committed file of one generator is one finding.
			var firstFile *yaml.Node
			var files, fileKeys []string
			for _, block := range []string{"files", "envs", "env"} {
				for _, fnode := range manifest.Seq(manifest.Field(g, block)) {
					spec := manifest.Scalar(fnode)
					key, file, ok := strings.Cut(spec, "=")
					if !ok {
						file, key = spec, path.Base(spec)
					}
					if block != "files" {
						key = ""
					}
					rel := path.Clean(path.Join(dir, file))
					if file == "" || strings.HasPrefix(rel, "../") || !c.Source.Exists(rel) {
						continue // not in the repository: created at build time
					}
					if fr, ok := c.Source.(source.FileReader); ok {
						if data, err := fr.ReadFile(rel); err == nil && (manifest.FileHoldsNoSecret(data) || block == "files" && !generatedValue(key, data)) {
							continue // SOPS-encrypted (Flux decrypts it), public material, no value as a Secret's entry
						}
					}
					if firstFile == nil || fnode.Line < firstFile.Line {
						firstFile = fnode
					}
					files = append(files, rel)
					if key != "" {
						fileKeys = append(fileKeys, key)
					}
				}
			}
			if firstFile != nil {
				what := "file " + files[0] + ", which is committed"
				if len(files) > 1 {
					what = "files " + strings.Join(files, ", ") + ", which are committed"
				}
				emit(Finding{
					Line: o.Doc.LineOf(firstFile), Column: firstFile.Column, Resource: res, Keys: fileKeys,
					Message: fmt.Sprintf("secretGenerator %q reads %s: its values are in Git", name, what),
				})
			}
		}
	}
}

// generatedValue reports a file that a generator puts in a Secret under key
// holding a value there. A YAML file is Helm values that a HelmRelease reads
// from the Secret (valuesFrom): judged as plaintext-credential judges a
// values file — names of Secrets, disabled parts of a chart and empty
// documents hold none; other files as a stringData entry is.
func generatedValue(key string, data []byte) bool {
	if ext := path.Ext(key); ext != ".yaml" && ext != ".yml" {
		return manifest.FileIsValue(key, data)
	}
	found := false
	for _, d := range manifest.Documents(data, false) {
		if d.Blank() {
			continue
		}
		if d.Parse() != nil {
			return manifest.FileIsValue(key, data)
		}
		valuesCredentials(d.Node, "", func(string, *yaml.Node) { found = true })
	}
	return found
}

// PrivateKeyID is the id of the private-key rule.
const PrivateKeyID = "private-key"

type privateKey struct{}

func (privateKey) Info() Info {
	return Info{
		ID: PrivateKeyID, Severity: Error,
		Short: "A PEM private key is committed",
		Help: "A private key in the repository is readable by everyone who can clone it. Remove it, " +
			"rotate it, and deliver it as a SealedSecret or through External Secrets. A sealed-secrets " +
			"controller key in particular decrypts every SealedSecret sealed for that cluster.",
	}
}

// dependencyFolder is third-party code committed with the repository: a Go
// module cache (pkg/mod/github.com/rabbitmq/amqp091-go@v1.3.0/), npm's
// node_modules, Python's site-packages. Its keys are the libraries' test
// fixtures; the repository's own files are read as ever.
var dependencyFolder = regexp.MustCompile(`(?:^|/)(?:pkg/mod/(?:[^/]+/)*[^/@]+@v[0-9][^/]*|node_modules|site-packages)/`)

func dependencyCode(file string) bool { return dependencyFolder.MatchString(file) }

var (
	pemKind  = regexp.MustCompile(`^([A-Z0-9]+( [A-Z0-9]+)*)?$`)
	pemBegin = []byte("-----BEGIN ")
	pemKey   = []byte("PRIVATE KEY-----")
)

// CheckFile finds `-----BEGIN … PRIVATE KEY-----` blocks with key material in
// them. Encrypted PEM keys are reported too: a passphrase is usually kept next
// to them. A commented example (`## -----BEGIN RSA PRIVATE KEY-----` then
// `## ...`) has none and is not; a commented-out real key still is.
func (privateKey) CheckFile(c *Context, file string, data []byte, emit func(Finding)) {
	if dependencyCode(file) {
		return // a library's test key (tls_test.go, test/fixtures/id_rsa), not this repository's
	}
	if m, _ := Kind(file); !m {
		encodedKeys(file, data, emit)
	}
	if !bytes.Contains(data, pemKey) {
		return
	}
	line := 1
	last := 0
	for off := 0; ; {
		i := bytes.Index(data[off:], pemBegin)
		if i < 0 {
			return
		}
		start := off + i
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data) - start
		}
		header := data[start : start+end]
		off = start + len(pemBegin)
		j := bytes.Index(header, pemKey)
		if j < 0 {
			continue
		}
		line += bytes.Count(data[last:start], []byte("\n"))
		last = start
		kind := strings.TrimSpace(string(header[len(pemBegin):j]))
		if !pemKind.MatchString(kind) {
			continue // prose about keys (`BEGIN … PRIVATE KEY`), not a key
		}
		if !manifest.KeyMaterial(data[start+j+len(pemKey):]) {
			continue
		}
		col := start - (bytes.LastIndexByte(data[:start], '\n') + 1) + 1
		what := "private key"
		if kind != "" {
			what = kind + " private key"
		}
		emit(Finding{Line: line, Column: col, Message: fmt.Sprintf("%s block in %s", what, file)})
	}
}

// pemBegin64 is "-----BEGIN" in base64, as a Secret's data holds a PEM file.
var pemBegin64 = []byte("LS0tLS1CRUdJTi")

// encodedKeys finds base64-encoded private keys in a file that is not read as
// manifests — a Jinja2 or Ansible template of a Secret (`tls.key: LS0t…`),
// which raw-secret never sees. (In a manifest, raw-secret reports the Secret.)
func encodedKeys(file string, data []byte, emit func(Finding)) {
	for off := 0; ; {
		i := bytes.Index(data[off:], pemBegin64)
		if i < 0 {
			return
		}
		start := off + i
		end := start
		for end < len(data) && base64Char(data[end]) {
			end++
		}
		off = end
		dec, err := base64.StdEncoding.DecodeString(string(data[start:end]))
		if err != nil {
			continue
		}
		j := bytes.Index(dec, pemKey)
		if !bytes.HasPrefix(dec, pemBegin) || j < 0 || !pemKind.MatchString(strings.TrimSpace(string(dec[len(pemBegin):j]))) || !manifest.KeyMaterial(dec[j+len(pemKey):]) {
			continue
		}
		line := 1 + bytes.Count(data[:start], []byte("\n"))
		col := start - (bytes.LastIndexByte(data[:start], '\n') + 1) + 1
		what := "private key"
		if kind := strings.TrimSpace(string(dec[len(pemBegin):j])); kind != "" {
			what = kind + " private key"
		}
		emit(Finding{Line: line, Column: col, Message: fmt.Sprintf("base64-encoded %s in %s", what, file)})
	}
}

func base64Char(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
}

// engineRule is a rule whose findings the engine emits itself (a file it
// could not parse or read, a history it could not walk, a config change): it
// is registered so its severity can be configured and reports describe it.
type engineRule struct{ info Info }

func (r engineRule) Info() Info { return r.info }

// ParseErrorID is the id of the parse-error rule.
const ParseErrorID = "parse-error"

// parseErrorRule is emitted by the engine itself; it is registered so its
// severity can be configured and reports describe it.
var parseErrorRule = Info{
	ID: ParseErrorID, Severity: Error,
	Short: "A manifest does not parse",
	Help: "The file is not valid YAML (or JSON), so nothing in the broken document was checked " +
		"and `seal` leaves the whole file alone. Fix the syntax at the reported line.",
}

// HistoryIncompleteID is the id of the history-incomplete rule.
const HistoryIncompleteID = "history-incomplete"

// historyIncompleteRule is emitted by the engine in history mode, when part of
// the history could not be read: an audit of part of the history must never
// read as an audit of all of it.
var historyIncompleteRule = Info{
	ID: HistoryIncompleteID, Severity: Error,
	Short: "Part of the git history could not be read, so the history scan is incomplete",
	Help: "A shallow clone (CI checkouts with fetch-depth: 1, `git clone --depth`) lacks the commits " +
		"before its boundary, and a broken or partial clone lacks objects: what they held was not " +
		"scanned, and a raw Secret may be there. Fetch the whole history (`git fetch --unshallow`, " +
		"or actions/checkout with fetch-depth: 0; `git fsck` for a broken store) and scan again.",
}

// FileTooLargeID is the id of the file-too-large rule.
const FileTooLargeID = "file-too-large"

// fileTooLargeRule is emitted by the engine for a file over a cap: a file that
// was not read must never pass as one that was checked.
var fileTooLargeRule = Info{
	ID: FileTooLargeID, Severity: Error,
	Short: "A file is over a size cap, so it was not scanned",
	Help: "Files over maxFileSize (64 MiB by default) are not read, and a file of more than 100,000 " +
		"YAML documents is not split, so that memory stays bounded; anything in them went unchecked. " +
		"Raise maxFileSize in .secretguard.yaml, exclude the file if it is generated, or split it. " +
		"Binary files over the cap are skipped like any binary file.",
}

// ConfigWeakenedID is the id of the config-weakened rule.
const ConfigWeakenedID = "config-weakened"

// configWeakenedRule is emitted by the engine from Context.ConfigChanges: in
// `scan --diff` the configuration of the merge-base judges the change, and the
// change's own edits to it that let more through are reported.
var configWeakenedRule = Info{
	ID: ConfigWeakenedID, Severity: Warning,
	Short: "A change weakens the secretguard configuration",
	Help: "`scan --diff` (what the GitHub Action runs on a pull request) reads .secretguard.yaml as it " +
		"is at the merge-base, so a pull request cannot switch off the check that judges it. A rule " +
		"turned down or off, or an allow or exclude entry added, by the change itself is reported here " +
		"for a reviewer to accept; it takes effect once merged.",
}

// UnusedAllowID is the id of the unused-allow rule.
const UnusedAllowID = "unused-allow"

// unusedAllowRule is emitted by the engine after a whole scan of the tree.
var unusedAllowRule = Info{
	ID: UnusedAllowID, Severity: Warning,
	Short: "An allow entry of the configuration accepts no finding",
	Help: "An `allow:` entry that matches nothing in a full scan of the tree is stale — the file was " +
		"fixed or moved, or the entry has a typo — and stale exceptions pile up and hide what they " +
		"should not. Remove it, or fix what it was meant to match. Only a scan of the whole working " +
		"tree says so (not --staged, --diff, --history or named files).",
}

// SOPSUnencryptedID is the id of the sops-unencrypted rule.
const SOPSUnencryptedID = "sops-unencrypted"

type sopsUnencrypted struct{}

func (sopsUnencrypted) Info() Info {
	return Info{
		ID: SOPSUnencryptedID, Severity: Error,
		Short: "A file that the repository's .sops.yaml says is encrypted is committed in plaintext",
		Help: "A creation rule of .sops.yaml whose path_regex names encrypted files (`\\.sops\\.ya?ml$`, " +
			"`\\.enc\\.`, `secrets/`) matches this file, and the file holds no SOPS metadata: it was meant " +
			"to be encrypted and was committed before (or instead of) `sops -e`. The team chose SOPS here, so " +
			"encrypt it (`sops -e -i FILE`) rather than seal it, and rotate what it held if it was pushed. " +
			"A raw Secret in such a file is a raw-secret finding instead.",
	}
}

func (sopsUnencrypted) CheckTree(c *Context, ix *Index, emit func(Finding)) {
	reader, _ := c.Source.(source.FileReader)
	for _, f := range ix.plainFiles {
		cfg, r, ok := ix.sopsRuleFor(c, f)
		if !ok {
			continue
		}
		if reader != nil {
			// The public half beside an encrypted key (key.pub, an age
			// recipient, a certificate) is meant to stay readable.
			if data, err := reader.ReadFile(f); err == nil && (len(bytes.TrimSpace(data)) == 0 || manifest.FileHoldsNoSecret(data)) {
				continue // nor is an empty file (a host's secrets to come) anything to encrypt
			}
		}
		if m, _ := Kind(f); m && reader != nil {
			// YAML whose every value is filled in by a tool (envsubst,
			// Flux) is the template of an encrypted file, not one in
			// plaintext: nothing in it to encrypt.
			// Nor is YAML whose keys the rule's encrypted_regex does not
			// select (a Flux Kustomization named …-secrets.yaml): sops would
			// leave it plaintext — unless it holds a credential all the same.
			if data, err := reader.ReadFile(f); err == nil && (onlyReferences(f, data) || r.SelectsNothing(data) && !yamlHoldsCredential(data)) {
				continue
			}
		}
		emit(Finding{File: f, Line: 1, Message: fmt.Sprintf(
			"%s is not encrypted, but %s:%d (path_regex %q) says files like it are", f, cfg, r.Line, r.PathRegex),
			Advice: fmt.Sprintf("encrypt it with `sops -e -i %s`, and rotate what it holds if it was pushed", f)})
	}
}

// yamlHoldsCredential reports YAML with a credential in any document, as
// plaintext-credential judges values.
func yamlHoldsCredential(data []byte) bool {
	found := false
	for _, d := range manifest.Documents(data, false) {
		if !d.Blank() && d.Parse() == nil {
			valuesCredentials(d.Node, "", func(string, *yaml.Node) { found = true })
		}
	}
	return found
}

// onlyReferences reports YAML whose values are references, with no value
// that is anything else but empty or a placeholder (cloudflare_apikey:
// "${BOOTSTRAP_CLOUDFLARE_APIKEY}").
func onlyReferences(file string, data []byte) bool {
	refs := 0
	plain := false
	for _, d := range manifest.Documents(data, false) {
		if d.Blank() {
			continue
		}
		if d.Parse() != nil {
			return false
		}
		manifest.Walk(d.Node, "", func(n *yaml.Node, path string) bool {
			switch path {
			case ".apiVersion", ".kind", ".metadata":
				return false
			}
			if n.Kind != yaml.ScalarNode {
				return !plain
			}
			switch manifest.ClassifyText(strings.TrimSpace(n.Value), manifest.ValueContext{}) {
			case manifest.PlaceholderValue:
				refs++
			case manifest.NoValue, manifest.UnfilledValue:
			default:
				plain = true
			}
			return false
		})
	}
	return refs > 0 && !plain
}

// sopsRuleFor is the creation rule of the nearest .sops.yaml above file that
// sops would take for it (the first whose path_regex matches), when that
// rule names encrypted files: the team said the file is kept encrypted. In a
// --staged scan, where only the change is read, the .sops.yaml files are
// looked up in the source.
func (ix *Index) sopsRuleFor(c *Context, file string) (cfg string, rule manifest.SOPSRule, ok bool) {
	if ix.sopsLookup == nil {
		ix.sopsLookup = map[string][]manifest.SOPSRule{}
		for d, rules := range ix.sopsConfigs {
			ix.sopsLookup[d] = rules
		}
	}
	reader, _ := c.Source.(source.FileReader)
	return manifest.SOPSRuleFor(file, func(d string) ([]manifest.SOPSRule, bool) {
		rules, known := ix.sopsLookup[d]
		if !known && reader != nil {
			if data, err := reader.ReadFile(path.Join(d, ".sops.yaml")); err == nil {
				rules = manifest.ParseSOPSConfig(data)
			}
			ix.sopsLookup[d] = rules
		}
		return rules, rules != nil
	})
}
