package transform_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/secretguard/secretguard/transform"
)

// TestBatch stages a few files and many (the many are made durable with one
// syncfs on Linux, the few with an fsync each): every file gets its new bytes
// and keeps its mode, the new files it lists appear, and no temp file is left.
func TestBatch(t *testing.T) {
	for _, n := range []int{3, 40} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			dir := t.TempDir()
			var b transform.Batch
			for i := 0; i < n; i++ {
				p := filepath.Join(dir, fmt.Sprintf("f%d.yaml", i))
				if err := os.WriteFile(p, []byte("old\n"), 0o640); err != nil {
					t.Fatal(err)
				}
				created := transform.Created{Path: filepath.Join(dir, fmt.Sprintf("new%d.yaml", i)), Data: []byte(fmt.Sprintf("made %d\n", i))}
				if err := b.Stage(p, []byte(fmt.Sprintf("new %d\n", i)), created); err != nil {
					t.Fatal(err)
				}
				if got, _ := os.ReadFile(p); string(got) != "old\n" {
					t.Fatalf("%s changed before Commit: %q", p, got)
				}
			}
			if b.Len() != n {
				t.Fatalf("Len = %d, want %d", b.Len(), n)
			}
			b.Commit(func(path string, err error) { t.Errorf("%s: %v", path, err) })
			for i := 0; i < n; i++ {
				p := filepath.Join(dir, fmt.Sprintf("f%d.yaml", i))
				got, _ := os.ReadFile(p)
				if string(got) != fmt.Sprintf("new %d\n", i) {
					t.Errorf("%s = %q", p, got)
				}
				if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
					t.Errorf("%s: mode %v, want 0640 kept", p, fi.Mode().Perm())
				}
				made, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("new%d.yaml", i)))
				if string(made) != fmt.Sprintf("made %d\n", i) {
					t.Errorf("new%d.yaml = %q", i, made)
				}
			}
			noTemps(t, dir)
		})
	}
}

// TestBatchRefuses: what WriteFile and CreateFile refuse, Stage refuses, and
// staging nothing of that file; a file whose new neighbour appeared between
// Stage and Commit is left untouched and reported, the others go in place.
func TestBatchRefuses(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	target := write("target.yaml", "target\n")
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	hard := filepath.Join(dir, "hard.yaml")
	if err := os.Link(target, hard); err != nil {
		t.Fatal(err)
	}
	taken := write("taken.yaml", "taken\n")
	var b transform.Batch
	for _, c := range []struct {
		path    string
		created []transform.Created
		want    string
	}{
		{link, nil, "symbolic link"},
		{hard, nil, "hard links"},
		{write("a.yaml", "a\n"), []transform.Created{{Path: taken, Data: []byte("x")}}, "exists already"},
		{filepath.Join(dir, "missing.yaml"), nil, "no such file"},
	} {
		err := b.Stage(c.path, []byte("new\n"), c.created...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Stage(%s) = %v, want an error with %q", filepath.Base(c.path), err, c.want)
		}
	}
	if b.Len() != 0 {
		t.Fatalf("refused files were staged: Len = %d", b.Len())
	}
	noTemps(t, dir)

	late := filepath.Join(dir, "late.yaml")
	lister := write("lister.yaml", "lister\n")
	other := write("other.yaml", "other\n")
	if err := b.Stage(lister, []byte("lists late\n"), transform.Created{Path: late, Data: []byte("late\n")}); err != nil {
		t.Fatal(err)
	}
	if err := b.Stage(other, []byte("other new\n")); err != nil {
		t.Fatal(err)
	}
	write("late.yaml", "someone else's\n")
	var failed []string
	b.Commit(func(path string, err error) { failed = append(failed, filepath.Base(path)+": "+err.Error()) })
	if len(failed) != 1 || !strings.HasPrefix(failed[0], "lister.yaml: ") || !strings.Contains(failed[0], "exists already") {
		t.Errorf("failed = %q, want lister.yaml's new file reported", failed)
	}
	for p, want := range map[string]string{lister: "lister\n", late: "someone else's\n", other: "other new\n"} {
		if got, _ := os.ReadFile(p); string(got) != want {
			t.Errorf("%s = %q, want %q", filepath.Base(p), got, want)
		}
	}
	noTemps(t, dir)
}

