package manifest

import (
	"bytes"
	"encoding/base64"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// What is a value. A Secret's entry is a leak only when it holds something
// secret: not a reference that a tool fills in at deploy time, not a value
// SOPS encrypted, not public material, and — a lesser finding — not an obvious
// placeholder left for someone to fill in. This file is the one home of that
// judgement; rules and the sealer ask it.

// ValueKind classifies one data/stringData value.
type ValueKind int

const (
	NoValue          ValueKind = iota // null, empty, a non-scalar: nothing to leak
	PlainValue                        // a real value
	SOPSValue                         // ENC[…] written by SOPS
	PlaceholderValue                  // a reference filled in at deploy time: ${VAR}, Helm actions, argocd-vault-plugin, vals, 1Password
	UnfilledValue                     // an obvious placeholder for a person to fill in: CHANGEME, <your-token>
	PublicValue                       // public material only: certificates, public keys
	ConfigValue                       // configuration (YAML, JSON) with no credential in it: an Alertmanager config
)

// AVPPathAnnotation makes argocd-vault-plugin fill `<KEY>` placeholders of a
// resource from that path.
const AVPPathAnnotation = "avp.kubernetes.io/path"

var (
	// References that a tool replaces before the object reaches the cluster.
	avpPath = regexp.MustCompile(`<path:[^<>]+>`) // argocd-vault-plugin, modifiers included
	// argocd-secret-replacer's <secret:key|base64> and argocd-vault-replacer's
	// <vault:path~key|base64>: Argo CD plugins that fill them in at sync.
	replacerRef = regexp.MustCompile(`<(?:secret|vault):[^<>\s]+>`)
	// bank-vaults' vault:secret/data/app#key[#version], which its webhook
	// puts in env values and Secrets (also inside a docker config's auth).
	bankVaults = regexp.MustCompile(`(?:^|[^A-Za-z0-9])vault:[A-Za-z0-9_./-]+#[A-Za-z0-9_.-]+(?:#\d+)?`)
	avpKey     = regexp.MustCompile(`<[A-Za-z0-9_.\-]+(?:\s*\|[^<>]*)?>`)   // <KEY>, with avp.kubernetes.io/path
	valsRef    = regexp.MustCompile(`ref\+[a-z0-9]+://[^\s"']+`)            // vals, helmfile
	onePass    = regexp.MustCompile(`op://[^\s"'/]+/[^\s"'/]+/[^\s"']+`)    // 1Password, filled by `op inject`
	helmExpr   = regexp.MustCompile(`(?s)\{\{.*?\}\}`)                      // Helm and Go templates
	makejinja  = regexp.MustCompile(`#\{.*?\}#`)                            // makejinja's #{ expr }# (onedr0p's cluster-template)
	kometaRef  = regexp.MustCompile(`<<[A-Za-z_][A-Za-z0-9_]*>>`)           // Kometa's <<PLEX_TOKEN>>, from KOMETA_PLEX_TOKEN at run time
	yttExpr    = regexp.MustCompile(`(?s)\(@[-=]?.*?@\)`)                   // Carvel ytt's text templates: (@= data.values.password @)
	envVar     = regexp.MustCompile(`(^|[^\w$])\$\$?[A-Z_][A-Z0-9_]{2,}\b`) // $NATS_PASSWORD ($$ where Flux substitutes): an environment lookup
	// $oidc.github.clientSecret, $secret-name:key: Argo CD's argocd-cm and
	// argocd-rbac-cm read them from its Secrets; $slack-token: Argo CD
	// Notifications' argocd-notifications-cm reads it from
	// argocd-notifications-secret (its documented example).
	argoRef = regexp.MustCompile(`^\$[a-z][A-Za-z0-9_-]*(?:[.:][A-Za-z0-9_-]+)*$`)
	// $(DB_PASSWORD): Kubernetes expands an earlier env entry of the
	// container into an env value or a command.
	k8sEnvRef = regexp.MustCompile(`\$\([A-Za-z_][A-Za-z0-9_]*\)`)
	// $(cat pull-secret | base64 -w0): a shell fills it in where the file
	// is used as a here-document or with envsubst-like tools.
	shellSubst = regexp.MustCompile(`\$\([a-z][a-z0-9_-]* [^()]*\)`)
	// Grafana's $__env{X}, $__file{/path}, $__vault{…}; LiteLLM's os.environ/X.
	// Frigate's {FRIGATE_X}; a generator's `{$}name` placeholder; Argo CD
	// Image Updater's pullsecret:ns/name, secret:ns/name#key, env:NAME, ext:/path;
	// opencode's {env:X} and {file:path}.
	appRef = regexp.MustCompile(`\$__(?:env|file|vault)\{[^{}]*\}|\{(?:env|file):[^{}\s]+\}|^os\.environ/[A-Za-z_][A-Za-z0-9_]*$|\{[A-Z][A-Z0-9_]{2,}\}|^\{\$\}[A-Za-z_][A-Za-z0-9_]*$|^(?:pullsecret|secret):[a-z0-9.-]+/[a-z0-9.-]+(?:#[A-Za-z0-9._-]+)?$|^env:[A-Za-z_][A-Za-z0-9_]*$|^ext:/\S+$`)
	// A whole value that names an entry of a secret manager, which a
	// bootstrap tool resolves before applying (secret://op_connect_token,
	// azure://vault/item/field): a reference, as op:// is.
	managerURI = regexp.MustCompile(`^(?:secret|secrets|azure|akv|azkv|keyvault|vault|gcp|gcpsm|gsm|awssm|aws-sm|sm|ssm|bw|bitwarden|infisical|doppler|keeper|akeyless|onepassword|1password|passbolt|conjur)://[A-Za-z0-9_.@/#-]+$`)
	// autoconf's @VAR@, which a start script replaces (sed, a JS
	// one-liner): "password": "@MQTT_PASSWORD@"; Nix's substituteAll
	// @agekey@.
	atVar = regexp.MustCompile(`@[A-Za-z_][A-Za-z0-9_]{2,}@`)
	// Whatever is left of a value once its references are taken out still
	// leaks when it holds a literal credential.
	urlPassword = regexp.MustCompile(`://[^/\s:@]*:([^@\s/]+)@`)
	// A URL's password that a program fills in: printf's %s, Python's {} and
	// {name} and %(name)s, a shell's $X, ${X} and $(X) (Flux's $${X} too,
	// and the $ that the substitution leaves of it).
	filledPassword = regexp.MustCompile(`^(?:%[a-z]|%\([A-Za-z_][A-Za-z0-9_]*\)[a-z]|\{[A-Za-z0-9_.]*\}|\$+\{[^{}]*\}|\$+[A-Za-z_][A-Za-z0-9_]*|\$+\([^()]*\)|\$+)$`)
	namedLiteral   = regexp.MustCompile(`(?i)(?:pass(?:word|wd)?|secret|token|api[_-]?key|private[_-]?key|credentials?)["']?\s*[=:]\s*["']?([^\s"'&;,=]{3,})(?:[\s"'&;,]|$)`)
	// Obvious placeholders, for a person to fill in: placeholderWords, as
	// the whole value, in any case.
	unfilled = regexp.MustCompile(`(?i)^(?:` + strings.Join(placeholderWords, "|") + `)$`)
	// yourCloudflareApiToken: "your" and a capital, as placeholders are camel-cased.
	unfilledCamel = regexp.MustCompile(`^your[A-Z][A-Za-z0-9]*$`)
	// Tokens that say what to do or where the value goes, as people write
	// them in bases to override: UPDATE_AWS_SECRET_ACCESS_KEY, __REPLACE_ME__,
	// LICENSE_HERE, put-your-token-here, ...
	unfilledToken = regexp.MustCompile(`^(?:(?:UPDATE|REPLACE|CHANGE|FILL|INSERT|ENTER|PUT|SET|ADD|PROVIDE|YOUR)_[A-Z0-9_]+|__[A-Za-z0-9_]+__|[A-Za-z0-9_]+_HERE|\.{3,}|…)$|(?i)^[a-z0-9]+(?:[-_ ][a-z0-9]+)*[-_ ]here$|` +
		// An instruction where the value goes: generate-a-long-random-token,
		// create-in-the-opencode-zen-console.
		`(?i)^(?:generate|create|paste|insert|put|fill)[-_ ](?:[a-z0-9]+[-_ ])*[a-z0-9]+$`)
	// Public material.
	pemBlock  = regexp.MustCompile(`(?s)-----BEGIN ([A-Z0-9 ]+)-----.*?-----END ([A-Z0-9 ]+)-----`)
	sshPublic = regexp.MustCompile(`^(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp\d+|sk-ssh-ed25519@openssh\.com)\s+AAAA[A-Za-z0-9+/=]+(?:\s+\S.*)?$`)
)

// publicPEM are PEM block types that hold no secret.
var publicPEM = map[string]bool{"CERTIFICATE": true, "PUBLIC KEY": true, "RSA PUBLIC KEY": true,
	"PGP PUBLIC KEY BLOCK": true, "X509 CRL": true, "TRUSTED CERTIFICATE": true}

// ValueContext is what the judgement of a value depends on besides its text.
type ValueContext struct {
	// AVP: the resource has avp.kubernetes.io/path, so `<KEY>` is a reference.
	AVP bool
	// Base64: the value is a Secret's `data` entry; what it encodes is judged.
	Base64 bool
}

// Classify judges one value node.
func Classify(n *yaml.Node, ctx ValueContext) ValueKind {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return NoValue
	}
	v := strings.TrimSpace(n.Value)
	if v == "" {
		return NoValue
	}
	if strings.HasPrefix(v, "ENC[") && strings.HasSuffix(v, "]") {
		return SOPSValue
	}
	if ctx.Base64 {
		if b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v), "")); err == nil {
			// avp replaces base64-encoded placeholders too (PHBhc3N3b3JkPg== is <password>).
			if k := ClassifyText(strings.TrimSpace(string(b)), ctx); k != PlainValue {
				return k
			}
			if ClassifyText(v, ctx) == UnfilledValue {
				return UnfilledValue // abc123== : a placeholder that happens to decode
			}
			return PlainValue
		}
		// Not base64: a reference in data is filled in before it is decoded.
	}
	return ClassifyText(v, ctx)
}

