// Package manifest turns file bytes into YAML documents that remember where they
// came from: file, line and byte range. Rules read the parsed node; the sealer
// splices new text into exactly the byte range, so everything else in the file
// stays byte-identical.
package manifest

import (
	"bytes"
	"regexp"
)

// Span is one document of a multi-document stream.
type Span struct {
	// Start and End delimit the document's text in the file (End exclusive). The
	// separator line (`---`, `...`) is not part of it, unless it carries content
	// of the document itself (`--- {kind: Secret}`), in which case Start points at it.
	Start, End int
	// Line is the 1-based line of Start.
	Line int
}

var bom = []byte("\xef\xbb\xbf")

// MaxDocuments caps the documents of one file: a 64 MB file of `---` lines
// would otherwise cost gigabytes. Split stops there and keeps the rest of the
// file as one last span, so more than MaxDocuments spans means "over the cap".
const MaxDocuments = 100000

// Split cuts a YAML stream into documents at `---` and `...` marker lines.
//
// The YAML spec forbids a marker at column 0 inside any scalar (c-forbidden), so a
// line scan is exact: no block scalar can hide a `---` line. Splitting bytes, not
// re-serialising, is what keeps comments, separators and CRLF intact.
func Split(data []byte) []Span {
	var spans []Span
	start, line := 0, 1
	if bytes.HasPrefix(data, bom) {
		start = len(bom)
	}
	cur := Span{Start: start, Line: 1}
	pos := start
	for pos <= len(data) {
		nl := bytes.IndexByte(data[pos:], '\n')
		end := len(data)
		next := len(data) + 1
		if nl >= 0 {
			end = pos + nl
			next = end + 1
		}
		text := data[pos:end]
		if kind := marker(text); kind != 0 && len(spans) < MaxDocuments {
			cur.End = pos
			if kind == inlineContent {
				// `--- value`: the marker line opens the document and belongs to it.
				spans = append(spans, cur)
				cur = Span{Start: pos, Line: line}
			} else {
				spans = append(spans, cur)
				nextStart := next
				if nextStart > len(data) {
					nextStart = len(data)
				}
				cur = Span{Start: nextStart, Line: line + 1}
			}
		}
		if nl < 0 {
			break
		}
		pos = next
		line++
	}
	cur.End = len(data)
	if cur.End < cur.Start {
		cur.End = cur.Start
	}
	spans = append(spans, cur)
	return spans
}

const (
	plainMarker   = 1
	inlineContent = 2
)

// marker classifies a line: 0 not a marker, plainMarker for `---`/`...` alone
// (optionally followed by blanks or a comment), inlineContent for `--- content`.
func marker(line []byte) int {
	if len(line) < 3 {
		return 0
	}
	if !bytes.HasPrefix(line, []byte("---")) && !bytes.HasPrefix(line, []byte("...")) {
		return 0
	}
	rest := line[3:]
	if len(rest) > 0 && rest[0] != ' ' && rest[0] != '\t' && rest[0] != '\r' {
		return 0 // `----` or `---x` is content
	}
	rest = bytes.TrimLeft(rest, " \t")
	rest = bytes.TrimSuffix(rest, []byte("\r"))
	if len(rest) == 0 || rest[0] == '#' {
		return plainMarker
	}
	if line[0] == '.' {
		return plainMarker // content after `...` is not allowed; let the next document report it
	}
	return inlineContent
}

// IsBlank reports whether text holds nothing but blank lines and comments.
func IsBlank(text []byte) bool {
	for len(text) > 0 {
		nl := bytes.IndexByte(text, '\n')
		line := text
		if nl >= 0 {
			line, text = text[:nl], text[nl+1:]
		} else {
			text = nil
		}
		line = bytes.TrimLeft(line, " \t\r")
		if len(line) > 0 && line[0] != '#' && !(len(line) >= 1 && line[0] == '%') {
			return false
		}
	}
	return true
}

// HeadComment returns the comment lines at the top of a document's text, before
// its first content line, without their `#`.
func HeadComment(text []byte) []string {
	var out []string
	for len(text) > 0 {
		nl := bytes.IndexByte(text, '\n')
		line := text
		if nl >= 0 {
			line, text = text[:nl], text[nl+1:]
		} else {
			text = nil
		}
		line = bytes.TrimSpace(line)
		switch {
		case len(line) == 0:
			continue
		case line[0] == '#':
			out = append(out, string(bytes.TrimSpace(line[1:])))
		case bytes.HasPrefix(line, []byte("---")):
			// An inline-content marker line: comments above it were collected already.
			return out
		default:
			return out
		}
	}
	return out
}

