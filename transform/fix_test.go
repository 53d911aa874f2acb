package transform_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/secretguard/secretguard/transform"
)

// Each testdata/fix/*.txtar has `in` (in.yaml, in.json; .crlf: with CRLF line
// ends; .noeol: without the last line's terminator),
// `wants` (the findings to repair: `RULE LINE` lines, as scan reports them;
// `plaintext-credential LINE NAME,NAME` the env entries to move),
// `want` (the file after fix, ciphertexts as <sealed>, or `unchanged`, or
// `error: …`), `report` (what fix says it fixed and left) and optionally
// `diff` (what `fix --diff` prints) and `values` (what the SealedSecrets
// decrypt to). A secretGenerator case has `files/PATH` (the files of the
// repository fix may read), `created/PATH` (the files it must create) and
// `notes`. Every case is run twice: the second run on the result must
// change nothing.
func TestFixCases(t *testing.T) {
	files, _ := filepath.Glob("testdata/fix/*.txtar")
	if len(files) == 0 {
		t.Fatal("no cases")
	}
	cert, key := testCert(t, "prod")
	target := func() (*transform.Target, error) { return &transform.Target{Env: "prod", Cert: cert}, nil }
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			c := readCase(t, file)
			sec, in, name := c.sec, c.in, c.name
			var wants []transform.Want
			for _, l := range strings.Split(strings.TrimSpace(string(sec["wants"])), "\n") {
				// RULE LINE [ENV,NAMES]: the env entries to move, for
				// plaintext-credential.
				f := strings.Fields(l)
				if len(f) < 2 {
					t.Fatalf("wants: %q", l)
				}
				n, err := strconv.Atoi(f[1])
				if err != nil {
					t.Fatalf("wants: %q", l)
				}
				w := transform.Want{Rule: f[0], Line: n}
				if len(f) > 2 {
					w.Env = strings.Split(f[2], ",")
				}
				wants = append(wants, w)
			}
			files := map[string][]byte{}
			for n, data := range sec {
				if p, ok := strings.CutPrefix(n, "files/"); ok {
					files[p] = data
				}
			}
			opt := transform.Options{Read: func(rel string) ([]byte, error) {
				if data, ok := files[rel]; ok {
					return data, nil
				}
				return nil, fs.ErrNotExist
			}}
			res, err := transform.Fix(name, in, wants, opt, target)
			var got, report, diff, values, notes string
			outs := map[string]string{}
			switch {
			case err != nil:
				got = "error: " + err.Error() + "\n"
			case res.New == nil:
				got = "unchanged\n"
			default:
				got = c.shown(t, res.New)
				values = decryptAll(t, res.New, name, key)
				for _, c := range res.Created {
					outs["created/"+c.Path] = ciphertext.ReplaceAllString(string(c.Data), "<sealed>")
					values += decryptAll(t, c.Data, c.Path, key)
					files[c.Path] = c.Data
				}
				for _, n := range res.Notes {
					notes += n + "\n"
				}
				var b bytes.Buffer
				if err := transform.WriteDiff(&b, name, res); err != nil {
					t.Fatal(err)
				}
				diff = ciphertext.ReplaceAllString(strings.ReplaceAll(b.String(), "\r", ""), "<sealed>")
				// Idempotent: what is fixed is no longer wanted, and the rest
				// is left again, unchanged.
				again, err := transform.Fix(name, res.New, nil, opt, target)
				if err != nil || again.New != nil {
					t.Errorf("second run: err=%v changed=%v", err, again != nil && again.New != nil)
				}
			}
			if res != nil {
				for _, f := range res.Fixed {
					report += fmt.Sprintf("fixed %d %s: %s\n", f.Line, f.Rule, f.What)
				}
				for _, ch := range res.Changes {
					report += fmt.Sprintf("sealed %d %s/%s %v\n", ch.Line, ch.Namespace, ch.Name, ch.Keys)
				}
				for _, l := range res.Left {
					report += fmt.Sprintf("left %d %s: %s\n", l.Line, l.Rule, l.Why)
				}
				if res.SealErr != nil {
					report += "seal error: " + res.SealErr.Error() + "\n"
				}
			}
			// MARKER values are sealed; UNSEALED ones stay raw in the file
			// (allowed, SOPS) but must never be printed.
			for _, s := range []string{got, report, diff, notes} {
				if strings.Contains(s, "MARKER") {
					t.Errorf("output shows a raw value:\n%s", s)
				}
			}
			for _, s := range []string{report, diff} {
				if strings.Contains(s, "UNSEALED") {
					t.Errorf("report or diff shows a value left raw:\n%s", s)
				}
			}
			outs["want"], outs["report"], outs["diff"], outs["values"], outs["notes"] = got, report, diff, values, notes
			for name := range outs {
				if _, ok := sec[name]; !ok && strings.HasPrefix(name, "created/") && !*update {
					t.Errorf("%s was created, and the case has no section for it", name)
				}
				if _, ok := sec[name]; !ok {
					delete(outs, name) // the case does not pin it
				}
			}
			if *update {
				c.update(t, outs)
				return
			}
			c.check(t, outs)
			for n := range sec {
				if _, made := outs[n]; strings.HasPrefix(n, "created/") && !made {
					t.Errorf("%s was not created", n)
				}
			}
			if _, ok := sec["report"]; !ok {
				t.Error("a case needs a report section")
			}
		})
	}
}
