package report

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/scan"
	"github.com/secretguard/secretguard/source"
)

// Migration is what `secretguard migrate` did and found.
type Migration struct {
	DryRun  bool         `json:"dryRun"`
	Sealed  []SealedItem `json:"sealed"`
	Failed  int          `json:"failed"`
	Commits int          `json:"commitsAudited"`
	Leaks   []Leak       `json:"leaks"`
	// Incomplete says what of the history could not be read (history-incomplete
	// findings); the audit then covers only the rest.
	Incomplete []string `json:"historyIncomplete,omitempty"`
	Committed  string   `json:"committed,omitempty"` // the commit of the sealed files (--commit)
	// CommitSkipped says why --commit made no commit.
	CommitSkipped string         `json:"commitSkipped,omitempty"`
	Remaining     []scan.Finding `json:"remaining"` // what a scan of the working tree still finds
}

// SealedItem is one Secret sealed in the working tree.
type SealedItem struct {
	File      string   `json:"file"`
	Line      int      `json:"line"`
	Namespace string   `json:"namespace,omitempty"`
	Name      string   `json:"name"`
	Keys      []string `json:"keys"`
	Env       string   `json:"env"`
	Scope     string   `json:"scope"`
}

// Leak is a Secret (or key) that was committed raw at some point: its values
// are in the history for good and must be rotated.
type Leak struct {
	Rule     string          `json:"rule"`
	Resource *scan.Resource  `json:"resource,omitempty"`
	Keys     []string        `json:"keys,omitempty"`
	Since    string          `json:"since"`
	Paths    []string        `json:"paths"`
	Commits  []source.Commit `json:"commits"`
}

// Gaps lists what a history scan could not read, from its history-incomplete
// findings.
func Gaps(res *scan.Result) []string {
	var out []string
	for _, f := range res.Findings {
		if f.Rule == scan.HistoryIncompleteID {
			out = append(out, f.Message)
		}
	}
	return out
}

// Leaks groups history findings by what leaked: one entry per Secret (or per
// private-key file), with every path and commit that held it.
func Leaks(res *scan.Result) []Leak {
	byKey := map[string]*Leak{}
	var order []string
	for _, f := range res.Findings {
		if f.Rule != scan.RawSecretID && f.Rule != scan.PrivateKeyID && f.Rule != scan.SecretGeneratorID {
			continue
		}
		k := f.Rule + "\x00" + f.File
		if f.Resource != nil {
			k = f.Rule + "\x00" + f.Resource.Kind + "\x00" + f.Resource.Namespace + "\x00" + f.Resource.Name
		}
		l := byKey[k]
		if l == nil {
			l = &Leak{Rule: f.Rule, Resource: f.Resource}
			byKey[k] = l
			order = append(order, k)
		}
		l.Keys = union(l.Keys, f.Keys)
		for _, c := range f.Commits {
			if slices.Contains(l.Commits, c) {
				continue
			}
			l.Commits = append(l.Commits, c)
			l.Paths = union(l.Paths, []string{c.Path})
			if l.Since == "" || c.Date < l.Since {
				l.Since = c.Date
			}
		}
	}
	out := make([]Leak, 0, len(order))
	for _, k := range order {
		l := byKey[k]
		sort.Slice(l.Commits, func(i, j int) bool { return l.Commits[i].Date < l.Commits[j].Date })
		out = append(out, *l)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Since < out[j].Since })
	return out
}

func union(a, b []string) []string {
	for _, s := range b {
		found := false
		for _, x := range a {
			found = found || x == s
		}
		if !found {
			a = append(a, s)
		}
	}
	sort.Strings(a)
	return a
}

// MigrationJSON writes the migration as JSON; its remaining findings have the
// shape of the scan report's.
func MigrationJSON(w io.Writer, m *Migration) error {
	type plain Migration // same fields; a copy, so m is left as it was
	p := plain(*m)
	wire := struct {
		*plain
		Remaining []jsonFinding `json:"remaining"` // shadows plain.Remaining
	}{&p, jsonFindings(m.Remaining)}
	if wire.Sealed == nil {
		wire.Sealed = []SealedItem{}
	}
	if wire.Leaks == nil {
		wire.Leaks = []Leak{}
	}
	return encodeJSON(w, wire)
}