// ClassifyText judges a value's text.
func ClassifyText(v string, ctx ValueContext) ValueKind {
	if v == "" || v == "{}" || v == "[]" {
		return NoValue // an empty document: config.json: "{}"
	}
	if isPublic(v) || filePath.MatchString(v) || regexPattern.MatchString(v) || awsARN.MatchString(v) || sealedCiphertext.MatchString(v) {
		// A file path: where a credential is, not the credential; a
		// pattern that finds tokens ((ghp_|gho_)[A-Za-z0-9]{36}), not one.
		return PublicValue
	}
	if placeholderConfig(v) {
		return UnfilledValue // an AWS credentials file of replaceme values
	}
	if commentsOnly(v) {
		// Instructions where a file goes (`# htpasswd -nB admin`): no value,
		// unless what is commented out holds a credential.
		if LineConfigCredential(uncomment(v), ctx) {
			return PlainValue
		}
		return ConfigValue
	}
	if found, ok := ConfigCredential(v, ctx); ok {
		// Configuration an operator reads from a Secret is judged by what
		// its fields hold, each on its own.
		if found {
			return PlainValue
		}
		return ConfigValue
	}
	rest, refs := stripReferences(v, ctx)
	rest = strings.TrimSpace(rest)
	if refs > 0 {
		// A value is a reference when what is not a reference in it is not
		// a secret: `user:<path:…#user>`, `postgres://app:${PW}@db/app`.
		if rest == "" || !LiteralURLPassword(rest) && !NamedLiteral(rest) {
			return PlaceholderValue
		}
		return PlainValue
	}
	if isUnfilled(v) || varName.MatchString(v) || placeholderURLPassword(v) || placeholderUserPass(v) || prefixedPlaceholder.MatchString(v) {
		return UnfilledValue
	}
	return PlainValue
}

