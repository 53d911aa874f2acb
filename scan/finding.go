package scan

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"github.com/secretguard/secretguard/source"
)

// Finding is one problem at one place. It never holds a secret value: only file,
// position, resource and key names.
type Finding struct {
	Rule     string          `json:"rule"`
	Severity Severity        `json:"severity"`
	File     string          `json:"file"`
	Line     int             `json:"line"`
	Column   int             `json:"column"`
	Resource *Resource       `json:"resource,omitempty"`
	Keys     []string        `json:"keys,omitempty"`
	Message  string          `json:"message"`
	Fixable  bool            `json:"fixable"`
	Commits  []source.Commit `json:"commits,omitempty"`
	// Advice is what to do about it, a command where one fixes it. Rules set
	// it apart from what is wrong so that the command can be checked against
	// where the user stands (Context.Advise) before Scan appends it to the
	// Message, which is what reports print.
	Advice string `json:"-"`
	// Namespace is where the builds put a fixable secretGenerator's Secret
	// ("" when nothing forces one): fix seals for it.
	Namespace string `json:"-"`
	// AllowedByComment is set by a rule for what another scanner's allow
	// comment accepts (allowComments): counted as allowed, never reported.
	AllowedByComment bool `json:"-"`
}

// Fingerprint identifies a finding across line shifts: rule, file, resource and
// keys, never the line. SARIF and baselines key on it.
func (f *Finding) Fingerprint() string {
	h := sha256.New()
	h.Write([]byte(f.Rule + "\x00" + f.File + "\x00"))
	if r := f.Resource; r != nil {
		h.Write([]byte(r.APIVersion + "\x00" + r.Kind + "\x00" + r.Namespace + "\x00" + r.Name + "\x00"))
	} else {
		// Without a resource (a private key in a text file) the message names the block.
		h.Write([]byte(f.Message + "\x00"))
	}
	h.Write([]byte(strings.Join(f.Keys, "\x00")))
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// SortedFindings is fs in report order (file, line, column, rule, then the
// oldest commit): a total order, so that a report is the same whatever order
// the source read the files in.
func SortedFindings(fs []Finding) []Finding {
	out := append([]Finding(nil), fs...)
	sortFindings(out)
	return out
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		// Two versions of one file in a history: the older first, whatever
		// order the blobs were read in.
		if len(a.Commits) > 0 && len(b.Commits) > 0 && a.Commits[0] != b.Commits[0] {
			ca, cb := a.Commits[0], b.Commits[0]
			if ca.Date != cb.Date {
				return ca.Date < cb.Date
			}
			return ca.Hash < cb.Hash
		}
		return a.Message < b.Message
	})
}
