package source

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"
)

// gitRepo is a real repository in a temp dir, driven by the git binary the
// way users drive it; the source under test reads it with go-git.
type gitRepo struct {
	t    *testing.T
	root string
	env  []string
}

func newGitRepo(t *testing.T) *gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git binary")
	}
	home := t.TempDir()
	r := &gitRepo{t: t, root: t.TempDir(), env: append(os.Environ(),
		"HOME="+home, "XDG_CONFIG_HOME="+home, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
		"GIT_AUTHOR_DATE=2026-03-04T10:00:00Z", "GIT_COMMITTER_DATE=2026-03-04T10:00:00Z")}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *gitRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = r.root, r.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (r *gitRepo) write(rel, data string) {
	r.t.Helper()
	p := filepath.Join(r.root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

func (r *gitRepo) open() *Git {
	r.t.Helper()
	g, err := OpenGit(r.root)
	if err != nil {
		r.t.Fatal(err)
	}
	return g
}

// contents reads every entry of a source: path -> content.
func contents(t *testing.T, s Source) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := s.Walk(func(e Entry) error {
		b, err := e.Read()
		if err != nil {
			return err
		}
		out[e.Path] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// --staged sees what the commit records: added and modified files in their
// index version, not the working tree's; unchanged and deleted files not at all.
func TestStagedIsTheIndexVersion(t *testing.T) {
	r := newGitRepo(t)
	r.write("keep.yaml", "a: 1\n")
	r.write("mod.yaml", "a: 1\n")
	r.write("gone.yaml", "a: 1\n")
	r.write("deep/dir/same.yaml", "a: 1\n")
	r.git("add", ".")
	r.git("commit", "-q", "-m", "one")
	r.write("mod.yaml", "a: staged\n")
	r.write("new/added.yaml", "a: added\n")
	r.git("add", "mod.yaml", "new/added.yaml")
	r.git("rm", "-q", "gone.yaml")
	r.write("mod.yaml", "a: working tree, not staged\n")
	r.write("untracked.yaml", "a: untracked\n")

	st, err := r.open().Staged()
	if err != nil {
		t.Fatal(err)
	}
	got := contents(t, st)
	want := map[string]string{"mod.yaml": "a: staged\n", "new/added.yaml": "a: added\n"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("staged %q, want %q", got, want)
	}
	if !st.Exists("keep.yaml") || !st.Exists("deep/dir/same.yaml") || st.Exists("gone.yaml") || st.Exists("untracked.yaml") {
		t.Error("Exists: the index's files, not the work tree's")
	}
	if want := []string{"gone.yaml", "mod.yaml", "new/added.yaml"}; !reflect.DeepEqual(st.Pending, want) {
		t.Errorf("pending %q, want %q: a deletion is a change the commit records too", st.Pending, want)
	}
	st.Only = []string{"new"}
	if got := contents(t, st); len(got) != 1 || got["new/added.yaml"] == "" {
		t.Errorf("Only [new]: %q", got)
	}
}

// `git commit -a` runs the hook against a temporary index named by
// GIT_INDEX_FILE; what it holds is what is committed.
func TestStagedHonoursGitIndexFile(t *testing.T) {
	r := newGitRepo(t)
	r.write("a.yaml", "a: 1\n")
	r.git("add", ".")
	r.git("commit", "-q", "-m", "one")
	tmp := filepath.Join(t.TempDir(), "index")
	r.env = append(r.env, "GIT_INDEX_FILE="+tmp)
	r.git("read-tree", "HEAD")
	r.write("a.yaml", "a: via temporary index\n")
	r.git("add", "a.yaml")
	t.Setenv("GIT_INDEX_FILE", tmp)
	st, err := r.open().Staged()
	if err != nil {
		t.Fatal(err)
	}
	if got := contents(t, st); got["a.yaml"] != "a: via temporary index\n" {
		t.Errorf("staged %q: the temporary index was not read", got)
	}
}

// --diff REV: a file is changed when its content differs from the
// merge-base's, whatever the branch did after it.
func TestDiffBaseIsTheMergeBase(t *testing.T) {
	r := newGitRepo(t)
	r.write("a.yaml", "a: 1\n")
	r.write("b.yaml", "b: 1\n")
	r.git("add", ".")
	r.git("commit", "-q", "-m", "base")
	r.git("checkout", "-q", "-b", "feature")
	r.write("a.yaml", "a: feature\n")
	r.git("commit", "-q", "-am", "feature")
	r.git("checkout", "-q", "main")
	r.write("b.yaml", "b: main moved on\n")
	r.git("commit", "-q", "-am", "main")
	r.git("checkout", "-q", "feature")

	changed, base, err := r.open().DiffBase("main")
	if err != nil {
		t.Fatal(err)
	}
	if base == "" {
		t.Error("no merge-base named")
	}
	for _, c := range []struct {
		file, data string
		want       bool
	}{
		{"a.yaml", "a: feature\n", true},
		{"b.yaml", "b: 1\n", false}, // main's later change is not ours
		{"c.yaml", "new\n", true},
	} {
		if got := changed(c.file, []byte(c.data)); got != c.want {
			t.Errorf("%s changed=%v, want %v", c.file, got, c.want)
		}
	}
	if _, _, err := r.open().DiffBase("no-such-branch"); err == nil {
		t.Error("an unknown revision is an error")
	}
}

// --history: every blob of every ref once, with the commits and paths that
// hold it.
func TestHistoryEveryBlobOnce(t *testing.T) {
	r := newGitRepo(t)
	r.write("s.yaml", "v: 1\n")
	r.git("add", ".")
	r.git("commit", "-q", "-m", "one")
	r.git("mv", "s.yaml", "moved.yaml") // same blob, new path
	r.git("commit", "-q", "-m", "move")
	r.git("checkout", "-q", "-b", "side")
	r.write("side.yaml", "only on a branch\n")
	r.git("add", ".")
	r.git("commit", "-q", "-m", "side")
	r.git("checkout", "-q", "main")
	r.git("rm", "-q", "moved.yaml")
	r.git("commit", "-q", "-m", "delete")

	h, err := r.open().History()
	if err != nil {
		t.Fatal(err)
	}
	if h.Commits != 4 {
		t.Errorf("%d commits, want 4", h.Commits)
	}
	paths := map[string][]string{}
	err = h.Walk(func(e Entry) error {
		b, err := e.Read()
		if err != nil {
			return err
		}
		for _, c := range e.Commits {
			paths[string(b)] = append(paths[string(b)], c.Path)
		}
		if len(e.Commits) == 0 {
			t.Errorf("%s: no commits", e.Path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k := range paths {
		sort.Strings(paths[k])
	}
	want := map[string][]string{"v: 1\n": {"moved.yaml", "s.yaml"}, "only on a branch\n": {"side.yaml"}}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("history %q, want %q", paths, want)
	}
	if h.Blobs() != 2 {
		t.Errorf("%d blobs, want 2", h.Blobs())
	}
}

func TestSignatureIsGitsIdentity(t *testing.T) {
	r := newGitRepo(t)
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[user]\n\tname = Global\n\temail = g@example.com\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL", "XDG_CONFIG_HOME"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("HOME", home)
	fallback := object.Signature{Name: "fallback", Email: "f@localhost", When: time.Unix(0, 0)}
	g := r.open()
	if s := g.Signature(Author, fallback); s.Name != "Global" || s.Email != "g@example.com" {
		t.Errorf("global config: %s <%s>", s.Name, s.Email)
	}
	r.git("config", "user.name", "Local")
	r.git("config", "committer.email", "bot@example.com")
	g = r.open()
	if s := g.Signature(Committer, fallback); s.Name != "Local" || s.Email != "bot@example.com" {
		t.Errorf("local config: %s <%s>", s.Name, s.Email)
	}
	t.Setenv("GIT_AUTHOR_NAME", "Env")
	if s := g.Signature(Author, fallback); s.Name != "Env" || s.Email != "g@example.com" {
		t.Errorf("environment: %s <%s>", s.Name, s.Email)
	}
}

// A blob over MaxSize is refused by the size in its header, its head sniffed
// for binary; smaller blobs are read whole.
func TestBlobSizeCap(t *testing.T) {
	r := newGitRepo(t)
	r.write("big.yaml", strings.Repeat("x: 1\n", 1000))
	r.write("big.bin", "\x00"+strings.Repeat("y", 5000))
	r.write("small.yaml", "a: 1\n")
	r.git("add", ".")
	r.git("commit", "-q", "-m", "one")
	g := r.open()
	g.MaxSize = 1000
	h, err := g.History()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	err = h.Walk(func(e Entry) error {
		_, err := e.Read()
		var tl *TooLargeError
		switch {
		case errors.As(err, &tl):
			got[e.Path] = fmt.Sprintf("too large %d/%d binary=%v", tl.Size, tl.Limit, tl.Binary)
		case err != nil:
			return err
		default:
			got[e.Path] = "read"
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"big.yaml": "too large 5000/1000 binary=false", "big.bin": "too large 5001/1000 binary=true", "small.yaml": "read"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