// ChartDefault reports a value that a chart's own values.yaml gives as a
// stand-in for its users to override: a word and what goes there
// (storepassword, widgettoken, intake_secret, Acme-clientsecret, rgApiKey).
// Elsewhere — a deployment's values, an env entry — the same word is
// often the real, weak password, and stays one.
func ChartDefault(v string) bool { return chartStandIn.MatchString(strings.TrimSpace(v)) }

var chartStandIn = regexp.MustCompile(`(?i)^[a-z]+[-_]?(?:password|passwd|pwd|secret|clientsecret|token|api[-_]?key)$`)

// NamedLiteral reports text that names a credential and gives it a literal
// (password=hunter2, `password='…';` in a JAAS line, Password=… in a
// connection string) that is not a stand-in (password='app-password').
func NamedLiteral(text string) bool {
	for _, m := range namedLiteral.FindAllStringSubmatch(text, -1) {
		// encoded_pass = urllib.parse.quote(input()): code that computes it.
		if !isUnfilled(m[1]) && !SameAsKey("password", m[1]) && !codeLookup.MatchString(m[1]) {
			return true
		}
	}
	return false
}

// placeholderUserPass is user:password whose password is a placeholder
// (reg-user:reg-password, a Schema Registry's basic.auth.user.info).
func placeholderUserPass(v string) bool {
	m := userPass.FindStringSubmatch(v)
	return m != nil && isUnfilled(m[1])
}

var (
	userPass = regexp.MustCompile(`^[^:\s/@]+:([^:\s/@]+)$`)
	// A token's vendor prefix and whose the token is, or marks where it
	// goes: nvapi-MYKEY, sk-YOUR_KEY, nvapi-XXXXX; or capitals naming it
	// (nvapi-NVKEY, sk-OPENAI_TOKEN): a real token is random after its prefix.
	prefixedPlaceholder = regexp.MustCompile(`^[a-z]{2,8}[-_](?:(?:MY|YOUR)[-_A-Z]*|[A-Z_]*(?:KEY|TOKEN|SECRET|PASSWORD)|[Xx]{3,}|\.{3,}|\*{3,})$`)
)

// placeholderURLPassword is a URL whose password is an obvious placeholder
// (postgresql://app:change-me-before-deploy@db/app), and nothing else in
// the text a credential.
func placeholderURLPassword(v string) bool {
	ms := urlPassword.FindAllStringSubmatch(v, -1)
	if len(ms) == 0 || strings.ContainsAny(v, " \n") {
		return false
	}
	for _, m := range ms {
		if !isUnfilled(m[1]) {
			return false
		}
	}
	return true
}

// commentsOnly is text of two lines or more whose every line is blank or a
// # comment. (One line starting with # may be a password.)
func commentsOnly(v string) bool {
	lines := 0
	for _, l := range strings.Split(v, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if !strings.HasPrefix(l, "#") {
			return false
		}
		lines++
	}
	return lines >= 2
}

// IniText reports line-oriented configuration only (INI, dotenv,
// properties: sections, comments and key = value lines, two or more), not
// code or YAML that happens to hold an = somewhere.
func IniText(v string) bool {
	values, ok := iniValues(v)
	return ok && len(values) >= 2
}

// placeholderConfig is such configuration whose every value is an obvious
// placeholder.
func placeholderConfig(v string) bool {
	values, ok := iniValues(v)
	if !ok || len(values) < 2 {
		return false
	}
	for _, val := range values {
		if !isUnfilled(strings.Trim(val, `"'`)) {
			return false
		}
	}
	return true
}

// iniValues lists the values of line-oriented configuration; ok is false
// when a line is neither a comment, a section nor a key = value.
func iniValues(v string) (values []string, ok bool) {
	for _, l := range strings.Split(v, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, ";") || strings.HasPrefix(l, "[") && strings.HasSuffix(l, "]") {
			continue
		}
		m := configLine.FindStringSubmatch(l)
		if m == nil {
			return nil, false
		}
		values = append(values, m[1])
	}
	return values, true
}

// settingLines is key = value configuration under any name: two lines or
// more (IniText), or one whose value is a setting (INSTALL_LOCK=true).
func settingLines(v string) bool {
	values, ok := iniValues(v)
	if !ok || len(values) == 0 {
		return false
	}
	for _, val := range values {
		if strings.HasPrefix(val, "=") {
			return false // abc== is base64's padding, not a key and a value
		}
	}
	if len(values) >= 2 {
		return true
	}
	val := strings.Trim(strings.TrimSpace(values[0]), `"'`)
	return val == "*" || boolSwitch.MatchString(val) || SettingShape(val) || PublicShape(val)
}

