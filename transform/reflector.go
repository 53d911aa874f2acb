package transform

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/sealedsecret"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// fixReflector repairs a SealedSecret whose own metadata carries reflector
// annotations: move (reflector-misplaced) puts those the template lacks into
// spec.template.metadata.annotations, where reflector reads them on the Secret
// the controller makes; drop (reflector-redundant) removes the copies the
// template already holds with the same value. Only whole lines move, re-indented;
// a key whose template value differs is left: which value is meant is the
// user's call.
func fixReflector(d *manifest.Document, move, drop bool, eol string) ([]Edit, []Fixed, []Left) {
	line := d.ContentLine()
	left := func(rule, why string) []Left { return []Left{{Rule: rule, Line: line, Why: why}} }
	rule := ReflectorMisplaced
	if !move {
		rule = ReflectorRedundant
	}
	root := d.Node
	if d.Template || root == nil || root.Kind != yaml.MappingNode {
		return nil, nil, left(rule, "a template or a document fix cannot rewrite")
	}
	l := newLines(d)
	md, ok := plainField(root, "metadata")
	own, ok2 := plainField(md, "annotations")
	if !ok || !ok2 || !l.block(md) || !l.block(own) {
		return nil, nil, left(rule, "its metadata.annotations is not a plain block mapping (flow style, an alias or a duplicate key): move the annotations by hand")
	}
	tmpl := manifest.Path(root, "spec", "template", "metadata", "annotations")
	var moved, dropped, differ []string
	var movedText []byte
	var edits []Edit
	removedAll := true
	fromIndent := l.childIndent(own)
	for i := 0; i+1 < len(own.Content); i += 2 {
		k, v := own.Content[i], own.Content[i+1]
		if !strings.HasPrefix(k.Value, manifest.ReflectorPrefix) {
			removedAll = false
			continue
		}
		from, to, _, _ := l.entry(k)
		tv := manifest.Field(tmpl, k.Value)
		switch {
		case tv != nil && manifest.Scalar(tv) == manifest.Scalar(v):
			if !drop {
				removedAll = false
				continue
			}
			dropped = append(dropped, k.Value)
		case tv != nil:
			differ = append(differ, k.Value)
			removedAll = false
			continue
		default:
			if !move {
				removedAll = false
				continue
			}
			moved = append(moved, k.Value)
			movedText = append(movedText, l.lineRange(from, to)...)
		}
		edits = append(edits, Edit{Start: l.offset(from), End: l.offset(to)})
	}
	var lefts []Left
	if move && len(differ) > 0 {
		lefts = append(lefts, Left{Rule: ReflectorMisplaced, Line: line, Why: fmt.Sprintf("%s: the value differs from the one in spec.template.metadata.annotations, which is what reflector reads: keep one value by hand",
			strings.Join(differ, ", "))})
	}
	if len(edits) == 0 {
		return nil, nil, lefts
	}
	if removedAll {
		// Nothing stays in metadata.annotations: the key goes too.
		from, to, _, _ := l.entry(manifest.KeyNode(md, "annotations"))
		edits = []Edit{{Start: l.offset(from), End: l.offset(to)}}
	}
	if len(moved) > 0 {
		ins, err := insertUnderTemplate(l, root, movedText, fromIndent, eol)
		if err != "" {
			return nil, nil, append(lefts, Left{Rule: ReflectorMisplaced, Line: line, Why: err})
		}
		edits = append(edits, ins)
	}
	// What the edits must mean: the same object with the keys moved or gone.
	want, err := decoded(root)
	if err != nil {
		return nil, nil, append(lefts, Left{Rule: rule, Line: line, Why: "cannot read it as plain data: fix it by hand"})
	}
	ownMap := dig(want, "metadata", "annotations")
	tmplMap := ensureDig(want, "spec", "template", "metadata", "annotations")
	for _, k := range moved {
		tmplMap[k] = ownMap[k]
		delete(ownMap, k)
	}
	for _, k := range dropped {
		delete(ownMap, k)
	}
	if removedAll {
		delete(dig(want, "metadata"), "annotations")
	}
	if !verified(d, edits, want) {
		return nil, nil, append(lefts, Left{Rule: rule, Line: line, Why: "its layout does not allow an exact line edit: move the annotations by hand"})
	}
	for i := range edits {
		edits[i].Doc = d
	}
	ref := words.Ref(sealedsecret.NameOf(root))
	var fixed []Fixed
	if len(moved) > 0 {
		fixed = append(fixed, Fixed{Rule: ReflectorMisplaced, Line: line, What: fmt.Sprintf("moved %d reflector annotation%s of SealedSecret %s into spec.template.metadata.annotations", len(moved), words.Plural(len(moved)), ref)})
	}
	if len(dropped) > 0 {
		fixed = append(fixed, Fixed{Rule: ReflectorRedundant, Line: line, What: fmt.Sprintf("removed %d reflector annotation%s of SealedSecret %s that its template repeats", len(dropped), words.Plural(len(dropped)), ref)})
	}
	return edits, fixed, lefts
}

