package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/secretguard/secretguard/config"
	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/transform"
	"github.com/urfave/cli/v2"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// workflowTemplate is the pull-request workflow a GitOps repository adds;
// docs/github-action.md shows the same text (a test keeps them equal).
const workflowTemplate = `name: secretguard
on: pull_request
permissions:
  contents: read
jobs:
  scan:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      security-events: write        # only for upload-sarif
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          fetch-depth: 0            # --diff needs the merge-base with the base branch
          persist-credentials: false # the scan needs no token in .git/config
      - id: secretguard
        uses: secretguard/secretguard@v0
        with:
          fail-on: error            # error | warning | never
      - if: always() && steps.secretguard.outputs.sarif-file != ''
        uses: github/codeql-action/upload-sarif@48ab28a6f5dbc2a99bf1e0131198dd8f1df78169 # v3.28.0
        with:
          sarif_file: ${{ steps.secretguard.outputs.sarif-file }}
          category: secretguard
`

// gitlabJob is the merge-request job of a GitLab repository; docs/gitlab-ci.md
// shows the same text (a test keeps them equal).
const gitlabJob = `secretguard:
  stage: test
  image: golang:1.26
  variables:
    GIT_DEPTH: 0                  # --diff needs the merge-base with the target branch
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - go install github.com/secretguard/secretguard/cmd/secretguard@v0.1.0
    - secretguard scan --diff "$CI_MERGE_REQUEST_DIFF_BASE_SHA" --format gitlab --output gl-code-quality-report.json
  artifacts:
    when: always
    reports:
      codequality: gl-code-quality-report.json
`

// preCommitRepo is the .pre-commit-config.yaml entry, as one item of repos:.
const preCommitRepo = `- repo: https://github.com/secretguard/secretguard
  rev: v0.1.0
  hooks:
    - id: secretguard
`

func initCommand() *cli.Command {
	return &cli.Command{
		Name: "init",
		Usage: "set a GitOps repository up: .secretguard.yaml from its layout and certificates, the pre-commit entry " +
			"(merged into an existing file) and the pull-request workflow; never overwrites a file",
		ArgsUsage: "[PATH]",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "dry-run", Usage: "print what would be written, write nothing"},
			&cli.StringFlag{Name: "ci", Value: "github", Usage: "the `CI` to write the pull-request check for: github (a workflow) or gitlab (a .gitlab-ci.yml job)"}},
		Action: func(c *cli.Context) error {
			ci := c.String("ci")
			if ci != "github" && ci != "gitlab" {
				return usage("--ci %q: want github or gitlab", ci)
			}
			return runInit(c.Args().Slice(), c.Bool("dry-run"), ci, streamsOf(c))
		},
	}
}

// planned is a file init writes, or leaves.
type planned struct {
	rel  string
	data []byte // nil: left as it is
	why  string // what is done, or why not
}

func runInit(paths []string, dry bool, ci string, s streams) error {
	r, err := openRepo("", paths)
	if err != nil {
		return err
	}
	envs := r.Envs.Detect()
	var plans []planned

	// 1. The configuration.
	if exists(filepath.Join(r.Root, config.FileName)) {
		plans = append(plans, planned{rel: config.FileName, why: "exists, left as it is"})
	} else {
		text := initConfig(envs)
		if _, err := config.Parse([]byte(text)); err != nil {
			return failure(fmt.Errorf("init: the configuration it would write does not parse (a bug): %w", err))
		}
		plans = append(plans, planned{rel: config.FileName, data: []byte(text), why: fmt.Sprintf("%d environment%s from the layout", len(envs), words.Plural(len(envs)))})
	}

	// 2. The commit hook: pre-commit's configuration, unless the repository
	// uses another hook manager (then the line to add is printed).
	hookNote := ""
	pc := filepath.Join(r.Root, ".pre-commit-config.yaml")
	switch data, err := os.ReadFile(pc); {
	case err == nil && bytes.Contains(data, []byte("secretguard/secretguard")):
		plans = append(plans, planned{rel: ".pre-commit-config.yaml", why: "has the secretguard hook already"})
	case err == nil:
		merged, err := mergePreCommit(data)
		if err != nil {
			plans = append(plans, planned{rel: ".pre-commit-config.yaml", why: "left as it is: " + err.Error() + "; add this item to its repos: by hand:\n" + indent(preCommitRepo, "  ")})
		} else {
			plans = append(plans, planned{rel: ".pre-commit-config.yaml", data: merged, why: "the secretguard hook added to its repos:"})
		}
	case !errors.Is(err, fs.ErrNotExist):
		return failure(err)
	case exists(filepath.Join(r.Root, "lefthook.yml")) || exists(filepath.Join(r.Root, ".lefthook.yml")):
		hookNote = "this repository uses lefthook: add to lefthook.yml (pre-commit: commands:)  secretguard: {run: secretguard scan --staged --quiet}"
	case exists(filepath.Join(r.Root, ".husky")):
		hookNote = "this repository uses husky: add the line `secretguard scan --staged --quiet` to .husky/pre-commit"
	default:
		plans = append(plans, planned{rel: ".pre-commit-config.yaml", data: []byte("repos:\n" + indent(preCommitRepo, "  ")), why: "the secretguard hook"})
	}

	// 3. The pull-request check.
	ciNote := ""
	switch wf := ".github/workflows/secretguard.yml"; {
	case ci == "gitlab" && exists(filepath.Join(r.Root, ".gitlab-ci.yml")):
		ciNote = "add this job to .gitlab-ci.yml (it is left as it is):\n" + indent(gitlabJob, "    ")
	case ci == "gitlab":
		plans = append(plans, planned{rel: ".gitlab-ci.yml", data: []byte(gitlabJob), why: "checks each merge request, findings in its Code Quality widget"})
	case exists(r.abs(wf)):
		plans = append(plans, planned{rel: wf, why: "exists, left as it is"})
	default:
		plans = append(plans, planned{rel: wf, data: []byte(workflowTemplate), why: "scans each pull request"})
	}

	for _, p := range plans {
		switch {
		case p.data == nil:
			fmt.Fprintf(s.out, "  %s: %s\n", p.rel, p.why)
		case dry:
			fmt.Fprintf(s.out, "would write %s (%s):\n%s\n", p.rel, p.why, indent(string(p.data), "    "))
		default:
			abs := r.abs(p.rel)
			if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
				return failure(err)
			}
			if err := transform.WriteOutput(abs, p.data, 0o644); err != nil {
				return failure(err)
			}
			fmt.Fprintf(s.out, "wrote %s (%s)\n", p.rel, p.why)
		}
	}
	for _, n := range []string{hookNote, ciNote} {
		if n != "" {
			fmt.Fprintf(s.out, "  %s\n", n)
		}
	}
	for _, env := range envs {
		if why := r.ignored(env.Cert); why != "" {
			fmt.Fprintf(s.out, "warning: %s (environment %s) is ignored by git (%s): CI will not have it; commit it with `git add -f %s` (a certificate is public)\n", env.Cert, env.Name, why, env.Cert)
		}
	}
	fmt.Fprintln(s.out, "next steps:")
	var fetch []string
	for _, env := range envs {
		if _, err := os.Stat(r.abs(env.Cert)); err != nil {
			fetch = append(fetch, env.Name)
		}
	}
	if len(fetch) > 0 {
		fmt.Fprintf(s.out, "  1. fetch the certificates of %s: set each environment's context: in %s, then `secretguard certs fetch` (or `--from FILE`)\n", strings.Join(fetch, ", "), config.FileName)
	} else {
		fmt.Fprintln(s.out, "  1. check the certificates and the folders they serve: `secretguard certs list`")
	}
	fmt.Fprintln(s.out, "  2. seal what is raw and audit the history: `secretguard migrate --dry-run > migration.md`, then `secretguard migrate --commit`")
	fmt.Fprintln(s.out, "  3. commit the files above; from then on every commit and pull request is checked")
	return nil
}

