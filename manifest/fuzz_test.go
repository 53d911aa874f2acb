package manifest

import (
	"bytes"
	"testing"
)

// FuzzSplit: spans tile the input in order, never overlap, and count lines
// right; parsing any document never panics and its error never quotes input.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		"a: 1\n---\nb: 2\n", "--- {a: 1}\n...\n---\r\nb: |\n  ---\n", "\xef\xbb\xbf# c\n---\n",
		"kind: Secret\nstringData: {k: \"v\"}\n", "---", "...\n...", "a: &x [*x]\n", "{{ .Values }}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		spans := Split(data)
		prev := 0
		if bytes.HasPrefix(data, bom) {
			prev = len(bom)
		}
		for _, s := range spans {
			if s.Start < prev || s.End < s.Start || s.End > len(data) {
				t.Fatalf("span %+v after %d in %d bytes", s, prev, len(data))
			}
			if want := 1 + bytes.Count(data[:min(s.Start, len(data))], []byte("\n")); s.Start < len(data) && s.Line != want {
				t.Fatalf("span %+v: line %d, want %d", s, s.Line, want)
			}
			prev = s.End
		}
		if prev != len(data) {
			t.Fatalf("spans end at %d of %d", prev, len(data))
		}
		for _, d := range Documents(data, false) {
			if err := d.Parse(); err != nil {
				pe := err.(*ParseError)
				if pe.Line < d.Line {
					t.Fatalf("error line %d before document line %d", pe.Line, d.Line)
				}
			}
		}
	})
}
