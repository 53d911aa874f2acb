package compat

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/secretguard/secretguard/certs"
	"github.com/secretguard/secretguard/sealedsecret"
)

// These tests use sealedsecret.Encrypt alone, with the SealedSecret written by
// hand, so that they prove the crypto and the scope annotations independently
// of the sealing pipeline (compat_test.go covers the pipeline end to end).

// sealedSecret is a SealedSecret as kubeseal writes it: the scope annotation
// (when not strict) in its own metadata and in the template.
type sealedSecret struct {
	name, namespace string
	scope           string            // where the controller reads it: metadata.annotations
	templateScope   string            // in spec.template.metadata.annotations; "" = same as scope
	encrypted       map[string]string // key -> base64 ciphertext
}

func scopeAnnotation(scope string) string {
	switch scope {
	case sealedsecret.NamespaceWide:
		return "sealedsecrets.bitnami.com/namespace-wide"
	case sealedsecret.ClusterWide:
		return "sealedsecrets.bitnami.com/cluster-wide"
	}
	return ""
}

func (s sealedSecret) yaml() []byte {
	var b strings.Builder
	meta := func(indent, scope string) {
		fmt.Fprintf(&b, "%sname: %s\n", indent, s.name)
		if s.namespace != "" {
			fmt.Fprintf(&b, "%snamespace: %s\n", indent, s.namespace)
		}
		if a := scopeAnnotation(scope); a != "" {
			fmt.Fprintf(&b, "%sannotations:\n%s  %s: \"true\"\n", indent, indent, a)
		}
	}
	b.WriteString("apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n")
	meta("  ", s.scope)
	b.WriteString("spec:\n  encryptedData:\n")
	keys := make([]string, 0, len(s.encrypted))
	for k := range s.encrypted {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "    %s: %s\n", k, s.encrypted[k])
	}
	b.WriteString("  template:\n    metadata:\n")
	ts := s.templateScope
	if ts == "" {
		ts = s.scope
	}
	meta("      ", ts)
	b.WriteString("    type: Opaque\n")
	return []byte(b.String())
}

// recoveryUnseal runs `kubeseal --recovery-unseal` with the prod TEST key and
// returns the Secret's data, decoded.
func recoveryUnseal(t *testing.T, sealed []byte) (map[string][]byte, error) {
	t.Helper()
	return recoveryUnsealWith(t, keyFile, sealed)
}

// recoveryUnsealWith is recoveryUnseal with another private key file.
func recoveryUnsealWith(t *testing.T, key string, sealed []byte) (map[string][]byte, error) {
	t.Helper()
	cmd := exec.Command(kubeseal(t), "--recovery-unseal", "--recovery-private-key", key, "-o", "json")
	cmd.Stdin = bytes.NewReader(sealed)
	return decodeUnsealed(t, cmd)
}

// decodeUnsealed runs a `kubeseal --recovery-unseal -o json` and returns the
// Secret's values.
func decodeUnsealed(t *testing.T, cmd *exec.Cmd) (map[string][]byte, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("kubeseal: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var secret struct {
		Kind string            `json:"kind"`
		Data map[string][]byte `json:"data"` // encoding/json decodes base64
	}
	if err := json.Unmarshal(stdout.Bytes(), &secret); err != nil {
		t.Fatalf("kubeseal output: %v", err)
	}
	if secret.Kind != "Secret" {
		t.Fatalf("kubeseal output kind %q", secret.Kind)
	}
	return secret.Data, nil
}

// encrypt seals plaintext values for namespace/name under scope with the prod
// TEST certificate.
func encrypt(t *testing.T, scope, namespace, name string, plain map[string][]byte) map[string]string {
	t.Helper()
	cert, err := certs.Load("prod", certFile)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range plain {
		ct, err := sealedsecret.EncryptString(rand.Reader, cert.Key, sealedsecret.Label(scope, namespace, name), v)
		if err != nil {
			t.Fatal(err)
		}
		if err := sealedsecret.CheckCiphertext(cert.Key, ct); err != nil {
			t.Fatal(err)
		}
		out[k] = ct
	}
	return out
}

