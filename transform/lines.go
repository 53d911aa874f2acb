package transform

import (
	"bytes"

	"github.com/secretguard/secretguard/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// lines indexes one document's text by line, for edits that move or replace
// whole lines of a block-style mapping: every byte outside those lines stays
// as it was, comments and quoting included. The edits it helps make are
// checked afterwards (verified), so a layout it misreads is a refusal, never
// a wrong file.
type lines struct {
	d     *manifest.Document
	start []int // offset in d.Text where each line begins; one more for the end
}

func newLines(d *manifest.Document) *lines {
	l := &lines{d: d, start: []int{0}}
	for i, c := range d.Text {
		if c == '\n' && i+1 < len(d.Text) {
			l.start = append(l.start, i+1)
		}
	}
	l.start = append(l.start, len(d.Text))
	return l
}

func (l *lines) count() int { return len(l.start) - 1 }

// text of line i (0-based), its terminator excluded.
func (l *lines) text(i int) []byte {
	return bytes.TrimRight(l.d.Text[l.start[i]:l.start[i+1]], "\r\n")
}

// indent is the number of leading spaces of line i; -1 for a blank line.
func (l *lines) indent(i int) int {
	t := l.text(i)
	n := 0
	for n < len(t) && t[n] == ' ' {
		n++
	}
	if n == len(t) {
		return -1
	}
	return n
}

func (l *lines) comment(i int) bool {
	t := bytes.TrimLeft(l.text(i), " ")
	return len(t) > 0 && t[0] == '#'
}

// entry is the line range [from, to) of a block mapping's entry whose key is
// key: its key line, the comment lines right above it at its indentation (its
// head comment), and every following line indented deeper (its value),
// trailing blank lines left out. ok is false when the key does not open its
// line (a flow mapping, `- key:` of a sequence item).
func (l *lines) entry(key *yaml.Node) (from, to, indent int, ok bool) {
	if key == nil || key.Line < 1 || key.Line > l.count() {
		return 0, 0, 0, false
	}
	k := key.Line - 1
	indent = l.indent(k)
	if indent < 0 || indent != key.Column-1 {
		return 0, 0, 0, false
	}
	from, to = l.extent(k, indent)
	// A block sequence may sit at its key's own indentation (`key:` then
	// `- item` lines under it, as kustomize's docs write them): its items
	// are the entry's too.
	for to < l.count() && l.indent(to) == indent && bytes.HasPrefix(l.text(to)[indent:], []byte("-")) {
		_, to = l.extent(to, indent)
	}
	return from, to, indent, true
}

// extent is the line range [from, to) of what opens line k at indentation
// indent: the comment lines right above it at that indentation, line k, and
// the lines indented deeper that follow, trailing blank lines left out.
func (l *lines) extent(k, indent int) (from, to int) {
	from = k
	for from > 0 && l.indent(from-1) == indent && l.comment(from-1) {
		from--
	}
	to = k + 1
	for j := k + 1; j < l.count(); j++ {
		in := l.indent(j)
		if in >= 0 && in <= indent {
			break
		}
		if in > indent {
			to = j + 1
		}
	}
	return from, to
}

// block says whether n is a mapping in block style that the line edits can
// work on: every key opens its own line.
func (l *lines) block(n *yaml.Node) bool {
	if n == nil || n.Kind != yaml.MappingNode || n.Style&yaml.FlowStyle != 0 || len(n.Content) == 0 {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if _, _, _, ok := l.entry(n.Content[i]); !ok {
			return false
		}
	}
	return true
}

// end is the line after the last entry of the block mapping n.
func (l *lines) end(n *yaml.Node) int {
	_, to, _, _ := l.entry(n.Content[len(n.Content)-2])
	return to
}

// childIndent is the indentation of the block mapping n's keys.
func (l *lines) childIndent(n *yaml.Node) int { return n.Content[0].Column - 1 }

// offset is the file offset where line i begins.
func (l *lines) offset(i int) int { return l.d.Start + l.start[i] }

// lineRange is the text of lines [from, to), terminators included.
func (l *lines) lineRange(from, to int) []byte { return l.d.Text[l.start[from]:l.start[to]] }

// insertAt is the edit that inserts text before line i: at the end of a
// document whose last line has no terminator, the terminator comes first.
func (l *lines) insertAt(i int, text []byte, eol string) Edit {
	off := l.offset(i)
	if i == l.count() && len(l.d.Text) > 0 && l.d.Text[len(l.d.Text)-1] != '\n' {
		text = append([]byte(eol), bytes.TrimSuffix(text, []byte(eol))...)
	}
	return Edit{Start: off, End: off, Text: text}
}

// reindent moves lines from indentation from to indentation to, keeping
// their relative indentation (a block scalar's content stays aligned).
func reindent(text []byte, from, to int) []byte {
	if from == to {
		return text
	}
	var out []byte
	for _, line := range bytes.SplitAfter(text, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		n := 0
		for n < len(line) && n < from && line[n] == ' ' {
			n++
		}
		if len(bytes.TrimRight(line, " \r\n")) == 0 {
			out = append(out, line[len(bytes.TrimRight(line, "\r\n")):]...) // a blank line stays blank
			continue
		}
		out = append(out, bytes.Repeat([]byte(" "), to)...)
		out = append(out, line[n:]...)
	}
	return out
}

// eolOf is the file's line ending.
func eolOf(data []byte) string {
	if bytes.Contains(data, []byte("\r\n")) {
		return "\r\n"
	}
	return "\n"
}
