package scan

import (
	"fmt"
	"sort"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// perDocument gathers what a rule finds key by key in one document, so that
// it reports one finding per mistake, not one per key: at the first place,
// with every key, and the problems grouped ("a, b are not base64; c is …").
type perDocument struct {
	o        *Object
	first    *yaml.Node
	line     int
	col      int
	keys     []string
	problems map[string][]string // problem -> keys
	order    []string
}

func newPerDocument(o *Object) *perDocument {
	return &perDocument{o: o, problems: map[string][]string{}}
}

// add records key's problem, found at node at.
func (g *perDocument) add(at *yaml.Node, key, problem string) {
	if line := g.o.Doc.LineOf(at); g.first == nil || line < g.line {
		g.first, g.line, g.col = at, line, at.Column
	}
	g.keys = append(g.keys, key)
	if _, ok := g.problems[problem]; !ok {
		g.order = append(g.order, problem)
	}
	g.problems[problem] = append(g.problems[problem], key)
}

// emit reports the gathered keys as one finding: what(list) is the message
// after the object's reference.
func (g *perDocument) emit(emit func(Finding), prefix string) {
	if g.first == nil {
		return
	}
	var parts []string
	for _, p := range g.order {
		ks := g.problems[p]
		if len(ks) > 1 { // the problems are phrased for one key
			if rest, ok := strings.CutPrefix(p, "is "); ok {
				p = "are " + rest
			} else if rest, ok := strings.CutPrefix(p, "has "); ok {
				p = "have " + rest
			}
		}
		parts = append(parts, fmt.Sprintf("%s%s %s", prefix, strings.Join(ks, ", "+prefix), p))
	}
	keys := append([]string(nil), g.keys...)
	sort.Strings(keys)
	emit(Finding{Line: g.line, Column: g.col, Keys: keys,
		Message: fmt.Sprintf("%s: %s", g.o.Ref(), strings.Join(parts, "; "))})
}
