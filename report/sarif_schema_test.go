package report_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/secretguard/secretguard/report"
	"github.com/secretguard/secretguard/scan"
	"github.com/secretguard/secretguard/source"
)

// Our SARIF is valid SARIF 2.1.0: checked against the OASIS JSON schema for
// a report with a finding of every rule (history commits, a resource, keys),
// the hand-made fixture and an empty one. The schema is downloaded by
// scripts/sarif-schema.sh (CI sets SECRETGUARD_SARIF_SCHEMA; there the test
// never skips).
func TestSARIFSchema(t *testing.T) {
	path := os.Getenv("SECRETGUARD_SARIF_SCHEMA")
	if path == "" {
		if os.Getenv("SECRETGUARD_TOOLS_REQUIRED") != "" {
			t.Fatal("SECRETGUARD_SARIF_SCHEMA is not set: SECRETGUARD_SARIF_SCHEMA=$(scripts/sarif-schema.sh)")
		}
		t.Skip("no SARIF schema: SECRETGUARD_SARIF_SCHEMA=$(scripts/sarif-schema.sh) go test ./report")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif-schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("sarif-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	every := &scan.Result{Files: 30, Documents: 60}
	for i, r := range scan.Rules() {
		info := r.Info()
		every.Findings = append(every.Findings, scan.Finding{Rule: info.ID, Severity: info.Severity, File: "apps/f.yaml", Line: i + 1, Column: 1,
			Resource: &scan.Resource{APIVersion: "v1", Kind: "Secret", Namespace: "web", Name: "db"}, Keys: []string{"password"},
			Message: "a finding of " + info.ID, Commits: []source.Commit{{Hash: "1a2b3c4d5e6f", Date: "2026-01-02", Path: "apps/f.yaml"}}})
	}
	validate := func(name string, res *scan.Result) any {
		var b bytes.Buffer
		if err := report.Write(&b, "sarif", res, report.Options{Version: "1.2.3"}); err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(&b)
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(v); err != nil {
			t.Errorf("%s: not valid SARIF 2.1.0: %v", name, err)
		}
		return v
	}
	validate("every rule", every)
	validate("fixture", fixture())
	log := validate("empty", empty())
	// The check can fail: without its version, a log is not SARIF.
	delete(log.(map[string]any), "version")
	if err := schema.Validate(log); err == nil || !strings.Contains(err.Error(), "version") {
		t.Errorf("a log without version passed the schema: %v", err)
	}
}
