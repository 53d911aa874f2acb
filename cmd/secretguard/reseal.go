package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/sealedsecret"
	"github.com/secretguard/secretguard/transform"
	"github.com/urfave/cli/v2"
)

func resealCommand() *cli.Command {
	return &cli.Command{
		Name:      "reseal",
		Usage:     "re-encrypt SealedSecrets with their environment's newest certificate (after a key renewal, a move, a change of scope)",
		ArgsUsage: "[PATH...]",
		Description: "Decrypts, with the controllers' private keys (--key), every SealedSecret under PATH that is not sealed with the newest certificate\n" +
			"of the environment its path maps to (or --env/--cert, or not in --scope), and seals each value again, in place: only the values\n" +
			"and the secretguard.io/cert-sha256 annotation (and for --scope the scope annotations) change. Plaintext stays in memory.\n" +
			"A key file is PEM, or what `kubectl get secret -n kube-system -l sealedsecrets.bitnami.com/sealed-secrets-key -o yaml` prints;\n" +
			"it must be outside the repository and readable by you alone. --check needs no key: it reads the cert annotations.",
		Flags: append([]cli.Flag{
			configFlag, noColorFlag, sealQuietFlag, dryRunFlag, diffFlag,
			&cli.BoolFlag{Name: "check", Usage: "write nothing, decrypt nothing (no key needed): exit 1 if anything is sealed with another certificate than the newest"},
			&cli.StringSliceFlag{Name: "key", Usage: "a controller's private key `FILE` (PEM, or the kubectl backup List); repeat for several"},
			&cli.StringFlag{Name: "scope", Usage: "`SCOPE`: " + strings.Join(sealedsecret.Scopes, ", ") + " (default: each SealedSecret keeps its own)"},
		}, targetFlags("reseal")...),
		Action: runReseal,
	}
}

// targetFlags choose the certificate, as seal's do: --env, --force, --cert.
func targetFlags(verb string) []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "env", Usage: verb + " for environment `NAME` (a file whose path maps to another environment needs --force)"},
		&cli.BoolFlag{Name: "force", Usage: "with --env: " + verb + " even where the path maps to other environments"},
		&cli.StringFlag{Name: "cert", Usage: verb + " with certificate `FILE`, whatever the environments say"},
	}
}

// targetChoice is what targetFlags chose.
func targetChoice(c *cli.Context) transform.Choice {
	return transform.Choice{Env: c.String("env"), Cert: c.String("cert"), Force: c.Bool("force")}
}

// resealOptions is `secretguard reseal`'s command line.
type resealOptions struct {
	Config                     string
	Paths, KeyFiles            []string
	Scope                      string
	Choice                     transform.Choice
	DryRun, Diff, Check, Quiet bool
}

func runReseal(c *cli.Context) error {
	o := resealOptions{
		Config: c.String("config"), Paths: c.Args().Slice(), KeyFiles: c.StringSlice("key"), Scope: c.String("scope"),
		Choice: targetChoice(c),
		DryRun: c.Bool("dry-run"), Diff: c.Bool("diff"), Check: c.Bool("check"), Quiet: c.Bool("quiet"),
	}
	if err := sealedsecret.CheckScope(o.Scope); err != nil {
		return usage("--%v", err)
	}
	if len(o.KeyFiles) == 0 && !o.Check && !o.DryRun {
		return usage("reseal decrypts with the controllers' private keys: pass --key FILE (PEM, or `kubectl get secret -n kube-system -l sealedsecrets.bitnami.com/sealed-secrets-key -o yaml > FILE` outside the repository); --check and --dry-run need none")
	}
	s := streamsOf(c)
	r, err := openRepo(o.Config, o.Paths)
	if err != nil {
		return err
	}
	var keys []sealedsecret.PrivateKey
	for _, f := range o.KeyFiles {
		k, err := sealedsecret.ReadKeyFile(f, r.Root)
		if err != nil {
			return usage("%v", err)
		}
		keys = append(keys, k...)
	}
	if o.Check {
		keys = nil // --check judges by the annotations alone
	}
	opt := transform.ResealOptions{Keys: keys, Scope: o.Scope}
	say := !o.Quiet && !o.Diff
	run, err := r.rewrite(s, sealMode{
		choice: o.Choice, write: !(o.DryRun || o.Diff || o.Check), diff: o.Diff && len(keys) > 0, dry: o.DryRun || o.Check,
		with: func(rel string, data []byte, target func() (*transform.Target, error)) (*transform.Result, error) {
			return transform.Reseal(rel, data, opt, target)
		},
		report: func(out, errOut io.Writer, rel string, res *transform.Result, would func(string) string) {
			for _, f := range res.Fixed {
				if say {
					fmt.Fprintf(out, "%s %s:%d: %s\n", would("reseal"), words.OneLine(rel), f.Line, words.OneLine(f.What))
				}
			}
			for _, l := range res.Left {
				fmt.Fprintf(errOut, "secretguard: %s:%d: %s\n", words.OneLine(rel), l.Line, words.OneLine(l.Why))
			}
			for _, n := range res.Notes {
				if !o.Quiet {
					fmt.Fprintf(errOut, "secretguard: note: %s\n", words.OneLine(n))
				}
			}
		},
	}, nil)
	if err != nil {
		return err
	}
	if run.failed > 0 {
		return &exitError{code: 2, err: fmt.Errorf("%d file%s not resealed (left untouched)", run.failed, words.Plural(run.failed))}
	}
	if run.left > 0 {
		it := "them"
		if run.left == 1 {
			it = "it"
		}
		return &exitError{code: 1, err: fmt.Errorf("%d SealedSecret%s not resealed: no key given decrypts %s", run.left, words.Plural(run.left), it)}
	}
	if (o.Check || o.Diff) && len(run.files) > 0 {
		if o.Check && !o.Quiet {
			fmt.Fprintf(s.err, "secretguard: %d file%s would change\n", len(run.files), words.Plural(len(run.files)))
		}
		return findings
	}
	return nil
}
