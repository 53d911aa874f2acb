package main

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/report"
	"github.com/secretguard/secretguard/scan"
	"github.com/secretguard/secretguard/sealedsecret"
	"github.com/secretguard/secretguard/source"
	"github.com/secretguard/secretguard/transform"
	"github.com/urfave/cli/v2"
)

func migrateCommand() *cli.Command {
	return &cli.Command{
		Name:      "migrate",
		Usage:     "seal the whole repository and audit its git history",
		ArgsUsage: "[PATH]",
		Description: "Seals every raw Secret of the working tree (as `seal`), then scans every blob ever committed\n" +
			"on any ref and reports every Secret that was committed raw: those values must be rotated,\n" +
			"since sealing does not erase history.",
		Flags: []cli.Flag{configFlag, failOnFlag, noColorFlag, migrateQuietFlag,
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "`FORMAT` on stdout (or --output): text (the Markdown report), json (the migration), or " + strings.Join(historyFormats(), ", ") + " (the history findings)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE` instead of stdout"},
			&cli.StringFlag{Name: "report", Usage: "also write the Markdown report to `FILE`"},
			&cli.BoolFlag{Name: "commit", Usage: "commit the sealed files (go-git; signed as git would: GIT_AUTHOR_*, then the local, global and system config)"},
			&cli.BoolFlag{Name: "dry-run", Usage: "write nothing: no sealing, no report file, no commit"},
			&cli.StringFlag{Name: "scope", Usage: "sealing `SCOPE` (see seal)"},
		},
		Action: runMigrate,
	}
}

// migrateOptions is `secretguard migrate`'s command line, checked.
type migrateOptions struct {
	Config string
	Paths  []string
	Format string
	Output string // the report in Format; "" is stdout
	Report string // also the Markdown report
	Commit bool
	DryRun bool
	Quiet  bool
	Scope  string
	FailOn scan.Severity
}

func runMigrate(c *cli.Context) error {
	o := migrateOptions{Config: c.String("config"), Paths: c.Args().Slice(), Format: c.String("format"),
		Output: c.String("output"), Report: c.String("report"), Commit: c.Bool("commit"), DryRun: c.Bool("dry-run"),
		Quiet: c.Bool("quiet"), Scope: c.String("scope")}
	var err error
	if o.FailOn, err = parseFailOn(c.String("fail-on")); err != nil {
		return err
	}
	if err := checkFormat(o.Format); err != nil {
		return err
	}
	if err := sealedsecret.CheckScope(o.Scope); err != nil {
		return usage("--%v", err)
	}
	if len(o.Paths) > 1 {
		return usage("migrate takes one PATH, the repository")
	}
	if o.DryRun && o.Commit {
		return usage("--dry-run and --commit exclude each other")
	}
	return migrate(o, streamsOf(c))
}

