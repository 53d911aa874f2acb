package report_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"os"
	"os/exec"
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

// fixture is a result built by hand. Messages name keys, never values: nothing
// here looks like a secret.
func fixture() *scan.Result {
	return &scan.Result{
		Files: 12, Documents: 40,
		Findings: []scan.Finding{
			{Rule: "raw-secret", Severity: scan.Error, File: "apps/web/secret.yaml", Line: 7, Column: 3,
				Resource: &scan.Resource{APIVersion: "v1", Kind: "Secret", Namespace: "web", Name: "db"},
				Keys:     []string{"password", "user"}, Fixable: true,
				Message: "Secret web/db holds 2 raw values (password, user): seal it with `secretguard seal apps/web/secret.yaml`"},
			{Rule: "reflector-source-missing", Severity: scan.Warning, File: "apps/web/mirror.yaml", Line: 4, Column: 5,
				Resource: &scan.Resource{APIVersion: "v1", Kind: "Secret", Namespace: "web", Name: "tls"},
				Message:  "Secret web/tls reflects ingress/tls, which no scanned file defines"},
			{Rule: "cert-expiry", Severity: scan.Warning, File: "certs/prod.pem", Line: 1, Column: 1,
				Message: "the certificate of environment prod expires on 2026-12-01, in 7 days"},
			{Rule: "private-key", Severity: scan.Error, File: "deploy/id_rsa", Line: 1, Column: 1,
				Message: "RSA private key block in deploy/id_rsa"},
			{Rule: "private-key", Severity: scan.Error, File: "deploy/id_rsa", Line: 30, Column: 1,
				Message: "RSA private key block in deploy/id_rsa"},
			{Rule: "raw-secret", Severity: scan.Error, File: "old/secret.yaml", Line: 5, Column: 3,
				Resource: &scan.Resource{APIVersion: "v1", Kind: "Secret", Name: "legacy"},
				Keys:     []string{"token"}, Fixable: true, Message: "Secret legacy holds 1 raw value (token)",
				Commits: []source.Commit{
					{Hash: "1a2b3c4d5e6f", Date: "2026-01-02", Path: "old/secret.yaml"},
					{Hash: "0f9e8d7c6b5a", Date: "2026-02-03", Path: "older/secret.yaml"},
				}},
			{Rule: "parse-error", Severity: scan.Error, File: "weird, name: 100%.yaml", Line: 3, Column: 1,
				Message: "does not parse as YAML: 100% broken, really:\nsecond line|pipe"},
		},
		Skipped:   []source.Notice{{Path: "charts/x/templates/s.yaml", Reason: "Go template (Helm chart?) that is not YAML"}},
		Allowed:   2,
		Baselined: 1,
		Notes:     []string{"folders named production are environment prod (a common name for it); map them otherwise with environments: in .secretguard.yaml"},
	}
}

func empty() *scan.Result { return &scan.Result{Files: 3, Documents: 1} }

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
		{"text-empty", empty(), "text", report.Options{}},
		{"json-empty", empty(), "json", report.Options{}},
		{"sarif-empty", empty(), "sarif", report.Options{Version: "1.2.3"}},
		{"github-empty", empty(), "github", report.Options{}},
		{"gitlab", fixture(), "gitlab", report.Options{}},
		{"gitlab-empty", empty(), "gitlab", report.Options{}},
		{"junit", fixture(), "junit", report.Options{}},
		{"junit-empty", empty(), "junit", report.Options{}},
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
	for name, res := range map[string]*scan.Result{"summary.md": fixture(), "summary-empty.md": empty()} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := report.StepSummary(&b, res); err != nil {
				t.Fatal(err)
			}
			golden(t, name, b.Bytes())
		})
	}
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
		t.Errorf("%s differs from %s (go test ./report -update rewrites it):\n%s", name, path, got)
	}
}

func TestFormats(t *testing.T) {
	for _, f := range report.Formats {
		if err := report.Write(&bytes.Buffer{}, f, fixture(), report.Options{}); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if err := report.Write(&bytes.Buffer{}, f, nil, report.Options{}); err != nil {
			t.Errorf("%s, nil result: %v", f, err)
		}
	}
	if err := report.Write(&bytes.Buffer{}, "xml", &scan.Result{}, report.Options{}); err == nil {
		t.Error("no error for format xml")
	}
}

