package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secretguard/secretguard/internal/corpus"
)

// BenchmarkScanStaged is the pre-commit case: 10 staged files in a repository
// of 10,000, through the whole command (open, index vs HEAD, scan, report).
func BenchmarkScanStaged(b *testing.B) {
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git needed to build the repository")
	}
	dir := b.TempDir()
	if err := corpus.GitRepo(dir, 10000, 2); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 10; i++ {
		p := filepath.Join(dir, fmt.Sprintf("apps/app%03d/cfg-%05d.yaml", i*7, i*700))
		if err := os.WriteFile(p, []byte(fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: staged-%d}\n", i)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	if out, err := exec.Command("git", "-C", dir, "add", "-A").CombinedOutput(); err != nil {
		b.Fatalf("git add: %v: %s", err, out)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out strings.Builder
		if code := Main([]string{"secretguard", "scan", "--staged", dir}, nil, &out, io.Discard); code != 0 || !strings.Contains(out.String(), "in 10 files") {
			b.Fatalf("exit %d: %s", code, out.String())
		}
	}
}

// BenchmarkScanHistory scans every blob of a 2,000-commit history.
func BenchmarkScanHistory(b *testing.B) {
	if _, err := exec.LookPath("git"); err != nil {
		b.Skip("git needed to build the repository")
	}
	dir := b.TempDir()
	if err := corpus.GitRepo(dir, 2000, 2000); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var out strings.Builder
		code := Main([]string{"secretguard", "scan", "--history", "-q", dir}, nil, &out, io.Discard)
		if code != 1 || strings.Count(out.String(), "raw-secret") != 39 {
			b.Fatalf("exit %d, %d findings", code, strings.Count(out.String(), "raw-secret"))
		}
	}
}

var gitRepoDir = flag.String("git-repo-dir", "", "TestWriteGitRepos writes the benchmark repositories here (staged/ and history/)")

// TestWriteGitRepos writes the benchmark repositories for timing the binary and
// git itself (docs/performance.md):
// go test ./cmd/secretguard -run TestWriteGitRepos -git-repo-dir /tmp/gitbench
func TestWriteGitRepos(t *testing.T) {
	if *gitRepoDir == "" {
		t.Skip("set -git-repo-dir")
	}
	if err := corpus.GitRepo(filepath.Join(*gitRepoDir, "staged"), 10000, 2); err != nil {
		t.Fatal(err)
	}
	if err := corpus.GitRepo(filepath.Join(*gitRepoDir, "history"), 2000, 2000); err != nil {
		t.Fatal(err)
	}
}

var (
	appRepoDir     = flag.String("app-repo-dir", "", "TestWriteAppRepo writes an application monorepo's history here (codedang's shape)")
	appRepoFiles   = flag.Int("app-files", 4000, "source files of the app repository")
	appRepoCommits = flag.Int("app-commits", 4930, "commits of the app repository")
)

// TestWriteAppRepo writes the history benchmark's generated repository, the
// shape of skkuding/codedang (scripts/bench-history.sh uses it without a
// real repository), and prints how many raw Secrets it committed:
// go test ./cmd/secretguard -run TestWriteAppRepo -app-repo-dir /tmp/appbench
func TestWriteAppRepo(t *testing.T) {
	if *appRepoDir == "" {
		t.Skip("set -app-repo-dir")
	}
	n, err := corpus.AppRepo(*appRepoDir, *appRepoFiles, *appRepoCommits)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("raw-secrets %d\n", n)
}
