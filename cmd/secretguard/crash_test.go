package main

import (
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/secretguard/secretguard/manifest"
)

// TestSealCrashSafety kills `secretguard seal` with SIGKILL at random moments
// over hundreds of files: every file must be either untouched or completely
// sealed, never half-written, and a final run must seal the rest and leave no
// temp file behind.
func TestSealCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it repeatedly")
	}
	bin := filepath.Join(t.TempDir(), "secretguard")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	root := t.TempDir()
	os.Mkdir(filepath.Join(root, ".git"), 0o755)
	os.Mkdir(filepath.Join(root, "certs"), 0o755)
	cert, _ := os.ReadFile("../../testdata/demo/certs/prod.pem")
	os.WriteFile(filepath.Join(root, "certs/prod.pem"), cert, 0o644)
	const files = 300
	orig := map[string][]byte{}
	for i := 0; i < files; i++ {
		name := fmt.Sprintf("apps/s%03d.yaml", i)
		body := fmt.Sprintf("# keep me %d\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s%d\n  namespace: crash\nstringData:\n  a: CRASHVALUE-%d-a\n  b: CRASHVALUE-%d-b\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d}\n", i, i, i, i, i)
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o640); err != nil {
			t.Fatal(err)
		}
		orig[name] = []byte(body)
	}
	rnd := rand.New(rand.NewSource(1))
	for round := 0; round < 12; round++ {
		cmd := exec.Command(bin, "seal", "-q", root)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rnd.Intn(120)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		checkWhole(t, root, orig, false)
	}
	out, err := exec.Command(bin, "seal", root).CombinedOutput()
	if err != nil {
		t.Fatalf("final seal: %v\n%s", err, out)
	}
	checkWhole(t, root, orig, true)
}

// checkWhole asserts every file is either its original bytes or completely
// sealed (and, with done, that all are sealed and no temp file is left).
func checkWhole(t *testing.T, root string, orig map[string][]byte, done bool) {
	t.Helper()
	sealed := 0
	for name, want := range orig {
		p := filepath.Join(root, name)
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if bytes.Equal(got, want) {
			continue
		}
		sealed++
		if bytes.Contains(got, []byte("CRASHVALUE")) || !bytes.HasPrefix(got, []byte("# keep me")) {
			t.Fatalf("%s is neither old nor completely sealed:\n%s", name, got)
		}
		docs := manifest.Documents(got, false)
		kinds := ""
		for _, d := range docs {
			if d.Blank() {
				continue
			}
			if err := d.Parse(); err != nil {
				t.Fatalf("%s: sealed file does not parse: %v", name, err)
			}
			kinds += manifest.Scalar(manifest.Field(d.Node, "kind")) + " "
		}
		if kinds != "SealedSecret ConfigMap " {
			t.Fatalf("%s: documents %q", name, kinds)
		}
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
			t.Fatalf("%s: mode %v, want 0640 kept", name, fi.Mode().Perm())
		}
	}
	if !done {
		t.Logf("%d of %d files sealed before the kill", sealed, len(orig))
		return
	}
	if sealed != len(orig) {
		t.Fatalf("%d of %d files sealed after the final run", sealed, len(orig))
	}
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && strings.Contains(filepath.Base(p), ".secretguard-") {
			t.Errorf("temp file left: %s", p)
		}
		return nil
	})
}
