package scan_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secretguard/secretguard/certs"
	"github.com/secretguard/secretguard/config"
	"github.com/secretguard/secretguard/internal/cases"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/scan"
	"github.com/secretguard/secretguard/source"
)

// Each testdata/cases/*.txtar is a small repository plus a `want` section: one
// line per expected finding, `file:line:col severity rule [keys]`, in report
// order. An empty want means the tree must scan clean.
func TestCases(t *testing.T) {
	files, err := filepath.Glob("testdata/cases/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			want, err := cases.Write(file, root, "../testdata")
			if err != nil {
				t.Fatal(err)
			}
			res := scanDir(t, root)
			var got strings.Builder
			for _, f := range res.Findings {
				fmt.Fprintf(&got, "%s:%d:%d %s %s", f.File, f.Line, f.Column, f.Severity, f.Rule)
				if len(f.Keys) > 0 {
					fmt.Fprintf(&got, " [%s]", strings.Join(f.Keys, " "))
				}
				got.WriteString("\n")
			}
			for _, n := range res.Notes {
				fmt.Fprintf(&got, "note: %s\n", n)
			}
			if strings.TrimSpace(got.String()) != strings.TrimSpace(want) {
				t.Errorf("findings:\n%s\nwant:\n%s", got.String(), want)
				for _, f := range res.Findings {
					t.Logf("%s: %s", f.Rule, f.Message)
				}
			}
		})
	}
}

func scanDir(t testing.TB, root string) *scan.Result {
	t.Helper()
	cfg, err := config.Load(filepath.Join(root, config.FileName), false)
	if err != nil {
		t.Fatal(err)
	}
	envs, err := certs.Resolve(root, cfg)
	if err != nil {
		t.Fatal(err)
	}
	src := &source.Dir{Root: root, Skip: func(rel string, _ bool) bool { return cfg.Excluded(rel) }}
	res, err := scan.Scan(&scan.Context{Config: cfg, Source: src, Envs: envs}, src)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// cert-expiry judges certificates at the scan's clock: quiet well before
// NotAfter, a warning inside the 30 days, "expired" past it.
func TestCertExpiryAtTheScanClock(t *testing.T) {
	root := t.TempDir()
	pem, err := os.ReadFile("../testdata/demo/certs/prod.pem")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "certs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "certs", "prod.pem"), pem, 0o644); err != nil {
		t.Fatal(err)
	}
	cert, err := certs.Load("prod", filepath.Join(root, "certs", "prod.pem"))
	if err != nil {
		t.Fatal(err)
	}
	end := cert.X509.NotAfter
	for _, c := range []struct {
		at   time.Time
		want string // message fragment; "" for no finding
	}{
		{end.Add(-90 * 24 * time.Hour), ""},
		{end.Add(-7*24*time.Hour - time.Hour), "expires on " + end.UTC().Format("2006-01-02") + ", in 7 days"},
		{end.Add(time.Hour), "expired on " + end.UTC().Format("2006-01-02")},
	} {
		cfg := &config.Config{}
		envs, err := certs.Resolve(root, cfg)
		if err != nil {
			t.Fatal(err)
		}
		src := &source.Dir{Root: root}
		res, err := scan.Scan(&scan.Context{Config: cfg, Source: src, Envs: envs, Now: c.at}, src)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range res.Findings {
			got = append(got, fmt.Sprintf("%s %s %s: %s", f.File, f.Severity, f.Rule, f.Message))
		}
		switch {
		case c.want == "" && len(got) > 0:
			t.Errorf("at %s: %q, want no finding", c.at, got)
		case c.want != "" && (len(got) != 1 || !strings.Contains(got[0], c.want) || !strings.HasPrefix(got[0], "certs/prod.pem warning cert-expiry")):
			t.Errorf("at %s: %q, want one cert-expiry warning on certs/prod.pem saying %q", c.at, got, c.want)
		}
	}
}

// The caps: a binary file over maxFileSize is skipped like any binary file,
// and a file of more than manifest.MaxDocuments documents is not split past
// the cap but reported, while its bytes are still searched for private keys.
func TestFileCaps(t *testing.T) {
	root := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".secretguard.yaml", []byte("maxFileSize: 1000000\n"))
	write("blob.bin", append([]byte("\x00binary"), make([]byte, 2000000)...))
	write("many.yaml", []byte(strings.Repeat("---\n", manifest.MaxDocuments+5)+
		"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {k: v}\n"+
		"-----BEGIN RSA "+"PRIVATE KEY-----\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\n-----END RSA "+"PRIVATE KEY-----\n"))
	res := scanDir(t, root)
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.File+" "+f.Rule)
	}
	want := []string{"many.yaml file-too-large", "many.yaml private-key"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("findings %q, want %q", got, want)
	}
}

// Findings come out in one order whatever order the source gave the files in:
// two versions of one file in a history, the older first.
func TestFindingOrderIsTotal(t *testing.T) {
	older := scan.Finding{Rule: "raw-secret", File: "a.yaml", Line: 7, Column: 3, Message: "m",
		Commits: []source.Commit{{Hash: "bbbbbbbbbbbb", Date: "2025-08-07", Path: "a.yaml"}}}
	newer := older
	newer.Commits = []source.Commit{{Hash: "aaaaaaaaaaaa", Date: "2025-08-09", Path: "a.yaml"}}
	for _, in := range [][]scan.Finding{{older, newer}, {newer, older}} {
		got := scan.SortedFindings(in)
		if got[0].Commits[0].Date != "2025-08-07" {
			t.Errorf("order %v", got)
		}
	}
}