// initConfig is the .secretguard.yaml for the detected environments.
func initConfig(envs []config.Environment) string {
	var b strings.Builder
	b.WriteString("# Written by `secretguard init` from the repository's layout; see the README's Configuration.\n")
	if len(envs) == 0 {
		b.WriteString("# No environment was found: name each cluster, its certificate and the folders it deploys.\n")
		b.WriteString("environments: {}\n#  prod:\n#    cert: certs/prod.pem\n#    paths: [\"**/prod/**\"]\n")
		return b.String()
	}
	b.WriteString("environments:\n")
	for _, env := range envs {
		fmt.Fprintf(&b, "  %s:\n    cert: %s   # secretguard certs fetch --env %s\n", yamlKey(env.Name), env.Cert, env.Name)
		var quoted []string
		for _, p := range env.Paths {
			quoted = append(quoted, fmt.Sprintf("%q", p))
		}
		fmt.Fprintf(&b, "    paths: [%s]\n", strings.Join(quoted, ", "))
		b.WriteString("    # context: KUBECONFIG-CONTEXT   # the cluster, for certs fetch\n")
	}
	return b.String()
}

// yamlKey quotes a key that YAML would read as something else.
func yamlKey(k string) string {
	if strings.IndexFunc(k, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	}) >= 0 {
		return fmt.Sprintf("%q", k)
	}
	return k
}

// mergePreCommit adds the secretguard item to a .pre-commit-config.yaml's
// repos:, as text (the file keeps its comments and layout): right after the
// `repos:` line, indented as its first item. It refuses what it cannot merge
// that way, and checks the result parses with the item in it.
func mergePreCommit(data []byte) ([]byte, error) {
	lines := strings.SplitAfter(string(data), "\n")
	for i, l := range lines {
		if strings.TrimRight(l, "\r\n") != "repos:" {
			continue
		}
		ind := "  "
		for _, next := range lines[i+1:] {
			t := strings.TrimLeft(next, " ")
			if strings.HasPrefix(t, "- ") {
				ind = next[:len(next)-len(t)]
				break
			}
			if strings.TrimSpace(next) != "" && !strings.HasPrefix(t, "#") {
				break
			}
		}
		eol := "\n"
		if strings.HasSuffix(l, "\r\n") {
			eol = "\r\n"
		}
		item := strings.ReplaceAll(indent(preCommitRepo, ind), "\n", eol)
		out := strings.Join(lines[:i+1], "") + item + strings.Join(lines[i+1:], "")
		n, err := yaml.Parse(out)
		if err != nil {
			return nil, fmt.Errorf("merging would break it (%v)", err)
		}
		repos, err := n.Pipe(yaml.Lookup("repos"))
		if err != nil || repos == nil || !strings.Contains(repos.MustString(), "secretguard/secretguard") {
			return nil, errors.New("its repos: is not a block list")
		}
		return []byte(out), nil
	}
	return nil, errors.New("it has no top-level `repos:` line")
}

func indent(s, by string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString(by + l)
		}
	}
	return b.String()
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }
