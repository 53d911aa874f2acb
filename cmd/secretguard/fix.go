package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/scan"
	"github.com/secretguard/secretguard/transform"
	"github.com/urfave/cli/v2"
)

// fixRules are the rules whose findings transform.Fix repairs (those marked
// fixable); TestFixRulesAreScanRules holds its ids to scan's.
var fixRules = map[string]bool{
	transform.RawSecret:          true,
	transform.ReflectorMisplaced: true,
	transform.ReflectorRedundant: true,
	transform.ESOAPIRemoved:      true,
	transform.SecretGenerator:    true,
}

func fixCommand() *cli.Command {
	return &cli.Command{
		Name:      "fix",
		Usage:     "apply every mechanical fix in place: seal raw Secrets and secretGenerators, move reflector annotations, move External Secrets to v1",
		ArgsUsage: "[PATH...]",
		Description: "Scans the repository as `secretguard scan` does and repairs, in the files under PATH, every finding that has an exact fix:\n" +
			"   raw-secret                    seal it, as `secretguard seal` does\n" +
			"   reflector-misplaced           move the annotations into spec.template.metadata.annotations\n" +
			"   reflector-redundant           remove the copies of the template's annotations\n" +
			"   external-secret-api-removed   external-secrets.io/v1beta1 -> v1, where v1 takes the resource unchanged\n" +
			"   secret-generator              a SealedSecret in a new file sealed-NAME.yaml, listed in resources:, instead of the entry\n" +
			"                                 (in a base that several clusters' overlays build: one per overlay)\n" +
			"   plaintext-credential          with --move-env-credentials: a workload's env literals into a SealedSecret WORKLOAD-env\n" +
			"Only whole lines of the repaired documents change; every other byte stays. What it cannot repair exactly it leaves, and says why.",
		Flags: []cli.Flag{
			configFlag, noColorFlag,
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print errors only: no line per repair"},
			dryRunFlag, diffFlag, checkFlag,
			&cli.BoolFlag{Name: "move-env-credentials", Usage: "also move a workload's env credentials written in plain text into a SealedSecret WORKLOAD-env beside it, and refer to it (valueFrom.secretKeyRef): it changes the workload"},
		},
		Action: runFix,
	}
}

// fixOptions is `secretguard fix`'s command line.
type fixOptions struct {
	Config                     string
	Paths                      []string
	DryRun, Diff, Check, Quiet bool
	MoveEnv                    bool // --move-env-credentials
}

func runFix(c *cli.Context) error {
	o := fixOptions{Config: c.String("config"), Paths: c.Args().Slice(),
		DryRun: c.Bool("dry-run"), Diff: c.Bool("diff"), Check: c.Bool("check"), Quiet: c.Bool("quiet"),
		MoveEnv: c.Bool("move-env-credentials")}
	s := streamsOf(c)
	r, err := openRepo(o.Config, o.Paths)
	if err != nil {
		return err
	}
	res, err := r.scan(scanMode{whole: true})
	if err != nil {
		return failure(err)
	}
	r.modelOnce.Do(func() { r.build = res.Build }) // the scan read the whole tree: its model is the repository's
	wants := map[string][]transform.Want{}
	remain := map[string]int{} // rule → findings fix does not take
	// untaken are findings of the rules fix repairs that it cannot repair
	// here (a raw Secret with no certificate for its cluster…): each is
	// said with why, as scan advises.
	var untaken []scan.Finding
	for _, f := range res.Findings {
		if env := envCredentials(f); o.MoveEnv && env != nil {
			w := transform.Want{Rule: f.Rule, Line: f.Line, Env: env}
			if nss := res.Build.NamespacesOf(f.File, f.Resource.Namespace); len(nss) == 1 {
				w.Namespace = nss[0]
			}
			wants[f.File] = append(wants[f.File], w)
			continue
		}
		if f.Fixable && fixRules[f.Rule] {
			w := transform.Want{Rule: f.Rule, Line: f.Line}
			if f.Rule == transform.SecretGenerator {
				w.Namespace = f.Namespace
			}
			wants[f.File] = append(wants[f.File], w)
		} else {
			remain[f.Rule]++
			if fixRules[f.Rule] && f.Advice != "" {
				untaken = append(untaken, f)
			}
		}
	}
	run, err := r.rewrite(s, sealMode{write: !(o.DryRun || o.Diff || o.Check), diff: o.Diff, say: !o.Quiet && !o.Diff, dry: o.DryRun || o.Check, left: !o.Quiet}, wants)
	if err != nil {
		return err
	}
	if !o.Quiet {
		for i, f := range untaken {
			if i == maxUntaken {
				fmt.Fprintf(s.err, "secretguard: %d more not fixed: `secretguard scan` says why\n", len(untaken)-i)
				break
			}
			fmt.Fprintf(s.err, "secretguard: %s:%d: %s not fixed: %s\n", words.OneLine(f.File), f.Line, f.Rule, words.OneLine(f.Advice))
		}
		var rules []string
		total := run.left
		for rule, n := range remain {
			rules = append(rules, fmt.Sprintf("%d %s", n, rule))
			total += n
		}
		sort.Strings(rules)
		if run.left > 0 {
			rules = append(rules, fmt.Sprintf("%d not fixed as said above", run.left))
		}
		if total == 0 && len(run.files) == 0 && run.failed == 0 {
			fmt.Fprintln(s.err, "secretguard: nothing to fix")
		}
		if total > 0 {
			verb := "remain"
			if total == 1 {
				verb = "remains"
			}
			fmt.Fprintf(s.err, "secretguard: %d finding%s %s that fix does not repair (%s): `secretguard scan` shows them\n",
				total, words.Plural(total), verb, strings.Join(rules, ", "))
		}
	}
	if run.failed > 0 {
		return &exitError{code: 2, err: fmt.Errorf("%d file%s not fixed (left untouched)", run.failed, words.Plural(run.failed))}
	}
	if (o.Check || o.Diff) && len(run.files) > 0 {
		if o.Check && !o.Quiet {
			fmt.Fprintf(s.err, "secretguard: %d file%s would change\n", len(run.files), words.Plural(len(run.files)))
		}
		return findings
	}
	return nil
}

// maxUntaken is how many findings fix says it left, with why, before it
// only counts them.
const maxUntaken = 20

// envCredentials are the env entries a plaintext-credential finding names,
// when it names nothing else (scan's keys "env NAME"): what
// --move-env-credentials moves.
func envCredentials(f scan.Finding) []string {
	if f.Rule != scan.PlaintextCredentialID || f.Resource == nil || len(f.Keys) == 0 {
		return nil
	}
	var out []string
	for _, k := range f.Keys {
		name, ok := strings.CutPrefix(k, "env ")
		if !ok {
			return nil
		}
		out = append(out, name)
	}
	return out
}
