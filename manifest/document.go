package manifest

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Document is one YAML document of a file.
type Document struct {
	Span
	Index int    // 0-based position among the file's spans
	Text  []byte // the file's bytes in [Start, End)
	// Node is the root node (a document's content, not the DocumentNode), set
	// once Parse succeeded.
	Node *yaml.Node
	// Head is the document's head comment, including the comment-only document
	// right before it (`# note` then `---`), which is where people put it.
	Head []string
	// Template says Node was parsed from the text with its Go template
	// actions masked (ParseTemplate): values that were actions read as
	// references, and the document cannot be rewritten.
	Template bool
}

// ParseError is a document that is not YAML. Its message never quotes the input.
type ParseError struct {
	Line int // 1-based, in the file
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

var (
	yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)
	// quoted is input that go-yaml quotes in a message (an anchor name, a
	// scalar); quoted punctuation such as ',' or ']' is grammar and stays.
	quoted = regexp.MustCompile("`[^`]*`|'[^']*'|\"[^\"]*\"")
	alnum  = regexp.MustCompile(`[[:alnum:]]`)
)

// Parse parses the document's text into d.Node. Its error is a *ParseError.
func (d *Document) Parse() error {
	var n yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(d.Text))
	if err := dec.Decode(&n); err != nil {
		return d.parseError(err)
	}
	root := &n
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	d.Node = root
	return nil
}

// ParseTemplate parses a Helm template document with its actions masked,
// byte positions kept, and marks it Template. It fails when the text has no
// action or is not YAML even so.
func (d *Document) ParseTemplate() error {
	masked, ok := MaskTemplate(d.Text)
	if !ok {
		return &ParseError{Line: d.Line, Msg: "no template action"}
	}
	m := *d
	m.Text = masked
	if err := m.Parse(); err != nil {
		return err
	}
	d.Node, d.Template = m.Node, true
	return nil
}

// parseError keeps only the line and the parser's description of the problem:
// go-yaml quotes input in some messages (`cannot unmarshal !!str \`…\“), and a
// value must never reach an error message.
func (d *Document) parseError(err error) *ParseError {
	msg := err.Error()
	line := d.Line
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if n, e := strconv.Atoi(m[1]); e == nil {
			line = d.Line + n - 1
		}
		msg = msg[len(m[0]):]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = quoted.ReplaceAllStringFunc(msg, func(q string) string {
		if alnum.MatchString(q) {
			return "…"
		}
		return q
	})
	if i := strings.IndexAny(msg, "\n"); i >= 0 {
		msg = msg[:i]
	}
	return &ParseError{Line: line, Msg: msg}
}

// Documents splits a file into documents. JSON files are one document: JSON has no
// stream separators, and `---` inside a JSON string must not cut it.
func Documents(data []byte, isJSON bool) []*Document {
	var spans []Span
	if isJSON {
		start := 0
		if bytes.HasPrefix(data, bom) {
			start = len(bom)
		}
		spans = []Span{{Start: start, End: len(data), Line: 1}}
	} else {
		spans = Split(data)
	}
	docs := make([]*Document, 0, len(spans))
	var prevHead []string
	for i, s := range spans {
		d := &Document{Span: s, Index: i, Text: data[s.Start:s.End]}
		head := HeadComment(d.Text)
		if IsBlank(d.Text) {
			prevHead = head
		} else {
			d.Head = append(prevHead, head...)
			prevHead = nil
		}
		docs = append(docs, d)
	}
	return docs
}

// TooMany reports a file split at MaxDocuments: what follows the cap was not
// split, so the file cannot be checked or rewritten document by document.
func TooMany(docs []*Document) bool { return len(docs) > MaxDocuments }

// Blank reports whether the document holds only comments and blank lines.
func (d *Document) Blank() bool { return IsBlank(d.Text) }

// ContentLine is the file line of the document's first content line.
func (d *Document) ContentLine() int {
	l, _ := FirstContentLine(d.Text)
	return d.Line + l - 1
}

// DocAt is the document of a file line: the last one that starts at or
// before it; nil before the first.
func DocAt(docs []*Document, line int) *Document {
	var hit *Document
	for _, d := range docs {
		if d.Line <= line {
			hit = d
		}
	}
	return hit
}

// LineOf converts a node's document-relative line into a file line.
func (d *Document) LineOf(n *yaml.Node) int {
	if n == nil || n.Line == 0 {
		return d.ContentLine()
	}
	return d.Line + n.Line - 1
}

// CommentedValue is a comment line that reads as a commented-out `key: value`
// pair: how an old password stays in a file after it was "removed".
type CommentedValue struct {
	Line, Column int // of the `#`, in the file
	Key          string
}

var commentedPair = regexp.MustCompile(`^#+[ \t]*(["']?)([-._A-Za-z0-9]+)(["']?)[ \t]*:[ \t]+(\S+)[ \t]*$`)

