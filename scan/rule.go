// Package scan finds leaks and misconfigurations in manifests: sources feed files,
// files become documents, rules turn documents into findings.
package scan

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secretguard/secretguard/config"
	"github.com/secretguard/secretguard/internal/words"
)

// Severity of a finding.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Off     Severity = "off"
)

// Rank orders severities for --fail-on: higher is worse.
func (s Severity) Rank() int {
	switch s {
	case Error:
		return 2
	case Warning:
		return 1
	}
	return 0
}

// Info describes a rule for reports (SARIF rule entries) and --help.
type Info struct {
	ID       string
	Severity Severity // default
	Short    string   // one line
	Help     string   // what to do about it
	Fixable  bool     // `secretguard seal` can fix its findings (each finding says whether it does)
	// WholeTree rules report that something is missing from the tree; they
	// stay quiet when only part of it was read (--staged, named files).
	WholeTree bool
	// Templates rules also read Helm templates parsed with their actions
	// masked (they judge values, not names or references).
	Templates bool
}

// Rule is anything that can produce findings; it is one of ObjectRule, FileRule
// or TreeRule.
type Rule interface {
	Info() Info
}

// ObjectRule checks one resource at a time.
type ObjectRule interface {
	Rule
	CheckObject(c *Context, o *Object, emit func(Finding))
}

// FileRule checks a file's raw bytes (any text file, not only manifests).
type FileRule interface {
	Rule
	CheckFile(c *Context, file string, data []byte, emit func(Finding))
}

// TreeRule checks what the whole scan collected, after every file was read.
type TreeRule interface {
	Rule
	CheckTree(c *Context, ix *Index, emit func(Finding))
}

var registry []Rule

func register(r Rule) { registry = append(registry, r) }

// Rules returns every rule, sorted by id.
func Rules() []Rule {
	out := append([]Rule(nil), registry...)
	sort.Slice(out, func(i, j int) bool { return out[i].Info().ID < out[j].Info().ID })
	return out
}

// Lookup returns the rule with that id.
func Lookup(id string) (Rule, error) {
	for _, r := range registry {
		if r.Info().ID == id {
			return r, nil
		}
	}
	return nil, fmt.Errorf("unknown rule %q", id)
}

// CheckConfig rejects rule ids that no rule has in a configuration's `rules:`
// and `allow:` entries: a typo there would silently change nothing.
func CheckConfig(cfg *config.Config) error {
	known := func(id string) bool { _, err := Lookup(id); return err == nil }
	var ids []string
	for _, r := range Rules() {
		ids = append(ids, r.Info().ID)
	}
	noRule := func(at, id string) config.Problem {
		msg := fmt.Sprintf("%s: no rule %q", at, id)
		if near := words.Nearest(id, ids); near != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", near)
		}
		return config.Problem{Line: cfg.Lines[at], Message: msg + "; rules: " + strings.Join(ids, ", ")}
	}
	var problems []config.Problem
	for id := range cfg.Rules {
		if !known(id) {
			problems = append(problems, noRule("rules."+id, id))
		}
	}
	for i, a := range cfg.Allow {
		if a.Rule != "" && !known(a.Rule) {
			problems = append(problems, noRule(fmt.Sprintf("allow[%d].rule", i), a.Rule))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	sort.Slice(problems, func(i, j int) bool { return problems[i].Line < problems[j].Line })
	return &config.Error{File: cfg.Path, Problems: problems}
}

// DefaultSeverity is a rule's default severity; "error" for an id no rule has.
func DefaultSeverity(id string) string {
	if r, err := Lookup(id); err == nil {
		return string(r.Info().Severity)
	}
	return string(Error)
}
