package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretguard/secretguard/internal/sealtest"
	"github.com/secretguard/secretguard/transform"
)

// reseal, set and unset hold plaintext in memory only: no output, no file
// they write (temp files included) and no error shows a value they handled.
// Every value below carries lifeMarker; the test greps for it everywhere.
const lifeMarker = "SGLIFE"

func TestLifecycleNeverShowsAValue(t *testing.T) {
	root, keys := t.TempDir(), t.TempDir()
	cert := func(name string) []byte {
		b, err := os.ReadFile("../../testdata/demo/certs/" + name + ".pem")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	files := map[string][]byte{
		".git/HEAD":      []byte("ref: refs/heads/main\n"),
		"certs/prod.pem": cert("stage"), // the prod controller's old key is stage.key
		"prod/db.yaml":   []byte("# db\napiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: web}\nstringData:\n  password: SGLIFE-1\n  user: SGLIFE-2\n"),
		"prod/api.json":  []byte(`{"apiVersion":"v1","kind":"Secret","metadata":{"name":"api","namespace":"web"},"stringData":{"token":"SGLIFE-3"}}`),
	}
	for name, body := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"prod", "stage"} {
		b, err := os.ReadFile("../../testdata/keys/" + k + ".key")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(keys, k+".key"), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	fromFile := filepath.Join(keys, "value.bin")
	if err := os.WriteFile(fromFile, []byte("SGLIFE-from-file"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(stdin string, args ...string) int {
		t.Helper()
		var stdout, stderr bytes.Buffer
		code := Main(append([]string{"secretguard"}, args...), strings.NewReader(stdin), &stdout, &stderr)
		for name, out := range map[string]string{"stdout": stdout.String(), "stderr": stderr.String()} {
			if strings.Contains(out, lifeMarker) {
				t.Errorf("%v (exit %d): %s shows a value:\n%s", args, code, name, out)
			}
		}
		return code
	}
	db := filepath.Join(root, "prod/db.yaml")
	prodKey, stageKey := filepath.Join(keys, "prod.key"), filepath.Join(keys, "stage.key")
	if code := run("", "seal", root); code != 0 {
		t.Fatalf("seal: exit %d", code)
	}
	// The controller renewed its key: the newest certificate first, the old one kept.
	if err := os.WriteFile(filepath.Join(root, "certs/prod.pem"), append(cert("prod"), cert("stage")...), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		stdin string
		args  []string
		want  int
	}{
		{"", []string{"reseal", "--check", root}, 1},
		{"", []string{"reseal", "--dry-run", root}, 0},
		{"", []string{"reseal", "--diff", "--key", stageKey, root}, 1},
		{"", []string{"reseal", "--key", prodKey, root}, 1}, // the wrong key: nothing decrypts
		{"", []string{"reseal", "--key", stageKey, root}, 0},
		{"", []string{"reseal", "--check", root}, 0},
		{"", []string{"reseal", "--scope", "namespace-wide", "--key", prodKey, root}, 0},
		{"SGLIFE-piped\n", []string{"set", db, "extra"}, 0},
		{"SGLIFE-diff", []string{"set", "--diff", db, "other"}, 1},
		{"", []string{"set", "--from-file", fromFile, db, "password"}, 0},
		{"", []string{"set", db, "password", "SGLIFE-on-the-command-line"}, 2},
		{"SGLIFE-bad", []string{"set", db, "bad/key"}, 2},
		{"SGLIFE-new", []string{"set", "--name", "new", "--namespace", "web", filepath.Join(root, "prod/new.yaml"), "k"}, 0},
		{"", []string{"unset", db, "user"}, 0},
		{"", []string{"unset", filepath.Join(root, "prod/new.yaml"), "k"}, 2},
	} {
		if got := run(c.stdin, c.args...); got != c.want {
			t.Errorf("%v: exit %d, want %d", c.args, got, c.want)
		}
	}
	// No file holds a value, no temp file is left, and each value is sealed
	// for the newest certificate: prod's key opens it, stage's does not.
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if transform.IsTempFile(p) {
			t.Errorf("%s: a temp file was left", p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(lifeMarker)) {
			t.Errorf("%s holds a value:\n%s", p, b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"prod/db.yaml":  `web/db extra="SGLIFE-piped\n";web/db password="SGLIFE-from-file"`,
		"prod/api.json": `web/api token="SGLIFE-3"`,
		"prod/new.yaml": `web/new k="SGLIFE-new"`,
	}
	for file, values := range want {
		data, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		for key, name := range map[string]string{prodKey: "prod", stageKey: "stage"} {
			priv, err := sealtest.LoadKey(key)
			if err != nil {
				t.Fatal(err)
			}
			got, err := sealtest.DecryptAll(data, strings.HasSuffix(file, ".json"), priv)
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			for _, v := range got {
				if name == "prod" {
					lines = append(lines, v.String())
				} else if v.Plain != nil {
					t.Errorf("%s: the stage key opens %s/%s %s", file, v.Namespace, v.Name, v.Key)
				}
			}
			if name == "prod" && strings.Join(lines, ";") != values {
				t.Errorf("%s: prod's key opens %s, want %s", file, strings.Join(lines, ";"), values)
			}
		}
	}
}
