package transform_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretguard/secretguard/transform"
)

// Each testdata/set/*.txtar has `in` (as for reseal: placeholders, .crlf,
// .noeol), `options` (`key: K`, `value: V` or `unset: true`, `name: N`,
// `namespace: NS`, `scope: S`), `want` (the file after, ciphertexts as
// <sealed>, or `error: …`), `report`, optionally `diff`, and `values` (what
// the result decrypts to with the prod key). The environment is prod, with
// the stage certificate as its older one.
func TestSetCases(t *testing.T) {
	files, _ := filepath.Glob("testdata/set/*.txtar")
	if len(files) == 0 {
		t.Fatal("no cases")
	}
	prod, prodKey := testCert(t, "prod")
	stage, _ := testCert(t, "stage")
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			c := readCase(t, file)
			in := expandSeals(t, c.in)
			o := c.options()
			opt := transform.SetOptions{Key: o["key"], Value: []byte(o["value"]), Unset: o["unset"] == "true",
				Name: o["name"], Namespace: o["namespace"], Scope: o["scope"]}
			ns := o["target-namespace"]
			target := func() (*transform.Target, error) {
				return &transform.Target{Env: "prod", Cert: prod, Known: []string{stage.SHA256}, Namespace: ns}, nil
			}
			res, err := transform.SetKey(c.name, in, opt, target)
			outs := map[string]string{"report": ""}
			switch {
			case err != nil:
				outs["want"] = "error: " + err.Error() + "\n"
			default:
				outs["want"] = c.shown(t, res.New)
				outs["values"] = decryptAll(t, res.New, c.name, prodKey)
				outs["report"] = report(res)
				outs["diff"] = diffOf(t, c.name, res)
			}
			c.finish(t, outs)
		})
	}
}
