package source

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, root, rel, body string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDirWalk(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	write(t, root, ".git/config", "x")
	write(t, root, "a/b.yaml", "b")
	write(t, root, "a/c.yaml", "c")
	write(t, root, "vendor/v.yaml", "v")
	write(t, root, "big.yaml", strings.Repeat("x", 100))
	write(t, outside, "secret.yaml", "s")
	os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(root, "a/out.yaml"))
	os.Symlink(root, filepath.Join(root, "a/loop"))

	d := &Dir{Root: root, MaxSize: 50, Skip: func(rel string, dir bool) bool { return rel == "vendor" }}
	entries, err := Entries(d)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Path)
	}
	if strings.Join(got, " ") != "a/b.yaml a/c.yaml big.yaml" {
		t.Errorf("entries %v", got)
	}
	var notices []string
	for _, n := range d.Notices {
		notices = append(notices, n.Path+": "+n.Reason)
	}
	if strings.Join(notices, "; ") != "a/loop: symbolic link not followed; a/out.yaml: symbolic link not followed" {
		t.Errorf("notices %v", notices)
	}
	var tl *TooLargeError
	if _, err := entries[2].Read(); !errors.As(err, &tl) || tl.Size != 100 {
		t.Errorf("big.yaml: %v", err)
	}
	if b, err := entries[0].Read(); err != nil || string(b) != "b" {
		t.Errorf("a/b.yaml: %q %v", b, err)
	}
	if !d.Exists("a/c.yaml") || d.Exists("a/nope.yaml") || d.Exists("a") {
		t.Error("Exists")
	}
}

func TestDirExplicitPaths(t *testing.T) {
	root := t.TempDir()
	write(t, root, "x/one.yaml", "1")
	write(t, root, "y/two.yaml", "2")
	d := &Dir{Root: root, Paths: []string{filepath.Join(root, "y/two.yaml"), filepath.Join(root, "x"), filepath.Join(root, "x/one.yaml")}}
	entries, err := Entries(d)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Path != "y/two.yaml" || entries[1].Path != "x/one.yaml" {
		t.Errorf("entries %+v", entries)
	}
	if _, err := Entries(&Dir{Root: root, Paths: []string{t.TempDir()}}); err == nil || !strings.Contains(err.Error(), "outside the repository root") {
		t.Errorf("outside path: %v", err)
	}
}

func TestFindRoot(t *testing.T) {
	root := t.TempDir()
	write(t, root, ".git/HEAD", "ref")
	write(t, root, "a/b/c.yaml", "c")
	for _, p := range []string{root, filepath.Join(root, "a/b"), filepath.Join(root, "a/b/c.yaml")} {
		if got, err := FindRoot(p); err != nil || got != root {
			t.Errorf("FindRoot(%s) = %s, %v", p, got, err)
		}
	}
	plain := t.TempDir()
	write(t, plain, "d/f.yaml", "f")
	if got, _ := FindRoot(filepath.Join(plain, "d/f.yaml")); got != filepath.Join(plain, "d") {
		t.Errorf("outside git: %s", got)
	}
}