// proseKeys are words that open comments about a value rather than a value.
var proseKeys = map[string]bool{"todo": true, "fixme": true, "note": true, "nb": true, "hack": true, "xxx": true,
	"see": true, "example": true, "e.g": true, "warning": true, "important": true, "usage": true, "ref": true, "docs": true,
	"format": true, "default": true, "description": true, "hint": true, "generate": true}

// LooksLikeCommentedValue reports whether a comment line (leading blanks
// allowed) is a commented-out pair with a value, and its key.
func LooksLikeCommentedValue(line []byte) (string, bool) {
	m := commentedPair.FindSubmatch(bytes.TrimSpace(line))
	if m == nil || string(m[1]) != string(m[3]) || proseKeys[strings.ToLower(string(m[2]))] {
		return "", false
	}
	switch v := string(m[4]); {
	case v == "|" || v == ">" || strings.HasPrefix(v, "|") && len(v) <= 3 || strings.HasPrefix(v, ">") && len(v) <= 3:
		return "", false // a commented block scalar's indicator: its lines follow
	case v == `""` || v == "''" || v == "{}" || v == "null" || v == "~":
		return "", false
	case strings.Contains(v, "...") || strings.Contains(v, "…"):
		return "", false // the shape of a value, elided: hooks.slack.com/services/T.../B.../...
	case len(strings.Trim(v, `"'`)) <= 2 ||
		entryKind(string(m[2]), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: strings.Trim(v, `"'`)}, ValueContext{}, false) != PlainValue:
		// A reference (`# authkey: "${SECRET}"`), a placeholder, a stand-in,
		// what a live value there would not be either (# callback: https://…).
		return "", false
	}
	return string(m[2]), true
}

// blockScalar is a line that opens a block scalar (`alertmanager.yaml: |`,
// `key: >-`, `- |2`): the more indented lines after it are its text.
var blockScalar = regexp.MustCompile(`:\s*[|>][-+0-9]*\s*(?:#.*)?$|^-\s+[|>][-+0-9]*\s*$`)

// structuralKeys open a resource or its top-level fields: a commented-out
// manifest after a Secret is not a value of it.
var structuralKeys = map[string]bool{"apiVersion": true, "kind": true, "metadata": true, "spec": true,
	"status": true, "type": true, "immutable": true, "data": true, "stringData": true}

// CommentedValues lists the commented-out pairs of the block that key (a key
// node of this document) opens. A comment counts when it sits between two
// lines of the block's content, or right after the block's last line (no
// blank line between) with its text at least as deep as the block's keys, up
// to the first comment that is not a commented pair: a commented-out manifest
// further down (`# ---`, `# apiVersion: …`) is not a value of this block.
func (d *Document) CommentedValues(key *yaml.Node) []CommentedValue {
	if key == nil || key.Line == 0 {
		return nil
	}
	indent := key.Column - 1
	lines := bytes.SplitAfter(d.Text, []byte("\n"))
	type comment struct {
		i, lead, text int
		key           string
		ok            bool
	}
	var pending []comment // comments since the last content line of the block
	var out []CommentedValue
	keyCol := -1       // column of the block's own keys, once seen
	scalarIndent := -1 // indentation of the key whose block scalar the lines are in
	flush := func(inside bool) {
		for _, c := range pending {
			if !c.ok {
				if inside {
					continue
				}
				break // a trailing run ends at the first comment that is no pair
			}
			if !inside && (c.text < keyCol || structuralKeys[c.key]) {
				break
			}
			out = append(out, CommentedValue{Line: d.Line + c.i, Column: c.lead + 1, Key: c.key})
		}
		pending = nil
	}
	for i := key.Line; i < len(lines); i++ { // key.Line is 1-based: lines[key.Line] is the next line
		line := bytes.TrimRight(lines[i], "\r\n")
		trimmed := bytes.TrimLeft(line, " \t")
		lead := len(line) - len(trimmed)
		if len(trimmed) == 0 {
			if keyCol >= 0 {
				flush(false) // a blank line ends a trailing run
				pending = nil
				keyCol = -2 // nothing after a blank line belongs to the block
			}
			continue
		}
		if scalarIndent >= 0 && lead > scalarIndent {
			continue // the text of a block scalar (an embedded config's own comments)
		}
		scalarIndent = -1
		if trimmed[0] == '#' {
			if keyCol == -2 {
				continue
			}
			k, ok := LooksLikeCommentedValue(trimmed)
			body := bytes.TrimLeft(trimmed[1:], "# \t")
			pending = append(pending, comment{i: i, lead: lead, text: len(line) - len(body), key: k, ok: ok})
			continue
		}
		if lead <= indent || keyCol == -2 {
			break // the block is over
		}
		if keyCol < 0 {
			keyCol = lead
		}
		flush(true)
		if blockScalar.Match(trimmed) {
			scalarIndent = lead
		}
	}
	if keyCol >= 0 {
		flush(false)
	}
	return out
}
