package scan_test

import (
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/secretguard/secretguard/config"
	"github.com/secretguard/secretguard/internal/corpus"
	"github.com/secretguard/secretguard/scan"
	"github.com/secretguard/secretguard/source"
)

var (
	corpusDir   = flag.String("corpus-dir", "", "write the benchmark corpus here (TestWriteCorpus) or scan it (benchmarks)")
	corpusFiles = flag.Int("corpus-files", 5000, "files in the generated benchmark corpus")
)

var (
	benchOnce  sync.Once
	benchRoot  string
	benchStats corpus.Stats
)

// benchCorpus generates the corpus once per test binary (or uses -corpus-dir).
func benchCorpus(b testing.TB) (string, corpus.Stats) {
	benchOnce.Do(func() {
		dir := *corpusDir
		if dir == "" {
			var err error
			if dir, err = os.MkdirTemp("", "secretguard-bench-"); err != nil {
				b.Fatal(err)
			}
		}
		st, err := corpus.Generate(dir, corpus.Options{Files: *corpusFiles, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		benchRoot, benchStats = dir, st
	})
	return benchRoot, benchStats
}

// TestWriteCorpus writes the corpus for tools outside Go (gitleaks, grep):
// go test ./scan -run TestWriteCorpus -corpus-dir /tmp/corpus
func TestWriteCorpus(t *testing.T) {
	if *corpusDir == "" {
		t.Skip("set -corpus-dir")
	}
	_, st := benchCorpus(t)
	t.Logf("%d files, %d bytes, %d raw Secrets", st.Files, st.Bytes, st.RawSecrets)
}

// BenchmarkScanNoCrossRules is BenchmarkScan with every cross-file rule off:
// the difference is what the index and the cross-reference rules cost.
func BenchmarkScanNoCrossRules(b *testing.B) {
	root, st := benchCorpus(b)
	cfg := &config.Config{MaxFileSize: config.DefaultMaxFileSize, Rules: map[string]string{}}
	for _, r := range scan.Rules() {
		if _, ok := r.(scan.TreeRule); ok {
			cfg.Rules[r.Info().ID] = "off"
		}
	}
	b.SetBytes(int64(st.Bytes))
	for i := 0; i < b.N; i++ {
		src := &source.Dir{Root: root}
		if _, err := scan.Scan(&scan.Context{Config: cfg, Source: src}, src); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(st.Files)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkScan is a full scan of the generated corpus: read, pre-filter,
// parse candidates, every rule. It also checks recall: every raw Secret found.
func BenchmarkScan(b *testing.B) {
	root, st := benchCorpus(b)
	cfg := &config.Config{MaxFileSize: config.DefaultMaxFileSize}
	b.SetBytes(int64(st.Bytes))
	b.ResetTimer()
	var res *scan.Result
	for i := 0; i < b.N; i++ {
		src := &source.Dir{Root: root}
		var err error
		res, err = scan.Scan(&scan.Context{Config: cfg, Source: src}, src)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	got := 0
	for _, f := range res.Findings {
		if f.Rule == "raw-secret" {
			got++
		}
	}
	if got != st.RawSecrets {
		b.Fatalf("found %d raw Secrets (%d findings), corpus has %d", got, len(res.Findings), st.RawSecrets)
	}
	b.ReportMetric(float64(st.Files)*float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

// BenchmarkReadOnly is the floor: read every file, nothing else.
func BenchmarkReadOnly(b *testing.B) {
	root, st := benchCorpus(b)
	b.SetBytes(int64(st.Bytes))
	for i := 0; i < b.N; i++ {
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			_, err = os.ReadFile(p)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
