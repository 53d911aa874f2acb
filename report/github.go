package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/secretguard/secretguard/scan"
)

// GitHub writes workflow commands, one annotation per finding. GitHub shows only
// ten per severity per step: StepSummary has the full list.
func GitHub(w io.Writer, res *scan.Result) error {
	b := bufio.NewWriter(w)
	for _, f := range res.Findings {
		cmd := "error"
		if f.Severity == scan.Warning {
			cmd = "warning"
		}
		fmt.Fprintf(b, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", cmd,
			escapeProperty(f.File), f.Line, f.Column, escapeProperty(f.Rule), escapeData(f.Message))
	}
	return b.Flush()
}

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

func escapeData(s string) string     { return dataEscaper.Replace(s) }
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }

// summaryLimit keeps the step summary under GitHub's 1 MiB.
const summaryLimit = 1000 << 10

// StepSummary writes a Markdown table of every finding for $GITHUB_STEP_SUMMARY.
func StepSummary(w io.Writer, res *scan.Result) error {
	var b strings.Builder
	errs, warns := res.Count(scan.Error), res.Count(scan.Warning)
	fmt.Fprintf(&b, "## secretguard\n\n%d error%s, %d warning%s in %d file%s\n\n", errs, plural(errs), warns, plural(warns), res.Files, plural(res.Files))
	if len(res.Findings) > 0 {
		b.WriteString("| Severity | Rule | File:Line | Message |\n|---|---|---|---|\n")
	}
	for i, f := range res.Findings {
		row := fmt.Sprintf("| %s | `%s` | `%s:%d` | %s |\n", f.Severity, f.Rule, cell(f.File), f.Line, cell(f.Message))
		if b.Len()+len(row) > summaryLimit {
			fmt.Fprintf(&b, "\n… and %d more: see the SARIF report or run `secretguard scan` locally.\n", len(res.Findings)-i)
			break
		}
		b.WriteString(row)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", "").Replace(s)
}