func migrate(o migrateOptions, s streams) error {
	dry := o.DryRun
	r, err := openRepo(o.Config, o.Paths)
	if err != nil {
		return err
	}
	r.Paths = []string{r.Root} // the whole repository, always
	g, err := source.OpenGit(r.Root)
	if err != nil {
		return failure(err)
	}

	// --commit records only what secretguard seals: with anything else
	// staged, that would go into "Seal raw Secrets" too (a raw Secret
	// included), so refuse before writing anything.
	if o.Commit {
		st, err := g.Staged()
		if err != nil {
			return failure(err)
		}
		if n := len(st.Pending); n > 0 {
			return failure(fmt.Errorf("--commit commits only the files it seals, but the index already holds %d staged change%s (%s): commit them or unstage them (git restore --staged PATH) first; nothing was written",
				n, words.Plural(n), words.Some(st.Pending, 3)))
		}
	}

	// 1. Seal the working tree.
	// The report is migrate's stdout (`migrate --dry-run > report.md`):
	// the line per sealed Secret goes to stderr with the other progress.
	run, err := r.seal(streams{in: s.in, out: s.err, err: s.err}, sealMode{scope: o.Scope, write: !dry, say: !o.Quiet, dry: dry})
	if err != nil {
		return err
	}
	m := &report.Migration{DryRun: dry, Failed: run.failed}
	for _, ch := range run.changes {
		m.Sealed = append(m.Sealed, report.SealedItem{File: ch.File, Line: ch.Line, Namespace: ch.Namespace, Name: ch.Name, Keys: ch.Keys, Env: ch.Env, Scope: ch.Scope})
	}
	// 2. Commit them: only when every file was sealed, and never unsigned in
	// a repository that signs its commits.
	if o.Commit && len(run.files) > 0 {
		switch {
		case run.failed > 0:
			m.CommitSkipped = fmt.Sprintf("nothing was committed: %d file%s could not be sealed", run.failed, words.Plural(run.failed))
		case g.SignsCommits():
			if err := stageFiles(g, run.files); err != nil {
				return failure(fmt.Errorf("stage: %w", err))
			}
			m.CommitSkipped = "nothing was committed: this repository signs its commits (commit.gpgsign) and secretguard cannot; the sealed files are staged: review them and run `git commit`"
		default:
			hash, err := commitFiles(g, run.files)
			if err != nil {
				return failure(fmt.Errorf("commit: %w", err))
			}
			m.Committed = hash
		}
		if m.CommitSkipped != "" {
			fmt.Fprintf(s.err, "secretguard: %s\n", m.CommitSkipped)
		}
	}
	// 3. Audit the history, and what the working tree still holds.
	prog := scanMode{history: true, commits: &m.Commits}
	if isTerminal(s.err) && !o.Quiet {
		prog.progress = s.err
	}
	hist, err := r.scan(prog)
	if err != nil {
		return failure(err)
	}
	m.Leaks, m.Incomplete = report.Leaks(hist), report.Gaps(hist)
	now, err := r.scan(scanMode{})
	if err != nil {
		return failure(err)
	}
	if !dry {
		m.Remaining = now.Findings
	}

	var md bytes.Buffer
	if err := report.MigrationMarkdown(&md, m); err != nil {
		return failure(err)
	}
	if f := o.Report; f != "" && !dry {
		if err := transform.WriteOutput(f, md.Bytes(), 0o644); err != nil {
			return failure(fmt.Errorf("write report: %w", err))
		}
	}
	var out bytes.Buffer
	// text and json are the migration's own; every other format is the
	// history findings in that format.
	switch o.Format {
	case "text":
		_, err = out.Write(md.Bytes())
	case "json":
		err = report.MigrationJSON(&out, m)
	default:
		err = report.Write(&out, o.Format, hist, report.Options{Version: versionOf()})
	}
	if err != nil {
		return failure(err)
	}
	if f := o.Output; f != "" && !dry {
		if err := transform.WriteOutput(f, out.Bytes(), 0o644); err != nil {
			return failure(fmt.Errorf("write report: %w", err))
		}
	} else {
		s.out.Write(out.Bytes())
	}
	if run.failed > 0 {
		return &exitError{code: 2, err: fmt.Errorf("%d file%s not sealed (left untouched)", run.failed, words.Plural(run.failed))}
	}
	// Leaks in the history fail like findings: they need rotating.
	return exitFor(hist, o.FailOn)
}

// commitFiles commits the sealed files with go-git, as the identity git
// would use (or secretguard when none is set).
func commitFiles(g *source.Git, files []string) (string, error) {
	if err := stageFiles(g, files); err != nil {
		return "", err
	}
	wt, err := g.Repo.Worktree()
	if err != nil {
		return "", err
	}
	fallback := object.Signature{Name: "secretguard", Email: "secretguard@localhost", When: time.Now()}
	author, committer := g.Signature(source.Author, fallback), g.Signature(source.Committer, fallback)
	msg := fmt.Sprintf("Seal raw Secrets with secretguard\n\n%d file%s sealed for their environment's certificate by\n`secretguard migrate --commit`. Values committed earlier stay in the\nhistory: rotate them (see the migration report).\n", len(files), words.Plural(len(files)))
	h, err := wt.Commit(msg, &git.CommitOptions{Author: author, Committer: committer})
	if err != nil {
		return "", err
	}
	return h.String()[:12], nil
}

// stageFiles adds the sealed files to the index.
func stageFiles(g *source.Git, files []string) error {
	wt, err := g.Repo.Worktree()
	if err != nil {
		return err
	}
	for _, f := range files {
		if _, err := wt.Add(f); err != nil {
			return fmt.Errorf("add %s: %w", f, err)
		}
	}
	return nil
}

// historyFormats are the report formats migrate prints the history findings
// in: every format but text and json, which mean the migration report there.
func historyFormats() []string {
	var out []string
	for _, f := range report.Formats {
		if f != "text" && f != "json" {
			out = append(out, f)
		}
	}
	return out
}
