package manifest

import (
	"bytes"
	"encoding/base64"
	"math"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// What says "credential". Operators force configuration into Secrets (an
// Alertmanager config, Prometheus' additional scrape configs): such a value is
// a leak only when something in it is a credential, which this file judges by
// the names of its keys, the shapes of its values and the URLs it holds.

// credentialWords are the last words of a key that holds a credential:
// smtp_auth_password, client_secret, bot_token, authorization.credentials.
var credentialWords = map[string]bool{"password": true, "passwd": true, "pass": true, "passphrase": true,
	"pwd": true, "pw": true, "secret": true, "token": true, "apikey": true, "apikeys": true, "credential": true, "credentials": true}

// keyQualifiers make a key ending in "key" a credential (api_key, routing_key,
// accessKey); other keys (sort_key, label_key) name something else.
var keyQualifiers = map[string]bool{"api": true, "access": true, "secret": true, "private": true, "service": true,
	"routing": true, "user": true, "auth": true, "signing": true, "encryption": true, "master": true,
	"license": true, "client": true, "app": true, "integration": true, "account": true, "shared": true,
	"ssh": true, "gpg": true, "deploy": true, "session": true, "hmac": true, "jwt": true, "webhook": true,
	"xsrf": true, "csrf": true, "cookie": true, "fernet": true}

// KeyWords splits a key into lowercase words: smtp_auth_password,
// clientSecret, bearer-token.file.
func KeyWords(key string) []string { return keyWords(key) }

func keyWords(key string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	prev := rune(0)
	for _, r := range key {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
		prev = r
	}
	flush()
	return words
}

// CredentialKey reports a key whose name says it holds a credential. Keys
// that hold a path to one (password_file), a reference to one (secretRef,
// existingSecret, secretName) or a setting about one (token_ttl) do not.
func CredentialKey(key string) bool {
	w := keyWords(key)
	if len(w) == 0 {
		return false
	}
	for _, x := range w {
		if x == "existing" {
			return false // existingSecret, clientExistingSecretKey name a Secret and its key
		}
	}
	last := w[len(w)-1]
	if credentialWords[last] || compoundCredential(last) {
		return true
	}
	if last == "auth" && len(w) == 1 {
		return true // a docker config's "auth": base64 user:password
	}
	if (last == "key" || last == "keys") && len(w) > 1 {
		// AUTHENTICATION_APIKEY_ALLOWED_KEYS: a list of API keys.
		return keyQualifiers[w[len(w)-2]] || last == "keys" && slices.Contains(w, "apikey")
	}
	return false
}

// compoundCredential is a key word that ends in a credential word without a
// separator (PAPERLESS_DBPASS, adminpassword, apitoken, clientsecret) — not
// bypass or compass.
func compoundCredential(w string) bool {
	switch w {
	case "bypass", "compass", "surpass", "trespass", "overpass", "underpass",
		"onepassword", "lastpass", "keepass", "keepassxc": // products: SVC_ONEPASSWORD is where 1Password Connect listens
		return false
	}
	for _, suffix := range []string{"pass", "password", "passwd", "pwd", "token", "secret"} {
		if len(w) > len(suffix)+1 && strings.HasSuffix(w, suffix) {
			return true
		}
	}
	return false
}

// whereWords are the last words of a key that says where to connect or who
// connects, not how to log in — a host, a port, a bucket, a user name — or
// which setting applies (a driver, a mode).
var whereWords = map[string]bool{"url": true, "uri": true, "host": true, "hostname": true, "port": true,
	"endpoint": true, "server": true, "address": true, "addr": true, "repository": true, "repo": true,
	"bucket": true, "region": true, "zone": true, "database": true, "db": true, "dbname": true,
	"schema": true, "email": true, "mail": true, "user": true, "username": true, "login": true,
	"id": true, "namespace": true, "project": true, "org": true, "organization": true, "tenant": true,
	// where a file is, and which version: keyStorePath, ca_file, POSTGRES_VERSION
	"path": true, "file": true, "dir": true, "directory": true, "location": true, "version": true, "connection": true,
	// which one, and how: a setting (NUXT_STORAGE_DRIVER: cloudflare, DB_TYPE: postgres)
	"driver": true, "type": true, "mode": true, "provider": true, "backend": true, "engine": true, "executor": true,
	"level": true, "format": true, "strategy": true, "protocol": true, "timezone": true, "tz": true,
	"locale": true, "language": true, "theme": true,
	// what a login may do and for how long: an OAuth client's scopes, a
	// token's lifetime (GF_AUTH_GENERIC_OAUTH_SCOPES, …_TOKEN_DURATION)
	"scope": true, "scopes": true, "duration": true, "ttl": true, "timeout": true, "interval": true,
	"expiry": true, "lifetime": true, "length": true,
	// which one by name: POSTGRESQL__NAME, ERROR_REPORTING__ENVIRONMENT
	"name": true, "fullname": true, "displayname": true, "environment": true, "env": true, "account": true,
	// how to connect, and as what: sslmode: require, AVP_K8S_ROLE: team-gitops
	"sslmode": true, "role": true,
	// who manages it, as a label says (managed-by: gitops); which storage
	// (storageClass, a CSI volumeHandle)
	"by": true, "class": true, "handle": true}

// WhereKey reports a key whose name says where or who (DB_HOST, RESTIC_REPOSITORY,
// client_id, email): its value is no secret unless it carries a credential
// (a URL with a password, a token of a known shape).
func WhereKey(key string) bool {
	w := keyWords(key)
	return len(w) > 0 && (whereWords[w[len(w)-1]] || compoundUser(w[len(w)-1])) && !CredentialKey(key) || accessKeyID(w)
}

// compoundUser is a key word that ends in user without a separator: libpq's
// PGUSER, DBUSER, MYSQLUSER — who logs in.
func compoundUser(w string) bool {
	for _, suffix := range []string{"user", "username"} {
		if len(w) > len(suffix)+1 && strings.HasSuffix(w, suffix) {
			return true
		}
	}
	return false
}

// accessKeyID reports the words of a key that names the id half of an
// access key pair — S3's and MinIO's accessKey beside secretKey,
// AWS_ACCESS_KEY_ID: who logs in, as a user name is. (Its value is still a
// credential when it has a key's shape; CredentialValue judges that.)
func accessKeyID(w []string) bool {
	n := len(w)
	if slices.Contains(w, "secret") || slices.Contains(w, "private") {
		return false // AWS_SECRET_ACCESS_KEY is the other half
	}
	switch {
	case n >= 1 && w[n-1] == "accesskey", n >= 2 && w[n-2] == "accesskey" && w[n-1] == "id":
		return true
	case n >= 2 && w[n-2] == "access" && w[n-1] == "key", n >= 3 && w[n-3] == "access" && w[n-2] == "key" && w[n-1] == "id":
		return true
	}
	return false
}

var (
	// Credentials that are unambiguous by their shape, wherever they are.
	tokenShape = regexp.MustCompile(`\b(?:AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,}|glpat-[A-Za-z0-9_\-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|sk_live_[0-9A-Za-z]{24,}|AIza[0-9A-Za-z_\-]{35})\b`)
	privateKey = regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----`)
	// Webhook URLs whose path is the credential.
	webhookURL = regexp.MustCompile(`(?i)^https?://(?:hooks\.slack\.com/(?:services|workflows)/|(?:[a-z0-9-]+\.)?discord(?:app)?\.com/api/webhooks/|[a-z0-9-]+\.webhook\.office\.com/|outlook\.office(?:365)?\.com/webhook|api\.telegram\.org/bot|hooks\.zapier\.com/)`)
	cryptHash  = regexp.MustCompile(`^\$(?:2[abxy]?|5|6|apr1|y|argon2(?:id|i|d)?)\$`)
	uuidShape  = regexp.MustCompile(`(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	randomish  = regexp.MustCompile(`^[A-Za-z0-9+/=_\-.~]{20,}$`)
	alnumRun   = regexp.MustCompile(`[A-Za-z0-9]+`)
)

// ConfigCredential reports whether a configuration value — YAML or JSON text
// such as an Alertmanager config — holds a credential, and whether it is
// configuration at all. Text that is not a structured document is not judged
// here (ok is false).
func ConfigCredential(text string, ctx ValueContext) (found, ok bool) {
	t := strings.TrimSpace(text)
	if !strings.Contains(t, "\n") && !strings.HasPrefix(t, "{") && !strings.HasPrefix(t, "[") {
		return false, false
	}
	n, err := yaml.Parse(t)
	if err != nil || n == nil || n.YNode() == nil {
		return false, false
	}
	root := Resolve(n.YNode())
	// A JSON object is configuration even when flat (a registry's
	// {"username": …, "password": …}); a one-line `key: value` is not.
	if root == nil || root.Kind != yaml.MappingNode && root.Kind != yaml.SequenceNode || !structured(root) && !(strings.HasPrefix(t, "{") && hasValue(root)) {
		return false, false
	}
	return fieldsHold(root, ctx), true
}

// fieldsHold walks a configuration document and reports a field that holds
// a credential (CredentialValue under the field's key).
func fieldsHold(root *yaml.Node, ctx ValueContext) bool {
	seen := map[*yaml.Node]bool{}
	var walk func(key string, v *yaml.Node) bool
	walk = func(key string, v *yaml.Node) bool {
		v = Resolve(v)
		if v == nil || seen[v] {
			return false
		}
		seen[v] = true
		switch v.Kind {
		case yaml.MappingNode:
			if FieldNameMap(key) {
				return false // its keys are a dashboard's column names, its values their labels
			}
			for i := 0; i+1 < len(v.Content); i += 2 {
				if walk(v.Content[i].Value, v.Content[i+1]) {
					return true
				}
			}
		case yaml.SequenceNode:
			for _, c := range v.Content {
				if walk(key, c) {
					return true
				}
			}
		case yaml.ScalarNode:
			return CredentialValue(key, v, ctx)
		}
		return false
	}
	return walk("", root)
}

// YAMLFileHolds judges a YAML file a Secret carries under key
// (operator-values.yml, secrets.yml) field by field, flat and empty
// documents too; ok is false when it does not parse as YAML. A file whose
// name says credentials (secrets.yml, users.yaml) holds one in any field
// whose value is a literal string, whatever the field's name
// (alice: hunter2); another only where CredentialValue finds one.
func YAMLFileHolds(key, text string, ctx ValueContext) (found, ok bool) {
	strict := credentialFileName(key)
	for _, d := range Documents([]byte(text), false) {
		if d.Blank() {
			continue
		}
		if d.Parse() != nil {
			return false, false
		}
		if strict && anyLiteral(d.Node, ctx) || !strict && fieldsHold(d.Node, ctx) {
			return true, true
		}
	}
	return false, true
}

// anyLiteral reports a string scalar anywhere below n that is a value.
func anyLiteral(n *yaml.Node, ctx ValueContext) bool {
	found := false
	Walk(n, "", func(v *yaml.Node, _ string) bool {
		if v.Kind == yaml.ScalarNode && (v.Tag == "!!str" || v.Tag == "") && ClassifyText(strings.TrimSpace(v.Value), ctx) == PlainValue {
			found = true
		}
		return !found
	})
	return found
}

// YAMLFileKey is a key that names a YAML file.
func YAMLFileKey(key string) bool {
	ext := strings.ToLower(path.Ext(key))
	return ext == ".yaml" || ext == ".yml"
}

// FieldNameMap reports a key whose mapping goes from a query's column names
// (download_token) to a label, a position or a switch: Grafana's organize
// transformation's renameByName, indexByName, excludeByName.
func FieldNameMap(key string) bool {
	return key == "renameByName" || key == "indexByName" || key == "excludeByName"
}

// hasValue is a mapping with a value that is not null ({ PLACEHOLDER } is
// a key alone).
func hasValue(n *yaml.Node) bool {
	for i := 1; i < len(n.Content); i += 2 {
		if v := Resolve(n.Content[i]); v != nil && v.Tag != "!!null" {
			return true
		}
	}
	return false
}

// structured is a mapping or list that nests: configuration, not a one-line
// `password: x` or a list of words.
func structured(n *yaml.Node) bool {
	for _, c := range n.Content {
		if c = Resolve(c); c != nil && (c.Kind == yaml.MappingNode || c.Kind == yaml.SequenceNode) {
			return true
		}
	}
	return false
}

// CredentialValue judges one scalar of configuration under its key: a literal
// under a credential key, a URL that carries one, a credential by its shape,
// or a long random string.
func CredentialValue(key string, v *yaml.Node, ctx ValueContext) bool {
	s := strings.TrimSpace(v.Value)
	if s == "" || v.Tag == "!!null" || v.Tag == "!!bool" {
		return false
	}
	if PrivateKeyIn(s) || tokenShape.MatchString(s) {
		return true
	}
	if holds, ok := dockerAuth(key, s, ctx); ok {
		return holds
	}
	if NamedLiteral(s) && ClassifyText(s, ctx) == PlainValue && !strings.Contains(s, "\n") {
		return true // a connection string: Server=db;User=sa;Password=…
	}
	switch ClassifyText(s, ctx) {
	case PlaceholderValue, UnfilledValue, PublicValue, NoValue, SOPSValue, ConfigValue:
		return false
	}
	if SameAsKey(key, s) {
		return false // "JellyfinAPIKey": "JELLYFINAPIKEY" names what goes there
	}
	if cryptHash.MatchString(s) {
		return true // an htpasswd or shadow hash: guessable offline
	}
	if strings.Contains(s, "://") {
		return urlCredential(s)
	}
	if accessKeyID(keyWords(key)) {
		return randomString(s) // an id, unless it looks like a key (Azure's access key is the secret)
	}
	if CredentialKey(key) {
		// A path to the credential is no credential, nor the name of a way
		// to log in.
		return !strings.HasPrefix(s, "/") && !authScheme.MatchString(s) && !nssSources.MatchString(s)
	}
	return randomString(s)
}

// dockerAuth judges a docker config's "auth", base64 of user:password, by
// its password: a reference (bank-vaults' vault:…#password) or a placeholder
// holds none. ok is false when it is not that shape.
func dockerAuth(key, s string, ctx ValueContext) (holds, ok bool) {
	if key != "auth" {
		return false, false
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return false, false
	}
	_, pass, found := strings.Cut(string(b), ":")
	if !found || !utf8.ValidString(pass) {
		return false, false
	}
	if k := ClassifyText(string(b), ctx); k == PlaceholderValue || k == UnfilledValue {
		return false, true
	}
	if k := ClassifyText(pass, ctx); k != PlainValue {
		return false, true
	}
	return true, true
}

// urlCredential reports a URL that carries a credential: a password in its
// user-info, a webhook whose path is the secret, or a credential parameter.
func urlCredential(s string) bool { return urlCarries(s, true) }

// urlCarries is urlCredential; random path segments count only when random
// is set (in a Secret: there a URL is there to be secret; elsewhere paths
// hold digests and bucket names).
func urlCarries(s string, random bool) bool {
	u, err := url.Parse(s)
	if LiteralURLPassword(s) || webhookURL.MatchString(s) && (err != nil || !placeholderPath(u.Path)) {
		return true
	}
	if err != nil {
		return false
	}
	for k, vs := range u.Query() {
		if (CredentialKey(k) || strings.EqualFold(k, "key") || strings.EqualFold(k, "sig")) && len(vs) > 0 && vs[0] != "" {
			return true
		}
	}
	if !random {
		return false
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if randomString(seg) {
			return true
		}
	}
	return false
}

// placeholderPath is a webhook path whose token is the name of what a
// script puts there (hooks.slack.com/services/HOOK_URL_TOKEN, sed at start)
// or says to put something there (…/your-webhook-token-here).
func placeholderPath(p string) bool {
	seg := p[strings.LastIndexByte(p, '/')+1:]
	return varName.MatchString(seg) || unfilledToken.MatchString(seg) || // …/your-webhook-token-here
		lowercaseWords.MatchString(p) // hooks.slack.com/services/change/to/yours: tokens have capitals and digits
}

// lowercaseWords is a URL path of lowercase words only.
var lowercaseWords = regexp.MustCompile(`^(?:/[a-z]+)+/?$`)

// PlaintextCredential judges a literal value outside a Secret — an env
// entry's value, a ConfigMap entry, a Helm value — under its key: a
// credential when the key says so and the value is a literal (not a
// reference, a placeholder, a path, a boolean), or when the value carries one
// whatever the key: a URL with a password or a webhook token, a private key,
// a token of a known shape. Random-looking strings under other keys are not
// judged here: outside Secrets they are digests and ids.
func PlaintextCredential(key string, v *yaml.Node) bool {
	v = Resolve(v)
	if v == nil || v.Kind != yaml.ScalarNode || v.Tag == "!!null" || v.Tag == "!!bool" {
		return false
	}
	if strings.HasPrefix(v.Tag, "!") && !strings.HasPrefix(v.Tag, "!!") {
		return false // an application's own tag: recyclarr's `!env_var X`, Home Assistant's `!secret x`
	}
	s := strings.TrimSpace(v.Value)
	if s == "" {
		return false
	}
	if PrivateKeyIn(s) || tokenShape.MatchString(s) {
		return true
	}
	w := keyWords(key)
	authKey := len(w) > 1 && w[len(w)-1] == "auth"
	if !strings.Contains(s, "://") && !authKey && !CredentialKey(key) {
		// Nothing below can make it one: spare the value's classification
		// (most of a Helm values file, read in every commit of a history).
		return false
	}
	if ClassifyText(s, ValueContext{}) != PlainValue || cryptHash.MatchString(s) {
		return false // a reference, a placeholder; a password hash is not the plain text
	}
	if strings.Contains(s, "://") {
		return urlCarries(s, false) && !isUnfilled(userinfoPassword(s))
	}
	if authScheme.MatchString(s) || settingWord.MatchString(s) || duration.MatchString(s) || nssSources.MatchString(s) || SameAsKey(key, s) || len(s) < 4 {
		// auth: oauth says how to log in, not with what (auth: SHA512,
		// OpenVPN's digest, which algorithm); token: token names what goes
		// there; a search shortcut (token: g) is no credential; a token's
		// lifespan (access_token: '1 hour') is not one either.
		return false
	}
	if accessKeyID(w) && !randomString(s) {
		return false // an access key's id: who, not how (minio accessKey: workflows-root)
	}
	if authKey && authPair.MatchString(s) {
		// NEO4J_AUTH: neo4j/password, a user and a password in one value
		// (not a method's name, REGISTRY_AUTH: htpasswd).
		m := authPair.FindStringSubmatch(s)
		return ClassifyText(m[1], ValueContext{}) == PlainValue
	}
	if CredentialKey(key) && !amqpRoutingKey(key) && v.Tag != "!!int" && v.Tag != "!!float" {
		return !strings.HasPrefix(s, "/") && !strings.Contains(s, "\n") && !fileName.MatchString(s)
	}
	return false
}

// authScheme is the name of a way to log in (auth: oauth, auth_type: basic),
// a setting's keyword where a key may go (Forgejo's SIGNING_KEY: default), or
// a switch written as a string (pass-access-token: "false",
// PSONO_ALLOW_LOST_PASSWORD: "False").
// nssSources is nsswitch.conf's list of where a database is looked up
// (passwd: files systemd): no password.
var nssSources = regexp.MustCompile(`^(?:(?:files|compat|dns|nis|nisplus|systemd|sss|ldap|db|myhostname|mymachines|resolve|wins|mdns4?(?:_minimal)?|altfiles|winbind)(?:\s+\[[^\]]*\])?\s*)+$`)

// authPair is user/password or user:password in one value.
var authPair = regexp.MustCompile(`^[A-Za-z0-9_.-]+[/:]([^\s/:]{4,})$`)

var authScheme = regexp.MustCompile(`(?i)^(?:none|basic|bearer|digest|oauth2?|oidc|openid|ntlm|negotiate|kerberos|jwt|saml|ldap|mtls|anonymous|sigv4|iam|hmac|default|auto|builtin|true|false|yes|no|on|off|enabled?|disabled?)$`)

// fileName is a value that names a file (privateKey: private.key).
var fileName = regexp.MustCompile(`^[\w.-]+\.(?:key|pem|crt|cert|p12|pfx|jks|keystore|json|txt|conf)$`)

// amqpRoutingKey is a message broker's routing key (JUDGE_RESULT_ROUTING_KEY:
// judge.result): a routing label in an application's settings. (PagerDuty's
// routing_key is a secret, in the Alertmanager configs a Secret holds.)
func amqpRoutingKey(key string) bool {
	w := keyWords(key)
	return len(w) >= 2 && w[len(w)-2] == "routing" && w[len(w)-1] == "key"
}

// userinfoPassword is the password of a URL's user-info, or "".
func userinfoPassword(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return ""
	}
	p, _ := u.User.Password()
	return p
}

// RandomString is randomString: a generated token by its shape.
func RandomString(s string) bool { return randomString(s) }

// randomString is a long string of random-looking characters: a generated
// token that no key name announces. It needs one long run of letters and
// digits, mixed case or hex: UUIDs are identifiers, and words, hostnames and
// versions joined by dots and dashes are not random.
func randomString(s string) bool {
	if len(s) < 20 || !randomish.MatchString(s) || uuidShape.MatchString(s) {
		return false
	}
	run := ""
	for _, r := range alnumRun.FindAllString(s, -1) {
		if len(r) > len(run) {
			run = r
		}
	}
	if len(run) < 16 {
		return false
	}
	var upper, lower, digits, hex int
	for _, r := range run {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r >= 'A' && r <= 'Z':
			upper++
		default:
			lower++
			if r <= 'f' {
				hex++
			}
		}
	}
	mixed := upper > 0 && lower > 0 && digits > 0
	hexToken := upper == 0 && digits > 0 && hex == lower && len(run) >= 32
	return (mixed || hexToken) && entropy(run) >= 3.5
}

// entropy is the Shannon entropy of s in bits per character.
func entropy(s string) float64 {
	counts := map[rune]float64{}
	for _, r := range s {
		counts[r]++
	}
	n := float64(len([]rune(s)))
	h := 0.0
	for _, c := range counts {
		p := c / n
		h -= p * math.Log2(p)
	}
	return h
}

// configExts are the file types of line-oriented configuration an operator
// reads from a Secret: Java properties, JAAS, INI, TOML, env files.
var configExts = map[string]bool{".properties": true, ".conf": true, ".config": true, ".cfg": true,
	".ini": true, ".toml": true, ".env": true,
	// A database's init script (its CREATE USER … PASSWORD '…' is judged),
	// a stylesheet a Secret carries for an application's theme.
	".sql": true, ".css": true,
	// npm's registry settings (an _authToken line is judged), a Maven
	// settings.xml (its <password> elements are); Terraform's CLI config and
	// HCL (their key = value lines are).
	".npmrc": true, ".xml": true, ".terraformrc": true, ".hcl": true, ".tfvars": true,
	// A script an init container runs (a chart's configure_gitea.sh), a
	// Python settings module (netbox's configuration.py): their export X=…
	// and X = … lines and URLs are judged.
	".sh": true, ".py": true}

// credentialFileWords name files that hold credentials whatever their lines
// look like: users.properties (user=password), htpasswd, .credentials.
var credentialFileWords = map[string]bool{"users": true, "passwd": true, "password": true, "passwords": true,
	"credential": true, "credentials": true, "secret": true, "secrets": true, "htpasswd": true, "auth": true,
	"token": true, "tokens": true, "key": true, "keys": true, "shadow": true}

// strongCredentialFileWords say credentials anywhere in a file's name.
var strongCredentialFileWords = map[string]bool{"credential": true, "credentials": true, "password": true,
	"passwords": true, "passwd": true, "htpasswd": true, "secret": true, "secrets": true, "shadow": true}

// ConfigFileKey reports a Secret key that names a line-oriented
// configuration file (grafana.ini, broker.properties, login.config) that is
// not, by its name, a file of credentials (users.properties).
func ConfigFileKey(key string) bool {
	return configExts[strings.ToLower(path.Ext(key))] && !credentialFileName(key)
}

// credentialFileName is a file's name that says it holds credentials.
func credentialFileName(key string) bool {
	w := keyWords(strings.TrimSuffix(key, path.Ext(key)))
	if len(w) > 0 && credentialFileWords[w[len(w)-1]] {
		return true // users.properties, .htpasswd — not users-dn.properties
	}
	for _, x := range w {
		if strongCredentialFileWords[x] {
			return true // cluster-credentials.broker.properties
		}
	}
	return false
}

// LineConfigCredential judges line-oriented configuration (`key=value`,
// `key: value`, `[section]`, JAAS blocks) line by line, as ConfigCredential
// judges YAML: it leaks when a line carries a credential.
func LineConfigCredential(text string, ctx ValueContext) bool {
	if PrivateKeyIn(text) || tokenShape.MatchString(text) {
		return true
	}
	for _, m := range sqlPassword.FindAllStringSubmatch(text, -1) {
		if ClassifyText(m[1], ctx) == PlainValue {
			return true // CREATE USER app WITH PASSWORD '…', IDENTIFIED BY '…'
		}
	}
	for _, m := range npmAuth.FindAllStringSubmatch(text, -1) {
		if CredentialValue("authToken", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: m[1]}, ctx) {
			return true // //registry.npmjs.org/:_authToken=… in an .npmrc
		}
	}
	for _, m := range xmlElement.FindAllStringSubmatch(text, -1) {
		if CredentialValue(m[1], &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: strings.TrimSpace(m[2])}, ctx) {
			return true // <password>…</password> in a Maven settings.xml
		}
	}
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") || strings.HasPrefix(t, "//") || strings.HasPrefix(t, "!") ||
			strings.HasPrefix(t, "/*") || strings.HasPrefix(t, "*") ||
			strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			continue
		}
		i := strings.IndexAny(t, "=:")
		if i <= 0 {
			continue // a section, a JAAS login module line, a brace
		}
		key := strings.Trim(strings.TrimSpace(t[:i]), `"'`)
		val := strings.TrimSpace(t[i+1:])
		if j := strings.Index(val, " #"); j >= 0 {
			val = strings.TrimSpace(val[:j]) // --must-change-password=false # checkov:skip=…
		}
		val = strings.Trim(strings.TrimRight(val, ";,"), `"'`)
		if val == "" || codeLookup.MatchString(val) {
			continue // _load_secret("netbox", "db_password"), os.environ["DB_PASSWORD"]: code that reads it
		}
		if CredentialValue(key, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: val}, ctx) {
			return true
		}
	}
	return false
}

