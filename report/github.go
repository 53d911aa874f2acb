package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/scan"
)

// GitHub writes workflow commands, one annotation per finding and nothing else:
//
//	::error file=F,line=L,col=C,title=RULE::MESSAGE
//
// GitHub shows only ten errors and ten warnings per step: StepSummary has the
// full list. Values are escaped as the runner unescapes them, so no file name
// or message can end the command early or start another one.
func GitHub(w io.Writer, res *scan.Result) error {
	b := bufio.NewWriter(w)
	for _, f := range res.Findings {
		cmd := "error"
		if f.Severity != scan.Error {
			cmd = "warning"
		}
		props := "file=" + escapeProperty(f.File)
		if f.Line > 0 {
			props += fmt.Sprintf(",line=%d", f.Line)
			if f.Column > 0 {
				props += fmt.Sprintf(",col=%d", f.Column)
			}
		}
		fmt.Fprintf(b, "::%s %s,title=%s::%s\n", cmd, props, escapeProperty(f.Rule), escapeData(f.Message))
	}
	return b.Flush()
}

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// escapeData escapes a command's message (toCommandValue/escapeData of
// @actions/core).
func escapeData(s string) string { return dataEscaper.Replace(s) }

// escapeProperty escapes a command property value (escapeProperty of
// @actions/core).
func escapeProperty(s string) string { return propertyEscaper.Replace(s) }

// summaryLimit keeps the step summary under GitHub's 1 MiB per step, with
// room for the closing note.
const summaryLimit = 1<<20 - 16<<10

// StepSummary writes a Markdown table of every finding for
// $GITHUB_STEP_SUMMARY: a heading, the counts, then errors before warnings, so
// that when the table is cut short near the 1 MiB limit the errors are the
// rows that stay.
func StepSummary(w io.Writer, res *scan.Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## secretguard\n\n%s\n\n", capitalize(summaryLine(res)))
	if n := len(res.Skipped); n > 0 {
		fmt.Fprintf(&b, "%d file%s skipped:\n\n", n, words.Plural(n))
		for i, s := range res.Skipped {
			if i == 20 {
				fmt.Fprintf(&b, "- … and %d more\n", n-i)
				break
			}
			fmt.Fprintf(&b, "- %s: %s\n", code(s.Path), cell(s.Reason))
		}
		b.WriteString("\n")
	}
	for _, n := range res.Notes {
		fmt.Fprintf(&b, "Note: %s\n\n", cell(n))
	}
	fs := append([]scan.Finding(nil), res.Findings...)
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Severity.Rank() > fs[j].Severity.Rank() })
	if len(fs) > 0 {
		b.WriteString("| Severity | Rule | File:Line | Message |\n|---|---|---|---|\n")
	}
	for i, f := range fs {
		row := fmt.Sprintf("| %s | %s | %s | %s |\n", f.Severity, code(f.Rule), code(fmt.Sprintf("%s:%d", f.File, f.Line)), cell(f.Message))
		if b.Len()+len(row) > summaryLimit {
			fmt.Fprintf(&b, "\n… and %d more finding%s, left out to stay within GitHub's 1 MiB step summary: "+
				"see the SARIF report or run `secretguard scan` locally.\n", len(fs)-i, words.Plural(len(fs)-i))
			break
		}
		b.WriteString(row)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// cell makes text safe inside one Markdown table cell: one line, `|` escaped
// (GFM unescapes it even inside code spans).
func cell(s string) string {
	return strings.ReplaceAll(words.OneLine(s), "|", `\|`)
}

// code is s as a code span in a table cell, fenced with more backticks than s
// holds in a row, so a backtick in a file name cannot end it early.
func code(s string) string {
	s = cell(s)
	run, longest := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
