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
var Formats = []string{"text", "json", "sarif", "github"}

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
	}
	return fmt.Errorf("unknown report format %q (want %s)", format, strings.Join(Formats, ", "))
}

// summaryLine is "2 errors, 1 warning in 12 files (40 documents)".
func summaryLine(res *scan.Result) string {
	errs, warns := res.Count(scan.Error), res.Count(scan.Warning)
	where := fmt.Sprintf("in %d file%s (%d document%s)", res.Files, words.Plural(res.Files), res.Documents, words.Plural(res.Documents))
	if len(res.Findings) == 0 {
		return "no findings " + where
	}
	return fmt.Sprintf("%d error%s, %d warning%s %s", errs, words.Plural(errs), warns, words.Plural(warns), where)
}

// oneLine makes a string safe for a single line of a terminal or log: line
// breaks and tabs become spaces, other control characters (an ESC in a file
// name would drive the terminal) and bidirectional overrides are shown escaped.
func oneLine(s string) string {
	clean := true
	for _, r := range s {
		if needsEscape(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x100 && needsEscape(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case needsEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsEscape(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
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
