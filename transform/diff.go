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
// line that belongs to a data/stringData block of the removed Secret.
func masker(old []byte, d *manifest.Document, secret *yaml.Node) func(int) (string, bool) {
	// Lines (0-based, file) of value blocks and of each key in them.
	keyAt := map[int]string{}
	masked := map[int]bool{}
	top := secret.Content
	for i := 0; i+1 < len(top); i += 2 {
		k := top[i]
		if k.Value != "data" && k.Value != "stringData" {
			continue
		}
		start := d.LineOf(k) - 1
		end := d.Line - 1 + lineCount(d.Text) // end of document
		if i+2 < len(top) {
			end = d.LineOf(top[i+2]) - 1
		}
		for l := start; l < end; l++ {
			masked[l] = true
		}
		keyAt[start] = strings.Repeat(" ", max(0, k.Column-1)) + k.Value + ": <masked>"
		manifest.Pairs(manifest.Resolve(top[i+1]), func(kk, _ *yaml.Node) {
			l := d.LineOf(kk) - 1
			if _, taken := keyAt[l]; !taken {
				keyAt[l] = strings.Repeat(" ", max(0, kk.Column-1)) + kk.Value + ": <masked>"
			}
		})
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