var configLine = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*\s*=\s*(\S.*)$`)

// uncomment is text with the # of each comment line taken off.
func uncomment(v string) string {
	lines := strings.Split(v, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimLeft(strings.TrimSpace(l), "# ")
	}
	return strings.Join(lines, "\n")
}

// sealedCiphertext is a Sealed Secrets ciphertext (kubeseal's output: base64
// of a 2-byte length 0x02?? and an RSA block, AgA…/AgB…), as charts take
// them in values (baassecret.data.baaspassword: AgBc…): safe to publish.
var sealedCiphertext = regexp.MustCompile(`^Ag[A-D][A-Za-z0-9+/]{340,}={0,2}$`)

// awsARN names an AWS resource (a KMS key's ARN): an identifier, which the
// IAM policy guards, not a credential.
var awsARN = regexp.MustCompile(`^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:\S+$`)

// regexPattern is a regular expression's character class with a range and
// a count: [0-9A-Z]{16}, [A-Za-z0-9_]+.
var regexPattern = regexp.MustCompile(`\[[^\[\]]*[A-Za-z0-9]-[A-Za-z0-9][^\[\]]*\](?:\{\d+(?:,\d*)?\}|[+*])`)

var (
	// filePath is an absolute path of two or more segments
	// (/var/run/secrets/kubernetes.io/serviceaccount/token).
	filePath = regexp.MustCompile(`^/(?:[A-Za-z0-9._-]+/)+[A-Za-z0-9._-]+$`)
	// varName is an environment variable's name where its value should be
	// (token: UPDATECLI_GITHUB_TOKEN, for a template's requiredEnv): words of
	// capitals joined by underscores, each starting with a letter, so that
	// ADMIN_2024 stays a password.
	varName = regexp.MustCompile(`^[A-Z][A-Z0-9]*(?:_[A-Z][A-Z0-9]*)+$`)
)

// LiteralURLPassword reports text with a URL whose user-info holds a literal
// password: not a placeholder, nor what a program fills in (%s, {}, $X).
func LiteralURLPassword(text string) bool {
	for _, m := range urlPassword.FindAllStringSubmatch(text, -1) {
		// http://ACCESS_KEY_ID:ACCESS_SECRET_KEY@S3_HOST: names of what goes there.
		// "" is what quotes around a reference leave once it is taken out
		// (postgres://"${PG_USER}":"${PG_PASSWORD}"@db).
		if p := m[1]; strings.Trim(p, `"'`) != "" && !filledPassword.MatchString(p) && !isUnfilled(p) && !varName.MatchString(p) {
			return true
		}
	}
	return false
}

// placeholderWords are the families of obvious placeholders: what people
// write where a value goes. One pattern each, matched against the whole
// value, case-insensitively (a (?-i:…) group is case-sensitive).
var placeholderWords = []string{
	// An instruction: replace me, change me, fill me in, to do.
	`replace[-_ .]?me`, `change[-_ .]?me`, `changeit`, `fill[-_ .]?me(?:[-_ .]?in)?`, `todo`, `tbd`, `fixme`,
	`replace`, `(?:replace|change)[-_ .]?me[-_ .].*`, `(?:change[-_ .]?me){2,}`,
	// At the end, after what goes there (n8n-encryption-key-change-me,
	// super-secret-session-key-change-me).
	`[a-z0-9][a-z0-9-]*[-_.](?:replace|change)[-_.]?me`,
	// A sentence about the value (a tutorial's "this is my decoded secret").
	`this[-_ .]is[-_ .](?:a|an|my|the|our|your)[-_ .].*`,
	// Numbered, one per field (a chart's changeme1 … changeme4).
	`(?:replace|change)[-_ .]?me[-_]?\d{1,3}`,
	// The same after the prefix of the token that goes there (ghp_REPLACE_ME,
	// 1Password's ops_replace_me).
	`[a-z0-9]{2,12}[-_](?:replace|change|fill)[-_ .]?me(?:[-_ .]?in)?`,
	// Saying what it is: placeholder…, dummy…, fake…, overlay_me, notreal.
	`placeholder(?:[-_ .][a-z0-9]+)*`, `dummy(?:[-_ .][a-z0-9]+)*`, `fake[a-z0-9]*(?:[-_ .][a-z0-9]+)*`,
	// After the token's prefix: Stripe's sk_test_placeholder.
	`(?:[a-z0-9]+[-_])+(?:placeholder|dummy|fake)`,
	`overlay[-_ .]?me`, `not[-_ .]?real`,
	// Naming what goes there: secret, password, token, api_key, user; and
	// phrases of them — supersecret, also-very-secret-password, my_secret_key,
	// mydbpassword, yourpassword, reg-password (lowercase: the demo's
	// UNSEALED-demo-api-db-password is a value), access_key.
	`secret`, `password`, `passwd`, `pass`, `pwd?`, `user`, `username`, `token`, `api[-_]?key`, `access[-_]?key`,
	`super[-_ .]?secret(?:[-_ .][a-z0-9]+)*`, `(?:[a-z]+[-_ .])*(?:super[-_ .]?)?secret[-_ .]?pass(?:word)?`,
	`my[-_ .](?:[a-z0-9]+[-_ .])*(?:key|secret|password|pass|pwd|token|user)`,
	`(?:my|your)[a-z]*(?:password|passwd|pass|secret|token|key)`, `(?-i:(?:[a-z]+[-_])+(?:password|passwd))`,
	// Where the value is instead: DEFINED-IN-CLUSTER-SECRETS, defined_in_vault,
	// FROM-EXTERNAL-SECRET-STORE, from_file, @/team/secrets.
	`(?:defined?|stored|provided|managed|injected|set)[-_ ](?:in|by|via|at|from)[-_ ].+`, `from[-_ ][a-z][a-z0-9_ -]*`,
	`@/[\w./-]+`,
	// Masks and sequences: xxxx, ***, <…>, [your …], some-value, 123456, abc123.
	`xx+`, `\*{3,}`, `<[^<>]*>`, `\[[^\[\]]*your[^\[\]]*\]`, `your[-_ .].*`, `some(?:[-_ .][a-z0-9]+)+`,
	`(?:abc)?123(?:456(?:78)?)?(?:abc)?=*`,
	// Nothing: none, null, n/a, empty, unset, disabled.
	`none`, `null`, `nil`, `n/?a`, `empty`, `unset`, `disabled`,
	// What a keyless endpoint is given because the field may not be empty:
	// sk-no-key-required (llama.cpp's documentation), llama-cpp-no-key-required,
	// "no key needed", key-not-needed, noauth, unused; the dummy keys the local
	// LLM servers document (Ollama's "ollama", LM Studio's "lm-studio"),
	// "local" for an in-cluster one.
	`(?:[a-z0-9]+[-_ .])*(?:no[-_ .]?(?:key|auth|pass(?:word)?|token|secret)(?:[-_ .](?:needed|required|used))?|not[-_ .]?(?:needed|required|used))`,
	`unused(?:[-_ .][a-z0-9]+)*`, `ignored`, `not[-_ ]?set`, `ollama`, `lm[-_ ]?studio`, `llama[-_.]?cpp`, `vllm`, `(?:[a-z0-9]+[-_])?local`,
	// A key of one repeated character (sk-111111111111, "fake key needed");
	// not a numbered value (tok-1, tok-11).
	`[a-z]{2,4}-(?:1{4,}|0{4,}|x{4,}|a{4,})`,
	// The words of an upstream example config: example_pass, other_pw,
	// default_pw (ipmi_exporter's), sample_root_token_id; AWS's documented
	// example keys end in EXAMPLE or EXAMPLEKEY (AKIAIOSFODNN7EXAMPLE).
	`(?:example|sample|other|another|secret|default)[-_ .]?(?:pass(?:word)?|pwd?|secret|token|key)`,
	`sample[-_][a-z0-9_]+`, `(?-i:[A-Za-z0-9/+]*EXAMPLE(?:KEY)?)`,
	// The Kubernetes documentation's example Secret password (admin /
	// 1f2d1e2e67df), copied into operators' examples.
	`1f2d1e2e67df`,
}

