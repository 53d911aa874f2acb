// Package config reads .secretguard.yaml, the optional per-repository configuration.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/secretguard/secretguard/sealedsecret"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// FileName is the configuration file looked up at the repository root.
const FileName = ".secretguard.yaml"

// Config is the parsed configuration. A repository without a config file gets
// Load's defaults (DefaultMaxFileSize); the zero value has no size limit.
type Config struct {
	// Environments in name order.
	Environments []Environment
	Scope        string
	Exclude      []string
	// Rules maps a rule id to "error", "warning" or "off".
	Rules map[string]string
	Allow []Allow
	// Path of the file this was read from; empty when there is none.
	Path string
	// MaxFileSize in bytes; a text file larger than this is not read and is a
	// file-too-large finding.
	MaxFileSize int64
	// AllowComments names the other scanners whose allow comments are
	// honoured: "gitleaks" (`gitleaks:allow`), "detect-secrets"
	// (`pragma: allowlist secret`).
	AllowComments []string
	// ExternalStores are SecretStores and ClusterSecretStores that exist in
	// the cluster without a manifest here (a chart or an operator makes them).
	ExternalStores []ExternalStore
	// Lines are the file lines of entries, by path, for findings and errors
	// about the config itself: "rules.ID", "allow[N]", "exclude[N]",
	// "environments.NAME.paths[0]".
	Lines map[string]int
}

// Environment is one cluster: its controller's certificate and the paths that deploy to it.
type Environment struct {
	Name      string
	Cert      string   // repo-relative path of the certificate
	Paths     []string // repo-relative doublestar globs
	Namespace string   // for Secrets that name none
	// Context is the kubeconfig context of the environment's cluster, and
	// ControllerName/ControllerNamespace its sealed-secrets controller:
	// where `certs fetch` asks for the current certificate ("" for
	// kubeseal's defaults).
	Context                             string
	ControllerName, ControllerNamespace string
}

// ExternalStore names a store created outside the repository.
type ExternalStore struct {
	Kind      string `yaml:"kind"` // SecretStore or ClusterSecretStore
	Name      string `yaml:"name"`
	Namespace string `yaml:"namespace"` // SecretStore only; empty: any namespace
}

// ExternalStore reports whether a store is declared under externalStores.
func (c *Config) ExternalStore(kind, namespace, name string) bool {
	for _, s := range c.ExternalStores {
		if s.Kind == kind && s.Name == name && (s.Namespace == "" || s.Namespace == namespace) {
			return true
		}
	}
	return false
}

// Allow accepts findings: every field that is set must match.
type Allow struct {
	Rule string `yaml:"rule"`
	Path string `yaml:"path"` // doublestar glob, repo-relative
	Name string `yaml:"name"` // resource name, or namespace/name
}

// DefaultMaxFileSize is generous: real manifests are far smaller, but a generated
// 40 MB bundle must not stall a pre-commit hook.
const DefaultMaxFileSize = 64 << 20

type fileEnv struct {
	Cert       string         `yaml:"cert"`
	Paths      []string       `yaml:"paths"`
	Namespace  string         `yaml:"namespace"`
	Context    string         `yaml:"context"`
	Controller fileController `yaml:"controller"`
}

type fileController struct {
	Name      string `yaml:"name"`
	Namespace string `yaml:"namespace"`
}

type file struct {
	Environments map[string]fileEnv `yaml:"environments"`
	Scope        string             `yaml:"scope"`
	Exclude      []string           `yaml:"exclude"`
	Rules        map[string]string  `yaml:"rules"`
	Allow        []Allow            `yaml:"allow"`
	MaxFileSize  int64              `yaml:"maxFileSize"`
	External     []ExternalStore    `yaml:"externalStores"`
	AllowComment []string           `yaml:"allowComments"`
}

