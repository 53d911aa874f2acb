package transform_test

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

	"github.com/secretguard/secretguard/transform"
)

// TestBatch stages a few files, many (made durable with one syncfs on Linux,
// the few with an fsync each) and several chunks' worth (put in place while
// the others are staged): every file gets its new bytes and keeps its mode,
// the new files it lists appear, and no temp file is left.
func TestBatch(t *testing.T) {
	for _, n := range []int{3, 40, 600} {
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
	b.Commit(func(path string, err error) { t.Errorf("refused at Stage, reported at Commit: %s: %v", path, err) })
	if got, _ := os.ReadFile(target); string(got) != "target\n" {
		t.Errorf("target.yaml = %q", got)
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

func noTemps(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if transform.IsTempFile(e.Name()) {
			t.Errorf("temp file left: %s", e.Name())
		}
	}
}

// TestBatchCrashSafety kills a process that stages and commits hundreds of
// files, again and again at random moments: every file must be old or new,
// never half of each, and a file that lists a new one must never be new while
// the one it lists is missing. The child is this test binary; it slows each
// rename down so the kills land inside the chunks it puts in place, those of
// the staging included.
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
		b.Commit(func(path string, err error) { fmt.Fprintln(os.Stderr, err) })
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip("runs and kills child processes")
	}
	rnd := rand.New(rand.NewSource(1))
	child := func(dir string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestBatchCrashSafety$")
		cmd.Env = append(os.Environ(), "SECRETGUARD_BATCH_CHILD="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	// How long a whole run takes on this machine now: the kills are spread
	// over it, so that a loaded machine (CI, a parallel build) still has
	// them land inside the commit.
	old := []byte(strings.Repeat("old content\n", 200))
	prepare := func() string {
		dir := t.TempDir()
		for i := 0; i < crashFiles; i++ {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%03d.yaml", i)), old, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	start := time.Now()
	if err := child(prepare()).Wait(); err != nil {
		t.Fatalf("a whole run: %v", err)
	}
	span := time.Since(start)
	partial := 0
	// Rounds until four kills have landed inside a commit (most do), at
	// most 40.
	for round := 0; partial < 4 && round < 40; round++ {
		dir := prepare()
		cmd := child(dir)
		time.Sleep(time.Duration(rnd.Int63n(int64(span))))
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
		t.Logf("round %d: %d of %d files new at the kill", round, newFiles, crashFiles)
		if newFiles > 0 && newFiles < crashFiles {
			partial++
		}
	}
	if partial < 4 {
		t.Errorf("only %d of 40 kills landed inside a commit: the test proves too little", partial)
	}
}

const crashFiles = 600

func newContent(i int) []byte {
	return []byte(strings.Repeat(fmt.Sprintf("new content of %d\n", i), 300))
}
