package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/secretguard/secretguard/certs"
	"github.com/secretguard/secretguard/config"
	"github.com/secretguard/secretguard/gitops"
	"github.com/secretguard/secretguard/scan"
	"github.com/secretguard/secretguard/sealedsecret"
	"github.com/secretguard/secretguard/source"
	"github.com/secretguard/secretguard/transform"
	"github.com/urfave/cli/v2"
)

func sealCommand() *cli.Command {
	return &cli.Command{
		Name:      "seal",
		Usage:     "rewrite raw Secrets into SealedSecrets in place",
		ArgsUsage: "[PATH...|-]",
		Description: "Seals every raw v1 Secret under PATH for the certificate of the environment its path maps to.\n" +
			"With `-`, or with no PATH and stdin not a terminal, reads a manifest stream from stdin and writes the sealed stream to stdout.",
		Flags: []cli.Flag{
			configFlag, noColorFlag, quietFlag,
			&cli.BoolFlag{Name: "dry-run", Usage: "say what would change, write nothing"},
			&cli.BoolFlag{Name: "diff", Usage: "print a unified diff (values masked) of what changes"},
			&cli.BoolFlag{Name: "check", Usage: "write nothing; exit 1 if anything would change"},
			&cli.StringFlag{Name: "env", Usage: "seal for environment `NAME`, whatever the paths say"},
			&cli.StringFlag{Name: "cert", Usage: "seal with certificate `FILE`, whatever the environments say"},
			&cli.StringFlag{Name: "scope", Usage: "`SCOPE`: strict, namespace-wide or cluster-wide (default: the Secret's annotation, then the config, then strict)"},
			&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Usage: "namespace for Secrets that name none (stdin mode)"},
		},
		Action: runSeal,
	}
}

func runSeal(c *cli.Context) error {
	scope := c.String("scope")
	switch scope {
	case "", sealedsecret.Strict, sealedsecret.NamespaceWide, sealedsecret.ClusterWide:
	default:
		return usage("--scope %q: want strict, namespace-wide or cluster-wide", scope)
	}
	args := c.Args().Slice()
	stdinMode := len(args) == 1 && args[0] == "-"
	if len(args) == 0 && !isTerminal(c.App.Reader) {
		if f, ok := c.App.Reader.(*os.File); !ok || isPipeOrFile(f) {
			stdinMode = true
		}
	}
	if stdinMode {
		return sealStdin(c, scope)
	}
	r, err := openRepo(c, args)
	if err != nil {
		return err
	}
	dry, diff, check := c.Bool("dry-run"), c.Bool("diff"), c.Bool("check")
	run, err := r.seal(c, sealMode{scope: scope, write: !(dry || diff || check), diff: diff, say: !c.Bool("quiet") && !diff, dry: dry || check})
	if err != nil {
		return err
	}
	failed, changed := run.failed, len(run.files)
	errOut := c.App.ErrWriter
	if failed > 0 {
		return &exitError{code: 2, err: fmt.Errorf("%d file%s not sealed (left untouched)", failed, plural(failed))}
	}
	if check && changed > 0 {
		if !c.Bool("quiet") {
			fmt.Fprintf(errOut, "secretguard: %d file%s would change\n", changed, plural(changed))
		}
		return findings
	}
	return nil
}

// sealMode says what a sealing run does besides sealing in memory.
type sealMode struct {
	scope string
	write bool // write the files
	diff  bool // print a diff
	say   bool // print one line per sealed Secret
	dry   bool // the lines say "would seal"
}

// sealRun is what a sealing run did.
type sealRun struct {
	files   []string // changed (or would-change) files, repo-relative
	changes []transform.Change
	failed  int
}