// TestBatchDiscard: nothing staged reaches its file, no temp file stays.
func TestBatchDiscard(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.yaml")
	os.WriteFile(p, []byte("old\n"), 0o644)
	var b transform.Batch
	if err := b.Stage(p, []byte("new\n"), transform.Created{Path: filepath.Join(dir, "n.yaml"), Data: []byte("n")}); err != nil {
		t.Fatal(err)
	}
	b.Discard()
	b.Commit(func(path string, err error) { t.Errorf("%s: %v", path, err) })
	if got, _ := os.ReadFile(p); string(got) != "old\n" {
		t.Errorf("s.yaml = %q", got)
	}
	if _, err := os.Lstat(filepath.Join(dir, "n.yaml")); err == nil {
		t.Error("n.yaml was made")
	}
	noTemps(t, dir)
}

func noTemps(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if transform.IsTempFile(e.Name()) {
			t.Errorf("temp file left: %s", e.Name())
		}
	}
}

// TestBatchCrashSafety kills a process inside Commit, again and again: every
// file must be old or new, never half of each, and a file that lists a new one
// must never be new while the one it lists is missing. The child is this test
// binary; it slows each rename down so the kills land inside the commit.
func TestBatchCrashSafety(t *testing.T) {
	if dir := os.Getenv("SECRETGUARD_BATCH_CHILD"); dir != "" {
		transform.SetTestHookRenamed(func() { time.Sleep(time.Millisecond) })
		var b transform.Batch
		for i := 0; i < crashFiles; i++ {
			p := filepath.Join(dir, fmt.Sprintf("f%03d.yaml", i))
			var created []transform.Created
			if i%3 == 0 {
				created = append(created, transform.Created{Path: filepath.Join(dir, fmt.Sprintf("made%03d.yaml", i)), Data: []byte("made\n")})
			}
			if err := b.Stage(p, newContent(i), created...); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
		}
		os.Stdout.WriteString("staged\n")
		b.Commit(func(path string, err error) { fmt.Fprintln(os.Stderr, err) })
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip("runs and kills child processes")
	}
	rnd := rand.New(rand.NewSource(1))
	partial := 0
	for round := 0; round < 8; round++ {
		dir := t.TempDir()
		old := []byte(strings.Repeat("old content\n", 200))
		for i := 0; i < crashFiles; i++ {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d.yaml", i)), old, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cmd := exec.Command(os.Args[0], "-test.run", "^TestBatchCrashSafety$")
		cmd.Env = append(os.Environ(), "SECRETGUARD_BATCH_CHILD="+dir)
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill once the child is committing: the renames take ~1 ms each.
		line := make([]byte, 7)
		if _, err := io.ReadFull(out, line); err != nil || string(line) != "staged\n" {
			t.Fatalf("child: %q %v", line, err)
		}
		time.Sleep(time.Duration(rnd.Intn(crashFiles)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		newFiles := 0
		for i := 0; i < crashFiles; i++ {
			got, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("f%03d.yaml", i)))
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case bytes.Equal(got, old):
			case bytes.Equal(got, newContent(i)):
				newFiles++
				if i%3 == 0 {
					if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("made%03d.yaml", i))); err != nil {
						t.Fatalf("f%03d.yaml is new but the file it lists is missing: %v", i, err)
					}
				}
			default:
				t.Fatalf("f%03d.yaml is neither old nor new: %q", i, got)
			}
		}
		if newFiles > 0 && newFiles < crashFiles {
			partial++
		}
	}
	if partial == 0 {
		t.Error("no kill landed inside a commit: the test proves nothing")
	}
}

const crashFiles = 150

func newContent(i int) []byte {
	return []byte(strings.Repeat(fmt.Sprintf("new content of %d\n", i), 300))
}
