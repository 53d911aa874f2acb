package source

import (
	"os/exec"
	"strings"
	"testing"
)

// Ignored agrees with `git check-ignore -v --no-index`… for files git does not
// track: which rule ignores a file, across nested .gitignore files,
// re-includes, ignored directories and info/exclude; a tracked file (git add -f)
// is never ignored.
func TestIgnoredIsGits(t *testing.T) {
	r := newGitRepo(t)
	for _, kv := range r.env {
		if k, v, _ := strings.Cut(kv, "="); k == "HOME" || k == "XDG_CONFIG_HOME" {
			t.Setenv(k, v)
		}
	}
	r.write(".gitignore", "# keys\n*.pem\n!certs/*.pem\nsecrets/\n")
	r.write("clusters/.gitignore", "\n!stage.pem\n")
	r.write(".git/info/exclude", "local.crt\n")
	files := []string{"certs/prod.pem", "sealed-secrets/pub-cert.pem", "clusters/stage.pem", "clusters/prod.pem",
		"secrets/certs/prod.pem", "local.crt", "apps/local.crt", "forced.pem", "apps/x.yaml"}
	for _, f := range files {
		r.write(f, "x")
	}
	r.git("add", "-f", "forced.pem")
	g := r.open()
	for _, f := range files {
		got, err := g.Ignored(f)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("git", "check-ignore", "-v", f)
		cmd.Dir, cmd.Env = r.root, r.env
		out, _ := cmd.Output()
		want := ""
		if src, _, ok := strings.Cut(strings.TrimSpace(string(out)), "\t"); ok {
			// "file:line:pattern"; ours adds a space after the line
			if i := strings.Index(src, ":"); i >= 0 {
				if j := strings.Index(src[i+1:], ":"); j >= 0 {
					want = src[:i+1+j+1] + " " + src[i+1+j+1:]
				}
			}
		}
		if strings.HasPrefix(want, "clusters/.gitignore") || strings.HasPrefix(want, ".gitignore:3") {
			want = "" // a negation that git prints as the deciding rule: not ignored
		}
		if got != want {
			t.Errorf("%s: Ignored = %q, git says %q", f, got, want)
		}
	}
}
