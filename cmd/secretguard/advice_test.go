package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/secretguard/secretguard/internal/cases"
)

// advice is a command a finding tells the user to run: `secretguard …`.
var advice = regexp.MustCompile("`(secretguard [^`]*)`")

// Every command a finding of the rule tests advises works where the user
// stands: run from the repository root as printed, it exits 0 and the finding
// is gone. A template (`…`, a NAME to fill in) is not advice to run and must
// not look like one: it is refused here.
func TestAdviceWorks(t *testing.T) {
	files, err := filepath.Glob("../../scan/testdata/cases/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	ran := 0
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			if _, err := cases.Write(file, root, "../../testdata"); err != nil {
				t.Fatal(err)
			}
			t.Chdir(root)
			for _, f := range scanJSON(t) {
				for _, m := range advice.FindAllStringSubmatch(f.Message, -1) {
					cmd := m[1]
					if strings.Contains(cmd, "…") || regexp.MustCompile(`\b[A-Z]{3,}\b`).MatchString(cmd) {
						t.Errorf("%s %s:%d advises %q, a template that does not run as printed", f.Rule, f.File, f.Line, cmd)
						continue
					}
					var out, errb bytes.Buffer
					if code := Main(shellFields(cmd), strings.NewReader(""), &out, &errb); code != 0 {
						t.Errorf("%s %s:%d advises %q: exit %d\n%s%s", f.Rule, f.File, f.Line, cmd, code, out.String(), errb.String())
						continue
					}
					ran++
					for _, g := range scanJSON(t) {
						if g.Rule == f.Rule && g.File == f.File && g.Message == f.Message {
							t.Errorf("%s %s:%d is still there after %q", f.Rule, f.File, f.Line, cmd)
						}
					}
				}
			}
		})
	}
	if ran == 0 {
		t.Error("no advice ran: the test tests nothing")
	}
}

// shellFields splits a command as a POSIX shell does words with single quotes.
func shellFields(s string) []string {
	var out []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
			}
			inWord = false
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}

type adviceFinding struct {
	Rule, File, Message string
	Line                int
}

func scanJSON(t *testing.T) []adviceFinding {
	t.Helper()
	var out, errb bytes.Buffer
	if code := Main([]string{"secretguard", "scan", "--format", "json", "--fail-on", "never", "."}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("scan: exit %d: %s", code, errb.String())
	}
	var rep struct{ Findings []adviceFinding }
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	return rep.Findings
}