func TestKubesealDecryptsEncrypt(t *testing.T) {
	kubeseal(t)
	mib := bytes.Repeat([]byte{0, 0xff, 'a', '\n'}, 1<<18) // 1 MiB, binary
	for _, tc := range []struct {
		name, scope string
		// form is how the value was written in the Secret: "data" (base64) or
		// "stringData" (text). Both end up as the same plaintext bytes.
		form   string
		values map[string]string
	}{
		{"strict stringData", sealedsecret.Strict, "stringData", map[string]string{"password": "s3cr3t", "url": "postgres://u:p@db:5432/x?sslmode=require"}},
		{"strict data", sealedsecret.Strict, "data", map[string]string{"password": base64.StdEncoding.EncodeToString([]byte("s3cr3t"))}},
		{"namespace-wide stringData", sealedsecret.NamespaceWide, "stringData", map[string]string{"token": "nw-token"}},
		{"namespace-wide data", sealedsecret.NamespaceWide, "data", map[string]string{"token": base64.StdEncoding.EncodeToString([]byte("nw-token"))}},
		{"cluster-wide stringData", sealedsecret.ClusterWide, "stringData", map[string]string{"token": "cw-token"}},
		{"cluster-wide data", sealedsecret.ClusterWide, "data", map[string]string{"token": base64.StdEncoding.EncodeToString([]byte("cw-token"))}},
		{"binary data", sealedsecret.Strict, "data", map[string]string{"bin": base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 0x80, 0xfe, 0xff, '\n', 0})}},
		{"empty values", sealedsecret.Strict, "stringData", map[string]string{"empty": "", "other": "x"}},
		{"empty data value", sealedsecret.NamespaceWide, "data", map[string]string{"empty": ""}},
		{"1 MiB value", sealedsecret.Strict, "data", map[string]string{"big": base64.StdEncoding.EncodeToString(mib)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plain := map[string][]byte{}
			for k, v := range tc.values {
				if tc.form == "data" {
					b, err := base64.StdEncoding.DecodeString(v)
					if err != nil {
						t.Fatal(err)
					}
					plain[k] = b
				} else {
					plain[k] = []byte(v)
				}
			}
			ss := sealedSecret{name: "app", namespace: "web", scope: tc.scope, encrypted: encrypt(t, tc.scope, "web", "app", plain)}
			got, err := recoveryUnseal(t, ss.yaml())
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(plain) {
				t.Errorf("kubeseal returned %d keys, want %d", len(got), len(plain))
			}
			for k, want := range plain {
				v, ok := got[k]
				if !ok {
					t.Errorf("%s: missing from kubeseal's output", k)
				} else if !bytes.Equal(v, want) {
					t.Errorf("%s: kubeseal decrypted %d bytes that differ from the %d sealed", k, len(v), len(want))
				}
			}
		})
	}
}

// Where a SealedSecret may be unsealed after it was renamed or moved, by scope.
// The controller computes the label from the SealedSecret's own name, namespace
// and metadata annotations; so does kubeseal --recovery-unseal.
func TestKubesealScopeBinding(t *testing.T) {
	kubeseal(t)
	plain := map[string][]byte{"k": []byte("v")}
	for _, tc := range []struct {
		name                string
		scope               string
		templateScope       string // "" = scope
		asName, asNamespace string
		wantDecrypt         bool
	}{
		{name: "strict as sealed", scope: sealedsecret.Strict, asName: "app", asNamespace: "web", wantDecrypt: true},
		{name: "strict renamed", scope: sealedsecret.Strict, asName: "other", asNamespace: "web"},
		{name: "strict moved", scope: sealedsecret.Strict, asName: "app", asNamespace: "elsewhere"},
		{name: "namespace-wide renamed", scope: sealedsecret.NamespaceWide, asName: "other", asNamespace: "web", wantDecrypt: true},
		{name: "namespace-wide moved", scope: sealedsecret.NamespaceWide, asName: "app", asNamespace: "elsewhere"},
		{name: "cluster-wide renamed and moved", scope: sealedsecret.ClusterWide, asName: "other", asNamespace: "elsewhere", wantDecrypt: true},
		// The scope annotation only in the template is not read: the
		// namespace-wide ciphertext is tried with the strict label and fails.
		{name: "namespace-wide annotated in the template only", scope: sealedsecret.Strict, templateScope: sealedsecret.NamespaceWide,
			asName: "app", asNamespace: "web"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sealScope := tc.scope
			if tc.templateScope != "" {
				sealScope = tc.templateScope
			}
			ss := sealedSecret{
				name: tc.asName, namespace: tc.asNamespace, scope: tc.scope, templateScope: tc.templateScope,
				encrypted: encrypt(t, sealScope, "web", "app", plain),
			}
			got, err := recoveryUnseal(t, ss.yaml())
			switch {
			case tc.wantDecrypt && err != nil:
				t.Fatalf("kubeseal refused it: %v", err)
			case tc.wantDecrypt && !bytes.Equal(got["k"], plain["k"]):
				t.Errorf("kubeseal decrypted %q", got["k"])
			case !tc.wantDecrypt && err == nil:
				t.Errorf("kubeseal decrypted it")
			case !tc.wantDecrypt && !strings.Contains(err.Error(), "no key could decrypt secret"):
				t.Errorf("kubeseal failed for another reason: %v", err)
			}
		})
	}
}
