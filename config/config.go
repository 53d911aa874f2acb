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
	// Lines are the file lines of entries, for findings about the config
	// itself: "rules.ID", "allow[N]", "exclude[N]".
	Lines map[string]int
}

// Environment is one cluster: its controller's certificate and the paths that deploy to it.
type Environment struct {
	Name      string
	Cert      string   // repo-relative path of the certificate
	Paths     []string // repo-relative doublestar globs
	Namespace string   // for Secrets that name none
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
	Cert      string   `yaml:"cert"`
	Paths     []string `yaml:"paths"`
	Namespace string   `yaml:"namespace"`
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
// error (explicit=false): the zero configuration applies.
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
		return nil, fmt.Errorf("config %s: %s", path, strings.ReplaceAll(strings.ReplaceAll(err.Error(), " in type config.file", ""), "\n ", ""))
	}
	c.Path = path
	return c, nil
}

// Parse parses and validates configuration bytes. Unknown keys are errors: a typo
// such as `exlude:` must not silently scan what the user meant to skip.
func Parse(data []byte) (*Config, error) {
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	c := &Config{
		Lines:          entryLines(data),
		Scope:          f.Scope,
		Exclude:        f.Exclude,
		Rules:          f.Rules,
		Allow:          f.Allow,
		MaxFileSize:    f.MaxFileSize,
		ExternalStores: f.External,
		AllowComments:  f.AllowComment,
	}
	if c.MaxFileSize <= 0 {
		c.MaxFileSize = DefaultMaxFileSize
	}
	if err := sealedsecret.CheckScope(c.Scope); err != nil {
		return nil, err
	}
	for id, sev := range c.Rules {
		switch sev {
		case "error", "warning", "off":
		default:
			return nil, fmt.Errorf("rules.%s: severity %q: want error, warning or off", id, sev)
		}
	}
	for _, a := range c.AllowComments {
		if AllowMarker(a) == "" {
			return nil, fmt.Errorf("allowComments: %q: want gitleaks or detect-secrets", a)
		}
	}
	for i, st := range c.ExternalStores {
		if st.Kind != "SecretStore" && st.Kind != "ClusterSecretStore" || st.Name == "" {
			return nil, fmt.Errorf("externalStores[%d]: want kind SecretStore or ClusterSecretStore and a name", i)
		}
	}
	for _, g := range c.Exclude {
		if !doublestar.ValidatePattern(g) {
			return nil, fmt.Errorf("exclude: bad glob %q", g)
		}
	}
	for i, a := range c.Allow {
		if a.Rule == "" && a.Path == "" && a.Name == "" {
			return nil, fmt.Errorf("allow[%d]: names no rule, path or name", i)
		}
		if a.Path != "" && !doublestar.ValidatePattern(a.Path) {
			return nil, fmt.Errorf("allow[%d]: bad glob %q", i, a.Path)
		}
	}
	names := make([]string, 0, len(f.Environments))
	for n := range f.Environments {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		e := f.Environments[n]
		if e.Cert == "" {
			return nil, fmt.Errorf("environments.%s: no cert", n)
		}
		for _, g := range e.Paths {
			if !doublestar.ValidatePattern(g) {
				return nil, fmt.Errorf("environments.%s: bad glob %q", n, g)
			}
		}
		c.Environments = append(c.Environments, Environment{
			Name: n, Cert: filepath.ToSlash(e.Cert), Paths: e.Paths, Namespace: e.Namespace,
		})
	}
	return c, nil
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
	for _, a := range c.Allow {
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
		return true
	}
	return false
}

// entryLines finds the lines of the entries that findings about the config
// point at; the file decoded already, so a node tree is there to be had.
func entryLines(data []byte) map[string]int {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	out := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "rules":
			for j := 0; j+1 < len(v.Content); j += 2 {
				out["rules."+v.Content[j].Value] = v.Content[j].Line
			}
		case "allow", "exclude":
			for j, it := range v.Content {
				out[fmt.Sprintf("%s[%d]", k.Value, j)] = it.Line
			}
		}
	}
	return out
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