// seal seals every raw Secret of the repository's paths; errors per file are
// printed and counted, the run goes on.
func (r *repo) seal(c *cli.Context, m sealMode) (*sealRun, error) {
	all, err := source.Entries(r.dirSource())
	if err != nil {
		return nil, failure(err)
	}
	out, errOut := c.App.Writer, c.App.ErrWriter
	// Temp files of a run that was killed mid-write: the files they were
	// for are whole (old or new), the temp files are litter.
	entries := all[:0]
	for _, e := range all {
		if !transform.IsTempFile(e.Path) {
			entries = append(entries, e)
			continue
		}
		if m.write {
			if err := os.Remove(filepath.Join(r.Root, filepath.FromSlash(e.Path))); err == nil {
				fmt.Fprintf(errOut, "secretguard: removed %s, left by an interrupted run\n", e.Path)
			}
		}
	}
	run := &sealRun{}
	opt := transform.Options{Scope: m.scope, DefaultScope: r.Config.Scope}
	var write func(string, *transform.Result) error
	if m.write {
		write = func(rel string, res *transform.Result) error {
			return transform.WriteFile(filepath.Join(r.Root, filepath.FromSlash(rel)), res.New)
		}
	}
	err = transform.SealAll(entries, func(p string) bool { m, _ := scan.Kind(p); return m }, opt,
		func(rel string) (*transform.Target, error) { return r.target(c, rel) }, write,
		func(o transform.Outcome) error {
			var tooLarge *source.TooLargeError
			switch {
			case errors.As(o.Err, &tooLarge):
				fmt.Fprintf(errOut, "secretguard: %s: skipped, %v\n", o.Path, o.Err)
				return nil
			case o.Err != nil:
				fmt.Fprintf(errOut, "secretguard: %s\n", sealError(o.Path, o.Err))
				run.failed++
				return nil
			case o.Result == nil || o.Result.New == nil:
				return nil
			}
			res, rel := o.Result, o.Path
			if m.diff {
				if err := transform.WriteDiff(out, rel, res); err != nil {
					return failure(err)
				}
			}
			if m.say {
				verb := "sealed"
				if m.dry {
					verb = "would seal"
				}
				for _, ch := range res.Changes {
					into := ""
					if ch.Merged {
						into = ", merged into the SealedSecret"
					}
					fmt.Fprintf(out, "%s %s:%d: Secret %s (%d key%s) for %s, %s scope%s\n",
						verb, rel, ch.Line, nsName(ch.Namespace, ch.Name), len(ch.Keys), plural(len(ch.Keys)), ch.Env, ch.Scope, into)
				}
			}
			run.files = append(run.files, rel)
			run.changes = append(run.changes, res.Changes...)
			return nil
		})
	return run, err
}

// target picks the environment and certificate for a file: --cert, then --env,
// then the environment mapping.
func (r *repo) target(c *cli.Context, rel string) (*transform.Target, error) {
	t := &transform.Target{}
	var env config.Environment
	switch {
	case c.String("cert") != "":
		cert, err := certs.Load("--cert", c.String("cert"))
		if err != nil {
			return nil, failure(err)
		}
		t.Env, t.Cert = "--cert "+c.String("cert"), cert
		if c.String("env") != "" {
			env, _ = r.Envs.Env(c.String("env"))
		}
	default:
		name := c.String("env")
		if name == "" {
			var err error
			if name, err = r.Envs.Pick(rel); err != nil {
				return nil, failure(err)
			}
		}
		var ok bool
		if env, ok = r.Envs.Env(name); !ok {
			return nil, usage("--env %q: no such environment (known: %s)", name, strings.Join(r.Envs.Names(), ", "))
		}
		cert, err := r.Envs.Cert(name)
		if err != nil {
			return nil, failure(err)
		}
		t.Env, t.Cert = name, cert
	}
	if t.Cert != nil {
		if err := t.Cert.Check(now()); err != nil {
			return nil, failure(err)
		}
	}
	t.Namespace = env.Namespace
	if t.Namespace == "" {
		t.Namespace = c.String("namespace")
	}
	if t.Namespace == "" {
		if k, _ := gitops.KustomizationIn(r.Root, path.Dir(rel)); k != nil {
			t.Namespace = k.Namespace
		}
	}
	return t, nil
}

// sealStdin is the kubeseal-like filter: one stream in, the sealed stream out.
func sealStdin(c *cli.Context, scope string) error {
	data, err := io.ReadAll(c.App.Reader)
	if err != nil {
		return failure(fmt.Errorf("read stdin: %w", err))
	}
	wd, err := os.Getwd()
	if err != nil {
		return failure(err)
	}
	r, err := openRepo(c, []string{wd})
	if err != nil {
		return err
	}
	if c.String("cert") == "" && c.String("env") == "" && len(r.Envs.Names()) != 1 {
		return usage("reading stdin: name the environment with --env or the certificate with --cert (known environments: %s)", strings.Join(r.Envs.Names(), ", "))
	}
	opt := transform.Options{Scope: scope, DefaultScope: r.Config.Scope}
	res, err := transform.Seal("<stdin>", data, opt, func() (*transform.Target, error) {
		t, err := r.target(c, "-")
		if t != nil && c.String("namespace") != "" {
			t.Namespace = c.String("namespace")
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
	if c.Bool("check") {
		if res.New != nil {
			return findings
		}
		return nil
	}
	_, err = io.Copy(c.App.Writer, bytes.NewReader(outData))
	return err
}

func isPipeOrFile(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	return fi.Mode()&os.ModeNamedPipe != 0 || fi.Mode().IsRegular()
}

func nsName(ns, name string) string {
	if ns == "" {
		return name
	}
	return ns + "/" + name
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// now is the clock for certificate expiry; tests may move it.
var now = time.Now

// sealError names the file unless the error already does.
func sealError(rel string, err error) string {
	var se *transform.Error
	if errors.As(err, &se) {
		return err.Error()
	}
	msg := errText(err)
	var ee *exitError
	if errors.As(err, &ee) && ee.err != nil {
		msg = ee.err.Error()
	}
	if strings.Contains(msg, rel) {
		return msg
	}
	return rel + ": " + msg
}
