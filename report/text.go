package report

import (
	"bufio"
	"fmt"
	"io"

	"github.com/secretguard/secretguard/scan"
)

const (
	red    = "\x1b[31m"
	yellow = "\x1b[33m"
	bold   = "\x1b[1m"
	reset  = "\x1b[0m"
)

// Text is the human report: `file:line:col: severity rule: message`, then the
// commits of history findings, the skipped files and a summary line.
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
		fmt.Fprintf(b, "%s: %s %s: %s\n", paint(bold, fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)), sev, f.Rule, f.Message)
		for _, c := range f.Commits {
			fmt.Fprintf(b, "    in %s (%s) %s\n", c.Hash, c.Date, c.Path)
		}
	}
	if !opt.Quiet {
		for _, s := range res.Skipped {
			fmt.Fprintf(b, "skipped %s: %s\n", s.Path, s.Reason)
		}
		errs, warns := res.Count(scan.Error), res.Count(scan.Warning)
		if errs+warns == 0 {
			fmt.Fprintf(b, "no findings in %d file%s (%d document%s)\n", res.Files, plural(res.Files), res.Documents, plural(res.Documents))
		} else {
			fmt.Fprintf(b, "%d error%s, %d warning%s in %d file%s (%d document%s)\n",
				errs, plural(errs), warns, plural(warns), res.Files, plural(res.Files), res.Documents, plural(res.Documents))
		}
	}
	return b.Flush()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
