// Package report renders scan results: each format is a small file of its own,
// pinned by golden files in testdata/. No format ever prints a secret value:
// findings carry file, position, resource and key names only.
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/scan"
)

// Formats that Write knows.
var Formats = []string{"text", "json", "sarif", "github", "gitlab", "junit"}

// Options for rendering.
type Options struct {
	Color   bool   // ANSI colour (text)
	Quiet   bool   // findings only, no notices or summary line (text)
	Tool    string // tool name (SARIF); default "secretguard"
	Version string // tool version (SARIF); default "dev"
	// Root is the repository root the findings' files are relative to. When set,
	// SARIF records it as the %SRCROOT% base (originalUriBaseIds).
	Root string
}

// Write renders res in format.
func Write(w io.Writer, format string, res *scan.Result, opt Options) error {
	if res == nil {
		res = &scan.Result{}
	}
	switch format {
	case "text":
		return Text(w, res, opt)
	case "json":
		return JSON(w, res)
	case "sarif":
		return SARIF(w, res, opt)
	case "github":
		return GitHub(w, res)
	case "gitlab":
		return GitLab(w, res)
	case "junit":
		return JUnit(w, res)
	}
	return fmt.Errorf("unknown report format %q (want %s)", format, strings.Join(Formats, ", "))
}

// summaryLine is "2 errors, 1 warning in 12 files (40 documents)", with
// ", 3 allowed" when allow entries or comments accepted findings.
func summaryLine(res *scan.Result) string {
	errs, warns := res.Count(scan.Error), res.Count(scan.Warning)
	where := fmt.Sprintf("in %d file%s (%d document%s)", res.Files, words.Plural(res.Files), res.Documents, words.Plural(res.Documents))
	if res.Allowed > 0 {
		where += fmt.Sprintf(", %d allowed", res.Allowed)
	}
	if res.Baselined > 0 {
		where += fmt.Sprintf(", %d in the baseline", res.Baselined)
	}
	if len(res.Findings) == 0 {
		return "no findings " + where
	}
	return fmt.Sprintf("%d error%s, %d warning%s %s", errs, words.Plural(errs), warns, words.Plural(warns), where)
}

// level is the SARIF level (and GitHub command) of a severity.
func level(s scan.Severity) string {
	switch s {
	case scan.Error:
		return "error"
	case scan.Warning:
		return "warning"
	}
	return "note"
}
