package transform_test

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/secretguard/secretguard/certs"
	"github.com/secretguard/secretguard/internal/sealtest"
	"github.com/secretguard/secretguard/transform"
)

var update = flag.Bool("update", false, "rewrite the want sections of testdata/seal/*.txtar")

// ciphertext matches a sealed value in output; goldens hold a placeholder, and
// the round trip proves what it decrypts to.
var ciphertext = regexp.MustCompile(`Ag[A-Za-z0-9+/]{300,}={0,2}`)

func testCert(t testing.TB, name string) (*certs.Cert, *rsa.PrivateKey) {
	t.Helper()
	certPath := "../testdata/demo/certs/" + name + ".pem"
	if name == "small" {
		certPath = "../testdata/keys/small.pem"
	}
	c, err := certs.Load(name, certPath)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../testdata/keys/" + name + ".key")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c, k
}

// Each testdata/seal/*.txtar has `in` (a file named in.yaml, in.json or
// in.yaml.crlf), optional `options` (env, scope, namespace lines), `want` (the
// rewritten file, ciphertexts as <sealed>, or `error: …`), and `values`
// (`namespace/name key=value` lines that the output must decrypt to).
func TestSealCases(t *testing.T) {
	files, _ := filepath.Glob("testdata/seal/*.txtar")
	if len(files) == 0 {
		t.Fatal("no cases")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			c := readCase(t, file)
			sec, in, name := c.sec, c.in, c.name
			env, opt := "prod", transform.Options{}
			ns := ""
			for _, l := range strings.Split(string(sec["options"]), "\n") {
				k, v, _ := strings.Cut(l, ":")
				v = strings.TrimSpace(v)
				switch strings.TrimSpace(k) {
				case "env":
					env = v
				case "scope":
					opt.Scope = v
				case "default-scope":
					opt.DefaultScope = v
				case "namespace":
					ns = v
				}
			}
			cert, key := testCert(t, env)
			res, err := transform.Seal(name, in, opt, func() (*transform.Target, error) {
				return &transform.Target{Env: env, Cert: cert, Namespace: ns}, nil
			})
			var got, values string
			switch {
			case err != nil:
				got = "error: " + err.Error() + "\n"
				if strings.Contains(err.Error(), "MARKER") {
					t.Errorf("error shows a value: %v", err)
				}
			case res.New == nil:
				got = "unchanged\n"
			default:
				got = c.shown(t, res.New)
				values = decryptAll(t, res.New, name, key)
				// Idempotent: a second run changes nothing.
				again, err := transform.Seal(name, res.New, opt, func() (*transform.Target, error) {
					return &transform.Target{Env: env, Cert: cert, Namespace: ns}, nil
				})
				if err != nil || again.New != nil {
					t.Errorf("second run: err=%v changed=%v", err, again != nil && again.New != nil)
				}
			}
			if strings.Contains(got, "MARKER") {
				t.Errorf("output shows a raw value:\n%s", got)
			}
			outs := map[string]string{"want": got, "values": values}
			if *update {
				c.update(t, outs)
				return
			}
			c.check(t, outs)
		})
	}
}

// decryptAll decrypts every SealedSecret of out: `namespace/name key="value"` lines.
func decryptAll(t *testing.T, out []byte, name string, key *rsa.PrivateKey) string {
	t.Helper()
	values, err := sealtest.DecryptAll(out, strings.HasSuffix(name, ".json"), key)
	if err != nil {
		t.Fatalf("output: %v", err)
	}
	var b strings.Builder
	for _, v := range values {
		b.WriteString(v.String() + "\n")
	}
	return b.String()
}
