package report

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/secretguard/secretguard/scan"
	"github.com/secretguard/secretguard/source"
)

// The JSON report's shape is a contract (README, "JSON report"), so it is
// spelled out here rather than borrowed from the json tags of scan and source
// types: a change there cannot silently change what scripts read.
type jsonReport struct {
	Version  int           `json:"version"`
	Findings []jsonFinding `json:"findings"`
	Summary  jsonSummary   `json:"summary"`
}

type jsonFinding struct {
	Rule     string        `json:"rule"`
	Severity scan.Severity `json:"severity"`
	File     string        `json:"file"`
	Line     int           `json:"line"`
	Column   int           `json:"column"`
	Resource *jsonResource `json:"resource,omitempty"`
	Keys     []string      `json:"keys"` // [] when none, so `.keys[]` always works
	Message  string        `json:"message"`
	Fixable  bool          `json:"fixable"`
	Commits  []jsonCommit  `json:"commits,omitempty"` // --history
}

type jsonResource struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

type jsonCommit struct {
	Hash string `json:"hash"`
	Date string `json:"date"`
	Path string `json:"path"`
}

type jsonSummary struct {
	Files     int           `json:"files"`
	Documents int           `json:"documents"`
	Errors    int           `json:"errors"`
	Warnings  int           `json:"warnings"`
	Allowed   int           `json:"allowed,omitempty"`
	Baselined int           `json:"baselined,omitempty"`
	Skipped   []jsonSkipped `json:"skipped,omitempty"`
	Notes     []string      `json:"notes,omitempty"`
}

type jsonSkipped struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

func jsonFindings(fs []scan.Finding) []jsonFinding {
	out := make([]jsonFinding, 0, len(fs))
	for _, f := range fs {
		j := jsonFinding{
			Rule: f.Rule, Severity: f.Severity, File: f.File, Line: f.Line, Column: f.Column,
			Keys: f.Keys, Message: f.Message, Fixable: f.Fixable,
		}
		if j.Keys == nil {
			j.Keys = []string{}
		}
		if r := f.Resource; r != nil {
			j.Resource = &jsonResource{APIVersion: r.APIVersion, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
		}
		for _, c := range f.Commits {
			j.Commits = append(j.Commits, jsonCommit(c))
		}
		out = append(out, j)
	}
	return out
}

func jsonSkippedList(ns []source.Notice) []jsonSkipped {
	var out []jsonSkipped
	for _, n := range ns {
		out = append(out, jsonSkipped{Path: n.Path, Reason: n.Reason})
	}
	return out
}

// JSON is the machine report, version 1 (README): 2-space indented, one
// trailing newline, findings [] (never null) when there are none.
func JSON(w io.Writer, res *scan.Result) error {
	return encodeJSON(w, jsonReport{
		Version:  1,
		Findings: jsonFindings(res.Findings),
		Summary: jsonSummary{
			Files: res.Files, Documents: res.Documents,
			Errors: res.Count(scan.Error), Warnings: res.Count(scan.Warning), Allowed: res.Allowed, Baselined: res.Baselined,
			Skipped: jsonSkippedList(res.Skipped),
			Notes:   res.Notes,
		},
	})
}

func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// ReadBaseline reads a JSON report (version 1) as a baseline: the
// fingerprints of its findings.
func ReadBaseline(r io.Reader) (scan.Baseline, error) {
	var rep jsonReport
	if err := json.NewDecoder(r).Decode(&rep); err != nil {
		return nil, fmt.Errorf("not a secretguard JSON report: %w", err)
	}
	if rep.Version != 1 {
		return nil, fmt.Errorf("a report of version %d; this secretguard reads version 1", rep.Version)
	}
	b := scan.Baseline{}
	for _, j := range rep.Findings {
		f := scan.Finding{Rule: j.Rule, File: j.File, Keys: j.Keys, Message: j.Message}
		if r := j.Resource; r != nil {
			f.Resource = &scan.Resource{APIVersion: r.APIVersion, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name}
		}
		if len(f.Keys) == 0 {
			f.Keys = nil
		}
		b[f.Fingerprint()] = true
	}
	return b, nil
}
