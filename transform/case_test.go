package transform_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// rewriteCase is one testdata/{seal,fix}/*.txtar: its sections, and the input
// file as the rewriter gets it. The input section is in.yaml or in.json; a
// .crlf suffix gives it CRLF line ends, a .noeol suffix drops the last line's
// terminator.
type rewriteCase struct {
	file        string
	ar          *txtar.Archive
	sec         map[string][]byte
	name        string // the input's file name, suffixes removed
	in          []byte
	crlf, noeol bool
}

func readCase(t *testing.T, file string) *rewriteCase {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c := &rewriteCase{file: file, ar: ar, sec: map[string][]byte{}}
	for _, f := range ar.Files {
		c.sec[f.Name] = f.Data
		if strings.HasPrefix(f.Name, "in.") {
			c.name, c.in = f.Name, f.Data
		}
	}
	if n, ok := strings.CutSuffix(c.name, ".noeol"); ok {
		c.name, c.noeol = n, true
		c.in = bytes.TrimSuffix(c.in, []byte("\n"))
	}
	if n, ok := strings.CutSuffix(c.name, ".crlf"); ok {
		c.name, c.crlf = n, true
		c.in = bytes.ReplaceAll(c.in, []byte("\n"), []byte("\r\n"))
	}
	return c
}

// shown is a rewritten file as the want section holds it: LF line ends (a
// CRLF file must not have gained a bare LF), the last terminator back on a
// .noeol case (which must not have gained one), ciphertexts as <sealed>.
func (c *rewriteCase) shown(t *testing.T, out []byte) string {
	t.Helper()
	if c.crlf {
		if bytes.Contains(bytes.ReplaceAll(out, []byte("\r\n"), nil), []byte("\n")) {
			t.Errorf("output mixes LF into a CRLF file")
		}
		out = bytes.ReplaceAll(out, []byte("\r\n"), []byte("\n"))
	}
	if c.noeol {
		if bytes.HasSuffix(out, []byte("\n")) {
			t.Errorf("a terminator was added to the last line")
		}
		out = append(out, '\n')
	}
	return ciphertext.ReplaceAllString(string(out), "<sealed>")
}

// update rewrites the named sections with what the run gave (-update).
func (c *rewriteCase) update(t *testing.T, got map[string]string) {
	t.Helper()
	for i := range c.ar.Files {
		if g, ok := got[c.ar.Files[i].Name]; ok {
			c.ar.Files[i].Data = []byte(g)
		}
	}
	if err := os.WriteFile(c.file, txtar.Format(c.ar), 0o644); err != nil {
		t.Fatal(err)
	}
}

// check compares what the run gave with the sections of those names (a
// missing section wants nothing).
func (c *rewriteCase) check(t *testing.T, got map[string]string) {
	t.Helper()
	for name, g := range got {
		if want := c.sec[name]; g != string(want) {
			t.Errorf("%s: got:\n%s\nwant:\n%s", name, g, want)
		}
	}
}