// MigrationMarkdown writes the migration report: what was sealed, what was
// ever committed raw (rotate it), and the next steps. It names Secrets and
// keys, never values.
func MigrationMarkdown(w io.Writer, m *Migration) error {
	var b strings.Builder
	b.WriteString("# secretguard migration report\n\n")
	if m.DryRun {
		b.WriteString("_Dry run: nothing was written._\n\n")
	}
	verb := "Sealed"
	if m.DryRun {
		verb = "Would seal"
	}
	fmt.Fprintf(&b, "## %s in the working tree: %d Secret%s\n\n", verb, len(m.Sealed), words.Plural(len(m.Sealed)))
	if len(m.Sealed) > 0 {
		b.WriteString("| File | Secret | Keys | Environment | Scope |\n|---|---|---|---|---|\n")
		for _, s := range m.Sealed {
			fmt.Fprintf(&b, "| `%s:%d` | %s | %s | %s | %s |\n", cell(s.File), s.Line, cell(words.Ref(s.Namespace, s.Name)), cell(strings.Join(s.Keys, ", ")), cell(s.Env), s.Scope)
		}
		b.WriteString("\n")
	} else {
		b.WriteString("The working tree holds no raw Secret to seal.\n\n")
	}
	if m.Failed > 0 {
		fmt.Fprintf(&b, "**%d file%s could not be sealed** and were left untouched: see the errors printed by the run.\n\n", m.Failed, words.Plural(m.Failed))
	}
	if m.Committed != "" {
		fmt.Fprintf(&b, "The sealed files were committed as `%s`.\n\n", m.Committed)
	}
	if m.CommitSkipped != "" {
		fmt.Fprintf(&b, "**%s.**\n\n", capitalize(words.OneLine(m.CommitSkipped)))
	}
	partial := ""
	if len(m.Incomplete) > 0 {
		partial = "; **the history is incomplete**"
	}
	fmt.Fprintf(&b, "## Committed raw in the history: %d (audited %d commit%s on every ref%s)\n\n", len(m.Leaks), m.Commits, words.Plural(m.Commits), partial)
	if len(m.Incomplete) > 0 {
		b.WriteString("Part of the history could not be read, so this audit covers only the rest: a raw Secret may be in what was not read. " +
			"Fetch the whole history (`git fetch --unshallow`; `fetch-depth: 0` in CI) and run the audit again.\n\n")
		for _, g := range m.Incomplete {
			fmt.Fprintf(&b, "- %s\n", words.OneLine(g))
		}
		b.WriteString("\n")
	}
	switch {
	case len(m.Leaks) == 0 && len(m.Incomplete) > 0:
		b.WriteString("No raw Secret, secretGenerator literal or private key was found in the part of the history that was read.\n\n")
	case len(m.Leaks) == 0:
		b.WriteString("No raw Secret, secretGenerator literal or private key was ever committed.\n\n")
	default:
		b.WriteString("Sealing does not erase history: every value below is readable by anyone with a clone, " +
			"and must be **rotated**.\n\n")
		b.WriteString("| What | Keys | Since | Paths | Commits |\n|---|---|---|---|---|\n")
		for _, l := range m.Leaks {
			what := l.Rule
			if l.Resource != nil {
				what = l.Resource.Kind + " " + words.Ref(l.Resource.Namespace, l.Resource.Name)
			} else if l.Rule == scan.PrivateKeyID {
				what = "private key"
			}
			// One commit may bring the Secret in at two paths: list it once.
			var hashes []string
			for _, c := range l.Commits {
				if !slices.Contains(hashes, c.Hash) {
					hashes = append(hashes, c.Hash)
				}
			}
			var commits []string
			for i, h := range hashes {
				if i == 5 {
					commits = append(commits, fmt.Sprintf("… %d more", len(hashes)-5))
					break
				}
				commits = append(commits, "`"+h+"`")
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", cell(what), cell(strings.Join(l.Keys, ", ")), l.Since,
				cell(strings.Join(l.Paths, ", ")), strings.Join(commits, " "))
		}
		b.WriteString("\n")
	}
	if len(m.Remaining) > 0 {
		fmt.Fprintf(&b, "## Still found in the working tree: %d\n\n", len(m.Remaining))
		b.WriteString("| Severity | Rule | File:Line | Message |\n|---|---|---|---|\n")
		for _, f := range m.Remaining {
			fmt.Fprintf(&b, "| %s | `%s` | `%s:%d` | %s |\n", f.Severity, f.Rule, cell(f.File), f.Line, cell(f.Message))
		}
		b.WriteString("\n")
	}
	b.WriteString("## Next steps\n\n")
	var steps []string
	if len(m.Leaks) > 0 {
		steps = append(steps, "**Rotate** every value listed under \"Committed raw in the history\" (database passwords, API\n"+
			"   tokens, keys), then re-seal the new values with `secretguard seal`.",
			"**Consider rewriting history** (`git filter-repo --invert-paths --path FILE` or BFG) if the\n"+
				"   repository is shared widely. It does not un-leak what was already cloned or forked, so it does not\n"+
				"   replace rotation; coordinate it, since every clone must be re-cloned.")
	}
	if len(m.Incomplete) > 0 {
		steps = append(steps, "**Fetch the whole history** (`git fetch --unshallow`) and run the audit again: part of it was not read.")
	}
	steps = append(steps, "**Keep it clean**: install the pre-commit hook (`secretguard install-hook`, or the\n"+
		"   `secretguard` hook of this repository's `.pre-commit-hooks.yaml`) and run the\n"+
		"   GitHub Action on pull requests.")
	for i, st := range steps {
		fmt.Fprintf(&b, "%d. %s\n", i+1, st)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