func TestTextColor(t *testing.T) {
	render := func(color bool) string {
		var b bytes.Buffer
		if err := report.Text(&b, fixture(), report.Options{Color: color}); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if plain := render(false); strings.Contains(plain, "\x1b") {
		t.Errorf("escape sequence without Color:\n%q", plain)
	}
	c := render(true)
	for _, want := range []string{"\x1b[31merror\x1b[0m", "\x1b[33mwarning\x1b[0m", "\x1b[1mapps/web/secret.yaml:7:3\x1b[0m"} {
		if !strings.Contains(c, want) {
			t.Errorf("coloured text lacks %q", want)
		}
	}
}

// Every finding is one line (plus its commits), whatever its message or file
// name holds: no newline, no terminal escape from the input.
func TestTextOneLine(t *testing.T) {
	res := &scan.Result{Findings: []scan.Finding{{Rule: "parse-error", Severity: scan.Error,
		File: "a\x1b[2Jb\u202e.yaml", Line: 1, Column: 1, Message: "line one\r\nline two\x07"}}}
	var b bytes.Buffer
	if err := report.Text(&b, res, report.Options{Quiet: true}); err != nil {
		t.Fatal(err)
	}
	want := `a\x1b[2Jb\u202e.yaml:1:1: error parse-error: line one line two\x07` + "\n"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
}

// The JSON report decodes into a struct with exactly SPEC.md's keys, and every
// key of that struct is present.
func TestJSONShape(t *testing.T) {
	type resource struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Namespace  string `json:"namespace"`
		Name       string `json:"name"`
	}
	type finding struct {
		Rule     string          `json:"rule"`
		Severity string          `json:"severity"`
		File     string          `json:"file"`
		Line     int             `json:"line"`
		Column   int             `json:"column"`
		Resource *resource       `json:"resource"`
		Keys     []string        `json:"keys"`
		Message  string          `json:"message"`
		Fixable  bool            `json:"fixable"`
		Commits  []source.Commit `json:"commits"`
	}
	type notice struct {
		Path   string `json:"path"`
		Reason string `json:"reason"`
	}
	type spec struct {
		Version  int       `json:"version"`
		Findings []finding `json:"findings"`
		Summary  struct {
			Files     int      `json:"files"`
			Documents int      `json:"documents"`
			Errors    int      `json:"errors"`
			Warnings  int      `json:"warnings"`
			Allowed   int      `json:"allowed"`
			Baselined int      `json:"baselined"`
			Skipped   []notice `json:"skipped"`
			Notes     []string `json:"notes"`
		} `json:"summary"`
	}
	res := fixture()
	var b bytes.Buffer
	if err := report.JSON(&b, res); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b.Bytes()))
	dec.DisallowUnknownFields()
	var got spec
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || len(got.Findings) != len(res.Findings) {
		t.Fatalf("version %d, %d findings", got.Version, len(got.Findings))
	}
	for i, f := range res.Findings {
		g := got.Findings[i]
		if g.Rule != f.Rule || g.Severity != string(f.Severity) || g.File != f.File || g.Line != f.Line ||
			g.Column != f.Column || g.Message != f.Message || g.Fixable != f.Fixable ||
			!reflect.DeepEqual(g.Commits, f.Commits) || (g.Resource == nil) != (f.Resource == nil) ||
			len(g.Keys) != len(f.Keys) || g.Keys == nil {
			t.Errorf("finding %d: %+v from %+v", i, g, f)
		}
		if f.Resource != nil && *g.Resource != resource(*f.Resource) {
			t.Errorf("finding %d: resource %+v", i, *g.Resource)
		}
	}
	s := got.Summary
	if s.Files != 12 || s.Documents != 40 || s.Errors != 5 || s.Warnings != 2 ||
		!reflect.DeepEqual(s.Skipped, []notice{{"charts/x/templates/s.yaml", "Go template (Helm chart?) that is not YAML"}}) ||
		!reflect.DeepEqual(s.Notes, res.Notes) || s.Allowed != 2 {
		t.Errorf("summary %+v", s)
	}

	// Keys that are always there, and the ones only there when they apply.
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	keysOf := func(v any) []string {
		var out []string
		for k := range v.(map[string]any) {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	fs := doc["findings"].([]any)
	for i, want := range map[int][]string{
		0: {"column", "file", "fixable", "keys", "line", "message", "resource", "rule", "severity"},
		3: {"column", "file", "fixable", "keys", "line", "message", "rule", "severity"},
		5: {"column", "commits", "file", "fixable", "keys", "line", "message", "resource", "rule", "severity"},
	} {
		if got := keysOf(fs[i]); !reflect.DeepEqual(got, want) {
			t.Errorf("finding %d keys %v, want %v", i, got, want)
		}
	}
	if got := keysOf(doc["summary"]); !reflect.DeepEqual(got, []string{"allowed", "baselined", "documents", "errors", "files", "notes", "skipped", "warnings"}) {
		t.Errorf("summary keys %v", got)
	}

	// No skipped files: no skipped key; no findings: [] not null.
	b.Reset()
	if err := report.JSON(&b, empty()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"findings": [],`) || strings.Contains(b.String(), "skipped") ||
		!strings.HasSuffix(b.String(), "}\n") {
		t.Errorf("empty report:\n%s", b.String())
	}
}

type sarifLog struct {
	Version string
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name  string
				Rules []struct {
					ID                   string
					ShortDescription     struct{ Text string }
					FullDescription      struct{ Text string }
					Help                 struct{ Text string }
					DefaultConfiguration struct{ Level string }
					Properties           struct {
						SecuritySeverity string `json:"security-severity"`
						Tags             []string
					}
				}
			}
		}
		OriginalURIBaseIDs map[string]struct{ URI string } `json:"originalUriBaseIds"`
		Results            []struct {
			RuleID    string
			RuleIndex *int
			Level     string
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI       string
						URIBaseID string `json:"uriBaseId"`
					}
					Region struct{ StartLine, StartColumn int }
				}
			}
			PartialFingerprints map[string]string
		}
		Properties map[string]any
	}
}

func sarif(t *testing.T, res *scan.Result, opt report.Options) sarifLog {
	t.Helper()
	var b bytes.Buffer
	if err := report.SARIF(&b, res, opt); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
	}
	return log
}

func TestSARIF(t *testing.T) {
	res := fixture()
	log := sarif(t, res, report.Options{})
	run := log.Runs[0]
	rules := scan.Rules()
	if run.Tool.Driver.Name != "secretguard" || len(run.Tool.Driver.Rules) != len(rules) {
		t.Fatalf("driver %q with %d rule entries, %d rules registered", run.Tool.Driver.Name, len(run.Tool.Driver.Rules), len(rules))
	}
	for i, r := range rules {
		info, e := r.Info(), run.Tool.Driver.Rules[i]
		score := map[scan.Severity]string{scan.Error: "8.0", scan.Warning: "4.0"}[info.Severity]
		if e.ID != info.ID || e.ShortDescription.Text == "" || e.FullDescription.Text == "" || e.Help.Text == "" ||
			e.DefaultConfiguration.Level != string(info.Severity) || e.Properties.SecuritySeverity != score ||
			!reflect.DeepEqual(e.Properties.Tags, []string{"security"}) {
			t.Errorf("rule entry %d: %+v for %+v", i, e, info)
		}
	}
	if len(run.Results) != len(res.Findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(res.Findings))
	}
	seen := map[string]bool{}
	for i, r := range run.Results {
		f := res.Findings[i]
		if r.RuleIndex == nil || run.Tool.Driver.Rules[*r.RuleIndex].ID != f.Rule {
			t.Errorf("result %d: ruleIndex %v does not name %s", i, r.RuleIndex, f.Rule)
		}
		loc := r.Locations[0].PhysicalLocation
		if r.Level != string(f.Severity) || r.Message.Text != f.Message || loc.ArtifactLocation.URIBaseID != "%SRCROOT%" ||
			loc.Region.StartLine != f.Line || loc.Region.StartColumn != f.Column {
			t.Errorf("result %d: %+v", i, r)
		}
		fp := r.PartialFingerprints["primaryLocationLineHash"]
		if fp == "" || seen[fp] {
			t.Errorf("result %d: fingerprint %q empty or repeated", i, fp)
		}
		seen[fp] = true
	}
	if got := run.Results[0].PartialFingerprints["primaryLocationLineHash"]; got != res.Findings[0].Fingerprint() {
		t.Errorf("fingerprint %q, Finding.Fingerprint %q", got, res.Findings[0].Fingerprint())
	}
	if got := run.Results[6].Locations[0].PhysicalLocation.ArtifactLocation.URI; got != "weird,%20name%3A%20100%25.yaml" {
		t.Errorf("uri %q", got)
	}
	if run.OriginalURIBaseIDs != nil || run.Properties != nil {
		t.Errorf("originalUriBaseIds %v, properties %v without Root or a cap", run.OriginalURIBaseIDs, run.Properties)
	}
}

// Fingerprints stay when lines shift (a line added above), so code scanning
// keeps the same alerts.
func TestSARIFFingerprintsIgnoreLines(t *testing.T) {
	fps := func(shift int) []string {
		res := fixture()
		for i := range res.Findings {
			res.Findings[i].Line += shift
		}
		var out []string
		for _, r := range sarif(t, res, report.Options{}).Runs[0].Results {
			out = append(out, r.PartialFingerprints["primaryLocationLineHash"])
		}
		return out
	}
	if a, b := fps(0), fps(12); !reflect.DeepEqual(a, b) {
		t.Errorf("fingerprints moved with the lines:\n%v\n%v", a, b)
	}
}

func TestSARIFRoot(t *testing.T) {
	root := t.TempDir()
	log := sarif(t, fixture(), report.Options{Root: root})
	u := log.Runs[0].OriginalURIBaseIDs["%SRCROOT%"].URI
	if !strings.HasPrefix(u, "file:///") || !strings.HasSuffix(u, "/") {
		t.Errorf("%%SRCROOT%% is %q", u)
	}
}

// Over GitHub's 25,000 results, the run keeps errors first and says how many
// it dropped.
func TestSARIFCap(t *testing.T) {
	const warnings, errors = 100, 25000
	res := &scan.Result{}
	for i := 0; i < warnings+errors; i++ {
		sev := scan.Error
		if i < warnings {
			sev = scan.Warning
		}
		res.Findings = append(res.Findings, scan.Finding{Rule: "raw-secret", Severity: sev,
			File: fmt.Sprintf("f%05d.yaml", i), Line: 1, Column: 1,
			Resource: &scan.Resource{APIVersion: "v1", Kind: "Secret", Name: "s"}, Keys: []string{"k"}, Message: "m"})
	}
	run := sarif(t, res, report.Options{}).Runs[0]
	if len(run.Results) != 25000 {
		t.Fatalf("%d results", len(run.Results))
	}
	for _, r := range run.Results {
		if r.Level != "error" {
			t.Fatalf("a warning was kept over an error")
		}
	}
	if n, _ := run.Properties["droppedResults"].(float64); n != warnings {
		t.Errorf("properties %v", run.Properties)
	}
}

// GitHub workflow commands: property values escape , and :, data escapes %
// and line breaks; nothing but one command per finding is printed.
func TestGitHub(t *testing.T) {
	res := fixture()
	res.Findings = append(res.Findings, scan.Finding{Rule: "parse-error", Severity: scan.Error, File: "x.yaml",
		Message: "injected\n::set-env name=X::y\r\n::warning::z"})
	var b bytes.Buffer
	if err := report.GitHub(&b, res); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != len(res.Findings) {
		t.Fatalf("%d lines for %d findings:\n%s", len(lines), len(res.Findings), b.String())
	}
	for i, l := range lines {
		want := "::error "
		if res.Findings[i].Severity == scan.Warning {
			want = "::warning "
		}
		if !strings.HasPrefix(l, want) {
			t.Errorf("line %d: %q", i, l)
		}
	}
	for _, want := range []string{
		"::error file=weird%2C name%3A 100%25.yaml,line=3,col=1,title=parse-error::does not parse as YAML: 100%25 broken, really:%0Asecond line|pipe",
		"::error file=x.yaml,title=parse-error::injected%0A::set-env name=X::y%0D%0A::warning::z", // no line: no line=0
	} {
		if !contains(lines, want) {
			t.Errorf("no line\n%s\nin\n%s", want, b.String())
		}
	}
}

func contains(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}

// The step summary stays under GitHub's 1 MiB, keeps errors over warnings and
// says what it left out.
func TestStepSummaryLimit(t *testing.T) {
	res := &scan.Result{Files: 1}
	long := strings.Repeat("a long message naming key | and more ", 30)
	for i := 0; i < 4000; i++ {
		sev := scan.Warning
		if i%2 == 1 {
			sev = scan.Error
		}
		res.Findings = append(res.Findings, scan.Finding{Rule: "raw-secret", Severity: sev,
			File: fmt.Sprintf("f%d.yaml", i), Line: 1, Column: 1, Message: long})
	}
	var b bytes.Buffer
	if err := report.StepSummary(&b, res); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if len(out) > 1<<20 || len(out) < 900<<10 {
		t.Errorf("summary is %d bytes", len(out))
	}
	var left int
	if i := strings.Index(out, "\n… and "); i < 0 {
		t.Fatal("no note on what was left out")
	} else {
		fmt.Sscanf(out[i:], "\n… and %d more findings", &left)
	}
	errRows := strings.Count(out, "\n| error |")
	if errRows+left != len(res.Findings) || strings.Contains(out, "\n| warning |") {
		t.Errorf("%d error rows, %d left out: the errors must come first", errRows, left)
	}
	if strings.Contains(out, "key | and") {
		t.Error("| not escaped in a cell")
	}
}

func TestMigrationJSON(t *testing.T) {
	m := &report.Migration{Remaining: []scan.Finding{fixture().Findings[3]}}
	var b bytes.Buffer
	if err := report.MigrationJSON(&b, m); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	rem := doc["remaining"].([]any)[0].(map[string]any)
	if doc["sealed"] == nil || doc["leaks"] == nil || rem["keys"] == nil || rem["rule"] != "private-key" {
		t.Errorf("migration JSON:\n%s", b.String())
	}
	if m.Sealed != nil {
		t.Error("MigrationJSON changed its argument")
	}
}

// The migration report: a leak a commit brought in at two paths lists that
// commit once; a history without leaks says so and asks to rotate nothing.
func TestMigrationMarkdownGolden(t *testing.T) {
	res := &scan.Result{Findings: []scan.Finding{
		{Rule: "raw-secret", Severity: scan.Error, File: "a/db.yaml", Line: 5, Keys: []string{"password"},
			Resource: &scan.Resource{APIVersion: "v1", Kind: "Secret", Namespace: "web", Name: "db"},
			Commits:  []source.Commit{{Hash: "1a2b3c4d5e6f", Date: "2026-01-02", Path: "a/db.yaml"}}},
		{Rule: "raw-secret", Severity: scan.Error, File: "b/db.yaml", Line: 5, Keys: []string{"password"},
			Resource: &scan.Resource{APIVersion: "v1", Kind: "Secret", Namespace: "web", Name: "db"},
			Commits:  []source.Commit{{Hash: "1a2b3c4d5e6f", Date: "2026-01-02", Path: "b/db.yaml"}, {Hash: "1a2b3c4d5e6f", Date: "2026-01-02", Path: "b/db.yaml"}}},
	}}
	for name, m := range map[string]*report.Migration{
		"migration.md":       {Commits: 3, Leaks: report.Leaks(res), Sealed: []report.SealedItem{{File: "a/db.yaml", Line: 1, Namespace: "web", Name: "db", Keys: []string{"password"}, Env: "prod", Scope: "strict"}}},
		"migration-clean.md": {Commits: 3, DryRun: true},
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := report.MigrationMarkdown(&b, m); err != nil {
				t.Fatal(err)
			}
			golden(t, name, b.Bytes())
		})
	}
}

// The GitLab Code Quality report has what GitLab requires of each issue:
// description, check_name, fingerprint, a severity it knows, and a path and
// begin line.
func TestGitLabShape(t *testing.T) {
	var b bytes.Buffer
	if err := report.GitLab(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	var issues []struct {
		Description string `json:"description"`
		CheckName   string `json:"check_name"`
		Fingerprint string `json:"fingerprint"`
		Severity    string `json:"severity"`
		Location    struct {
			Path  string `json:"path"`
			Lines struct {
				Begin int `json:"begin"`
			} `json:"lines"`
		} `json:"location"`
	}
	dec := json.NewDecoder(bytes.NewReader(b.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&issues); err != nil || len(issues) != len(fixture().Findings) {
		t.Fatalf("%v, %d issues", err, len(issues))
	}
	for _, i := range issues {
		if i.Description == "" || i.CheckName == "" || len(i.Fingerprint) != 32 || i.Location.Path == "" || i.Location.Lines.Begin < 1 ||
			!map[string]bool{"info": true, "minor": true, "major": true, "critical": true, "blocker": true}[i.Severity] {
			t.Errorf("issue %+v", i)
		}
	}
}

// The JUnit report parses with a real XML parser (Python's, when there is
// one) into one failed test case per finding.
func TestJUnitParses(t *testing.T) {
	var b bytes.Buffer
	if err := report.JUnit(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	n := len(fixture().Findings)
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != n || doc.Suites[0].Failures != n {
		t.Fatalf("%v %+v", err, doc)
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 for the second parser")
	}
	cmd := exec.Command(py, "-c", `import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.stdin).getroot()
cases = r.findall("./testsuite/testcase")
print(len(cases), len([c for c in cases if c.find("failure") is not None]))`)
	cmd.Stdin = bytes.NewReader(b.Bytes())
	out, err := cmd.Output()
	if want := fmt.Sprintf("%d %d\n", n, n); err != nil || string(out) != want {
		t.Errorf("python: %v %q, want %q", err, out, want)
	}
}
