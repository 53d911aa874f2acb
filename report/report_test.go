package report_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/secretguard/secretguard/report"
	"github.com/secretguard/secretguard/scan"
	"github.com/secretguard/secretguard/source"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func fixture() *scan.Result {
	return &scan.Result{
		Files: 12, Documents: 40,
		Findings: []scan.Finding{
			{Rule: "raw-secret", Severity: scan.Error, File: "apps/web/secret.yaml", Line: 7, Column: 3,
				Resource: &scan.Resource{APIVersion: "v1", Kind: "Secret", Namespace: "web", Name: "db"},
				Keys:     []string{"password", "user"}, Fixable: true,
				Message: "Secret web/db holds 2 raw values (password, user): seal it with `secretguard seal apps/web/secret.yaml`"},
			{Rule: "cert-expiry", Severity: scan.Warning, File: "certs/prod.pem", Line: 1, Column: 1,
				Message: "the certificate of environment prod expires on 2026-12-01, in 7 days"},
			{Rule: "private-key", Severity: scan.Error, File: "deploy/id_rsa", Line: 1, Column: 1,
				Message: "RSA private key block in deploy/id_rsa"},
			{Rule: "raw-secret", Severity: scan.Error, File: "old/secret.yaml", Line: 5, Column: 3,
				Resource: &scan.Resource{APIVersion: "v1", Kind: "Secret", Name: "legacy"},
				Keys:     []string{"token"}, Fixable: true, Message: "Secret legacy holds 1 raw value (token)",
				Commits: []source.Commit{{Hash: "1a2b3c4d", Date: "2026-01-02", Path: "old/secret.yaml"}}},
			{Rule: "parse-error", Severity: scan.Error, File: "weird, name: 100%.yaml", Line: 3, Column: 1,
				Message: "does not parse as YAML: 100% broken, really:\nsecond line|pipe"},
		},
		Skipped: []source.Notice{{Path: "charts/x/templates/s.yaml", Reason: "Go template (Helm chart?) that is not YAML"}},
	}
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name   string
		res    *scan.Result
		format string
		opt    report.Options
	}{
		{"text", fixture(), "text", report.Options{}},
		{"text-color", fixture(), "text", report.Options{Color: true}},
		{"text-quiet", fixture(), "text", report.Options{Quiet: true}},
		{"json", fixture(), "json", report.Options{}},
		{"sarif", fixture(), "sarif", report.Options{Version: "1.2.3"}},
		{"github", fixture(), "github", report.Options{}},
		{"text-empty", &scan.Result{Files: 3, Documents: 1}, "text", report.Options{}},
		{"json-empty", &scan.Result{Files: 3, Documents: 1}, "json", report.Options{}},
		{"sarif-empty", &scan.Result{}, "sarif", report.Options{Version: "1.2.3"}},
		{"github-empty", &scan.Result{}, "github", report.Options{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := report.Write(&b, c.format, c.res, c.opt); err != nil {
				t.Fatal(err)
			}
			golden(t, c.name, b.Bytes())
		})
	}
	t.Run("summary", func(t *testing.T) {
		var b bytes.Buffer
		if err := report.StepSummary(&b, fixture()); err != nil {
			t.Fatal(err)
		}
		golden(t, "summary.md", b.Bytes())
	})
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n%s", name, path, got)
	}
}

func TestUnknownFormat(t *testing.T) {
	if err := report.Write(&bytes.Buffer{}, "xml", &scan.Result{}, report.Options{}); err == nil {
		t.Error("no error for format xml")
	}
}

// The JSON report has exactly the keys of SPEC.md.
func TestJSONShape(t *testing.T) {
	var b bytes.Buffer
	if err := report.JSON(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if got := keys(doc); !reflect.DeepEqual(got, []string{"findings", "summary", "version"}) {
		t.Errorf("top-level keys %v", got)
	}
	f := doc["findings"].([]any)[0].(map[string]any)
	if got := keys(f); !reflect.DeepEqual(got, []string{"column", "file", "fixable", "keys", "line", "message", "resource", "rule", "severity"}) {
		t.Errorf("finding keys %v", got)
	}
	if got := keys(f["resource"].(map[string]any)); !reflect.DeepEqual(got, []string{"apiVersion", "kind", "name", "namespace"}) {
		t.Errorf("resource keys %v", got)
	}
	if got := keys(doc["summary"].(map[string]any)); !reflect.DeepEqual(got, []string{"documents", "errors", "files", "skipped", "warnings"}) {
		t.Errorf("summary keys %v", got)
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// SARIF: one rule entry per rule; fingerprints do not move with lines.
func TestSARIF(t *testing.T) {
	fp := func(line int) string {
		res := fixture()
		res.Findings[0].Line = line
		var b bytes.Buffer
		if err := report.SARIF(&b, res, report.Options{}); err != nil {
			t.Fatal(err)
		}
		var log struct {
			Runs []struct {
				Tool struct {
					Driver struct {
						Rules []struct{ ID string }
					}
				}
				Results []struct {
					PartialFingerprints map[string]string
				}
			}
		}
		if err := json.Unmarshal(b.Bytes(), &log); err != nil {
			t.Fatal(err)
		}
		if n := len(log.Runs[0].Tool.Driver.Rules); n != len(scan.Rules()) {
			t.Errorf("%d rule entries, %d rules", n, len(scan.Rules()))
		}
		return log.Runs[0].Results[0].PartialFingerprints["primaryLocationLineHash"]
	}
	if a, b := fp(7), fp(70); a == "" || a != b {
		t.Errorf("fingerprint moved with the line: %q vs %q", a, b)
	}
}

// GitHub workflow commands: property values escape , and :, data escapes % and newlines.
func TestGitHubEscaping(t *testing.T) {
	var b bytes.Buffer
	if err := report.GitHub(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	want := "::error file=weird%2C name%3A 100%25.yaml,line=3,col=1,title=parse-error::does not parse as YAML: 100%25 broken, really:%0Asecond line|pipe\n"
	if !strings.Contains(b.String(), want) {
		t.Errorf("got:\n%s\nwant line:\n%s", b.String(), want)
	}
}