// FirstContentLine returns the 1-based line and byte offset (relative to text) of
// the first line that is neither blank nor a comment, so findings point at the
// document rather than at a licence header.
func FirstContentLine(text []byte) (line, off int) {
	line = 1
	for off < len(text) {
		nl := bytes.IndexByte(text[off:], '\n')
		end := len(text)
		if nl >= 0 {
			end = off + nl
		}
		l := bytes.TrimLeft(text[off:end], " \t\r")
		if len(l) > 0 && l[0] != '#' {
			return line, off
		}
		if nl < 0 {
			break
		}
		off = end + 1
		line++
	}
	return 1, 0
}

var (
	secretWord    = []byte("Secret")
	imagePull     = []byte("imagePull")
	otherTriggers = [][]byte{[]byte("secretGenerator"), []byte("Kustomization"), []byte("Certificate")}
)

// anyOccurrence reports whether f holds at some index of word in text that
// does not directly follow prefix (no prefix: every index).
func anyOccurrence(text, word, prefix []byte, f func(at int) bool) bool {
	for off := 0; ; {
		i := bytes.Index(text[off:], word)
		if i < 0 {
			return false
		}
		at := off + i
		after := len(prefix) > 0 && at >= len(prefix) && bytes.Equal(text[at-len(prefix):at], prefix)
		if !after && f(at) {
			return true
		}
		off = at + len(word)
	}
}

// Candidate is the byte pre-filter: can any rule match this text? It must never
// say no to something a rule would flag (recall first), and says yes rarely
// enough that parsing is the exception. It looks for "Secret" rather than
// "kind: Secret" so quoted, JSON and flow styles pass, but not for the
// `imagePullSecrets` that most Deployments carry.
func Candidate(text []byte) bool {
	if anyOccurrence(text, secretWord, imagePull, func(int) bool { return true }) {
		return true
	}
	for _, w := range otherTriggers {
		if bytes.Contains(text, w) {
			return true
		}
	}
	// kubectl decodes escapes: `kind: "\x53ecret"` (YAML) and
	// `"kind": "\u0053ecret"` (JSON) are Secrets, and so is a double-quoted
	// kind broken over lines with an escaped line break. A document that has a
	// kind and any such escape is parsed, so no spelling slips past.
	if bytes.IndexByte(text, '\\') >= 0 && bytes.Contains(text, kindWord) {
		for _, e := range escapes {
			if bytes.Contains(text, e) {
				return true
			}
		}
	}
	return false
}

var (
	kindWord = []byte("kind")
	escapes  = [][]byte{[]byte(`\x`), []byte(`\u`), []byte(`\U`), []byte("\\\n"), []byte("\\\r\n")}
)

var (
	yamlAPIVersion = regexp.MustCompile(`(?m)^["']?apiVersion["']?[ \t]*:`)
	yamlKind       = regexp.MustCompile(`(?m)^["']?kind["']?[ \t]*:`)
	jsonAPIVersion = regexp.MustCompile(`"apiVersion"\s*:`)
	jsonKind       = regexp.MustCompile(`"kind"\s*:`)
)

// LooksLikeManifest reports whether a document's text, parsed or not, is
// plausibly a Kubernetes resource: an apiVersion and a kind at its top level
// (YAML), or as keys (JSON, flow style). Only such a document that does not
// parse is a parse-error; other YAML and JSON (CI workflows, editor settings
// with comments) is not ours to judge.
//
// A document with a kind that names a Secret (in any spelling: `\x53ecret`)
// is plausible without an apiVersion: a broken Secret is always reported.
func LooksLikeManifest(text []byte) bool {
	yk, jk := yamlKind.Match(text), jsonKind.Match(text)
	return yk && yamlAPIVersion.Match(text) || jk && jsonAPIVersion.Match(text) ||
		(yk || jk) && bytes.Contains(text, []byte("ecret"))
}

// HasKind reports whether text declares a resource of one of kinds (`kind:
// NAME`, `"kind": "NAME"`, quoted or not): one pass over the text, for files
// that matter for their kind alone.
func HasKind(text []byte, kinds map[string]bool) bool {
	for t := text; ; {
		i := bytes.Index(t, kindWord)
		if i < 0 {
			return false
		}
		t = t[i+len(kindWord):]
		v := bytes.TrimLeft(t, "\"' \t")
		if len(v) == 0 || v[0] != ':' {
			continue
		}
		v = bytes.TrimLeft(v[1:], " \t\"'")
		end := 0
		for end < len(v) && (v[end] >= 'A' && v[end] <= 'Z' || v[end] >= 'a' && v[end] <= 'z' || v[end] >= '0' && v[end] <= '9') {
			end++
		}
		if kinds[string(v[:end])] {
			return true
		}
	}
}