// isUnfilled reports an obvious placeholder, also one wrapped in braces,
// brackets or quotes (`{ GCP_SERVICE_ACCOUNT_JSON_HERE }` for a JSON key).
// leet undoes the digits people write for letters (Ple4seCh4ngeThis).
var leet = strings.NewReplacer("4", "a", "0", "o", "3", "e", "1", "i", "5", "s", "7", "t", "@", "a", "$", "s")

// pleaseChange is a value that starts by saying it must be changed: rook's
// Ple4seCh4ngeThisN0tAVerySecretV4lue.
var pleaseChange = regexp.MustCompile(`^(?:please[-_ ]?change|change[-_ ]?this)`)

func isUnfilled(v string) bool {
	if pleaseChange.MatchString(leet.Replace(strings.ToLower(v))) {
		return true
	}
	for _, s := range []string{v, strings.Trim(v, "{}[]\"' \t\r\n")} {
		if s != "" && (unfilled.MatchString(s) || unfilledCamel.MatchString(s) || unfilledToken.MatchString(s)) {
			return true
		}
	}
	return false
}

// LiteralKind judges a kustomize secretGenerator literal's value under its
// key: used as
// written, though people also write it base64-encoded (Y2hhbmdlbWU= for a
// placeholder), which is judged decoded too.
func LiteralKind(key, v string) ValueKind {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v}
	// A literal is a stringData entry of the Secret it makes: judged as one
	// (AUTHENTIK_LOG_LEVEL=info, …_ENABLED=false are settings).
	k := entryKind(key, n, ValueContext{}, false)
	if k == PlainValue {
		if d := Classify(n, ValueContext{Base64: true}); d != PlainValue && d != NoValue {
			return d
		}
	}
	return k
}

// stripReferences takes every reference out of v and counts them.
func stripReferences(v string, ctx ValueContext) (string, int) {
	n := 0
	cut := func(re *regexp.Regexp) {
		v = re.ReplaceAllStringFunc(v, func(string) string { n++; return "" })
	}
	cut(avpPath)
	cut(replacerRef)
	cut(bankVaults)
	if ctx.AVP {
		cut(avpKey)
	}
	cut(valsRef)
	cut(onePass)
	cut(managerURI)
	cut(atVar)
	cut(helmExpr)
	cut(makejinja)
	cut(yttExpr)
	cut(kometaRef)
	cut(tplMask) // a masked template action
	cut(envVar)
	cut(k8sEnvRef)
	cut(shellSubst)
	cut(argoRef)
	var m int
	v, m = stripSubstitutions(v)
	cut(appRef) // after ${VAR}: Frigate's {VAR} is its inside
	return v, n + m
}

// stripSubstitutions removes Flux/envsubst substitutions, `${VAR}` and
// `${VAR:=default}` with nested ones, and counts them.
func stripSubstitutions(v string) (string, int) {
	var b strings.Builder
	n := 0
	for i := 0; i < len(v); i++ {
		if v[i] == '$' && i+1 < len(v) && v[i+1] == '{' {
			depth, j := 0, i+1
			for ; j < len(v); j++ {
				if v[j] == '{' {
					depth++
				} else if v[j] == '}' {
					if depth--; depth == 0 {
						break
					}
				}
			}
			if j < len(v) && validVar(v[i+2:j]) {
				n++
				i = j
				continue
			}
		}
		b.WriteByte(v[i])
	}
	return b.String(), n
}

// validVar is the inside of a substitution: a variable name, optionally
// followed by an operator and a default.
func validVar(s string) bool {
	if s == "" || !(s[0] == '_' || s[0] >= 'A' && s[0] <= 'Z' || s[0] >= 'a' && s[0] <= 'z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		// A dot: Spring's and Java launchers' ${db.password}, ${skaha.sessionid}.
		if c == '_' || c == '.' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			continue
		}
		return c == ':' || c == '-' || c == '=' || c == '+' || c == '?' || c == '/' || c == '^' || c == ',' // ${X/./-}, ${X^^}
	}
	return true
}

