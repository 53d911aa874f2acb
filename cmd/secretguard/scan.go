package main

import (
	"bytes"
	"fmt"
	"github.com/secretguard/secretguard/internal/words"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/secretguard/secretguard/certs"
	"github.com/secretguard/secretguard/config"
	"github.com/secretguard/secretguard/report"
	"github.com/secretguard/secretguard/scan"
	"github.com/secretguard/secretguard/source"
	"github.com/secretguard/secretguard/transform"
	"github.com/urfave/cli/v2"
)

var (
	configFlag  = &cli.StringFlag{Name: "config", Usage: "config `FILE` (default: .secretguard.yaml at the repository root)"}
	outputFlag  = &cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE`"}
	noColorFlag = &cli.BoolFlag{Name: "no-color", Usage: "never colour the output"}
	quietFlag   = &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print findings only: no summary, no notices"}
	// seal and migrate have no findings to print: their --quiet keeps errors only.
	sealQuietFlag    = &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print errors only: no line per sealed Secret"}
	migrateQuietFlag = &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print the report and errors only: no line per sealed Secret, no progress"}
	failOnFlag       = &cli.StringFlag{Name: "fail-on", Value: "error", Usage: "exit 1 on findings at or above `LEVEL`: error, warning or never"}
	formatFlag       = &cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "report `FORMAT`: " + strings.Join(report.Formats, ", ")}
)

func scanCommand() *cli.Command {
	return &cli.Command{
		Name:        "scan",
		Usage:       "find leaks and misconfigurations; never writes",
		ArgsUsage:   "[PATH...]",
		Description: "Rules (set a severity per rule in .secretguard.yaml):\n" + ruleList(),
		Flags: []cli.Flag{configFlag, formatFlag, outputFlag, failOnFlag, noColorFlag, quietFlag,
			&cli.BoolFlag{Name: "staged", Usage: "scan the staged (index) version of added and modified files: what git commit records"},
			&cli.StringFlag{Name: "diff", Usage: "report only files changed between merge-base(`REV`, HEAD) and the working tree (the whole tree is still read)"},
			&cli.BoolFlag{Name: "history", Usage: "scan every blob ever committed on any ref, each once, with the commits that introduced it"},
			&cli.StringFlag{Name: "baseline", Usage: "report only findings that are not in `FILE`, a JSON report of an earlier run (matched by rule, file, resource and keys, not by line)"},
			&cli.StringFlag{Name: "write-baseline", Usage: "write the findings of this run to `FILE` as the baseline to accept, and report them as in it"},
		},
		Action: func(c *cli.Context) error {
			o, err := scanOptionsFrom(c)
			if err != nil {
				return err
			}
			return runScan(o, streamsOf(c))
		},
	}
}

// scanOptions is `secretguard scan`'s command line, checked.
type scanOptions struct {
	Config                  string
	Paths                   []string
	Baseline, WriteBaseline string
	Report                  reportOptions
	FailOn                  scan.Severity
	Mode                    scanMode
}

// reportOptions say how and where a report is written.
type reportOptions struct {
	Format  string
	Output  string // file; "" is stdout
	NoColor bool
	Quiet   bool
}

func reportOptionsFrom(c *cli.Context) (reportOptions, error) {
	o := reportOptions{Format: c.String("format"), Output: c.String("output"), NoColor: c.Bool("no-color"), Quiet: c.Bool("quiet")}
	if err := checkFormat(o.Format); err != nil {
		return o, err
	}
	return o, nil
}

func scanOptionsFrom(c *cli.Context) (scanOptions, error) {
	o := scanOptions{Config: c.String("config"), Paths: c.Args().Slice(), Baseline: c.String("baseline"), WriteBaseline: c.String("write-baseline"),
		Mode: scanMode{staged: c.Bool("staged"), diff: c.String("diff"), history: c.Bool("history")}}
	var err error
	if o.FailOn, err = parseFailOn(c.String("fail-on")); err != nil {
		return o, err
	}
	if o.Report, err = reportOptionsFrom(c); err != nil {
		return o, err
	}
	if n := btoi(o.Mode.staged) + btoi(o.Mode.diff != "") + btoi(o.Mode.history); n > 1 {
		return o, usage("--staged, --diff and --history exclude each other")
	}
	for _, p := range o.Paths {
		if p == "-" && (len(o.Paths) > 1 || o.Mode.staged || o.Mode.history || o.Mode.diff != "") {
			return o, usage("- (read manifests from stdin) takes no other path and no --staged, --diff or --history")
		}
	}
	o.Mode.stdin = len(o.Paths) == 1 && o.Paths[0] == "-"
	return o, nil
}

func runScan(o scanOptions, s streams) error {
	if isTerminal(s.err) && !o.Report.Quiet {
		o.Mode.progress = s.err
	}
	paths := o.Paths
	if o.Mode.stdin {
		paths = nil // the configuration and environments of the working directory
		o.Mode.in = s.in
	}
	r, err := openRepo(o.Config, paths)
	if err != nil {
		return err
	}
	var baseline scan.Baseline
	if o.Baseline != "" {
		f, err := os.Open(o.Baseline)
		if err != nil {
			return failure(fmt.Errorf("read baseline: %w", err))
		}
		baseline, err = report.ReadBaseline(f)
		f.Close()
		if err != nil {
			return failure(fmt.Errorf("baseline %s: %w", o.Baseline, err))
		}
	}
	res, err := r.scan(o.Mode)
	if err != nil {
		return failure(err)
	}
	if o.WriteBaseline != "" {
		var b bytes.Buffer
		if err := report.JSON(&b, res); err != nil {
			return failure(err)
		}
		if err := transform.WriteOutput(o.WriteBaseline, b.Bytes(), 0o644); err != nil {
			return failure(fmt.Errorf("write baseline: %w", err))
		}
		fmt.Fprintf(s.err, "secretguard: wrote the baseline %s: %d finding%s accepted; later scans with --baseline %s report only new ones\n",
			o.WriteBaseline, len(res.Findings), words.Plural(len(res.Findings)), o.WriteBaseline)
		if baseline == nil {
			baseline = scan.Baseline{}
		}
		for _, f := range res.Findings {
			baseline[f.Fingerprint()] = true
		}
	}
	baseline.Apply(res)
	if err := writeReport(s, o.Report, res); err != nil {
		return err
	}
	return exitFor(res, o.FailOn)
}

// scanMode picks the source: the working tree, the index, a diff or history.
type scanMode struct {
	staged, history bool
	diff            string
	progress        io.Writer // history progress line, on a terminal
	commits         *int      // set to the number of commits a history scan walked
	stdin           bool      // `scan -`: one stream of manifests from in
	in              io.Reader
	// whole reads the whole working tree and reports only the files under
	// the paths: cross-file rules (the operator versions a repository pins,
	// the entry points) judge them as a scan of the tree does (fix).
	whole bool
	// noAdvice leaves findings' advice as the rules say it (a scan for the
	// build model alone).
	noAdvice bool
}

// scan runs one scan of the repository in the given mode.
func (r *repo) scan(m scanMode) (*scan.Result, error) {
	ctx := &scan.Context{Config: r.Config, Envs: r.Envs, Now: time.Now(), Ignored: r.ignored}
	if !m.noAdvice {
		ctx.Advise = r.adviser(m)
	}
	var dir *source.Dir
	if m.staged || m.history || m.diff != "" {
		g, err := source.OpenGit(r.Root)
		if err != nil {
			return nil, err
		}
		g.MaxSize = r.Config.MaxFileSize
		g.GitBinary = gitBinary()
		switch {
		case m.staged:
			st, err := g.Staged()
			if err != nil {
				return nil, err
			}
			st.Only, err = r.relPaths()
			if err != nil {
				return nil, err
			}
			ctx.Source, ctx.Partial = st, true
		case m.history:
			// Blobs stream through and are not kept: a tighter soft limit
			// keeps the heap of a large history small (measured: peak RSS 157
			// MB -> 107 MB on 21,000 blobs, time within noise).
			if os.Getenv("GOMEMLIMIT") == "" {
				defer debug.SetMemoryLimit(debug.SetMemoryLimit(96 << 20))
			}
			h, err := g.History()
			if err != nil {
				return nil, err
			}
			ctx.Source, ctx.History = h, true
			if m.commits != nil {
				*m.commits = h.Commits
			}
			if m.progress != nil && h.Blobs() > 500 {
				total := h.Blobs()
				ctx.Progress = func(done int) {
					if done%200 == 0 || done == total {
						fmt.Fprintf(m.progress, "\rscanned %d/%d blobs of %d commits", done, total, h.Commits)
						if done == total {
							fmt.Fprintln(m.progress)
						}
					}
				}
			}
		default:
			changed, base, err := g.DiffBase(m.diff)
			if err != nil {
				return nil, err
			}
			ctx.Changed = changed
			if err := r.judgeByBase(g, base, ctx); err != nil {
				return nil, err
			}
		}
	}
	if m.stdin {
		data, err := io.ReadAll(m.in)
		if err != nil {
			return nil, fmt.Errorf("read stdin: %w", err)
		}
		ctx.Source, ctx.Partial = &source.Stream{Name: source.StdinName, Data: data}, true
	}
	if ctx.Source == nil && m.whole && !r.whole() {
		rel, err := r.relPaths()
		if err != nil {
			return nil, err
		}
		dir = r.dirSource()
		dir.Paths = []string{r.Root}
		ctx.Source = dir
		ctx.Changed = func(file string, _ []byte) bool { return source.Within(file, rel) }
	}
	if ctx.Source == nil {
		dir = r.dirSource()
		ctx.Source, ctx.Partial = dir, !r.whole()
	}
	res, err := scan.Scan(ctx, ctx.Source)
	if err != nil {
		return nil, err
	}
	if dir != nil {
		res.Skipped = append(dir.Notices, res.Skipped...)
	}
	return res, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// checkFormat accepts the report formats that report owns.
func checkFormat(f string) error {
	for _, v := range report.Formats {
		if v == f {
			return nil
		}
	}
	return usage("--format %q: want one of %s", f, strings.Join(report.Formats, ", "))
}

func parseFailOn(s string) (scan.Severity, error) {
	switch s {
	case "error":
		return scan.Error, nil
	case "warning":
		return scan.Warning, nil
	case "never":
		return scan.Off, nil
	}
	return "", usage("--fail-on %q: want error, warning or never", s)
}

// exitFor is exit 1 when a finding reaches the --fail-on level.
func exitFor(res *scan.Result, failOn scan.Severity) error {
	if failOn == scan.Off {
		return nil
	}
	for _, f := range res.Findings {
		if f.Severity.Rank() >= failOn.Rank() {
			return findings
		}
	}
	return nil
}

// writeReport renders to stdout or the output file. The report is rendered
// in memory first so a failed write never leaves half a SARIF file.
func writeReport(s streams, o reportOptions, res *scan.Result) error {
	color := o.Output == "" && o.Format == "text" && !o.NoColor && os.Getenv("NO_COLOR") == "" && isTerminal(s.out)
	var buf bytes.Buffer
	opts := report.Options{Color: color, Tool: "secretguard", Version: versionOf(), Quiet: o.Quiet}
	if err := report.Write(&buf, o.Format, res, opts); err != nil {
		return failure(err)
	}
	if o.Format == "github" {
		// Annotations show ten per severity; the step summary has them all.
		if p := os.Getenv("GITHUB_STEP_SUMMARY"); p != "" {
			f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				return failure(fmt.Errorf("step summary: %w", err))
			}
			err = report.StepSummary(f, res)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return failure(fmt.Errorf("step summary: %w", err))
			}
		}
	}
	if o.Output != "" {
		if err := transform.WriteOutput(o.Output, buf.Bytes(), 0o644); err != nil {
			return failure(fmt.Errorf("write report: %w", err))
		}
		return nil
	}
	_, err := io.Copy(s.out, &buf)
	return err
}

// ruleList is the rule table of `scan --help`, from the rules themselves.
func ruleList() string {
	var b strings.Builder
	for _, r := range scan.Rules() {
		info := r.Info()
		fmt.Fprintf(&b, "   %-32s %-8s %s\n", info.ID, info.Severity, info.Short)
	}
	return b.String()
}

// judgeByBase makes a diff scan use the configuration of the merge-base, so
// that a pull request cannot turn off the check that judges it, and reports
// what the change's own edits to it weaken (config-weakened). A configuration
// outside the repository is not the change's to edit, and stays.
func (r *repo) judgeByBase(g *source.Git, base string, ctx *scan.Context) error {
	path := r.Config.Path
	if path == "" {
		path = filepath.Join(r.Root, config.FileName)
	}
	rel, err := source.Rel(r.Root, path)
	if err != nil {
		return nil
	}
	data, ok, err := g.FileAt(base, rel)
	if err != nil {
		return fmt.Errorf("read %s at the merge-base: %w", rel, err)
	}
	baseCfg := &config.Config{MaxFileSize: config.DefaultMaxFileSize}
	if ok {
		if baseCfg, err = config.Parse(data); err != nil {
			return fmt.Errorf("%s at the merge-base %s: %w", rel, base[:12], err)
		}
		baseCfg.Path = rel + " (merge-base " + base[:12] + ")"
	}
	envs, err := certs.Resolve(r.Root, baseCfg)
	if err != nil {
		return err
	}
	ctx.ConfigFile = rel
	ctx.ConfigChanges = config.Weakened(baseCfg, r.Config, scan.DefaultSeverity)
	r.Config, r.Envs = baseCfg, envs
	ctx.Config, ctx.Envs = baseCfg, envs
	return nil
}

// gitBinary is the git executable that --history may read with (faster than
// go-git; the same result), or "" to use go-git alone: none on PATH, or
// SECRETGUARD_GIT=go-git.
func gitBinary() string {
	if os.Getenv("SECRETGUARD_GIT") == "go-git" {
		return ""
	}
	p, err := exec.LookPath("git")
	if err != nil {
		return ""
	}
	return p
}