// codeLookup is a call or an index in a script or settings module: the value
// is read at run time.
var codeLookup = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.]*(?:\(.*\)|\[.*\])$`)

// npmAuth is an .npmrc credential line, scoped to a registry or not.
var npmAuth = regexp.MustCompile(`(?m)^\s*(?://\S*:)?_(?:authToken|auth|password)\s*=\s*(\S+)`)

// xmlElement is an element holding text: <password>changeme</password>.
var xmlElement = regexp.MustCompile(`<([A-Za-z_][A-Za-z0-9_.:-]*)>([^<>]+)</([A-Za-z_][A-Za-z0-9_.:-]*)>`)

// sqlPassword is a password in SQL: PASSWORD '…' (PostgreSQL's CREATE and
// ALTER USER/ROLE), IDENTIFIED BY '…' (MySQL, Oracle).
var sqlPassword = regexp.MustCompile(`(?i)\b(?:PASSWORD|IDENTIFIED\s+BY)\s+'([^']+)'`)

// credentialHints are what a text mentions when it may hold a credential by
// name or by shape; a workload or ConfigMap without any is not parsed. They
// are chosen not to match what most Deployments carry (imagePullSecrets,
// configMapKeyRef, http:// URLs without user-info).
var credentialHints = [][]byte{[]byte("passw"), []byte("passphrase"), []byte("_pass"), []byte("pass:"),
	[]byte("token"), []byte("_key"), []byte("-key"), []byte("apikey"), []byte("accesskey"), []byte("secretkey"),
	[]byte("privatekey"), []byte("private key"), []byte("credential"), []byte("akia"), []byte("asia"),
	[]byte("ghp_"), []byte("gho_"), []byte("ghs_"), []byte("github_pat_"), []byte("glpat-"), []byte("xox"),
	[]byte("sk_live_"), []byte("aiza"),
	// Airflow's fernetKey (camel-cased, so no _key): each hint is a pass
	// over every document, so only those real repositories showed missing.
	[]byte("fernet")}

var (
	secretLower = []byte("ecret")
	pullSecrets = []byte("imagepulls") // imagePullSecrets, lowercased
	schemeSep   = []byte("://")
	valueKey    = []byte("value:")
)

// CredentialHint is the byte pre-filter of plaintext-credential: a line that
// names a credential and gives it a literal on that line (`password: x`,
// `{name: DB_PASSWORD, value: x}`) or on the next (`- name: DB_PASSWORD` then
// `value: x`, not `valueFrom:`), a URL with user-info, or a token of a known
// shape. The Deployments most repositories hold — credentials from
// secretKeyRef, imagePullSecrets — are not parsed for it.
func CredentialHint(text []byte) bool {
	// Only the lines where a hint occurs are judged: find the occurrences in
	// the whole text (one search per hint, in an ASCII-lowercased copy of the
	// same length), not every hint on every line.
	lower := asciiLower(text)
	judged := map[int]bool{}
	judge := func(at int) bool {
		start := bytes.LastIndexByte(text[:at], '\n') + 1
		if judged[start] {
			return false
		}
		judged[start] = true
		end := len(text)
		if j := bytes.IndexByte(text[start:], '\n'); j >= 0 {
			end = start + j
		}
		return hintLine(text[start:end], text[end:])
	}
	for _, h := range credentialHints {
		if anyOccurrence(lower, h, nil, judge) {
			return true
		}
	}
	if anyOccurrence(lower, secretLower, pullSecrets, judge) {
		return true
	}
	return anyOccurrence(text, schemeSep, nil, func(at int) bool {
		start := bytes.LastIndexByte(text[:at], '\n') + 1
		end := len(text)
		if j := bytes.IndexByte(text[at:], '\n'); j >= 0 {
			end = at + j
		}
		return bytes.IndexByte(text[start:end], '@') >= 0 // a URL with user-info
	})
}

// hintLine judges a line that mentions a credential: it gives it a literal
// (`password: x`, a flow mapping with a value), or names an env entry whose
// next line is its literal value. rest is the text after the line.
func hintLine(l, rest []byte) bool {
	t := bytes.TrimSpace(bytes.TrimPrefix(bytes.TrimSpace(l), []byte("- ")))
	k, v, ok := bytes.Cut(t, []byte(":"))
	if !ok {
		return false
	}
	v = bytes.TrimSpace(v)
	kk := string(bytes.TrimSpace(k))
	if kk == "name" || kk == "key" { // an env name; a secretKeyRef's key
		next := bytes.TrimPrefix(rest, []byte("\n"))
		if j := bytes.IndexByte(next, '\n'); j >= 0 {
			next = next[:j]
		}
		return bytes.Contains(l, valueKey) || kk == "name" && bytes.Contains(next, valueKey)
	}
	return len(v) > 0 && v[0] != '|' && v[0] != '>' && v[0] != '#'
}

// asciiLower is text with A-Z lowercased, the same length (offsets hold).
func asciiLower(text []byte) []byte {
	out := make([]byte, len(text))
	for i, c := range text {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// commentPrefix is what comments and string quoting put before a key's lines:
// `## `, `// `, `; `, ` * `, `-- `, a quote.
var commentPrefix = regexp.MustCompile(`^[ \t]*(?:(?:#+|// |;+ |\* |-- )[ \t]*)*["']?`)

// minKeyMaterial is the smallest body a private key has: an Ed25519 key in
// PKCS#8 is 48 bytes of DER.
const minKeyMaterial = 32

// KeyMaterial reports whether the text after a BEGIN line holds a key: the
// base64 between it and the END line, with comment markers, indentation,
// quotes and escaped newlines (a key inside a JSON string) taken off and PEM
// headers (`Proc-Type: …`) skipped, decodes to at least minKeyMaterial bytes.
func KeyMaterial(rest []byte) bool {
	end := bytes.Index(rest, []byte("-----END "))
	if end < 0 || end > 64<<10 {
		return false
	}
	body := bytes.ReplaceAll(rest[:end], []byte(`\n`), []byte("\n"))
	var b64 []byte
	for _, line := range bytes.Split(body, []byte("\n")) {
		line = commentPrefix.ReplaceAll(line, nil)
		line = bytes.TrimRight(line, "'\",\\ \t\r")
		if len(line) == 0 || bytes.IndexByte(line, ':') >= 0 {
			continue // a blank line, or a PEM header such as Proc-Type or DEK-Info
		}
		b64 = append(b64, line...)
	}
	n, err := base64.StdEncoding.Decode(make([]byte, base64.StdEncoding.DecodedLen(len(b64))), b64)
	return err == nil && n >= minKeyMaterial
}

// PrivateKeyIn reports text with a PEM private key block that has key
// material in it (not the markers around "..." or a placeholder).
func PrivateKeyIn(s string) bool {
	for _, loc := range privateKey.FindAllStringIndex(s, -1) {
		if KeyMaterial([]byte(s[loc[1]:])) {
			return true
		}
	}
	return false
}
