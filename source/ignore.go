package source

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// ignoreRule is one gitignore line and where it was written.
type ignoreRule struct {
	pattern gitignore.Pattern
	where   string // ".gitignore:3: *.pem"
}

// Ignored says why git ignores a file that is not tracked — ".gitignore:3:
// *.pem" — or "" when git would commit it or already tracks it. Such a file is
// on this machine only: a commit never carries it, so a CI checkout lacks it
// (a certificate kept there silently turns its environment's checks off in
// CI). The rules read are git's: core.excludesFile, info/exclude, then each
// .gitignore from the root down to the file's directory, the last match
// deciding, and a file under an ignored directory staying ignored.
func (g *Git) Ignored(rel string) (string, error) {
	rel = path.Clean(filepath.ToSlash(rel))
	idx, err := g.readIndex()
	if err != nil {
		return "", err
	}
	for _, e := range idx.Entries {
		if e.Name == rel {
			return "", nil // tracked: ignore rules no longer apply
		}
	}
	var rules []ignoreRule
	if p := g.excludesFile(); p != "" {
		rules = append(rules, readIgnore(p, p, nil)...)
	}
	rules = append(rules, readIgnore(filepath.Join(g.Dirs.Common, "info", "exclude"), ".git/info/exclude", nil)...)
	parts := strings.Split(rel, "/")
	for i := range parts {
		dir := parts[:i]
		name := path.Join(append(append([]string{}, dir...), ".gitignore")...)
		rules = append(rules, readIgnore(filepath.Join(g.Root, filepath.FromSlash(name)), name, dir)...)
	}
	// Each directory on the way, then the file: an ignored directory is
	// never entered, whatever a later rule re-includes inside it.
	for i := 1; i <= len(parts); i++ {
		isDir := i < len(parts)
		for j := len(rules) - 1; j >= 0; j-- {
			switch rules[j].pattern.Match(parts[:i], isDir) {
			case gitignore.Exclude:
				return rules[j].where, nil
			case gitignore.Include:
				j = -1 // re-included: look at the next level
			}
		}
	}
	return "", nil
}

// excludesFile is core.excludesFile, or git's default $XDG_CONFIG_HOME/git/ignore.
func (g *Git) excludesFile() string {
	home, _ := os.UserHomeDir()
	if cfg, err := g.Repo.ConfigScoped(config.GlobalScope); err == nil {
		if p := cfg.Raw.Section("core").Option("excludesfile"); p != "" {
			if strings.HasPrefix(p, "~/") && home != "" {
				p = filepath.Join(home, p[2:])
			}
			return p
		}
	}
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
		return filepath.Join(x, "git", "ignore")
	}
	if home != "" {
		return filepath.Join(home, ".config", "git", "ignore")
	}
	return ""
}

// readIgnore reads one ignore file's patterns; a file that is not there has none.
func readIgnore(file, name string, domain []string) []ignoreRule {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var out []ignoreRule
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		out = append(out, ignoreRule{gitignore.ParsePattern(line, domain), fmt.Sprintf("%s:%d: %s", name, n, strings.TrimSpace(line))})
	}
	return out
}
