package report

import (
	"encoding/json"
	"io"

	"github.com/secretguard/secretguard/scan"
	"github.com/secretguard/secretguard/source"
)

type jsonReport struct {
	Version  int            `json:"version"`
	Findings []scan.Finding `json:"findings"`
	Summary  jsonSummary    `json:"summary"`
}

type jsonSummary struct {
	Files     int             `json:"files"`
	Documents int             `json:"documents"`
	Errors    int             `json:"errors"`
	Warnings  int             `json:"warnings"`
	Skipped   []source.Notice `json:"skipped,omitempty"`
}

// JSON is the machine report of SPEC.md, version 1.
func JSON(w io.Writer, res *scan.Result) error {
	r := jsonReport{
		Version:  1,
		Findings: res.Findings,
		Summary: jsonSummary{
			Files: res.Files, Documents: res.Documents,
			Errors: res.Count(scan.Error), Warnings: res.Count(scan.Warning),
			Skipped: res.Skipped,
		},
	}
	if r.Findings == nil {
		r.Findings = []scan.Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
