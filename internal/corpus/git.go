package corpus

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
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

// AppRepo builds an application monorepo's history at dir, the shape of the
// real repositories whose history scans were slow (skkuding/codedang: 4,930
// commits, 21,000 blobs, mostly application code): `files` source files
// imported first, then commits-1 commits that each change four of them (a
// new blob each), and every 250th one adding a raw Secret under k8s/ that the
// next commit deletes, plus a PNG now and then. It returns the number of raw
// Secrets committed, which a history scan must all find.
func AppRepo(dir string, files, commits int) (int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	if out, err := exec.Command("git", "-C", dir, "init", "-q", "-b", "main").CombinedOutput(); err != nil {
		return 0, fmt.Errorf("git init: %v: %s", err, out)
	}
	cmd := exec.Command("git", "-C", dir, "fast-import", "--quiet")
	in, err := cmd.StdinPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	w := bufio.NewWriter(in)
	data := func(s string) { fmt.Fprintf(w, "data %d\n%s\n", len(s), s) }
	when := int64(1704067200) // 2024-01-01
	commit := func(n int) {
		fmt.Fprintf(w, "commit refs/heads/main\nmark :%d\ncommitter Bench <bench@example.com> %d +0000\n", n+1, when+int64(n)*1800)
		data(fmt.Sprintf("change %d", n))
		if n > 0 {
			fmt.Fprintf(w, "from :%d\n", n)
		}
	}
	// A source file of some kilobytes: lines of code that differ by file
	// and revision, so that every revision is a new blob.
	source := func(i, rev int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "// apps/service-%d/src/module-%d.ts (revision %d)\nimport { Injectable } from '@nestjs/common'\n\n", i%40, i, rev)
		lines := 80 + (i*31+rev)%400
		for l := 0; l < lines; l++ {
			fmt.Fprintf(&b, "export const value%d_%d = compute(%d, '%x') // %s\n", i, l, l*rev+i, (i+1)*(l+7)*(rev+3), strings.Repeat("ab", (l+i)%20))
		}
		return b.String()
	}
	path := func(i int) string { return fmt.Sprintf("apps/service-%d/src/module-%d.ts", i%40, i) }
	commit(0)
	for i := 0; i < files; i++ {
		fmt.Fprintf(w, "M 100644 inline %s\n", path(i))
		data(source(i, 0))
	}
	secrets := 0
	for n := 1; n < commits; n++ {
		commit(n)
		for k := 0; k < 4; k++ {
			i := (n*7919 + k*104729) % files
			fmt.Fprintf(w, "M 100644 inline %s\n", path(i))
			data(source(i, n))
		}
		switch {
		case n%250 == 0:
			secrets++
			fmt.Fprintf(w, "M 100644 inline k8s/overlays/stage/secret-%d.yaml\n", n)
			data(fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata:\n  name: leak-%d\n  namespace: app\nstringData:\n  password: bench-%d-q8Zr2vLx9T\n", n, n))
		case n%250 == 1 && n > 1:
			fmt.Fprintf(w, "D k8s/overlays/stage/secret-%d.yaml\n", n-1)
		case n%97 == 0:
			png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + strings.Repeat(fmt.Sprintf("%c", rune('A'+n%26)), 5000+n)
			fmt.Fprintf(w, "M 100644 inline apps/web/public/banner-%d.png\n", n)
			data(png)
		}
	}
	if err := w.Flush(); err != nil {
		return 0, err
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		return 0, fmt.Errorf("git fast-import: %w", err)
	}
	if out, err := exec.Command("git", "-C", dir, "checkout", "-q", "-f", "main").CombinedOutput(); err != nil {
		return 0, fmt.Errorf("git checkout: %v: %s", err, out)
	}
	return secrets, nil
}
