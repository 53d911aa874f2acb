package manifest

import (
	"bytes"
	"path"
	"regexp"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// SOPS: what a repository's .sops.yaml says must be encrypted, and whether a
// file is.

// SOPSRule is one creation_rules entry of a .sops.yaml.
type SOPSRule struct {
	PathRegex string
	Line      int // in the .sops.yaml
	re        *regexp.Regexp
	// Whole: no encrypted_regex/suffix or unencrypted_* setting, so sops
	// encrypts every value of a file it creates.
	Whole bool
	// encrypted is the rule's encrypted_regex: sops encrypts the values of
	// the keys it matches, and nothing of a file with none.
	encrypted *regexp.Regexp
}

// SelectsNothing reports YAML in which the rule's encrypted_regex matches no
// key: sops would leave such a file (a Flux Kustomization named
// infrastructure-shared-secrets.yaml) all in plaintext, so it is not one
// that should be encrypted. False when the rule has no encrypted_regex or
// the data does not parse.
func (r SOPSRule) SelectsNothing(data []byte) bool {
	if r.encrypted == nil {
		return false
	}
	for _, d := range Documents(data, false) {
		if d.Blank() {
			continue
		}
		if d.Parse() != nil {
			return false
		}
		found := false
		Walk(d.Node, "", func(n *yaml.Node, _ string) bool {
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if r.encrypted.MatchString(n.Content[i].Value) {
						found = true
					}
				}
			}
			return !found
		})
		if found {
			return false
		}
	}
	return true
}

// ParseSOPSConfig reads the creation rules of a .sops.yaml. Rules with no
// path_regex (they apply to any file sops is asked to encrypt) and rules
// whose regex Go cannot read are left out: they say nothing of a file.
func ParseSOPSConfig(data []byte) []SOPSRule {
	n, err := yaml.Parse(string(data))
	if err != nil {
		return nil
	}
	out := []SOPSRule{} // a .sops.yaml with no rule for files still is the nearest one
	for _, r := range Seq(Field(Resolve(n.YNode()), "creation_rules")) {
		pr := Scalar(Field(r, "path_regex"))
		if pr == "" {
			continue
		}
		re, err := regexp.Compile(pr)
		if err != nil {
			continue
		}
		whole := true
		for _, k := range []string{"encrypted_regex", "encrypted_suffix", "encrypted_comment_regex", "unencrypted_regex", "unencrypted_suffix", "unencrypted-regex", "unencrypted_comment_regex"} {
			whole = whole && Field(r, k) == nil
		}
		rule := SOPSRule{PathRegex: pr, Line: r.Line, re: re, Whole: whole}
		if er := Scalar(Field(r, "encrypted_regex")); er != "" {
			rule.encrypted, _ = regexp.Compile(er)
		}
		out = append(out, rule)
	}
	return out
}

// Matches reports whether the rule's path_regex matches a path relative to the
// .sops.yaml's folder, as sops matches it (unanchored).
func (r SOPSRule) Matches(rel string) bool { return r.re.MatchString(rel) }

// NamesEncryption reports a path_regex that says its files are encrypted ones
// — `\.sops\.ya?ml$`, `\.enc\.yaml`, `secrets/` — rather than a folder sops
// may be asked to encrypt files of (`kubernetes/main/.*\.ya?ml`): a file its
// name puts under such a rule was meant to be committed encrypted.
// A word the regex only allows (`.*(\.sops)?\.(yaml|json)$`, a catch-all
// that picks the key for every file) says nothing: a plain file's name
// matching it is the test.
func (r SOPSRule) NamesEncryption() bool {
	if r.re != nil {
		for _, plain := range []string{"apps/app/release.yaml", "release.yml", "config.json", "app.env"} {
			if r.re.MatchString(plain) {
				return false
			}
		}
	}
	p := strings.ToLower(r.PathRegex)
	for _, w := range []string{"sops", "enc", "secret", "crypt"} {
		if strings.Contains(p, w) {
			return true
		}
	}
	return false
}

// SOPSEncrypted reports a file that sops encrypted, in any of its formats:
// YAML or JSON with its sops metadata, dotenv or INI with sops_ keys, or the
// binary format's JSON.
func SOPSEncrypted(data []byte) bool {
	if !bytes.Contains(data, []byte("sops")) {
		return false
	}
	for _, marker := range [][]byte{[]byte("\nsops:"), []byte("\"sops\":"), []byte("sops_mac="), []byte("sops_version="), []byte("\nsops_mac")} {
		if bytes.Contains(data, marker) {
			return true
		}
	}
	return bytes.HasPrefix(data, []byte("sops:"))
}

// SOPSRuleFor is the creation rule that keeps file (repo-relative) encrypted:
// the rule sops would take for it — the first whose path_regex matches, in
// the nearest .sops.yaml above it — when that rule names encrypted files.
// configOf gives a folder's .sops.yaml rules, and whether it has one.
func SOPSRuleFor(file string, configOf func(dir string) ([]SOPSRule, bool)) (cfg string, rule SOPSRule, ok bool) {
	for d := path.Dir(file); ; d = path.Dir(d) {
		if rules, has := configOf(d); has {
			rel := file
			if d != "." {
				rel = strings.TrimPrefix(file, d+"/")
			}
			for _, r := range rules {
				if r.Matches(rel) {
					return path.Join(d, ".sops.yaml"), r, r.NamesEncryption()
				}
			}
			return "", SOPSRule{}, false
		}
		if d == "." || d == "/" {
			return "", SOPSRule{}, false
		}
	}
}
