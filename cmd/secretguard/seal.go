package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/scan"
	"github.com/secretguard/secretguard/sealedsecret"
	"github.com/secretguard/secretguard/source"
	"github.com/secretguard/secretguard/transform"
	"github.com/urfave/cli/v2"
)

// The ways seal and fix show a rewrite instead of writing it.
var (
	dryRunFlag = &cli.BoolFlag{Name: "dry-run", Usage: "say what would change, write nothing"}
	diffFlag   = &cli.BoolFlag{Name: "diff", Usage: "print a unified diff (values masked) of what changes; exit 1 when it shows a change"}
	checkFlag  = &cli.BoolFlag{Name: "check", Usage: "write nothing; exit 1 if anything would change"}
)

func sealCommand() *cli.Command {
	return &cli.Command{
		Name:      "seal",
		Usage:     "rewrite raw Secrets into SealedSecrets in place",
		ArgsUsage: "[PATH...|-]",
		Description: "Seals every raw v1 Secret under PATH for the certificate of the environment its path maps to.\n" +
			"A Secret in a kustomize base that the overlays of several environments build is sealed once per overlay,\n" +
			"into sealed-NAME.yaml beside the overlay's kustomization (listed in its resources:), and leaves the base.\n" +
			"With `-`, or with no PATH and stdin not a terminal, reads a manifest stream from stdin and writes the sealed stream to stdout.",
		Flags: []cli.Flag{
			configFlag, noColorFlag, sealQuietFlag, dryRunFlag, diffFlag, checkFlag,
			&cli.StringFlag{Name: "env", Usage: "seal for environment `NAME` (a file whose path maps to another environment needs --force)"},
			&cli.BoolFlag{Name: "force", Usage: "with --env: seal even files whose path maps to other environments"},
			&cli.StringFlag{Name: "cert", Usage: "seal with certificate `FILE`, whatever the environments say"},
			&cli.StringFlag{Name: "scope", Usage: "`SCOPE`: " + strings.Join(sealedsecret.Scopes, ", ") + " (default: the Secret's annotation, then the config, then strict)"},
			&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Usage: "`NAMESPACE` for Secrets that name none (stdin mode)"},
		},
		Action: runSeal,
	}
}

// sealOptions is `secretguard seal`'s command line, checked.
type sealOptions struct {
	Config                     string
	Paths                      []string
	Stdin                      bool // `-`, or no PATH and stdin not a terminal
	Scope                      string
	Choice                     transform.Choice
	DryRun, Diff, Check, Quiet bool
}

func runSeal(c *cli.Context) error {
	o := sealOptions{
		Config: c.String("config"), Paths: c.Args().Slice(), Scope: c.String("scope"),
		Choice: transform.Choice{Env: c.String("env"), Cert: c.String("cert"), Namespace: c.String("namespace"), Force: c.Bool("force")},
		DryRun: c.Bool("dry-run"), Diff: c.Bool("diff"), Check: c.Bool("check"), Quiet: c.Bool("quiet"),
	}
	if err := sealedsecret.CheckScope(o.Scope); err != nil {
		return usage("--%v", err)
	}
	s := streamsOf(c)
	o.Stdin = len(o.Paths) == 1 && o.Paths[0] == "-"
	if len(o.Paths) == 0 && !isTerminal(s.in) {
		if f, ok := s.in.(*os.File); !ok || isPipeOrFile(f) {
			o.Stdin = true
		}
	}
	if o.Stdin {
		return sealStdin(o, s)
	}
	return sealFiles(o, s)
}

func sealFiles(o sealOptions, s streams) error {
	r, err := openRepo(o.Config, o.Paths)
	if err != nil {
		return err
	}
	run, err := r.seal(s, sealMode{scope: o.Scope, choice: o.Choice, write: !(o.DryRun || o.Diff || o.Check),
		diff: o.Diff, say: !o.Quiet && !o.Diff, dry: o.DryRun || o.Check})
	if err != nil {
		return err
	}
	failed, changed := run.failed, len(run.files)
	if failed > 0 {
		return &exitError{code: 2, err: fmt.Errorf("%d file%s not sealed (left untouched)", failed, words.Plural(failed))}
	}
	if o.Check && changed > 0 {
		if !o.Quiet {
			fmt.Fprintf(s.err, "secretguard: %d file%s would change\n", changed, words.Plural(changed))
		}
		return findings
	}
	if o.Diff && changed > 0 {
		return findings // like kubectl diff: 1 when the diff shows a change
	}
	return nil
}

// sealMode says what a sealing run does besides sealing in memory.
type sealMode struct {
	scope  string
	choice transform.Choice
	write  bool // write the files
	diff   bool // print a diff
	say    bool // print one line per sealed Secret
	dry    bool // the lines say "would seal"
	left   bool // print what fix could not repair
	// with, when set, rewrites each file instead of sealing it (reseal),
	// and report says what it did.
	with   func(rel string, data []byte, target func() (*transform.Target, error)) (*transform.Result, error)
	report func(out, errOut io.Writer, rel string, res *transform.Result, would func(string) string)
}

// sealRun is what a sealing run did.
type sealRun struct {
	files   []string // changed (or would-change) files, repo-relative
	changes []transform.Change
	left    int // findings fix could not repair
	failed  int
}

// seal seals every raw Secret of the repository's paths; errors per file are
// printed and counted, the run goes on.
func (r *repo) seal(s streams, m sealMode) (*sealRun, error) { return r.rewrite(s, m, nil) }

// rewrite is a sealing run, or with wants (the findings to repair, by file) a
// fix run: only those files, repaired with transform.Fix.
func (r *repo) rewrite(s streams, m sealMode, wants map[string][]transform.Want) (*sealRun, error) {
	pick, err := r.picker(m.choice)
	if err != nil {
		return nil, err
	}
	all, err := source.Entries(r.dirSource())
	if err != nil {
		return nil, failure(err)
	}
	out, errOut := s.out, s.err
	// Temp files of a run that was killed mid-write: the files they were
	// for are whole (old or new), the temp files are litter.
	entries := all[:0]
	for _, e := range all {
		if !transform.IsTempFile(e.Path) {
			entries = append(entries, e)
			continue
		}
		if m.write {
			if err := os.Remove(r.abs(e.Path)); err == nil {
				fmt.Fprintf(errOut, "secretguard: removed %s, left by an interrupted run\n", e.Path)
			}
		}
	}
	run := &sealRun{}
	var spreads []spreadFile
	opt := transform.Options{Scope: m.scope, DefaultScope: r.Config.Scope, Read: r.dirSource().ReadFile}
	// Every file is staged as soon as it is sealed and put in place with
	// the others at the end (transform.Batch): each is old or new after a
	// crash, all are durable when the run returns.
	var write func(string, *transform.Result) error
	batch := &transform.Batch{}
	if m.write {
		write = func(rel string, res *transform.Result) error {
			if res.Spread != nil {
				return nil // written after every file, in order (spread)
			}
			// New files go in place first: a crash then leaves at worst a
			// file that nothing lists, never a kustomization listing a
			// missing one.
			created := make([]transform.Created, len(res.Created))
			for i, c := range res.Created {
				created[i] = transform.Created{Path: r.abs(c.Path), Data: c.Data}
			}
			return batch.Stage(r.abs(rel), res.New, created...)
		}
	}
	// A file that the repository's .sops.yaml keeps encrypted is left to
	// sops: the team chose it there.
	target := func(rel string) (*transform.Target, error) {
		if cfg, ok := r.sopsKeeps(rel); ok {
			return nil, &sopsKept{config: cfg}
		}
		return pick.Target(rel)
	}
	isManifest := func(p string) bool { m, _ := scan.Kind(p); return m }
	rewrite := func(rel string, data []byte) (*transform.Result, error) {
		return transform.Seal(rel, data, opt, func() (*transform.Target, error) { return target(rel) })
	}
	if wants == nil {
		// A kustomize base that the overlays of several environments build
		// is sealed once per overlay. The build model is made the first
		// time a file may need it, and with --env it refuses a base that
		// other environments build.
		if m.choice.Env != "" && m.choice.Cert == "" {
			pick.Built = func(rel string) []string {
				build, err := r.model()
				if err != nil || build == nil {
					return nil
				}
				return builtEnvs(build, r.Envs.ForPath)(rel)
			}
		}
		rewrite = func(rel string, data []byte) (*transform.Result, error) {
			if manifest.TemplateFile(rel) != "" && manifest.Candidate(data) {
				// FreeMarker, Jinja2 by its name: scan skips it, seal too.
				return nil, &transform.TemplateError{File: rel}
			}
			if m.choice.Env == "" && m.choice.Cert == "" && manifest.Candidate(data) {
				if _, kept := r.sopsKeeps(rel); !kept {
					return r.sealOne(rel, data, opt, pick)
				}
			}
			return transform.Seal(rel, data, opt, func() (*transform.Target, error) { return target(rel) })
		}
	}
	// reseal (and set) reuse the run with their own rewrite.
	if m.with != nil {
		rewrite = func(rel string, data []byte) (*transform.Result, error) {
			return m.with(rel, data, func() (*transform.Target, error) { return target(rel) })
		}
	}
	if wants != nil {
		isManifest = func(p string) bool { return wants[p] != nil }
		rewrite = func(rel string, data []byte) (*transform.Result, error) {
			opt := opt
			opt.ListedBy = r.listers(rel)
			if sh, ok, err := r.sharedAt(rel, data, pick); ok {
				if err != nil {
					return nil, err
				}
				if res, ok, err := transform.FixShared(rel, data, wants[rel], opt, sh); ok {
					return res, err
				}
				opt.Shared = &sh
			}
			return transform.Fix(rel, data, wants[rel], opt, func() (*transform.Target, error) { return target(rel) })
		}
	}
	// refused says why a file (or its sealing) was not rewritten.
	refused := func(rel string, err error) {
		var tooLarge *source.TooLargeError
		var tmpl *transform.TemplateError
		var kept *sopsKept
		switch {
		case errors.As(err, &kept):
			fmt.Fprintf(errOut, "secretguard: %s: skipped, %s keeps files like it encrypted: encrypt it with `sops -e -i %s`\n", words.OneLine(rel), kept.config, words.OneLine(rel))
		case errors.As(err, &tmpl):
			fmt.Fprintf(errOut, "secretguard: %s: skipped, a template (secretguard never rewrites one)\n", words.OneLine(rel))
		case errors.As(err, &tooLarge):
			fmt.Fprintf(errOut, "secretguard: %s: skipped, %s\n", words.OneLine(rel), words.OneLine(err.Error()))
		default:
			fmt.Fprintf(errOut, "secretguard: %s\n", words.Lines(sealError(rel, err)))
			run.failed++
		}
	}
	// would is "sealed", or "would seal" in a dry run.
	would := func(verb string) string {
		if m.dry {
			return "would " + verb
		}
		return verb + "ed"
	}
	err = transform.RewriteAll(entries, isManifest, rewrite, write,
		func(o transform.Outcome) error {
			if o.Err != nil {
				refused(o.Path, o.Err)
				return nil
			}
			if o.Result == nil {
				return nil
			}
			res, rel := o.Result, o.Path
			if res.SealErr != nil {
				refused(rel, res.SealErr)
			}
			if m.report != nil {
				m.report(out, errOut, rel, res, would)
			}
			for _, l := range res.Left {
				if !m.left {
					break
				}
				fmt.Fprintf(errOut, "secretguard: %s:%d: %s not fixed: %s\n", words.OneLine(rel), l.Line, l.Rule, words.OneLine(l.Why))
			}
			run.left += len(res.Left)
			if m.left {
				for _, n := range res.Notes {
					fmt.Fprintf(errOut, "secretguard: note: %s\n", words.OneLine(n))
				}
			}
			if res.New == nil {
				return nil
			}
			if res.Spread != nil {
				spreads = append(spreads, spreadFile{rel: rel, res: res})
				return nil
			}
			if m.diff {
				if err := transform.WriteDiff(out, rel, res); err != nil {
					return failure(err)
				}
			}
			if m.say {
				sayChanges(out, rel, res, would)
			}
			run.files = append(run.files, rel)
			run.changes = append(run.changes, res.Changes...)
			return nil
		})
	// What was staged is whole even when the run stopped on an error: it
	// goes in place like the files of a run that went on.
	batch.Commit(func(path string, werr error) {
		rel, _ := filepath.Rel(r.Root, path)
		rel = filepath.ToSlash(rel)
		fmt.Fprintf(errOut, "secretguard: %s\n", words.Lines(sealError(rel, werr)))
		run.failed++
		run.files = slices.DeleteFunc(run.files, func(f string) bool { return f == rel })
	})
	if err == nil && len(spreads) > 0 {
		err = r.spread(s, m, spreads, run, would)
	}
	return run, err
}

