package corpus

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
)

// GitRepo builds a git repository at dir with `git fast-import` (fast even
// for thousands of commits): files manifests spread over the first commit,
// then commits-1 commits that each change one file, every 50th one adding a
// raw Secret that the next commit deletes. The work tree is checked out.
// It needs the git binary; secretguard itself does not.
func GitRepo(dir string, files, commits int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if out, err := exec.Command("git", "-C", dir, "init", "-q", "-b", "main").CombinedOutput(); err != nil {
		return fmt.Errorf("git init: %v: %s", err, out)
	}
	cmd := exec.Command("git", "-C", dir, "fast-import", "--quiet")
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	w := bufio.NewWriter(in)
	data := func(s string) { fmt.Fprintf(w, "data %d\n%s\n", len(s), s) }
	when := int64(1767225600) // 2026-01-01
	commit := func(n int, msg string) {
		fmt.Fprintf(w, "commit refs/heads/main\nmark :%d\ncommitter Bench <bench@example.com> %d +0000\n", n+1, when+int64(n)*3600)
		data(msg)
		if n > 0 {
			fmt.Fprintf(w, "from :%d\n", n)
		}
	}
	manifest := func(i, rev int) string {
		return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg-%d\n  namespace: app%03d\ndata:\n  rev: \"%d\"\n  setting: value-%d\n", i, i/100, rev, i*rev)
	}
	path := func(i int) string { return fmt.Sprintf("apps/app%03d/cfg-%05d.yaml", i/100, i) }
	commit(0, "import")
	for i := 0; i < files; i++ {
		fmt.Fprintf(w, "M 100644 inline %s\n", path(i))
		data(manifest(i, 0))
	}
	for n := 1; n < commits; n++ {
		commit(n, fmt.Sprintf("change %d", n))
		switch {
		case n%50 == 0:
			fmt.Fprintf(w, "M 100644 inline leaks/secret-%d.yaml\n", n)
			data(fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata:\n  name: leak-%d\n  namespace: app\nstringData:\n  password: bench-%d\n", n, n))
		case n%50 == 1 && n > 1:
			fmt.Fprintf(w, "D leaks/secret-%d.yaml\n", n-1)
		default:
			i := (n * 7919) % files
			fmt.Fprintf(w, "M 100644 inline %s\n", path(i))
			data(manifest(i, n))
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git fast-import: %w", err)
	}
	if out, err := exec.Command("git", "-C", dir, "checkout", "-q", "-f", "main").CombinedOutput(); err != nil {
		return fmt.Errorf("git checkout: %v: %s", err, out)
	}
	return nil
}
