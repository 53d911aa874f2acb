package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	c, err := Parse([]byte(`
environments:
  stage: {cert: certs/stage.pem, paths: ["**/stage/**"], namespace: staging}
  prod: {cert: certs/prod.pem, paths: ["clusters/prod/**"]}
scope: namespace-wide
exclude: ["**/charts/*/templates/**"]
rules: {reflector-external-secret: off, raw-secret: warning}
allow:
  - {rule: raw-secret, path: "testdata/**"}
  - {name: web/registry}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Environments) != 2 || c.Environments[0].Name != "prod" || c.Environments[1].Namespace != "staging" {
		t.Errorf("environments %+v", c.Environments)
	}
	if !c.Excluded("x/charts/redis/templates/s.yaml") || c.Excluded("x/charts/redis/values.yaml") {
		t.Error("exclude")
	}
	if c.Severity("raw-secret", "error") != "warning" || c.Severity("private-key", "error") != "error" {
		t.Error("severity")
	}
	for _, tc := range []struct {
		rule, path, ns, name string
		want                 bool
	}{
		{"raw-secret", "testdata/a.yaml", "", "x", true},
		{"raw-secret", "apps/a.yaml", "", "x", false},
		{"private-key", "apps/a.yaml", "web", "registry", true},
		{"private-key", "apps/a.yaml", "other", "registry", false},
	} {
		if got := c.Allowed(tc.rule, tc.path, tc.ns, tc.name); got != tc.want {
			t.Errorf("Allowed(%+v) = %v", tc, got)
		}
	}
	if c.MaxFileSize != DefaultMaxFileSize {
		t.Errorf("max file size %d", c.MaxFileSize)
	}
}

func TestParseErrors(t *testing.T) {
	top := "allowed keys: environments, scope, exclude, rules, allow, maxFileSize, externalStores, allowComments"
	for in, want := range map[string]string{
		"exlude: [x]":                           `line 1: unknown key "exlude" (did you mean exclude?); ` + top,
		"scope: wide":                           `line 1: scope "wide": want strict, namespace-wide, cluster-wide`,
		"rules: {raw-secret: fatal}":            `line 1: rules.raw-secret: severity "fatal": want error, warning or off`,
		"exclude: ['[']":                        `line 1: exclude[0]: bad glob "["`,
		"exclude: vendor/**":                    `line 1: exclude: want a list, such as ["vendor/**"], not "vendor/**"`,
		"allow: [{}]":                           "line 1: allow[0]: names no rule, path or name",
		"environments: {prod: {paths: [a/**]}}": "line 1: environments.prod: no cert: name the certificate file (cert: certs/prod.pem)",
		"environments: [a]":                     "line 1: environments: want a mapping, not a list",
		"maxFileSize: big":                      `line 1: maxFileSize: want a whole number of bytes, not "big"`,
		"scope: [":                              "line 1: not YAML: line 1: did not find expected node content",
		// Every mistake, in file order, each with its line and the keys allowed there.
		"environments:\n  prod:\n    cert: certs/prod.pem\n    pahts: [\"apps/**\"]\nallow:\n  - rule: raw-secret\n  - pth: x\n": "" +
			`line 4: environments.prod: unknown key "pahts" (did you mean paths?); allowed keys: cert, paths, namespace, context, controller` + "\n" +
			`line 7: allow[1]: unknown key "pth" (did you mean path?); allowed keys: rule, path, name`,
	} {
		_, err := Parse([]byte(in))
		if err == nil || err.Error() != want {
			t.Errorf("%q:\n got %v\nwant %s", in, err, want)
		}
	}
	if c, err := Parse(nil); err != nil || len(c.Environments) != 0 {
		t.Errorf("empty: %v", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if c, err := Load(filepath.Join(dir, FileName), false); err != nil || c.Path != "" {
		t.Errorf("missing default config: %v", err)
	}
	if _, err := Load(filepath.Join(dir, "nope.yaml"), true); err == nil {
		t.Error("missing explicit config is an error")
	}
	p := filepath.Join(dir, FileName)
	os.WriteFile(p, []byte("scope: strict\n"), 0o644)
	if c, err := Load(p, false); err != nil || c.Scope != "strict" || c.Path != p {
		t.Errorf("Load: %+v %v", c, err)
	}
	os.WriteFile(p, []byte("scope: strict\nrules:\n  raw-secret: fatal\n"), 0o644)
	if _, err := Load(p, false); err == nil || err.Error() != p+`:3: rules.raw-secret: severity "fatal": want error, warning or off` {
		t.Errorf("Load names the file and line: %v", err)
	}
}

func TestWeakened(t *testing.T) {
	base, err := Parse([]byte("rules: {duplicate-secret: off, cert-expiry: error}\nallow: [{rule: raw-secret, path: \"testdata/**\"}]\nexclude: [\"vendor/**\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	head, err := Parse([]byte("rules:\n  cert-expiry: warning\n  raw-secret: error\nallow:\n  - {rule: raw-secret, path: \"testdata/**\"}\n  - {name: web/db}\nexclude: [\"vendor/**\", \"apps/**\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	defaults := func(id string) string {
		if id == "cert-expiry" || id == "duplicate-secret" {
			return "warning"
		}
		return "error"
	}
	var got []string
	for _, w := range Weakened(base, head, defaults) {
		got = append(got, fmt.Sprintf("%d %s", w.Line, w.Message))
	}
	want := []string{
		"2 rules.cert-expiry: warning, where the merge-base has error: this change lets cert-expiry findings through",
		`6 allow[1] is new (rule "", path "", name "web/db"): findings it matches are no longer reported`,
		`7 exclude "apps/**" is new: files it matches are no longer read`,
	}
	// duplicate-secret goes from off back to its default: stronger, not weaker.
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