// isPublic reports text made only of public material: PEM blocks of public
// types (a CA bundle), or one SSH public key.
func isPublic(v string) bool {
	if sshPublic.MatchString(v) || passwdFile(v) || knownHosts(v) {
		return true
	}
	if !strings.Contains(v, "-----BEGIN ") {
		return false
	}
	found := false
	rest := pemBlock.ReplaceAllStringFunc(v, func(b string) string {
		m := pemBlock.FindStringSubmatch(b)
		if m[1] != m[2] || !publicPEM[m[1]] {
			return b // a private key, or a block that does not close as it opened
		}
		found = true
		return ""
	})
	return found && strings.TrimSpace(rest) == ""
}

// knownHostsLine is an OpenSSH known_hosts entry: hosts (or their hash),
// a host key type and the public key (a Flux git Secret's known_hosts).
var knownHostsLine = regexp.MustCompile(`^(?:@(?:cert-authority|revoked)\s+)?\S+\s+(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp\d+|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)\s+AAAA[A-Za-z0-9+/=]+(?:\s+\S.*)?$`)

// knownHosts is text made only of known_hosts entries and comments.
func knownHosts(v string) bool {
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(v), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if !knownHostsLine.MatchString(l) {
			return false
		}
		n++
	}
	return n > 0
}

