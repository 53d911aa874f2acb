package manifest

import (
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // each document's text
		line []int
	}{
		{"single", "a: 1\n", []string{"a: 1\n"}, []int{1}},
		{"leading separator", "---\na: 1\n", []string{"", "a: 1\n"}, []int{1, 2}},
		{"two", "a: 1\n---\nb: 2\n", []string{"a: 1\n", "b: 2\n"}, []int{1, 3}},
		{"separator comment", "a: 1\n--- # next\nb: 2", []string{"a: 1\n", "b: 2"}, []int{1, 3}},
		{"crlf", "a: 1\r\n---\r\nb: 2\r\n", []string{"a: 1\r\n", "b: 2\r\n"}, []int{1, 3}},
		{"end marker", "a: 1\n...\n---\nb: 2\n", []string{"a: 1\n", "", "b: 2\n"}, []int{1, 3, 4}},
		{"inline content", "a: 1\n--- {b: 2}\n", []string{"a: 1\n", "--- {b: 2}\n"}, []int{1, 2}},
		{"not a marker", "a: |\n  ---\n----\nb: ---x\n", []string{"a: |\n  ---\n----\nb: ---x\n"}, []int{1}},
		{"bom", "\xef\xbb\xbfa: 1\n---\nb: 2\n", []string{"a: 1\n", "b: 2\n"}, []int{1, 3}},
		{"trailing separator", "a: 1\n---\n", []string{"a: 1\n", ""}, []int{1, 3}},
		{"no newline at end", "a: 1\n---", []string{"a: 1\n", ""}, []int{1, 3}},
		{"empty", "", []string{""}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans := Split([]byte(tt.in))
			var got []string
			var lines []int
			for _, s := range spans {
				got = append(got, tt.in[s.Start:s.End])
				lines = append(lines, s.Line)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("docs = %q, want %q", got, tt.want)
			}
			if len(lines) != len(tt.line) {
				t.Fatalf("lines = %v, want %v", lines, tt.line)
			}
			for i := range lines {
				if lines[i] != tt.line[i] {
					t.Errorf("lines = %v, want %v", lines, tt.line)
				}
			}
		})
	}
}

// Split never loses or duplicates a byte: documents and separators tile the file.
func TestSplitTiles(t *testing.T) {
	in := "# head\n---\na: 1\r\n--- # c\nb: |\n  ---x\n...\n--- {c: 3}\nd: 4"
	spans := Split([]byte(in))
	prev := 0
	for _, s := range spans {
		if s.Start < prev || s.End < s.Start || s.End > len(in) {
			t.Fatalf("bad span %+v after %d", s, prev)
		}
		gap := in[prev:s.Start]
		if strings.TrimSpace(strings.Trim(gap, "-.\r\n")) != "" && !strings.HasPrefix(gap, "---") && !strings.HasPrefix(gap, "...") {
			t.Errorf("gap %q is not a separator", gap)
		}
		prev = s.End
	}
	if prev != len(in) {
		t.Errorf("last span ends at %d, file has %d bytes", prev, len(in))
	}
}

func TestDocumentsHeadAndParse(t *testing.T) {
	in := "# secretguard:ignore raw-secret\n---\n# own comment\nkind: Secret\nmetadata:\n  name: x\n---\nbad: [\n"
	docs := Documents([]byte(in), false)
	if len(docs) != 3 {
		t.Fatalf("got %d docs", len(docs))
	}
	d := docs[1]
	if got := strings.Join(d.Head, "|"); got != "secretguard:ignore raw-secret|own comment" {
		t.Errorf("head = %q", got)
	}
	if d.ContentLine() != 4 {
		t.Errorf("content line = %d, want 4", d.ContentLine())
	}
	if err := d.Parse(); err != nil {
		t.Fatal(err)
	}
	if k := d.Node.Content[0]; d.LineOf(k) != 4 {
		t.Errorf("kind key at line %d, want 4", d.LineOf(k))
	}
	err := docs[2].Parse()
	pe, ok := err.(*ParseError)
	if !ok || pe.Line < 8 {
		t.Fatalf("parse error = %v, want a ParseError at line >= 8", err)
	}
}

// A parse error never quotes the input it failed on.
func TestParseErrorHidesInput(t *testing.T) {
	for _, in := range []string{
		"a: \"MARKER\n",
		"a: 'MARKER\n",
		"a: MARKER\n b: MARKER: [\n",
		"\tMARKER: x\n",
		"a: !!binary MARKER\n",
		"- MARKER\n MARKER: 1\n",
		"a: *MARKER\n",
		"{MARKER: [}\n",
		"a: \"\\qMARKER\"\n",
	} {
		d := Documents([]byte(in), false)[0]
		err := d.Parse()
		if err != nil && strings.Contains(err.Error(), "MARKER") {
			t.Errorf("%q: error %q shows the input", in, err)
		}
	}
}
