package sealedsecret_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/secretguard/secretguard/sealedsecret"
)

// backup is what `kubectl get secret -l sealedsecrets.bitnami.com/sealed-secrets-key -o yaml`
// prints for the given PEM keys: a List of kubernetes.io/tls Secrets.
func backup(keys ...[]byte) string {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nitems:\n")
	for i, k := range keys {
		fmt.Fprintf(&b, "- apiVersion: v1\n  data:\n    tls.crt: LS0tLS1CRUdJTi==\n    tls.key: %s\n  kind: Secret\n  metadata:\n    labels:\n      sealedsecrets.bitnami.com/sealed-secrets-key: active\n    name: sealed-secrets-key%d\n    namespace: kube-system\n  type: kubernetes.io/tls\n",
			base64.StdEncoding.EncodeToString(k), i)
	}
	b.WriteString("kind: List\nmetadata:\n  resourceVersion: \"\"\n")
	return b.String()
}

func TestReadKeyFile(t *testing.T) {
	prod, err := os.ReadFile("../testdata/keys/prod.key")
	if err != nil {
		t.Fatal(err)
	}
	stage, err := os.ReadFile("../testdata/keys/stage.key")
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(prod)
	k1, _ := x509.ParsePKCS1PrivateKey(block.Bytes)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(k1)
	if err != nil {
		t.Fatal(err)
	}
	dir, repo := t.TempDir(), t.TempDir()
	write := func(dir, name, body string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name, body string
		keys       int
	}{
		{"pkcs1.pem", string(prod), 1},
		{"pkcs8.pem", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})), 1},
		{"two.pem", string(prod) + string(stage), 2},
		{"backup.yaml", backup(prod, stage), 2},
		{"one-secret.json", `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"k"},"type":"kubernetes.io/tls","data":{"tls.key":"` + base64.StdEncoding.EncodeToString(prod) + `"}}`, 1},
	} {
		keys, err := sealedsecret.ReadKeyFile(write(dir, c.name, c.body, 0o600), repo)
		if err != nil || len(keys) != c.keys {
			t.Errorf("%s: %d keys, %v; want %d", c.name, len(keys), err, c.keys)
			continue
		}
		if keys[0].Key.N.Cmp(k1.N) != 0 {
			t.Errorf("%s: the first key is not prod's", c.name)
		}
	}
	refused := []struct {
		path, want string
	}{
		{write(dir, "garbage.pem", "SGVALUE not a key", 0o600), "holds no RSA private key"},
		{write(dir, "bad.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {name: k}\ndata:\n  tls.key: SGVALUE!!\n", 0o600), "data tls.key of Secret k is not base64"},
		{write(repo, "in-repo.key", string(prod), 0o600), "inside the repository"},
		{filepath.Join(dir, "missing.key"), "no such file"},
	}
	if runtime.GOOS != "windows" {
		refused = append(refused, struct{ path, want string }{write(dir, "open.key", string(prod), 0o640), "readable by group or others (mode 0640)"})
	}
	for _, c := range refused {
		_, err := sealedsecret.ReadKeyFile(c.path, repo)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", filepath.Base(c.path), err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "SGVALUE") {
			t.Errorf("%s: the error shows the file's content: %v", c.path, err)
		}
	}
	// A link outside the repository to a key inside it is inside.
	link := filepath.Join(dir, "link.key")
	if err := os.Symlink(filepath.Join(repo, "in-repo.key"), link); err == nil {
		if _, err := sealedsecret.ReadKeyFile(link, repo); err == nil || !strings.Contains(err.Error(), "inside the repository") {
			t.Errorf("a link into the repository: %v", err)
		}
	}
}
