package main

import (
	"bytes"
	"fmt"
	"os"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/secretguard/secretguard/report"
	"github.com/secretguard/secretguard/source"
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
		Flags: []cli.Flag{configFlag, failOnFlag, noColorFlag, quietFlag,
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "`FORMAT` on stdout (or --output): text (the Markdown report), json (the migration), or sarif/github (the history findings)"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE` instead of stdout"},
			&cli.StringFlag{Name: "report", Usage: "also write the Markdown report to `FILE`"},
			&cli.BoolFlag{Name: "commit", Usage: "commit the sealed files (go-git; author from the repository's git config)"},
			&cli.BoolFlag{Name: "dry-run", Usage: "write nothing: no sealing, no report file, no commit"},
			&cli.StringFlag{Name: "scope", Usage: "sealing `SCOPE` (see seal)"},
		},
		Action: runMigrate,
	}
}

func runMigrate(c *cli.Context) error {
	failOn, err := parseFailOn(c.String("fail-on"))
	if err != nil {
		return err
	}
	format := c.String("format")
	if !validFormat(format) {
		return usage("migrate --format %q: want text, json, sarif or github", format)
	}
	if c.Args().Len() > 1 {
		return usage("migrate takes one PATH, the repository")
	}
	dry := c.Bool("dry-run")
	if dry && c.Bool("commit") {
		return usage("--dry-run and --commit exclude each other")
	}
	r, err := openRepo(c, c.Args().Slice())
	if err != nil {
		return err
	}
	r.Paths = []string{r.Root} // the whole repository, always
	g, err := source.OpenGit(r.Root)
	if err != nil {
		return failure(err)
	}

	// 1. Seal the working tree.
	run, err := r.seal(c, sealMode{scope: c.String("scope"), write: !dry, say: !c.Bool("quiet"), dry: dry})
	if err != nil {
		return err
	}
	m := &report.Migration{DryRun: dry, Failed: run.failed}
	for _, ch := range run.changes {
		m.Sealed = append(m.Sealed, report.SealedItem{File: ch.File, Line: ch.Line, Namespace: ch.Namespace, Name: ch.Name, Keys: ch.Keys, Env: ch.Env, Scope: ch.Scope})
	}
	// 2. Commit them.
	if c.Bool("commit") && len(run.files) > 0 {
		hash, err := commitFiles(g, run.files)
		if err != nil {
			return failure(fmt.Errorf("commit: %w", err))
		}
		m.Committed = hash
	}
	// 3. Audit the history, and what the working tree still holds.
	prog := scanMode{history: true, commits: &m.Commits}
	if isTerminal(c.App.ErrWriter) && !c.Bool("quiet") {
		prog.progress = c.App.ErrWriter
	}
	hist, err := r.scan(prog)
	if err != nil {
		return failure(err)
	}
	m.Leaks = report.Leaks(hist)
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
	if f := c.String("report"); f != "" && !dry {
		if err := os.WriteFile(f, md.Bytes(), 0o644); err != nil {
			return failure(fmt.Errorf("write report: %w", err))
		}
	}
	var out bytes.Buffer
	switch format {
	case "json":
		err = report.MigrationJSON(&out, m)
	case "sarif", "github":
		err = report.Write(&out, format, hist, report.Options{Version: version})
	default:
		_, err = out.Write(md.Bytes())
	}
	if err != nil {
		return failure(err)
	}
	if f := c.String("output"); f != "" && !dry {
		if err := os.WriteFile(f, out.Bytes(), 0o644); err != nil {
			return failure(fmt.Errorf("write report: %w", err))
		}
	} else {
		c.App.Writer.Write(out.Bytes())
	}
	if run.failed > 0 {
		return &exitError{code: 2, err: fmt.Errorf("%d file%s not sealed (left untouched)", run.failed, plural(run.failed))}
	}
	// Leaks in the history fail like findings: they need rotating.
	return exitFor(hist, failOn)
}

// commitFiles commits the sealed files with go-git, as the repository's
// configured user (or secretguard when none is set).
func commitFiles(g *source.Git, files []string) (string, error) {
	wt, err := g.Repo.Worktree()
	if err != nil {
		return "", err
	}
	for _, f := range files {
		if _, err := wt.Add(f); err != nil {
			return "", fmt.Errorf("add %s: %w", f, err)
		}
	}
	sig := &object.Signature{Name: "secretguard", Email: "secretguard@localhost", When: time.Now()}
	if cfg, err := g.Repo.ConfigScoped(0); err == nil && cfg.User.Name != "" {
		sig.Name, sig.Email = cfg.User.Name, cfg.User.Email
	}
	msg := fmt.Sprintf("Seal raw Secrets with secretguard\n\n%d file%s sealed for their environment's certificate by\n`secretguard migrate --commit`. Values committed earlier stay in the\nhistory: rotate them (see the migration report).\n", len(files), plural(len(files)))
	h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		return "", err
	}
	return h.String()[:12], nil
}