// passwdLine is an /etc/passwd entry whose password field says "see the
// shadow file" (x), "locked" (* or !) or is empty: names and ids, no secret.
var passwdLine = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]*:[x*!]?:\d+:\d+:[^:]*:[^:]*:[^:]*$`)

// passwdFile is text made only of such entries.
func passwdFile(v string) bool {
	lines := strings.Split(strings.TrimSpace(v), "\n")
	for _, l := range lines {
		if !passwdLine.MatchString(strings.TrimSpace(l)) {
			return false
		}
	}
	return len(lines) > 0
}

// SecretValues lists the keys of a Secret that carry a value, by kind, reading
// every `data` and `stringData` block (duplicates too).
type SecretValues struct {
	Plain, SOPS, Placeholders, Unfilled, Public, Config []string
	First                                               *yaml.Node // key node of the first plain value
	FirstUnfilled                                       *yaml.Node // key node of the first unfilled value
}

// argoCDPublicKeys are the keys of an Argo CD repository, repo-creds or
// cluster Secret (label argocd.argoproj.io/secret-type) that name where and
// what, not how to log in: a Secret holding only these is no leak.
var argoCDPublicKeys = map[string]bool{"url": true, "name": true, "type": true, "project": true,
	"server": true, "namespaces": true, "clusterResources": true, "enableOCI": true, "insecure": true,
	"enableLfs": true, "proxy": true, "noProxy": true, "forceHttpBasicAuth": true, "shard": true,
	"githubAppID": true, "githubAppInstallationID": true, "githubAppEnterpriseBaseUrl": true, "username": true}

// ReadSecretValues judges every value of a Secret object.
func ReadSecretValues(o *yaml.Node) SecretValues {
	var sv SecretValues
	argo := Scalar(Path(o, "metadata", "labels", "argocd.argoproj.io/secret-type")) != ""
	ctx := ValueContext{AVP: KeyNode(Path(o, "metadata", "annotations"), AVPPathAnnotation) != nil}
	seen := map[string]bool{}
	for _, block := range []string{"stringData", "data"} {
		ctx.Base64 = block == "data"
		for _, m := range Fields(o, block) {
			Pairs(Resolve(m), func(k, v *yaml.Node) {
				key := k.Value
				kind := entryKind(key, v, ctx, argo)
				switch kind {
				case PlainValue:
					if !seen[key] {
						sv.Plain = append(sv.Plain, key)
						seen[key] = true
					}
					if sv.First == nil || k.Line < sv.First.Line {
						sv.First = k
					}
				case SOPSValue:
					sv.SOPS = append(sv.SOPS, key)
				case PlaceholderValue:
					sv.Placeholders = append(sv.Placeholders, key)
				case UnfilledValue:
					sv.Unfilled = append(sv.Unfilled, key)
					if sv.FirstUnfilled == nil || k.Line < sv.FirstUnfilled.Line {
						sv.FirstUnfilled = k
					}
				case PublicValue:
					sv.Public = append(sv.Public, key)
				case ConfigValue:
					sv.Config = append(sv.Config, key)
				}
			})
		}
	}
	sort.Strings(sv.Plain)
	sort.Strings(sv.Unfilled)
	return sv
}

// FileIsValue reports whether a file that a generator puts in a Secret under
// key holds a value there, judged as a stringData entry is: an OpenShift
// login page (HTML with template actions) does not.
func FileIsValue(key string, data []byte) bool {
	v := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: string(data)}
	return entryKind(key, v, ValueContext{}, false) == PlainValue
}

// SameAsKey reports a value that repeats its key (dro_api_token:
// "dro_api_token", apiKey: API_KEY): a placeholder naming what goes there.
func SameAsKey(key, v string) bool {
	norm := func(x string) string {
		return strings.Map(func(r rune) rune {
			switch r {
			case '-', '_', '.', ' ':
				return -1
			}
			return unicode.ToLower(r)
		}, x)
	}
	k, val := norm(key), norm(strings.TrimSpace(v))
	if k != "" && k == val {
		return true
	}
	// A stand-in word before the key's name (a chart test's clientSecret:
	// testClientSecret, OIDC_CLIENT_SECRET: testClientSecret).
	for _, p := range []string{"test", "my", "your", "example", "sample", "dummy", "fake", "demo"} {
		if rest, ok := strings.CutPrefix(val, p); ok && len(rest) >= 6 && strings.HasSuffix(k, rest) {
			return true
		}
	}
	return false
}

var (
	publicEmail = regexp.MustCompile(`^[A-Za-z0-9._%+-]+@((?:[a-z0-9-]+\.)+[a-z]{2,})$`)
	publicHost  = regexp.MustCompile(`^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+([a-z]{2,})\.?(?::\d{1,5})?$`)
	publicMIME  = regexp.MustCompile(`^(?:application|text|image|audio|video|multipart|font)/[A-Za-z0-9.+-]+(?:\s*;\s*charset=[A-Za-z0-9-]+)?$`)
)

// PublicShape reports a value shaped like something everyone may see: IP
// addresses and networks, host and domain names, e-mail addresses, MIME
// types (a list of them too: "10.0.0.0/8,192.168.0.0/16"). Flux's
// cluster-vars Secrets and HTTP header maps hold them beside, or instead of,
// credentials.
func PublicShape(v string) bool {
	if dnList(v) {
		return true
	}
	parts := strings.FieldsFunc(strings.TrimSpace(v), func(r rune) bool { return r == ',' || r == '\n' })
	if len(parts) == 0 {
		return false
	}
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if net.ParseIP(p) == nil && !isCIDR(p) && !hostName(p) && !publicMIME.MatchString(p) {
			if m := publicEmail.FindStringSubmatch(p); m == nil || !hostName(m[1]) {
				return false
			}
		}
	}
	return true
}

// SettingShape reports a value shaped like a setting: a switch (true, off), an
// algorithm's name (sha256), a URL without a credential, a small number or a duration (a timeout, a port, a count), a container image
// reference. Applications that take their whole configuration from one Secret
// (authentik's AUTHENTIK_EMAIL__TIMEOUT: "30", a sidecar's SIDECAR_IMAGE) hold
// them beside their credentials; under a key that does not name a credential
// they are no secret. Numbers stop at five digits: a PIN or a one-time code
// is longer.
func SettingShape(v string) bool {
	v = strings.TrimSpace(v)
	return settingWord.MatchString(v) || smallNumber.MatchString(v) || wordList.MatchString(v) || duration.MatchString(v) || imageRef.MatchString(v) ||
		plainURL(v)
}

// plainURL is an http(s) URL that carries no credential — no user-info, no
// credential parameter, no webhook path: where to connect
// (smaug-s3EndPoint: https://s3.example.org).
func plainURL(v string) bool {
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil &&
		!strings.ContainsAny(v, " \n") && !urlCredential(v)
}

// boolSwitch is a switch written as a string.
var boolSwitch = regexp.MustCompile(`(?i)^(?:true|false|yes|no|on|off|enabled|disabled)$`)

var (
	// A switch, or the name of an algorithm (Longhorn's CRYPTO_KEY_CIPHER:
	// aes-xts-plain64, CRYPTO_KEY_HASH: sha256).
	settingWord = regexp.MustCompile(`(?i)^(?:true|false|yes|no|on|off|enabled?|disabled?|require|verify-(?:full|ca)|prefer|sha-?(?:1|224|256|384|512)|md5|aes(?:-[a-z0-9]+)*|argon2(?:id|i|d)?|pbkdf2(?:-sha\d+)?|bcrypt|scrypt|rsa|ecdsa|ed25519|hmac-sha\d+|chacha20(?:-poly1305)?)$`)
	smallNumber = regexp.MustCompile(`^-?\d{1,5}(?:\.\d+)?$`)
	// A list of lowercase words: which ones apply (AUTHENTIK_AVATARS:
	// gravatar,initials; scopes: openid,profile).
	wordList = regexp.MustCompile(`^[a-z][a-z0-9_-]*(?:, ?[a-z][a-z0-9_-]*)+$`)
	// 12h, 1h30m; in words: Authelia's lifespans (access_token: '1 hour').
	duration = regexp.MustCompile(`^(?:(?:\d+(?:ms|s|m|h|d|w))+|\d+ ?(?:(?:second|minute|hour|day|week|month|year)s?|secs?|mins?|hrs?))$`)
	// imageRef is registry/path[:tag][@digest] with a registry host (a dot in
	// its name): ghcr.io/org/app:v1. Lowercase paths only, so a webhook URL
	// without its scheme (its token has capitals) is not one; printf fields
	// (%(type)s) as authentik writes its outposts' image.
	imageRef = regexp.MustCompile(`^(?:[a-z0-9-]+\.)+[a-z0-9-]+(?::\d+)?(?:/[a-z0-9._%()-]+)+(?::[A-Za-z0-9_.%()-]+)?(?:@sha256:[0-9a-f]{64})?$`)
)

// dnList is text whose every line is an LDAP distinguished name (a list of
// groups that may log in: CN=Admins,OU=Groups,DC=example,DC=com).
func dnList(v string) bool {
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(v), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			if !ldapDN.MatchString(l) {
				return false
			}
			n++
		}
	}
	return n > 0
}

var ldapDN = regexp.MustCompile(`(?i)^(?:(?:cn|ou|dc|o|l|st|c|uid)=[^,=]+,\s*)+(?:cn|ou|dc|o|l|st|c|uid)=[^,=]+$`)

// commonTLDs are the last labels of a two-label name taken for a domain
// (example.org, wahoo.li); a password such as summer.time is not one.
var commonTLDs = map[string]bool{"com": true, "org": true, "net": true, "io": true, "dev": true, "app": true,
	"cloud": true, "local": true, "lan": true, "home": true, "internal": true, "arpa": true, "co": true,
	"uk": true, "de": true, "fr": true, "nl": true, "eu": true, "ch": true, "us": true, "ca": true, "au": true,
	"jp": true, "li": true, "be": true, "at": true, "se": true, "no": true, "fi": true, "dk": true, "es": true,
	"it": true, "pl": true, "cz": true, "me": true, "info": true, "biz": true, "xyz": true, "tech": true,
	"online": true, "site": true, "in": true, "cc": true, "tv": true, "ai": true, "sh": true, "gg": true,
	"lol": true, "host": true, "network": true, "systems": true, "email": true, "test": true, "example": true}

// hostName is a lowercase host or domain name (a port after it too): three
// labels or more, or two whose last is a common top-level domain.
func hostName(p string) bool {
	m := publicHost.FindStringSubmatch(p)
	if m == nil {
		return false
	}
	name := strings.TrimPrefix(p, "*.")
	if i := strings.LastIndexByte(name, ':'); i >= 0 {
		name = name[:i]
	}
	return strings.Count(strings.TrimSuffix(name, "."), ".") >= 2 || commonTLDs[m[1]]
}

func isCIDR(s string) bool { _, _, err := net.ParseCIDR(s); return err == nil }

// SecretHoldsCredential reports a Secret with a value that is a credential
// by its key or its shape (CredentialValue) — a stricter judgement than a
// plain value, for what is not deployed as it is: the skeleton of a SOPS
// file, whose settings (HBOX_MODE: production, SMTP_PORT: "587") sit beside
// empty credentials.
func SecretHoldsCredential(o *yaml.Node) bool {
	found := false
	for _, block := range []string{"stringData", "data"} {
		ctx := ValueContext{Base64: block == "data"}
		for _, m := range Fields(o, block) {
			Pairs(Resolve(m), func(k, v *yaml.Node) {
				if !found && Classify(v, ctx) == PlainValue {
					if t := valueText(v, ctx); t != nil && CredentialValue(k.Value, t, ctx) {
						found = true
					}
				}
			})
		}
	}
	return found
}

// entryKind judges one entry of a Secret: its value (Classify), then, for a
// plain one, what its key and its text (decoded once) say about it. argo:
// the Secret is an Argo CD repository, repo-creds or cluster Secret.
func entryKind(key string, v *yaml.Node, ctx ValueContext, argo bool) ValueKind {
	kind := Classify(v, ctx)
	if kind != PlainValue {
		return kind
	}
	t := valueText(v, ctx)
	if t == nil {
		return kind
	}
	switch {
	case ConfigFileKey(key) && !LineConfigCredential(t.Value, ctx):
		return ConfigValue // grafana.ini with a time zone, broker.properties with roles
	case YAMLFileKey(key) && yamlFileHoldsNone(key, t.Value, ctx):
		return ConfigValue // operator-values.yml of a Secret's name and a switch
	case !CredentialKey(key) && !credentialFileName(key) && settingLines(t.Value) && !LineConfigCredential(t.Value, ctx):
		return ConfigValue // a section of an INI file by its name (gitea's cache: ADAPTER=redis …)
	case argo && argoCDPublicKeys[key], WhereKey(key) && !CredentialValue(key, t, ctx):
		return PublicValue // where a repository, cluster or database is, not how to log in
	case boolSwitch.MatchString(strings.TrimSpace(t.Value)):
		return PublicValue // a switch, whatever the key says (USE_WORKLOAD_IDENTITY_AUTH: "true")
	case !CredentialKey(key) && (PublicShape(t.Value) || SettingShape(t.Value)):
		return PublicValue // an address, a domain, a MIME type: cluster-vars, header maps; a switch, a timeout
	case SameAsKey(key, t.Value):
		return UnfilledValue // dro_api_token: dro_api_token
	}
	return PlainValue
}

func yamlFileHoldsNone(key, text string, ctx ValueContext) bool {
	found, ok := YAMLFileHolds(key, text, ctx)
	return ok && !found
}

// valueText is a value as the cluster gets it: a data entry decoded (when
// it is base64), a stringData entry as written.
func valueText(n *yaml.Node, ctx ValueContext) *yaml.Node {
	n = Resolve(n)
	if n == nil || !ctx.Base64 || n.Kind != yaml.ScalarNode {
		return n
	}
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(n.Value), ""))
	if err != nil {
		return n
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: string(b)}
}

// gitCrypt starts every file git-crypt encrypted.
var gitCrypt = []byte("\x00GITCRYPT\x00")

// FileHoldsNoSecret reports a file whose whole content is no secret: SOPS or
// git-crypt encrypted it (Flux decrypts a kustomize generator's SOPS files before the
// build), or it holds only public material (a PGP public key for Flux's commit
// verification, a CA bundle, authorized SSH keys).
func FileHoldsNoSecret(data []byte) bool {
	if bytes.HasPrefix(data, gitCrypt) {
		return true // git-crypt's ciphertext: its filter decrypts it on checkout
	}
	text := strings.TrimSpace(string(data))
	if strings.Contains(text, "ENC[AES256_GCM,") &&
		(strings.Contains(text, "sops_mac=") || strings.Contains(text, "sops") && (strings.Contains(text, `"mac"`) || strings.Contains(text, "mac:"))) {
		return true
	}
	if text == "" {
		return false
	}
	if isPublic(text) || strings.Contains(text, "-----BEGIN PGP PUBLIC KEY BLOCK-----") && !strings.Contains(text, "PRIVATE") {
		return true
	}
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") && !sshPublic.MatchString(line) && !ageRecipient.MatchString(line) {
			return false
		}
	}
	return true
}

// ageRecipient is an age public key (a file's recipient: sops-age-key.pub).
var ageRecipient = regexp.MustCompile(`^age1[02-9ac-hj-np-z]{58}$`)
