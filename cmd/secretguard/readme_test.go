package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/secretguard/secretguard/scan"
)

// The README's rule table names every rule with its default severity.
func TestREADMEListsEveryRule(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range scan.Rules() {
		info := r.Info()
		row := "| `" + info.ID + "` | " + string(info.Severity) + " |"
		if !strings.Contains(string(b), row) {
			t.Errorf("README has no row %q", row)
		}
	}
}

// Every third-party action in the workflows we run and the ones we tell users
// to copy is pinned by commit SHA (a tag can be moved to other code), and
// every checkout leaves no credentials behind.
func TestWorkflowsPinActions(t *testing.T) {
	files := []string{"../../action.yml", "../../docs/github-action.md"}
	wf, _ := filepath.Glob("../../.github/workflows/*.yml")
	files = append(files, wf...)
	uses := regexp.MustCompile(`uses:\s*([^\s#]+)`)
	pinned := regexp.MustCompile(`@[0-9a-f]{40}$`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range uses.FindAllStringSubmatch(string(b), -1) {
			ref := m[1]
			if strings.HasPrefix(ref, "./") || strings.HasPrefix(ref, "secretguard/secretguard@") || strings.HasPrefix(ref, "`") {
				continue
			}
			if !pinned.MatchString(ref) {
				t.Errorf("%s: %s is not pinned by commit SHA", f, ref)
			}
		}
		if n := strings.Count(string(b), "actions/checkout@"); n != strings.Count(string(b), "persist-credentials: false #") {
			t.Errorf("%s: %d checkouts, not all with persist-credentials: false", f, n)
		}
	}
}

// What init writes is what the docs show: the workflow of
// docs/github-action.md, the job of docs/gitlab-ci.md (their first yaml block).
func TestInitTemplatesAreTheDocumentedOnes(t *testing.T) {
	for doc, tmpl := range map[string]string{"../../docs/github-action.md": workflowTemplate, "../../docs/gitlab-ci.md": gitlabJob} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		_, rest, ok := strings.Cut(string(b), "```yaml\n")
		block, _, ok2 := strings.Cut(rest, "```")
		if !ok || !ok2 || block != tmpl {
			t.Errorf("%s shows another text than init writes:\n%s", doc, block)
		}
	}
}

// The install snippets of the README and docs name the version of the
// changelog's latest entry: a release tagged from it is what they install.
func TestSnippetsUseTheChangelogVersion(t *testing.T) {
	b, err := os.ReadFile("../../CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^## (v\d+\.\d+\.\d+)`).FindSubmatch(b)
	if m == nil {
		t.Fatal("CHANGELOG.md has no version entry")
	}
	v := string(m[1])
	major := v[:strings.Index(v, ".")]
	for _, f := range []string{"../../README.md", "../../docs/gitlab-ci.md", "../../docs/github-action.md", "../../.pre-commit-hooks.yaml"} {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, ref := range regexp.MustCompile(`rev: (v[\d.]+)|cmd/secretguard@(v[\d.]+)|secretguard/secretguard@(v[\d.]+)`).FindAllSubmatch(text, -1) {
			got := string(ref[1]) + string(ref[2]) + string(ref[3])
			if got != v && got != major {
				t.Errorf("%s: %s, but the changelog's latest is %s", f, ref[0], v)
			}
		}
	}
	for _, tmpl := range []string{preCommitRepo, gitlabJob, workflowTemplate} {
		if !strings.Contains(tmpl, v) && !strings.Contains(tmpl, "@"+major+"\n") {
			t.Errorf("init's template names another version than %s:\n%s", v, tmpl)
		}
	}
}
