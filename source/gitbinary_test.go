package source

import (
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"testing"
)

// historyOf walks a History: blob content → its entry's path and commits.
func historyOf(t *testing.T, h *History) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := h.Walk(func(e Entry) error {
		b, err := e.Read()
		if err != nil {
			out["error "+e.Path] = err.Error()
			return nil
		}
		out[string(b)] = fmt.Sprintf("%s %v", e.Path, e.Commits)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// The git binary and go-git give the same History: the same blobs, named by
// the same first path, with the same introductions (hash, UTC date, path) —
// across renames, merges (diffed against their first parent), mode changes,
// deletions, symbolic links, a blob at two paths, branches and tags, a date
// whose UTC day differs from its local one, and a blob over the size cap.
func TestHistoryGitBinaryIsGoGit(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git binary")
	}
	r := newGitRepo(t)
	t.Setenv("TZ", "Asia/Tokyo") // dates are UTC days whatever the local zone
	commit := func(msg, date string) {
		r.env = append(r.env, "GIT_COMMITTER_DATE="+date, "GIT_AUTHOR_DATE="+date)
		r.git("add", "-A")
		r.git("commit", "-q", "--allow-empty", "-m", msg)
	}
	r.write("a/s.yaml", "v: 1\n")
	r.write("b/same.yaml", "v: 1\n") // one blob, two paths
	r.write("run.sh", "#!/bin/sh\n")
	commit("one", "2026-01-02T23:30:00-05:00") // 2026-01-03 in UTC
	r.git("mv", "a/s.yaml", "moved.yaml")
	if err := os.Chmod(r.root+"/run.sh", 0o755); err != nil {
		t.Fatal(err)
	}
	commit("move and chmod", "2026-01-04T10:00:00+09:00")
	r.git("checkout", "-q", "-b", "side")
	r.write("side.yaml", "only on a branch\n")
	if err := os.Symlink("moved.yaml", r.root+"/link.yaml"); err != nil {
		t.Fatal(err)
	}
	commit("side", "2026-01-05T10:00:00Z")
	r.git("tag", "-a", "v1", "-m", "a tag")
	r.git("checkout", "-q", "main")
	r.write("main.yaml", "on main\n")
	commit("main", "2026-01-06T10:00:00Z")
	r.env = append(r.env, "GIT_COMMITTER_DATE=2026-01-07T10:00:00Z")
	r.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
	r.git("rm", "-q", "moved.yaml")
	r.write("big.yaml", string(make([]byte, 2000)))
	commit("delete, and a big file", "2026-01-08T10:00:00Z")

	goGit := r.open()
	goGit.MaxSize = 1000
	want, err := goGit.History()
	if err != nil {
		t.Fatal(err)
	}
	bin := r.open()
	bin.MaxSize, bin.GitBinary = 1000, git
	got, err := bin.History()
	if err != nil {
		t.Fatal(err)
	}
	if !got.binary {
		t.Fatal("the git binary was not used")
	}
	if got.Commits != want.Commits || got.Blobs() != want.Blobs() || !reflect.DeepEqual(got.Incomplete, want.Incomplete) {
		t.Errorf("git: %d commits, %d blobs, %q; go-git: %d, %d, %q", got.Commits, got.Blobs(), got.Incomplete, want.Commits, want.Blobs(), want.Incomplete)
	}
	w, g := historyOf(t, want), historyOf(t, got)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("git binary:\n%v\ngo-git:\n%v", g, w)
	}
	if len(w) != 5 {
		t.Errorf("%d blobs read, want 5 (the link is no blob of ours): %v", len(w), w)
	}
}
