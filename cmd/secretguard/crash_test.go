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

	"github.com/secretguard/secretguard/internal/sealtest"
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
	// The kills are spread over the time a whole run takes here: seal
	// stages every file and puts them in place together at the end, so a
	// fixed window would miss that end (transform's TestBatchCrashSafety
	// kills inside it every time).
	scratch := t.TempDir()
	if out, err := exec.Command("cp", "-a", root+"/.", scratch).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	start := time.Now()
	if out, err := exec.Command(bin, "seal", "-q", scratch).CombinedOutput(); err != nil {
		t.Fatalf("seal: %v\n%s", err, out)
	}
	whole := time.Since(start)
	rnd := rand.New(rand.NewSource(1))
	for round := 0; round < 12; round++ {
		// Each round starts from the raw files (temp files a killed run
		// left stay: the next run must remove them).
		for name, body := range orig {
			if err := os.WriteFile(filepath.Join(root, name), body, 0o640); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command(bin, "seal", "-q", root)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rnd.Int63n(int64(whole))))
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

// TestSealSharedCrashSafety kills `secretguard seal` at random moments while
// it seals the Secrets of 60 bases that a prod and a stage overlay each
// build. After every kill each build must be whole — every entry of every
// kustomization names a file that is there, every file parses, and every
// overlay still deploys each Secret, raw or sealed — and a run on a killed
// one's state must finish the job: no Secret left in a base, each overlay
// listing its SealedSecret once, each decrypting with its cluster's key.
func TestSealSharedCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it repeatedly")
	}
	bin := filepath.Join(t.TempDir(), "secretguard")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	orig := t.TempDir()
	write := func(name, body string) {
		p := filepath.Join(orig, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".git/HEAD", "ref: refs/heads/main\n")
	for _, env := range []string{"prod", "stage"} {
		cert, _ := os.ReadFile("../../testdata/demo/certs/" + env + ".pem")
		write("certs/"+env+".pem", string(cert))
	}
	const apps = 60
	for i := 0; i < apps; i++ {
		app := fmt.Sprintf("apps/a%02d", i)
		write(app+"/base/kustomization.yaml", "resources:\n  - deploy.yaml\n  - secret.yaml\n")
		write(app+"/base/deploy.yaml", fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c%d}\n", i))
		write(app+"/base/secret.yaml", fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s%d\nstringData:\n  k: CRASHVALUE-%d\n", i, i))
		write(app+"/overlays/prod/kustomization.yaml", "namespace: p\nresources:\n  - ../../base\n")
		write(app+"/overlays/stage/kustomization.yaml", "namespace: s\nresources:\n  - ../../base\n")
	}
	whole := func(root string) {
		t.Helper()
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.Contains(p, ".git") || strings.Contains(d.Name(), ".secretguard-") {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil || !strings.HasSuffix(p, ".yaml") {
				return err
			}
			for _, doc := range manifest.Documents(data, false) {
				if doc.Blank() {
					continue
				}
				if err := doc.Parse(); err != nil {
					t.Fatalf("%s does not parse: %v", p, err)
				}
				if d.Name() != "kustomization.yaml" {
					continue
				}
				for _, r := range manifest.Seq(manifest.Field(doc.Node, "resources")) {
					if _, err := os.Stat(filepath.Join(filepath.Dir(p), manifest.Scalar(r))); err != nil {
						t.Fatalf("%s lists %s, which is not there: a build broke", p, manifest.Scalar(r))
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// And every Secret is deployed by every overlay: from the base, or
		// sealed in the overlay (both, for a moment, is fine; neither is not).
		for i := 0; i < apps; i++ {
			app := filepath.Join(root, fmt.Sprintf("apps/a%02d", i))
			base, _ := os.ReadFile(filepath.Join(app, "base/kustomization.yaml"))
			for _, env := range []string{"prod", "stage"} {
				k, _ := os.ReadFile(filepath.Join(app, "overlays", env, "kustomization.yaml"))
				if !strings.Contains(string(base), "secret.yaml") && !strings.Contains(string(k), fmt.Sprintf("sealed-s%d.yaml", i)) {
					t.Fatalf("a%02d/%s deploys Secret s%d neither raw nor sealed", i, env, i)
				}
			}
		}
	}
	// How long a whole run takes here, so that every kill lands inside one.
	fresh := func() string {
		root := filepath.Join(t.TempDir(), "repo")
		if err := os.CopyFS(root, os.DirFS(orig)); err != nil {
			t.Fatal(err)
		}
		return root
	}
	start := time.Now()
	if out, err := exec.Command(bin, "seal", "-q", fresh()).CombinedOutput(); err != nil {
		t.Fatalf("seal: %v\n%s", err, out)
	}
	run := time.Since(start)
	rnd := rand.New(rand.NewSource(2))
	var root, partial string
	for round := 0; round < 10; round++ {
		root = fresh()
		cmd := exec.Command(bin, "seal", "-q", root)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rnd.Int63n(int64(run))))
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		whole(root)
		left, _ := filepath.Glob(filepath.Join(root, "apps/*/base/secret.yaml"))
		made, _ := filepath.Glob(filepath.Join(root, "apps/*/overlays/*/sealed-*.yaml"))
		t.Logf("round %d: killed with %d of %d bases holding their Secret, %d overlay files made", round, len(left), apps, len(made))
		if len(left) > 0 && len(made) > 0 {
			partial = root // killed between the overlays' writes and the bases'
		}
	}
	// A run killed half-way, completed.
	if partial != "" {
		root = partial
	}
	if out, err := exec.Command(bin, "seal", root).CombinedOutput(); err != nil {
		t.Fatalf("final seal: %v\n%s", err, out)
	}
	whole(root)
	keys := map[string]string{"prod": "../../testdata/keys/prod.key", "stage": "../../testdata/keys/stage.key"}
	for i := 0; i < apps; i++ {
		app := filepath.Join(root, fmt.Sprintf("apps/a%02d", i))
		if _, err := os.Stat(filepath.Join(app, "base/secret.yaml")); err == nil {
			t.Fatalf("a%02d: the Secret is still in the base", i)
		}
		for env, keyFile := range keys {
			k, _ := os.ReadFile(filepath.Join(app, "overlays", env, "kustomization.yaml"))
			if n := strings.Count(string(k), fmt.Sprintf("sealed-s%d.yaml", i)); n != 1 {
				t.Fatalf("a%02d/%s lists its SealedSecret %d times:\n%s", i, env, n, k)
			}
			key, err := sealtest.LoadKey(keyFile)
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(app, "overlays", env, fmt.Sprintf("sealed-s%d.yaml", i)))
			if err != nil {
				t.Fatal(err)
			}
			values, err := sealtest.DecryptAll(data, false, key)
			if err != nil || len(values) != 1 || values[0].Err != nil || string(values[0].Plain) != fmt.Sprintf("CRASHVALUE-%d", i) {
				t.Fatalf("a%02d/%s: does not decrypt to its value with the %s key: %v %v", i, env, env, err, values)
			}
		}
	}
}
