package transform

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/secretguard/secretguard/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// contextLines around each change, as diff -u.
const contextLines = 3

// WriteDiff prints a unified diff of a sealing result. We know exactly which
// byte ranges changed, so hunks come from the edits, not from an LCS; lines of a
// removed raw Secret that carry values are masked, so the diff never shows one.
func WriteDiff(w io.Writer, file string, r *Result) error {
	if r.New == nil {
		return nil
	}
	oldLines := splitLines(r.Old)
	for _, h := range r.Hidden {
		for l := lineIndex(r.Old, h.Start); l < lineIndex(r.Old, h.End) && l < len(oldLines); l++ {
			oldLines[l] = "<hidden: a document that holds values>" + oldLines[l][len(strings.TrimRight(oldLines[l], "\r\n")):]
		}
	}
	for i, text := range r.Masked {
		if i < len(oldLines) {
			oldLines[i] = text + oldLines[i][len(strings.TrimRight(oldLines[i], "\r\n")):]
		}
	}
	type hunk struct {
		oldStart, oldEnd int // 0-based line indexes, end exclusive
		newText          []string
		mask             func(i int) (string, bool)
	}
	var hunks []hunk
	for _, e := range r.Edits {
		h := hunk{oldStart: lineIndex(r.Old, e.Start), oldEnd: lineIndex(r.Old, e.End)}
		if e.End > e.Start && e.End <= len(r.Old) && r.Old[e.End-1] != '\n' {
			h.oldEnd++ // a last line without newline
		}
		h.newText = splitLines(e.Text)
		if e.Secret != nil {
			h.mask = masker(r.Old, e.Doc, e.Secret)
			if len(e.Text) == 0 {
				// A Secret removed whole (sealed into other files): its
				// comments go with it, and may quote a value.
				values := h.mask
				h.mask = func(i int) (string, bool) {
					if m, ok := values(i); ok {
						return m, true
					}
					line := strings.TrimRight(oldLines[i], "\r\n")
					if t := strings.TrimLeft(line, " \t"); strings.HasPrefix(t, "#") {
						return line[:len(line)-len(t)] + "# <masked>", true
					}
					return "", false
				}
			}
		}
		// Lines the edit keeps (a head comment above the Secret, comments
		// after it) are context, not a removal and an addition.
		same := func(i int, l string) bool {
			if h.mask != nil {
				if _, masked := h.mask(i); masked {
					return false
				}
			}
			return oldLines[i] == l
		}
		for h.oldStart < h.oldEnd && len(h.newText) > 0 && same(h.oldStart, h.newText[0]) {
			h.oldStart++
			h.newText = h.newText[1:]
		}
		for h.oldEnd > h.oldStart && len(h.newText) > 0 && same(h.oldEnd-1, h.newText[len(h.newText)-1]) {
			h.oldEnd--
			h.newText = h.newText[:len(h.newText)-1]
		}
		hunks = append(hunks, h)
	}
	fmt.Fprintf(w, "--- a/%s\n+++ b/%s\n", file, file)
	delta := 0
	for i := 0; i < len(hunks); {
		// Merge hunks whose context would overlap.
		j := i
		for j+1 < len(hunks) && hunks[j+1].oldStart-hunks[j].oldEnd <= 2*contextLines {
			j++
		}
		from := max(0, hunks[i].oldStart-contextLines)
		to := min(len(oldLines), hunks[j].oldEnd+contextLines)
		var body bytes.Buffer
		oldCount, newCount := 0, 0
		pos := from
		for k := i; k <= j; k++ {
			h := hunks[k]
			for ; pos < h.oldStart; pos++ {
				fmt.Fprintf(&body, " %s", oldLines[pos])
				oldCount++
				newCount++
			}
			for ; pos < h.oldEnd; pos++ {
				line := oldLines[pos]
				if h.mask != nil {
					if m, ok := h.mask(pos); ok {
						line = m + line[len(strings.TrimRight(line, "\r\n")):]
					}
				}
				fmt.Fprintf(&body, "-%s", ensureNL(line))
				oldCount++
			}
			for _, l := range h.newText {
				fmt.Fprintf(&body, "+%s", ensureNL(l))
				newCount++
			}
		}
		for ; pos < to; pos++ {
			fmt.Fprintf(&body, " %s", ensureNL(oldLines[pos]))
			oldCount++
			newCount++
		}
		fmt.Fprintf(w, "@@ -%d,%d +%d,%d @@\n", from+1, oldCount, from+1+delta, newCount)
		w.Write(body.Bytes())
		delta += newCount - oldCount
		i = j + 1
	}
	for _, c := range r.Created {
		// A SealedSecret: ciphertext only, nothing to mask.
		lines := splitLines(c.Data)
		fmt.Fprintf(w, "--- /dev/null\n+++ b/%s\n@@ -0,0 +1,%d @@\n", c.Path, len(lines))
		for _, l := range lines {
			fmt.Fprintf(w, "+%s", ensureNL(l))
		}
	}
	return nil
}

