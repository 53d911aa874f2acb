package transform_test

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/secretguard/secretguard/internal/sealtest"
	"github.com/secretguard/secretguard/sealedsecret"
	"github.com/secretguard/secretguard/transform"
)

// placeholder in a case's input is a ciphertext made when the case runs:
// `<seal CERT LABEL VALUE>` seals VALUE with the demo's CERT (prod, stage)
// under the OAEP label LABEL (`web/db` strict, `web` namespace-wide, `-`
// cluster-wide).
var placeholder = regexp.MustCompile(`<seal (\w+) (\S+) (\S+)>`)

func expandSeals(t *testing.T, in []byte) []byte {
	t.Helper()
	return placeholder.ReplaceAllFunc(in, func(m []byte) []byte {
		p := placeholder.FindSubmatch(m)
		cert, _ := testCert(t, string(p[1]))
		label := string(p[2])
		if label == "-" {
			label = ""
		}
		ct, err := sealedsecret.EncryptString(rand.Reader, cert.Key, []byte(label), p[3])
		if err != nil {
			t.Fatal(err)
		}
		return []byte(ct)
	})
}

// report is what a rewrite says: its Fixed, Left and Notes lines.
func report(res *transform.Result) string {
	var b strings.Builder
	for _, f := range res.Fixed {
		fmt.Fprintf(&b, "fixed %d %s: %s\n", f.Line, f.Rule, f.What)
	}
	for _, l := range res.Left {
		fmt.Fprintf(&b, "left %d %s: %s\n", l.Line, l.Rule, l.Why)
	}
	for _, n := range res.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	return b.String()
}

// Each testdata/reseal/*.txtar has `in` (in.yaml, in.json; .crlf, .noeol as
// for seal; ciphertexts as <seal CERT LABEL VALUE> placeholders), optional
// `options` (`keys: prod stage`, `scope: S`), `want` (the file after
// reseal, ciphertexts as <sealed>, or `unchanged`, or `error: …`), `report`,
// optionally `diff`, and `values` (what the result decrypts to with the
// prod key, the certificate reseal seals for). The environment is prod with
// the stage certificate as its older one. Every changed case runs twice:
// the second run must change nothing.
func TestResealCases(t *testing.T) {
	files, _ := filepath.Glob("testdata/reseal/*.txtar")
	if len(files) == 0 {
		t.Fatal("no cases")
	}
	prod, prodKey := testCert(t, "prod")
	stage, stageKey := testCert(t, "stage")
	keyOf := map[string]sealedsecret.PrivateKey{"prod": {Key: prodKey, From: "prod.key"}, "stage": {Key: stageKey, From: "stage.key"}}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			c := readCase(t, file)
			in := expandSeals(t, c.in)
			var opt transform.ResealOptions
			o := c.options()
			for _, n := range strings.Fields(o["keys"]) {
				opt.Keys = append(opt.Keys, keyOf[n])
			}
			opt.Scope = o["scope"]
			ns := o["namespace"]
			target := func() (*transform.Target, error) {
				return &transform.Target{Env: "prod", Cert: prod, Known: []string{stage.SHA256}, Namespace: ns}, nil
			}
			res, err := transform.Reseal(c.name, in, opt, target)
			outs := map[string]string{}
			switch {
			case err != nil:
				outs["want"] = "error: " + err.Error() + "\n"
			case res.New == nil:
				outs["want"] = "unchanged\n"
			case bytes.Equal(res.New, in):
				outs["want"] = "would change\n"
			default:
				outs["want"] = c.shown(t, res.New)
				outs["values"] = decryptAll(t, res.New, c.name, prodKey)
				outs["diff"] = diffOf(t, c.name, res)
				again, err := transform.Reseal(c.name, res.New, opt, target)
				if err != nil || again.New != nil {
					t.Errorf("second run: err=%v changed=%v", err, again != nil && again.New != nil)
				}
				if d := stageOpens(t, res.New, c.name, prodKey, stageKey); d != "" {
					t.Errorf("the stage key still opens what was resealed: %s", d)
				}
			}
			outs["report"] = ""
			if res != nil {
				outs["report"] = report(res)
			}
			c.finish(t, outs)
		})
	}
}

// stageOpens names a value that both keys decrypt: what prod's key opens
// after a reseal, the older (stage) key must not.
func stageOpens(t *testing.T, out []byte, name string, prodKey, stageKey *rsa.PrivateKey) string {
	t.Helper()
	isJSON := strings.HasSuffix(name, ".json")
	byProd, err := sealtest.DecryptAll(out, isJSON, prodKey)
	if err != nil {
		t.Fatal(err)
	}
	byStage, err := sealtest.DecryptAll(out, isJSON, stageKey)
	if err != nil {
		t.Fatal(err)
	}
	opened := map[string]bool{}
	for _, v := range byProd {
		if v.Plain != nil {
			opened[v.Namespace+"/"+v.Name+" "+v.Key] = true
		}
	}
	for _, v := range byStage {
		if v.Plain != nil && opened[v.Namespace+"/"+v.Name+" "+v.Key] {
			return v.Namespace + "/" + v.Name + " " + v.Key
		}
	}
	return ""
}

// finish holds a lifecycle case's outputs to its sections: only `values`
// may show a MARKER value; want and report are always pinned, the others
// when the case has them.
func (c *rewriteCase) finish(t *testing.T, outs map[string]string) {
	t.Helper()
	for name, s := range outs {
		if name != "values" && strings.Contains(s, "MARKER") {
			t.Errorf("%s shows a value:\n%s", name, s)
		}
	}
	for name := range outs {
		if _, ok := c.sec[name]; !ok && name != "want" && name != "report" {
			delete(outs, name) // the case does not pin it
		}
	}
	if *update {
		c.update(t, outs)
		return
	}
	c.check(t, outs)
}

// options are the `key: value` lines of a case's options section.
func (c *rewriteCase) options() map[string]string {
	o := map[string]string{}
	for _, l := range strings.Split(string(c.sec["options"]), "\n") {
		k, v, _ := strings.Cut(l, ":")
		o[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return o
}

// diffOf is what WriteDiff prints for res, LF line ends, ciphertexts as <sealed>.
func diffOf(t *testing.T, name string, res *transform.Result) string {
	t.Helper()
	var b bytes.Buffer
	if err := transform.WriteDiff(&b, name, res); err != nil {
		t.Fatal(err)
	}
	return ciphertext.ReplaceAllString(strings.ReplaceAll(b.String(), "\r", ""), "<sealed>")
}