// Load reads the config at path. A missing file at the default location is not an
// error (explicit=false): the zero configuration applies. A file with mistakes
// is an *Error that names the file and lists every mistake with its line.
func Load(path string, explicit bool) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if !explicit && errors.Is(err, fs.ErrNotExist) {
			return &Config{MaxFileSize: DefaultMaxFileSize}, nil
		}
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			ce.File = path
			return nil, ce
		}
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	c.Path = path
	return c, nil
}

// Parse parses and validates configuration bytes. Unknown keys are errors: a typo
// such as `exlude:` must not silently scan what the user meant to skip. Every
// mistake is listed, each with its line (an *Error).
func Parse(data []byte) (*Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &Error{Problems: []Problem{{yamlErrorLine(err), "not YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}}}
	}
	lines := map[string]int{}
	var problems []Problem
	if len(doc.Content) > 0 {
		checkShape(doc.Content[0], reflect.TypeOf(file{}), "", lines, &problems)
	}
	if len(problems) > 0 {
		sortProblems(problems)
		return nil, &Error{Problems: problems}
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		// The shape check lets nothing through that the decoder refuses;
		// this is the backstop, in the decoder's words.
		return nil, &Error{Problems: []Problem{{yamlErrorLine(err), strings.TrimPrefix(err.Error(), "yaml: ")}}}
	}
	c := &Config{
		Lines:          lines,
		Scope:          f.Scope,
		Exclude:        f.Exclude,
		Rules:          f.Rules,
		Allow:          f.Allow,
		MaxFileSize:    f.MaxFileSize,
		ExternalStores: f.External,
		AllowComments:  f.AllowComment,
	}
	bad := func(path, format string, a ...any) {
		problems = append(problems, Problem{lines[path], path + ": " + fmt.Sprintf(format, a...)})
	}
	if c.MaxFileSize <= 0 {
		c.MaxFileSize = DefaultMaxFileSize
	}
	if err := sealedsecret.CheckScope(c.Scope); err != nil {
		problems = append(problems, Problem{lines["scope"], err.Error()})
	}
	for id, sev := range c.Rules {
		switch sev {
		case "error", "warning", "off":
		default:
			bad("rules."+id, "severity %q: want error, warning or off", sev)
		}
	}
	for i, a := range c.AllowComments {
		if AllowMarker(a) == "" {
			bad(fmt.Sprintf("allowComments[%d]", i), "%q: want gitleaks or detect-secrets", a)
		}
	}
	for i, st := range c.ExternalStores {
		if st.Kind != "SecretStore" && st.Kind != "ClusterSecretStore" || st.Name == "" {
			bad(fmt.Sprintf("externalStores[%d]", i), "want kind SecretStore or ClusterSecretStore and a name")
		}
	}
	for i, g := range c.Exclude {
		if !doublestar.ValidatePattern(g) {
			bad(fmt.Sprintf("exclude[%d]", i), "bad glob %q", g)
		}
	}
	for i, a := range c.Allow {
		at := fmt.Sprintf("allow[%d]", i)
		if a.Rule == "" && a.Path == "" && a.Name == "" {
			bad(at, "names no rule, path or name")
		}
		if a.Path != "" && !doublestar.ValidatePattern(a.Path) {
			bad(at, "bad glob %q", a.Path)
		}
	}
	names := make([]string, 0, len(f.Environments))
	for n := range f.Environments {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		e := f.Environments[n]
		at := "environments." + n
		if e.Cert == "" {
			bad(at, "no cert: name the certificate file (cert: certs/%s.pem)", n)
		}
		for _, g := range e.Paths {
			if !doublestar.ValidatePattern(g) {
				bad(at, "bad glob %q", g)
			}
		}
		c.Environments = append(c.Environments, Environment{
			Name: n, Cert: filepath.ToSlash(e.Cert), Paths: e.Paths, Namespace: e.Namespace,
			Context: e.Context, ControllerName: e.Controller.Name, ControllerNamespace: e.Controller.Namespace,
		})
	}
	if len(problems) > 0 {
		sortProblems(problems)
		return nil, &Error{Problems: problems}
	}
	return c, nil
}

// yamlErrorLine is the line a YAML error names ("yaml: line 4: …"), or 0.
func yamlErrorLine(err error) int {
	s := err.Error()
	i := strings.Index(s, "line ")
	if i < 0 {
		return 0
	}
	n := 0
	for _, r := range s[i+5:] {
		if r < '0' || r > '9' {
			break
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// Excluded reports whether a repo-relative slash path matches an exclude glob.
func (c *Config) Excluded(rel string) bool {
	for _, g := range c.Exclude {
		if ok, _ := doublestar.Match(g, rel); ok {
			return true
		}
	}
	return false
}

// Severity returns the configured severity of a rule, or def when none is set.
func (c *Config) Severity(rule, def string) string {
	if s, ok := c.Rules[rule]; ok {
		return s
	}
	return def
}

// Allowed reports whether an allow entry accepts a finding of rule on rel for the
// resource namespace/name.
func (c *Config) Allowed(rule, rel, namespace, name string) bool {
	return c.AllowedBy(rule, rel, namespace, name) >= 0
}

// AllowedBy is the index of the first allow entry that accepts a finding, or -1.
func (c *Config) AllowedBy(rule, rel, namespace, name string) int {
	for i, a := range c.Allow {
		if a.Rule != "" && a.Rule != rule {
			continue
		}
		if a.Path != "" {
			if ok, _ := doublestar.Match(a.Path, rel); !ok {
				continue
			}
		}
		if a.Name != "" && a.Name != name && a.Name != namespace+"/"+name {
			continue
		}
		return i
	}
	return -1
}

// Weakening is a change to the configuration that makes the gate let more
// through: a rule turned down or off, an allow or exclude entry added.
type Weakening struct {
	Line    int // in the new configuration's file; 0 when unknown
	Message string
}

// Weakened compares a configuration with the one it replaces (base, from the
// merge-base of a pull request) and lists what it weakens. defaultOf gives a
// rule's default severity.
func Weakened(base, head *Config, defaultOf func(rule string) string) []Weakening {
	rank := map[string]int{"off": 0, "warning": 1, "error": 2}
	var out []Weakening
	ids := map[string]bool{}
	for id := range base.Rules {
		ids[id] = true
	}
	for id := range head.Rules {
		ids[id] = true
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	for _, id := range sorted {
		def := defaultOf(id)
		b, h := base.Severity(id, def), head.Severity(id, def)
		if rank[h] < rank[b] {
			out = append(out, Weakening{Line: head.Lines["rules."+id],
				Message: fmt.Sprintf("rules.%s: %s, where the merge-base has %s: this change lets %s findings through", id, h, b, id)})
		}
	}
	inBase := map[Allow]bool{}
	for _, a := range base.Allow {
		inBase[a] = true
	}
	for i, a := range head.Allow {
		if !inBase[a] {
			out = append(out, Weakening{Line: head.Lines[fmt.Sprintf("allow[%d]", i)],
				Message: fmt.Sprintf("allow[%d] is new (rule %q, path %q, name %q): findings it matches are no longer reported", i, a.Rule, a.Path, a.Name)})
		}
	}
	excluded := map[string]bool{}
	for _, g := range base.Exclude {
		excluded[g] = true
	}
	for i, g := range head.Exclude {
		if !excluded[g] {
			out = append(out, Weakening{Line: head.Lines[fmt.Sprintf("exclude[%d]", i)],
				Message: fmt.Sprintf("exclude %q is new: files it matches are no longer read", g)})
		}
	}
	return out
}

// AllowMarker is the comment another scanner's users write to accept a line.
func AllowMarker(scanner string) string {
	switch scanner {
	case "gitleaks":
		return "gitleaks:allow"
	case "detect-secrets":
		return "pragma: allowlist secret"
	}
	return ""
}
