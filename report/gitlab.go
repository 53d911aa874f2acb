package report

import (
	"io"

	"github.com/secretguard/secretguard/scan"
)

// GitLab is GitLab's Code Quality report (the artifact a merge request's
// widget reads, `artifacts: reports: codequality`): a JSON array of issues,
// each with the rule as check_name, the finding's line-free fingerprint (so
// GitLab tells new findings from old ones when lines move), a severity
// (error: critical, warning: major) and the file and line.
func GitLab(w io.Writer, res *scan.Result) error {
	type lines struct {
		Begin int `json:"begin"`
	}
	type location struct {
		Path  string `json:"path"`
		Lines lines  `json:"lines"`
	}
	type issue struct {
		Description string   `json:"description"`
		CheckName   string   `json:"check_name"`
		Fingerprint string   `json:"fingerprint"`
		Severity    string   `json:"severity"`
		Location    location `json:"location"`
	}
	out := make([]issue, 0, len(res.Findings))
	for _, f := range res.Findings {
		sev := "major"
		if f.Severity == scan.Error {
			sev = "critical"
		}
		out = append(out, issue{Description: f.Message, CheckName: f.Rule, Fingerprint: f.Fingerprint(), Severity: sev,
			Location: location{Path: f.File, Lines: lines{Begin: max(1, f.Line)}}})
	}
	return encodeJSON(w, out)
}