// masker returns, for a line index of the old file, the masked version of a
// line of the removed Secret that may hold a value. What may hold one is every
// node under data and stringData, the last-applied-configuration annotations
// (a full copy of the object), and every anchor those nodes alias, wherever it
// sits. Each such node covers the text from its start to the start of the node
// that follows it in the document, so a value that ends on the line where the
// next key begins (flow style, JSON) masks that line too; comments inside a
// value block are masked with it.
func masker(old []byte, d *manifest.Document, secret *yaml.Node) func(int) (string, bool) {
	// Every node in document order, and where each subtree ends in it.
	var order []*yaml.Node
	last := map[*yaml.Node]int{} // node -> index in order of its subtree's last node
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		order = append(order, n)
		for _, c := range n.Content {
			walk(c)
		}
		last[n] = len(order) - 1
	}
	walk(secret)
	index := make(map[*yaml.Node]int, len(order))
	for i, n := range order {
		index[n] = i
	}
	docEnd := d.Line - 1 + lineCount(d.Text) // 0-based, exclusive
	masked := map[int]bool{}
	keyAt := map[int]string{}
	// cover masks the lines of n's subtree: from its first line to the line
	// where the next node begins, that line included unless the next node
	// opens it (only indentation and indicators before it).
	cover := func(n *yaml.Node) {
		start := d.LineOf(n) - 1
		end := docEnd - 1
		if k := last[n] + 1; k < len(order) {
			next := order[k]
			end = d.LineOf(next) - 1
			if opensLine(old, d, next) {
				end--
			}
		}
		for l := start; l <= max(end, start); l++ {
			masked[l] = true
		}
	}
	seen := map[*yaml.Node]bool{}
	var hide func(n *yaml.Node)
	hide = func(n *yaml.Node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		if _, ok := index[n]; ok {
			cover(n)
		}
		for i := index[n]; i <= last[n] && i < len(order); i++ {
			if a := order[i]; a.Kind == yaml.AliasNode {
				hide(a.Alias) // the anchor holds the value, wherever it sits
			}
		}
	}
	named := func(k *yaml.Node) {
		keyAt[d.LineOf(k)-1] = strings.Repeat(" ", max(0, k.Column-1)) + k.Value + ": <masked>"
	}
	top := secret.Content
	for i := 0; i+1 < len(top); i += 2 {
		switch top[i].Value {
		case "data", "stringData":
			hide(top[i+1])
			named(top[i])
			manifest.Pairs(top[i+1], func(k, _ *yaml.Node) {
				if l := d.LineOf(k) - 1; keyAt[l] == "" {
					named(k)
				}
			})
		case "metadata":
			anns := manifest.Field(top[i+1], "annotations")
			for a := 0; anns != nil && a+1 < len(anns.Content); a += 2 {
				if lastApplied(anns.Content[a].Value) {
					hide(anns.Content[a+1])
					named(anns.Content[a])
				}
			}
		}
	}
	for l := range keyAt {
		if !masked[l] {
			delete(keyAt, l) // a key whose line holds no value stays as it is
		}
	}
	return func(i int) (string, bool) {
		if !masked[i] {
			return "", false
		}
		if s, ok := keyAt[i]; ok {
			return s, true
		}
		return "  <masked>", true
	}
}

// opensLine reports whether node n is the first thing on its line: only
// indentation and sequence or key indicators before it.
func opensLine(old []byte, d *manifest.Document, n *yaml.Node) bool {
	line := d.LineOf(n) - 1
	start := 0
	for l := 0; l < line && start < len(old); l++ {
		nl := bytes.IndexByte(old[start:], '\n')
		if nl < 0 {
			return false
		}
		start += nl + 1
	}
	col := n.Column - 1
	if n.Anchor != "" || n.Tag != "" && n.Style&yaml.TaggedStyle != 0 {
		return false // `&a value`, `!!str value`: the node's column is past its properties
	}
	if start+col > len(old) {
		return false
	}
	return len(bytes.Trim(old[start:start+col], " \t-?:")) == 0
}

func splitLines(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	s := string(b)
	parts := strings.SplitAfter(s, "\n")
	if parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts
}

func lineIndex(b []byte, off int) int { return bytes.Count(b[:off], []byte("\n")) }

func lineCount(b []byte) int {
	n := bytes.Count(b, []byte("\n"))
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}

func ensureNL(s string) string {
	if strings.HasSuffix(s, "\n") {
		return s
	}
	return s + "\n\\ No newline at end of file\n"
}
