// Package compat proves that secretguard's SealedSecrets are what the real
// sealed-secrets code decrypts, using the kubeseal binary (v0.36.6) offline:
// `kubeseal --recovery-unseal --recovery-private-key KEY`. It is a module of its
// own so the main module never depends on sealed-secrets (and client-go).
package compat

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/secretguard/secretguard/certs"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/sealedsecret"
	"github.com/secretguard/secretguard/transform"
)

const (
	certFile = "../testdata/demo/certs/prod.pem"
	keyFile  = "../testdata/keys/prod.key"
)

func kubeseal(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("kubeseal")
	if err != nil {
		if os.Getenv("SECRETGUARD_COMPAT_REQUIRE_KUBESEAL") != "" {
			t.Fatal("kubeseal not on PATH")
		}
		t.Skip("kubeseal not on PATH: run compat/run.sh, which installs v0.36.6")
	}
	return p
}

// seal runs our sealer on one manifest for the prod test certificate.
func seal(t *testing.T, in, scope string) []byte {
	t.Helper()
	cert, err := certs.Load("prod", certFile)
	if err != nil {
		t.Fatal(err)
	}
	res, err := transform.Seal("in.yaml", []byte(in), transform.Options{Scope: scope}, func() (*transform.Target, error) {
		return &transform.Target{Env: "prod", Cert: cert}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.New == nil {
		t.Fatal("nothing sealed")
	}
	return res.New
}

func secret(name, ns string, block string, kv map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n", name)
	if ns != "" {
		fmt.Fprintf(&b, "  namespace: %s\n", ns)
	}
	fmt.Fprintf(&b, "%s:\n", block)
	for k, v := range kv {
		fmt.Fprintf(&b, "  %s: %q\n", k, v)
	}
	return b.String()
}

func TestKubesealDecryptsOurOutput(t *testing.T) {
	kubeseal(t)
	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB
	binary := string([]byte{0, 1, 2, 0xfe, 0xff, '\n'})
	cases := []struct {
		name, scope, block string
		plain              map[string]string // what the Secret holds, decoded
	}{
		{"strict stringData", "strict", "stringData", map[string]string{"password": "s3cr3t", "empty": ""}},
		{"strict data binary", "strict", "data", map[string]string{"bin": binary, "empty": ""}},
		{"namespace-wide", "namespace-wide", "stringData", map[string]string{"token": "nw"}},
		{"cluster-wide", "cluster-wide", "data", map[string]string{"token": "cw"}},
		{"1 MiB value", "strict", "stringData", map[string]string{"big": big}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kv := map[string]string{}
			for k, v := range c.plain {
				if c.block == "data" {
					v = base64.StdEncoding.EncodeToString([]byte(v))
				}
				kv[k] = v
			}
			got, err := recoveryUnseal(t, seal(t, secret("app", "web", c.block, kv), c.scope))
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range c.plain {
				if !bytes.Equal(got[k], []byte(v)) {
					t.Errorf("%s: kubeseal decrypted %d bytes, want %d", k, len(got[k]), len(v))
				}
			}
			if len(got) != len(c.plain) {
				t.Errorf("kubeseal returned %d keys, want %d", len(got), len(c.plain))
			}
		})
	}
}

// A strict SealedSecret is bound to its namespace/name: renamed or moved, the
// controller's code refuses it.
func TestStrictScopeBinds(t *testing.T) {
	kubeseal(t)
	sealed := string(seal(t, secret("app", "web", "stringData", map[string]string{"k": "v"}), "strict"))
	for name, edit := range map[string]func(string) string{
		"renamed": func(s string) string { return strings.ReplaceAll(s, "name: app", "name: other") },
		"moved":   func(s string) string { return strings.ReplaceAll(s, "namespace: web", "namespace: elsewhere") },
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := recoveryUnseal(t, []byte(edit(sealed))); err == nil {
				t.Errorf("kubeseal decrypted a %s strict SealedSecret", name)
			}
		})
	}
	// Namespace-wide survives a rename, not a move.
	nw := string(seal(t, secret("app", "web", "stringData", map[string]string{"k": "v"}), "namespace-wide"))
	if _, err := recoveryUnseal(t, []byte(strings.ReplaceAll(nw, "name: app", "name: other"))); err != nil {
		t.Errorf("namespace-wide rename: %v", err)
	}
	if _, err := recoveryUnseal(t, []byte(strings.ReplaceAll(nw, "namespace: web", "namespace: elsewhere"))); err == nil {
		t.Error("kubeseal decrypted a moved namespace-wide SealedSecret")
	}
}

// The other direction: what kubeseal seals (offline, --cert) passes our
// sealed-secret-invalid checks.
func TestOurChecksAcceptKubesealOutput(t *testing.T) {
	bin := kubeseal(t)
	in := secret("app", "web", "stringData", map[string]string{"a": "x", "b": strings.Repeat("y", 5000)})
	cmd := exec.Command(bin, "--cert", certFile, "-o", "yaml")
	cmd.Stdin = strings.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubeseal --cert: %v: %s", err, stderr.String())
	}
	cert, err := certs.Load("prod", certFile)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, d := range manifest.Documents(out, false) {
		if d.Blank() || d.Parse() != nil {
			continue
		}
		ed := manifest.Path(d.Node, "spec", "encryptedData")
		for i := 0; ed != nil && i+1 < len(ed.Content); i += 2 {
			n++
			if err := sealedsecret.CheckCiphertext(cert.Key, ed.Content[i+1].Value); err != nil {
				t.Errorf("%s: %v", ed.Content[i].Value, err)
			}
		}
	}
	if n != 2 {
		t.Errorf("checked %d values, want 2", n)
	}
}