// insertUnderTemplate is the edit that adds entries (lines indented by
// fromIndent) to spec.template.metadata.annotations, creating the mappings on
// the way that are missing; why it cannot, otherwise.
func insertUnderTemplate(l *lines, root *yaml.Node, entries []byte, fromIndent int, eol string) (Edit, string) {
	return insertUnder(l, root, []string{"spec", "template", "metadata", "annotations"}, entries, fromIndent, eol, "move the annotations by hand")
}

// insertUnder is the edit that adds entries (lines indented by fromIndent)
// to the block mapping at path, creating the mappings on the way that are
// missing; why it cannot (ending with byHand), otherwise.
func insertUnder(l *lines, root *yaml.Node, path []string, entries []byte, fromIndent int, eol, byHand string) (Edit, string) {
	parent := root
	depth := 0
	for ; depth < len(path); depth++ {
		v, ok := plainField(parent, path[depth])
		if !ok {
			return Edit{}, strings.Join(path[:depth+1], ".") + " is not a plain mapping (an alias or a duplicate key): " + byHand
		}
		if v == nil {
			break
		}
		if !l.block(v) {
			return Edit{}, strings.Join(path[:depth+1], ".") + " is not a block mapping with entries: " + byHand
		}
		parent = v
	}
	if depth == 0 {
		return Edit{}, "the SealedSecret has no " + path[0]
	}
	indent := l.childIndent(parent)
	step := 2
	if md := manifest.KeyNode(root, "metadata"); md != nil {
		if m := manifest.Field(root, "metadata"); l.block(m) && l.childIndent(m) > md.Column-1 {
			step = l.childIndent(m) - (md.Column - 1)
		}
	}
	var b bytes.Buffer
	for i := depth; i < len(path); i++ {
		b.WriteString(strings.Repeat(" ", indent) + path[i] + ":" + eol)
		indent += step
	}
	text := reindent(entries, fromIndent, indent)
	if eol == "\r\n" {
		text = bytes.ReplaceAll(bytes.ReplaceAll(text, []byte("\r\n"), []byte("\n")), []byte("\n"), []byte("\r\n"))
	}
	b.Write(text)
	return l.insertAt(l.end(parent), b.Bytes(), eol), ""
}

// plainField is the value of key in mapping m, unresolved: ok is false when
// it is an alias, carries an anchor, or the key is there twice (an edit of
// one place would change others, or not the one Kubernetes keeps). A missing
// key is (nil, true).
func plainField(m *yaml.Node, key string) (*yaml.Node, bool) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, m == nil
	}
	var out *yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == key {
			if out != nil || v.Kind == yaml.AliasNode || v.Anchor != "" {
				return nil, false
			}
			out = v
		}
	}
	return out, true
}
