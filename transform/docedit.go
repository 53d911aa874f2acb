package transform

import (
	"bytes"
	"errors"
	"sort"
	"strings"

	"github.com/secretguard/secretguard/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// docEdit is a set of exact edits to one document (reseal, set, unset): a
// scalar value replaced where it stands, its quoting and everything around it
// kept; entries removed or added as whole lines. done checks the result by
// parsing it against the intended object, so a layout the edits misread is a
// refusal, never a wrong file. A JSON document that the line edits cannot
// change exactly (a key to add) is written anew instead: JSON has no comments
// to lose.
type docEdit struct {
	d      *manifest.Document
	l      *lines
	eol    string
	isJSON bool
	node   *yaml.Node // the intended object
	edits  []Edit
	adds   map[string][]byte // dotted path → entries to add there (indentation 0)
	gone   map[string]int    // dotted path → entries removed there
	why    string            // the first reason the edits cannot be exact
}

func newDocEdit(d *manifest.Document, eol string, isJSON bool) *docEdit {
	return &docEdit{d: d, l: newLines(d), eol: eol, isJSON: isJSON, node: clean(d.Node),
		adds: map[string][]byte{}, gone: map[string]int{}}
}

func (e *docEdit) fail(why string) {
	if e.why == "" {
		e.why = why
	}
}

// plainPath walks plain mappings (see plainField) of the document; ok is
// false where one is an alias, anchored or duplicated. A missing one is nil.
func plainPath(root *yaml.Node, path []string) (*yaml.Node, bool) {
	m := root
	for _, p := range path {
		v, ok := plainField(m, p)
		if !ok {
			return nil, false
		}
		if v == nil {
			return nil, true
		}
		m = v
	}
	return m, true
}

// set makes key of the mapping at path the string value: in place when the
// key is there, else a new entry at the mapping's end (created when missing).
func (e *docEdit) set(path []string, key, value string) {
	m := e.node
	for _, p := range path {
		m = ensureMap(m, p)
	}
	setString(m, key, value)
	dotted := strings.Join(path, ".")
	parent, ok := plainPath(e.d.Node, path)
	if !ok {
		e.fail(dotted + " is not a plain mapping (an alias, an anchor or a duplicate key)")
		return
	}
	v, ok := plainField(parent, key)
	switch {
	case !ok:
		e.fail(dotted + "." + key + " is an alias, anchored or there twice")
	case v != nil:
		if ed, ok := e.l.replaceScalar(manifest.KeyNode(parent, key), v, value); ok {
			e.edits = append(e.edits, ed)
		} else {
			e.fail(dotted + "." + key + " is not a scalar on one line")
		}
	default:
		entry := newMap()
		setString(entry, key, value)
		text, err := render(entry, false)
		if err != nil {
			e.fail(err.Error())
			return
		}
		e.adds[dotted] = append(e.adds[dotted], text...)
	}
}

// remove deletes key, with its lines, from the mapping at path.
func (e *docEdit) remove(path []string, key string) {
	if m := manifest.Path(e.node, path...); m != nil {
		removeKey(m, key)
	}
	parent, ok := plainPath(e.d.Node, path)
	dotted := strings.Join(path, ".")
	if !ok {
		e.fail(dotted + " is not a plain mapping (an alias, an anchor or a duplicate key)")
		return
	}
	k := manifest.KeyNode(parent, key)
	if k == nil {
		return
	}
	from, to, _, ok := e.l.entry(k)
	if !ok || !e.l.block(parent) {
		e.fail(dotted + " is not a block mapping")
		return
	}
	e.edits = append(e.edits, Edit{Start: e.l.offset(from), End: e.l.offset(to)})
	e.gone[dotted]++
}

// done is the edits, verified, or why none can be exact.
func (e *docEdit) done(byHand string) ([]Edit, error) {
	if e.why == "" {
		e.emptied()
	}
	paths := make([]string, 0, len(e.adds))
	for p := range e.adds {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if e.why != "" {
			break
		}
		ins, why := insertUnder(e.l, e.d.Node, strings.Split(p, "."), e.adds[p], 0, e.eol, byHand)
		if why != "" {
			e.fail(why)
			break
		}
		e.edits = append(e.edits, ins)
	}
	want, err := decoded(e.node)
	if err != nil {
		return nil, errors.New("cannot read it as plain data: " + byHand)
	}
	sortEdits(e.edits)
	if e.why == "" && verified(e.d, e.edits, want) {
		return wholeLines(e.d, e.edits), nil
	}
	if e.isJSON {
		out, err := render(e.node, true)
		if err != nil {
			return nil, err
		}
		return []Edit{{Start: e.d.Start, End: e.d.End, Doc: e.d, Text: keepComments(e.d, out, e.eol, nil)}}, nil
	}
	why := e.why
	if why == "" {
		why = "its layout does not allow an exact line edit"
	}
	if !strings.HasSuffix(why, byHand) {
		why += ": " + byHand
	}
	return nil, errors.New(why)
}

// emptied replaces the removals that leave a mapping without entries (and
// add none to it) by the removal of its key: `annotations:` with nothing
// under it would be null.
func (e *docEdit) emptied() {
	for dotted, n := range e.gone {
		path := strings.Split(dotted, ".")
		m, _ := plainPath(e.d.Node, path)
		if m == nil || n < len(m.Content)/2 || e.adds[dotted] != nil || len(path) < 2 {
			continue
		}
		parent, _ := plainPath(e.d.Node, path[:len(path)-1])
		from, to, _, ok := e.l.entry(manifest.KeyNode(parent, path[len(path)-1]))
		if !ok {
			e.fail(dotted + " is not a block mapping")
			return
		}
		start, end := e.l.offset(from), e.l.offset(to)
		kept := e.edits[:0]
		for _, ed := range e.edits {
			if ed.Start < start || ed.End > end {
				kept = append(kept, ed)
			}
		}
		e.edits = append(kept, Edit{Start: start, End: end})
		removeKey(manifest.Path(e.node, path[:len(path)-1]...), path[len(path)-1])
	}
}

// replaceScalar is the edit that puts text in place of the scalar v, value
// of key: on v's line when v is a plain or quoted scalar that stands there as
// written (quoting kept); a block scalar's lines become one plain line. ok is
// false for anything else.
func (l *lines) replaceScalar(key, v *yaml.Node, text string) (Edit, bool) {
	if v == nil || v.Kind != yaml.ScalarNode || v.Line < 1 || v.Line > l.count() {
		return Edit{}, false
	}
	i, col := v.Line-1, v.Column-1
	line := l.text(i)
	if col < 0 || col > len(line) {
		return Edit{}, false
	}
	var old, quote string
	switch {
	case v.Style&yaml.DoubleQuotedStyle != 0:
		quote = `"`
	case v.Style&yaml.SingleQuotedStyle != 0:
		quote = `'`
	case v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		if key == nil || key.Line != v.Line || l.indent(i) != key.Column-1 {
			return Edit{}, false
		}
		_, to := l.extent(i, key.Column-1)
		end := l.start[to]
		for end > l.start[i] && (l.d.Text[end-1] == '\n' || l.d.Text[end-1] == '\r') {
			end--
		}
		return Edit{Start: l.offset(i) + col, End: l.d.Start + end, Text: []byte(text)}, true
	}
	old = quote + v.Value + quote
	if v.Tag == "!!null" && v.Value == "" {
		// `key:` with nothing after it: the value goes after the colon.
		if col == 0 || line[col-1] != ':' || key == nil || key.Line != v.Line {
			return Edit{}, false
		}
		quote = " "
	}
	if !strings.HasPrefix(string(line[col:]), old) || strings.ContainsAny(v.Value, "\\\n'\"") {
		return Edit{}, false
	}
	start := l.offset(i) + col
	return Edit{Start: start, End: start + len(old), Text: []byte(quote + text + strings.TrimSpace(quote))}, true
}

// wholeLines widens edits to the whole lines they touch (a diff shows
// lines), merging those that share one.
func wholeLines(d *manifest.Document, edits []Edit) []Edit {
	text := d.Text
	lineStart := func(p int) int { return bytes.LastIndexByte(text[:p], '\n') + 1 }
	lineEnd := func(p int) int {
		if i := bytes.IndexByte(text[p:], '\n'); i >= 0 {
			return p + i + 1
		}
		return len(text)
	}
	var out []Edit
	var pieces []Edit // of the group being built, document offsets
	flush := func(start, end int) {
		var b []byte
		pos := start
		for _, p := range pieces {
			b = append(b, text[pos:p.Start]...)
			b = append(b, p.Text...)
			pos = p.End
		}
		b = append(b, text[pos:end]...)
		out = append(out, Edit{Start: d.Start + start, End: d.Start + end, Text: b, Doc: d})
		pieces = nil
	}
	gs, ge := -1, -1
	for _, e := range edits {
		p := Edit{Start: e.Start - d.Start, End: e.End - d.Start, Text: e.Text}
		s, en := lineStart(p.Start), p.End
		if s < p.Start || p.End > p.Start && text[p.End-1] != '\n' {
			en = lineEnd(max(p.End-1, p.Start))
		}
		if gs >= 0 && s < ge {
			ge = max(ge, en)
			pieces = append(pieces, p)
			continue
		}
		if gs >= 0 {
			flush(gs, ge)
		}
		gs, ge = s, en
		pieces = append(pieces, p)
	}
	if gs >= 0 {
		flush(gs, ge)
	}
	return out
}
