package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hostileTree writes files built to crash, hang or trick a manifest reader.
func hostileTree(t *testing.T) string {
	root := t.TempDir()
	outside := t.TempDir()
	w := func(rel, body string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cert, err := os.ReadFile("../../testdata/demo/certs/prod.pem")
	if err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(root, ".git"), 0o755)
	w("certs/prod.pem", string(cert))
	secret := "apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  namespace: n\n"
	// A billion laughs in the labels of a Secret that also has a value.
	bomb := strings.Replace(secret, "%s", "bomb", 1) + "  labels: &a0 {x: y}\n"
	var anchors strings.Builder
	anchors.WriteString("x0: &b0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 10; i++ {
		anchors.WriteString("x" + itoa(i) + ": &b" + itoa(i) + " [")
		for j := 0; j < 9; j++ {
			if j > 0 {
				anchors.WriteString(", ")
			}
			anchors.WriteString("*b" + itoa(i-1))
		}
		anchors.WriteString("]\n")
	}
	w("alias-bomb.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: bomb\n  namespace: n\n  annotations:\n    a: x\n"+
		"stringData:\n  k: HOSTILE-1\nbomb:\n  "+strings.ReplaceAll(anchors.String(), "\n", "\n  ")+"\n")
	_ = bomb
	// The same bomb inside a SecretStore's provider, which a rule walks.
	var store strings.Builder
	store.WriteString("apiVersion: external-secrets.io/v1\nkind: SecretStore\nmetadata: {name: s, namespace: n}\nanchors:\n  a0: &a0 {token: x}\n")
	for i := 1; i < 40; i++ {
		store.WriteString(fmt.Sprintf("  a%d: &a%d {l: *a%d, r: *a%d}\n", i, i, i-1, i-1))
	}
	store.WriteString("spec:\n  provider:\n    vault: *a39\n")
	w("store-bomb.yaml", store.String())
	w("deep.yaml", "kind: Secret\nx: "+strings.Repeat("[", 20000)+strings.Repeat("]", 20000)+"\n")
	w("deep-map.yaml", "kind: Secret\n"+deepMap(20000))
	w("invalid-utf8.yaml", "kind: Secret\nstringData:\n  k: \xff\xfe\xfd HOSTILE-2\n")
	w("nul.yaml", "kind: Secret\x00\nstringData: {k: HOSTILE-3}\n")
	w("dup.yaml", strings.Replace(secret, "%s", "dup", 1)+"stringData: {}\nstringData:\n  k: HOSTILE-4\n")
	w("huge.yaml", strings.Replace(secret, "%s", "huge", 1)+"stringData:\n  k: HOSTILE-5"+strings.Repeat("x", 40<<20)+"\n")
	w("non-mapping.yaml", "- Secret\n- [1, 2]\n---\njust a Secret string\n---\n42\n")
	w("wrong-types.yaml", "apiVersion: [v1]\nkind: {Secret: 1}\nmetadata: Secret\ndata: [1, 2]\n---\napiVersion: v1\nkind: Secret\nmetadata: [x]\ndata: HOSTILE-6\n")
	w("bad-base64.yaml", strings.Replace(secret, "%s", "b64", 1)+"data:\n  k: HOSTILE-7!!\n")
	w("crlf-only.yaml", "\r\n\r\n---\r\n\r\n")
	w("empty.yaml", "")
	w("bom-only.yaml", "\xef\xbb\xbf")
	os.Symlink(root, filepath.Join(root, "loop"))
	os.WriteFile(filepath.Join(outside, "s.yaml"), []byte(strings.Replace(secret, "%s", "out", 1)+"stringData: {k: HOSTILE-8}\n"), 0o644)
	os.Symlink(filepath.Join(outside, "s.yaml"), filepath.Join(root, "outside.yaml"))
	syscall.Mkfifo(filepath.Join(root, "fifo.yaml"), 0o644)
	return root
}

func deepMap(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString("{a: ")
	}
	b.WriteString("1")
	b.WriteString(strings.Repeat("}", n))
	b.WriteString("\n")
	return b.String()
}

func itoa(i int) string { return string(rune('0' + i)) }

// run runs the CLI in-process and fails the test if it does not return: a
// hang is a bug (a liveness check, not a timing assertion).
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- Main(append([]string{"secretguard"}, args...), strings.NewReader(""), &out, &errOut) }()
	select {
	case code = <-done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("%v did not return", args)
	}
	return code, out.String(), errOut.String()
}

func TestHostileInput(t *testing.T) {
	root := hostileTree(t)
	before := snapshot(t, root)

	code, out, errOut := run(t, "scan", root)
	if code != 1 {
		t.Fatalf("scan exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"alias-bomb.yaml:9:3: error raw-secret",
		"store-bomb.yaml:5:12: error secret-store-inline-credentials",
		"deep.yaml:2:",  // parse-error: too deep
		"deep-map.yaml", // parse-error
		"invalid-utf8.yaml:",
		"skipped nul.yaml: binary",
		"dup.yaml:8:3: error raw-secret",
		"huge.yaml:7:3: error raw-secret",
		"bad-base64.yaml:7:3: error raw-secret",
		"skipped loop: symbolic link not followed",
		"skipped outside.yaml: symbolic link not followed",
		"skipped fifo.yaml: not a regular file",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scan output lacks %q", want)
		}
	}
	if strings.Contains(out+errOut, "HOSTILE") {
		t.Errorf("a value was printed:\n%s", out+errOut)
	}

	code, out, errOut = run(t, "seal", root)
	if code != 2 {
		t.Errorf("seal exit %d, want 2 (some files cannot be sealed)\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"alias-bomb.yaml:1: Secret bomb expands to more than 100000 YAML nodes",
		"bad-base64.yaml:7: data.k of Secret b64 is not valid base64; file left untouched",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("seal errors lack %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(out+errOut, "HOSTILE") {
		t.Errorf("a value was printed:\n%s", out+errOut)
	}
	// Only the two sealable Secrets changed; everything else is byte-identical.
	after := snapshot(t, root)
	for name, b := range before {
		changed := !bytes.Equal(b, after[name])
		want := name == "dup.yaml" || name == "huge.yaml"
		if changed != want {
			t.Errorf("%s: changed=%v, want %v", name, changed, want)
		}
		if changed && bytes.Contains(after[name], []byte("HOSTILE")) {
			t.Errorf("%s still holds its value", name)
		}
	}
}

func snapshot(t *testing.T, root string) map[string][]byte {
	out := map[string][]byte{}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if e.Type().IsRegular() {
			b, err := os.ReadFile(filepath.Join(root, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			out[e.Name()] = b
		}
	}
	return out
}
