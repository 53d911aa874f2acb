// Package words holds the phrasing that messages of every package share, so
// that a plural, a resource reference or an I/O error reads the same in a
// finding, a report and a command's output.
package words

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// Plural is the "s" of a count's noun: 1 file, 2 files.
func Plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// Ref is "namespace/name", or the bare name when the namespace is unknown.
func Ref(namespace, name string) string {
	if namespace == "" {
		return name
	}
	return namespace + "/" + name
}

// ErrText describes an I/O error without its path, for messages that name
// the file already.
func ErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Some names up to n items of a list: "a, b, c and 4 more".
func Some(xs []string, n int) string {
	if len(xs) <= n {
		return strings.Join(xs, ", ")
	}
	return strings.Join(xs[:n], ", ") + fmt.Sprintf(" and %d more", len(xs)-n)
}

// OneLine makes a string safe for a single line of a terminal or log: line
// breaks and tabs become spaces, other control characters (an ESC in a file
// name would drive the terminal) and bidirectional overrides are shown escaped.
func OneLine(s string) string {
	clean := true
	for _, r := range s {
		if needsEscape(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x100 && needsEscape(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case needsEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func needsEscape(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// Lines is OneLine for text of several lines: line breaks stay, every other
// control character is escaped.
func Lines(s string) string {
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		parts[i] = OneLine(p)
	}
	return strings.Join(parts, "\n")
}

// Nearest is the option a mistyped name most likely meant — one a few edits
// away, or equal but for case — or "" when none is near enough to suggest.
func Nearest(name string, options []string) string {
	best, bestD := "", 0
	limit := 1 // short names are a few letters from many others: "nope" is not "gone"
	if len(name) >= 8 {
		limit = 2
	}
	for _, o := range options {
		if strings.EqualFold(o, name) {
			return o
		}
		if d := distance(strings.ToLower(name), strings.ToLower(o)); d <= limit && (best == "" || d < bestD) {
			best, bestD = o, d
		}
	}
	return best
}

// distance is the Levenshtein distance of two strings, transpositions
// counted as one edit (pahts → paths).
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
