package report

import (
	"bufio"
	"fmt"
	"io"

	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/scan"
)

const (
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

// Text is the human report, one line per finding:
//
//	FILE:LINE:COL: SEVERITY RULE: MESSAGE
//	    in COMMIT (DATE) PATH        (history findings)
//
// then the skipped files, notes and a summary line (both left out with Quiet).
// Messages already name the resource and keys; every line is kept to one line
// and free of control characters whatever the file names hold.
func Text(w io.Writer, res *scan.Result, opt Options) error {
	b := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !opt.Color {
			return s
		}
		return code + s + reset
	}
	for _, f := range res.Findings {
		sev := string(f.Severity)
		if f.Severity == scan.Error {
			sev = paint(red, sev)
		} else {
			sev = paint(yellow, sev)
		}
		fmt.Fprintf(b, "%s: %s %s: %s\n", paint(bold, fmt.Sprintf("%s:%d:%d", words.OneLine(f.File), f.Line, f.Column)),
			sev, words.OneLine(f.Rule), words.OneLine(f.Message))
		for _, c := range f.Commits {
			fmt.Fprintf(b, "    in %s (%s) %s\n", words.OneLine(c.Hash), words.OneLine(c.Date), words.OneLine(c.Path))
		}
	}
	if !opt.Quiet {
		for _, s := range res.Skipped {
			fmt.Fprintf(b, "skipped %s: %s\n", words.OneLine(s.Path), words.OneLine(s.Reason))
		}
		for _, n := range res.Notes {
			fmt.Fprintf(b, "note: %s\n", words.OneLine(n))
		}
		fmt.Fprintln(b, summaryLine(res))
	}
	return b.Flush()
}
