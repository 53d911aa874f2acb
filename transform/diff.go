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
			oldLines[l] = "<hidden: SOPS document>" + oldLines[l][len(strings.TrimRight(oldLines[l], "\r\n")):]
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
	return nil
}

// masker returns, for a line index of the old file, the masked version of a
// line of the removed Secret that may hold a value: its data and stringData
// blocks and last-applied-configuration annotations (a full copy of the object).
func masker(old []byte, d *manifest.Document, secret *yaml.Node) func(int) (string, bool) {
	keyAt := map[int]string{}
	masked := map[int]bool{}
	docEnd := d.Line - 1 + lineCount(d.Text) // 0-based, exclusive
	// span masks the lines of pair i of mapping m, which ends before line end.
	span := func(m *yaml.Node, i, end int, listKeys bool) {
		k := m.Content[i]
		start := d.LineOf(k) - 1
		if i+2 < len(m.Content) {
			end = d.LineOf(m.Content[i+2]) - 1
		}
		for l := start; l < max(end, start+1); l++ {
			masked[l] = true
		}
		keyAt[start] = strings.Repeat(" ", max(0, k.Column-1)) + k.Value + ": <masked>"
		if listKeys {
			manifest.Pairs(manifest.Resolve(m.Content[i+1]), func(kk, _ *yaml.Node) {
				if l := d.LineOf(kk) - 1; keyAt[l] == "" {
					keyAt[l] = strings.Repeat(" ", max(0, kk.Column-1)) + kk.Value + ": <masked>"
				}
			})
		}
	}
	// endOf is the line before the key that follows pair i of m, or end.
	endOf := func(m *yaml.Node, i, end int) int {
		if i+2 < len(m.Content) {
			return d.LineOf(m.Content[i+2]) - 1
		}
		return end
	}
	top := secret.Content
	for i := 0; i+1 < len(top); i += 2 {
		switch top[i].Value {
		case "data", "stringData":
			span(secret, i, docEnd, true)
		case "metadata":
			md := manifest.Resolve(top[i+1])
			mdEnd := endOf(secret, i, docEnd)
			for j := 0; md != nil && j+1 < len(md.Content); j += 2 {
				if md.Content[j].Value != "annotations" {
					continue
				}
				anns := manifest.Resolve(md.Content[j+1])
				annEnd := endOf(md, j, mdEnd)
				for a := 0; anns != nil && a+1 < len(anns.Content); a += 2 {
					if lastApplied(anns.Content[a].Value) {
						span(anns, a, annEnd, false)
					}
				}
			}
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