// sayChanges prints a line per repair and per sealed Secret of a file.
func sayChanges(out io.Writer, rel string, res *transform.Result, would func(string) string) {
	for _, f := range res.Fixed {
		fmt.Fprintf(out, "%s %s:%d: %s: %s\n", would("fix"), words.OneLine(rel), f.Line, f.Rule, words.OneLine(f.What))
	}
	for _, ch := range res.Changes {
		where := ""
		switch {
		case ch.Into != "":
			where = ", into " + words.OneLine(ch.Into)
		case ch.Merged:
			where = ", merged into the SealedSecret"
		}
		fmt.Fprintf(out, "%s %s:%d: Secret %s (%d key%s) for %s, %s scope%s\n",
			would("seal"), words.OneLine(rel), ch.Line, words.OneLine(words.Ref(ch.Namespace, ch.Name)), len(ch.Keys), words.Plural(len(ch.Keys)), words.OneLine(ch.Env), ch.Scope, where)
	}
}

// picker checks the forced environment and certificate once for the run.
func (r *repo) picker(ch transform.Choice) (*transform.Picker, error) {
	p, err := transform.NewPicker(r.Root, r.Envs, ch, time.Now())
	var ue *transform.UsageError
	if errors.As(err, &ue) {
		return nil, usage("%s", ue.Msg)
	}
	return p, failure(err)
}

