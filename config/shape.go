package config

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/secretguard/secretguard/internal/words"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Error lists every problem of a configuration file, each with its line, so
// that one run shows all of them:
//
//	.secretguard.yaml:4: environments.prod: unknown key "pahts" (did you mean paths?); allowed keys: cert, paths, namespace
type Error struct {
	File     string // as the user named it; empty for bytes without a file
	Problems []Problem
}

// Problem is one mistake in a configuration.
type Problem struct {
	Line    int // 0 when unknown
	Message string
}

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		var where string
		switch {
		case e.File != "" && p.Line > 0:
			where = fmt.Sprintf("%s:%d: ", e.File, p.Line)
		case e.File != "":
			where = e.File + ": "
		case p.Line > 0:
			where = fmt.Sprintf("line %d: ", p.Line)
		}
		lines[i] = where + p.Message
	}
	return strings.Join(lines, "\n")
}

// checkShape walks the file's YAML against the type it decodes into and lists
// what does not fit — unknown keys (with the nearest allowed one), a list
// where a mapping belongs — in the words of the file, not of Go types. It
// also records the line of every entry under its path (environments.prod,
// allow[0], rules.raw-secret).
func checkShape(n *yaml.Node, t reflect.Type, path string, lines map[string]int, out *[]Problem) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if path != "" {
		if _, ok := lines[path]; !ok {
			lines[path] = n.Line
		}
	}
	bad := func(want string) {
		what := path
		if what == "" {
			what = "the file"
		}
		*out = append(*out, Problem{n.Line, fmt.Sprintf("%s: want %s, not %s", what, want, kindOf(n))})
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // an empty entry decodes to its zero value
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			bad("a mapping of " + strings.Join(fieldNames(t), ", "))
			return
		}
		names := fieldNames(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			f, ok := fieldByName(t, k.Value)
			if !ok {
				msg := fmt.Sprintf("unknown key %q", k.Value)
				if near := words.Nearest(k.Value, names); near != "" {
					msg += fmt.Sprintf(" (did you mean %s?)", near)
				}
				msg += "; allowed keys: " + strings.Join(names, ", ")
				if path != "" {
					msg = path + ": " + msg
				}
				*out = append(*out, Problem{k.Line, msg})
				continue
			}
			checkShape(v, f.Type, join(path, k.Value), lines, out)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			bad("a mapping")
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			lines[join(path, n.Content[i].Value)] = n.Content[i].Line
			checkShape(n.Content[i+1], t.Elem(), join(path, n.Content[i].Value), lines, out)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			if n.Kind == yaml.ScalarNode && t.Elem().Kind() == reflect.String {
				bad(fmt.Sprintf("a list, such as [%q]", n.Value))
			} else {
				bad("a list")
			}
			return
		}
		for i, c := range n.Content {
			checkShape(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i), lines, out)
		}
	case reflect.String:
		if n.Kind != yaml.ScalarNode {
			bad("a string")
		}
	case reflect.Int64:
		if _, err := strconv.ParseInt(n.Value, 0, 64); n.Kind != yaml.ScalarNode || err != nil {
			bad("a whole number of bytes")
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindOf(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

// fieldNames are the keys a struct decodes, in declaration order.
func fieldNames(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		if name := yamlName(t.Field(i)); name != "" {
			out = append(out, name)
		}
	}
	return out
}

func fieldByName(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		if yamlName(t.Field(i)) == key {
			return t.Field(i), true
		}
	}
	return reflect.StructField{}, false
}

func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	return name
}

// sortProblems orders problems by line, as the file reads.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Line < ps[j].Line })
}