// sealStdin is the kubeseal-like filter: one stream in, the sealed stream out.
func sealStdin(o sealOptions, s streams) error {
	wd, err := os.Getwd()
	if err != nil {
		return failure(err)
	}
	r, err := openRepo(o.Config, []string{wd})
	if err != nil {
		return err
	}
	if o.Choice.Env == "" && o.Choice.Cert == "" && len(r.Envs.Names()) != 1 {
		return usage("reading stdin: name the environment with --env or the certificate with --cert (known environments: %s)", strings.Join(r.Envs.Names(), ", "))
	}
	pick, err := r.picker(o.Choice)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(s.in)
	if err != nil {
		return failure(fmt.Errorf("read stdin: %w", err))
	}
	opt := transform.Options{Scope: o.Scope, DefaultScope: r.Config.Scope}
	res, err := transform.Seal("<stdin>", data, opt, func() (*transform.Target, error) {
		t, err := pick.Target("-")
		if t != nil && o.Choice.Namespace != "" {
			t.Namespace = o.Choice.Namespace // stdin: --namespace wins, as kubeseal's
		}
		return t, err
	})
	if err != nil {
		return failure(err)
	}
	outData := res.New
	if outData == nil {
		outData = data
	}
	if o.Check {
		if res.New != nil {
			return findings
		}
		return nil
	}
	_, err = io.Copy(s.out, bytes.NewReader(outData))
	return err
}

func isPipeOrFile(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	return fi.Mode()&os.ModeNamedPipe != 0 || fi.Mode().IsRegular()
}

// sealError names the file unless the error already does.
func sealError(rel string, err error) string {
	var se *transform.Error
	if errors.As(err, &se) {
		return err.Error()
	}
	msg := words.ErrText(err)
	var ee *exitError
	if errors.As(err, &ee) && ee.err != nil {
		msg = ee.err.Error()
	}
	if strings.Contains(msg, rel) {
		return msg
	}
	return rel + ": " + msg
}

// sopsKept is the reason seal leaves a file alone that .sops.yaml keeps encrypted.
type sopsKept struct{ config string }

func (e *sopsKept) Error() string { return e.config + " keeps this file encrypted with sops" }
