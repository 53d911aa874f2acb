package transform

import (
	"fmt"
	"maps"
	"reflect"
	"sort"
	"strings"

	"github.com/secretguard/secretguard/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Rule ids of the findings fix repairs (scan owns the rules; these name the
// findings it hands over, and a test in cmd holds them to scan's).
const (
	ReflectorMisplaced = "reflector-misplaced"
	ReflectorRedundant = "reflector-redundant"
	ESOAPIRemoved      = "external-secret-api-removed"
	RawSecret          = "raw-secret"
)

// Want is a finding that fix is asked to repair: its rule and its line in the
// file (which names the document it is in). Scan decides what is a finding
// (allow lists, ignore comments, severities, the operator versions a
// repository pins), so fix repairs what scan reports and nothing else.
type Want struct {
	Rule string
	Line int
	// Namespace is where the build puts the resource, when scan's model
	// knows it (a secretGenerator's Secret, a workload).
	Namespace string
	// Env names the env entries whose literal values move into a Secret
	// (plaintext-credential, with --move-env-credentials).
	Env []string
}

// Fixed is one repair fix made (or, in a dry run, would make).
type Fixed struct {
	Rule string
	Line int // of the document in the old file
	What string
}

// Left is a finding that fix could not repair exactly, and what to do instead.
type Left struct {
	Rule string
	Line int
	Why  string
}

// Fix repairs the wanted findings of one file: reflector annotations moved
// or removed, External Secrets resources moved to external-secrets.io/v1, and
// raw Secrets sealed (as Seal does, only the Secrets that are wanted). Every
// edit is whole lines of the documents it repairs, checked by parsing the
// result: an edit whose result does not mean exactly the intended object is
// not made, and the finding is Left with the reason. A file with a document
// that does not parse is not touched.
//
// The document fixes run first, on the file as scan read it (the wanted lines
// point into it); sealing then runs on their result, and the two sets of edits
// are composed into one set on the old file, for one atomic write and one diff.
// A sealing error (no certificate, a Secret without namespace…) is SealErr:
// the other repairs stand.
func Fix(file string, data []byte, wants []Want, opt Options, target func() (*Target, error)) (*Result, error) {
	res := &Result{Old: data}
	isJSON := strings.HasSuffix(strings.ToLower(file), ".json")
	docs := manifest.Documents(data, isJSON)
	if manifest.TooMany(docs) {
		return nil, &Error{File: file, Msg: fmt.Sprintf("more than %d YAML documents, the cap per file; file left untouched", manifest.MaxDocuments)}
	}
	for _, d := range docs {
		if !d.Blank() {
			if err := d.Parse(); err != nil {
				return nil, unparsable(file, d, err)
			}
		}
	}
	rules := map[int]map[string]int{} // document index → wanted rules → the line scan reported
	seal := map[int]bool{}
	gens := map[int]map[int]string{} // document index → wanted generator lines → namespace
	envs := map[int]Want{}           // document index → env credentials to move
	for _, w := range wants {
		d := manifest.DocAt(docs, w.Line)
		if d == nil {
			continue
		}
		switch w.Rule {
		case RawSecret:
			seal[d.Index] = true
			continue
		case SecretGenerator:
			if gens[d.Index] == nil {
				gens[d.Index] = map[int]string{}
			}
			gens[d.Index][w.Line] = w.Namespace
			continue
		case PlaintextCredential:
			envs[d.Index] = w
			continue
		}
		if rules[d.Index] == nil {
			rules[d.Index] = map[string]int{}
		}
		if l := rules[d.Index][w.Rule]; l == 0 || w.Line < l {
			rules[d.Index][w.Rule] = w.Line
		}
	}
	eol := eolOf(data)
	var edits []Edit
	for _, d := range docs {
		want := rules[d.Index]
		if want == nil {
			continue
		}
		var e []Edit
		var fixed []Fixed
		var left []Left
		switch {
		case manifest.HasActions(d.Text):
			for rule := range want {
				left = append(left, Left{Rule: rule, Why: "a template (Helm, Jinja2): fix never rewrites one; change it by hand"})
			}
		case want[ReflectorMisplaced] > 0 || want[ReflectorRedundant] > 0:
			e, fixed, left = fixReflector(d, want[ReflectorMisplaced] > 0, want[ReflectorRedundant] > 0, eol)
		case want[ESOAPIRemoved] > 0:
			e, fixed, left = fixESOVersion(d)
		}
		// Say it at the line scan reported it at.
		for i := range fixed {
			fixed[i].Line = want[fixed[i].Rule]
		}
		for i := range left {
			left[i].Line = want[left[i].Rule]
		}
		edits = append(edits, e...)
		res.Fixed = append(res.Fixed, fixed...)
		res.Left = append(res.Left, left...)
	}
	for _, d := range docs {
		if gens[d.Index] == nil {
			continue
		}
		if manifest.HasActions(d.Text) {
			res.Left = append(res.Left, Left{Rule: SecretGenerator, Line: d.ContentLine(), Why: "a template (Helm, Jinja2): fix never rewrites one; change it by hand"})
			continue
		}
		edits = append(edits, fixGenerators(res, file, d, gens[d.Index], opt, target, eol)...)
		if m := literalLines(d); len(m) > 0 {
			if res.Masked == nil {
				res.Masked = map[int]string{}
			}
			maps.Copy(res.Masked, m)
		}
	}
	for _, d := range docs {
		w, ok := envs[d.Index]
		if !ok {
			continue
		}
		if manifest.HasActions(d.Text) {
			res.Left = append(res.Left, Left{Rule: PlaintextCredential, Line: w.Line, Why: "a template (Helm, Jinja2): fix never rewrites one; change it by hand"})
			continue
		}
		edits = append(edits, moveEnvCredentials(res, file, d, w.Env, w.Line, w.Namespace, opt, target, eol)...)
	}
	sortEdits(edits)
	mid := data
	if len(edits) > 0 {
		mid = apply(data, edits)
		if len(manifest.Documents(mid, isJSON)) != len(docs) {
			// Line edits inside documents never add a separator; if one did,
			// nothing here can be trusted.
			return nil, &Error{File: file, Msg: "a repair would change the file's documents; file left untouched"}
		}
	}
	res.Edits = edits
	if len(seal) > 0 {
		opt.Only = seal
		sealed, err := Seal(file, mid, opt, target)
		switch {
		case err != nil:
			res.SealErr = err
		case sealed.New != nil:
			midDocs := manifest.Documents(mid, isJSON)
			if res.Edits, err = compose(docs, midDocs, edits, sealed.Edits); err != nil {
				return nil, &Error{File: file, Msg: err.Error() + "; file left untouched"}
			}
			res.Changes = sealed.Changes
		}
	}
	if len(res.Edits) > 0 {
		res.New = apply(data, res.Edits)
	}
	res.Hidden = unsealedValues(docs, res.Edits)
	sort.SliceStable(res.Left, func(i, j int) bool {
		a, b := res.Left[i], res.Left[j]
		return a.Line < b.Line || a.Line == b.Line && a.Rule < b.Rule
	})
	return res, nil
}

// unsealedValues are the documents a diff must not show even as context:
// SOPS documents (plaintext may sit beside the ciphertext) and the raw Secrets
// that stay raw (allowed, not wanted, or their sealing failed). Sealed ones
// are masked by their own edits.
func unsealedValues(docs []*manifest.Document, edits []Edit) []manifest.Span {
	sealed := map[int]bool{}
	for _, e := range edits {
		if e.Secret != nil {
			sealed[e.Doc.Index] = true
		}
	}
	var out []manifest.Span
	for _, d := range docs {
		if d.Node == nil || sealed[d.Index] {
			continue
		}
		if _, raw := manifest.RawSecret(d.Node); raw || manifest.IsSOPS(d.Node) {
			out = append(out, d.Span)
		}
	}
	return out
}

// sortEdits orders edits by position, an insertion before a removal that
// starts where it is.
func sortEdits(edits []Edit) {
	sort.SliceStable(edits, func(i, j int) bool {
		if edits[i].Start != edits[j].Start {
			return edits[i].Start < edits[j].Start
		}
		return edits[i].End < edits[j].End
	})
}

// compose turns second, edits of apply(old, first), into edits of old
// together with first. first's edits stay inside their documents (Doc says
// which), so old and the middle text have the same documents, index for
// index; second's edits begin and end at document boundaries (sealing
// replaces or removes whole documents), which map across by index. A document
// that second rewrites already holds first's repairs of it: those are dropped.
func compose(oldDocs, midDocs []*manifest.Document, first, second []Edit) ([]Edit, error) {
	boundary := func(p int) (int, bool) {
		for k, d := range midDocs {
			switch p {
			case d.Start:
				return oldDocs[k].Start, true
			case d.End:
				return oldDocs[k].End, true
			}
		}
		return 0, false
	}
	repaired := map[int]bool{}
	for _, e := range first {
		repaired[e.Doc.Index] = true
	}
	rewritten := map[int]bool{}
	var out []Edit
	for _, e := range second {
		start, ok1 := boundary(e.Start)
		end, ok2 := boundary(e.End)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("internal: a sealing edit does not end at a document boundary")
		}
		for k, d := range midDocs {
			if e.Start <= d.Start && d.End <= e.End {
				rewritten[k] = true
			}
		}
		n := e
		n.Start, n.End = start, end
		if e.Doc != nil {
			if e.Secret != nil && repaired[e.Doc.Index] {
				// Its lines would be masked by the wrong positions.
				return nil, fmt.Errorf("internal: a repaired document holds a raw Secret")
			}
			n.Doc = oldDocs[e.Doc.Index]
		}
		out = append(out, n)
	}
	for _, e := range first {
		if !rewritten[e.Doc.Index] {
			out = append(out, e)
		}
	}
	sortEdits(out)
	return out, nil
}

// verified says whether the edits turn document d into exactly want: the
// edited text parses as one document whose data is want.
func verified(d *manifest.Document, edits []Edit, want any) bool {
	var text []byte
	pos := d.Start
	for _, e := range edits {
		if e.Start < pos || e.End > d.End {
			return false
		}
		text = append(text, d.Text[pos-d.Start:e.Start-d.Start]...)
		text = append(text, e.Text...)
		pos = e.End
	}
	text = append(text, d.Text[pos-d.Start:]...)
	if len(manifest.Documents(text, false)) != 1 {
		return false
	}
	nd := &manifest.Document{Text: text}
	if nd.Parse() != nil {
		return false
	}
	got, err := decoded(nd.Node)
	return err == nil && reflect.DeepEqual(got, want)
}

// decoded is a node as plain data (maps, lists, scalars).
func decoded(n *yaml.Node) (map[string]any, error) {
	var v map[string]any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// dig walks nested maps; nil when one is missing.
func dig(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		next, _ := m[k].(map[string]any)
		if next == nil {
			return nil
		}
		m = next
	}
	return m
}

// ensureDig walks nested maps, creating those that are missing.
func ensureDig(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		next, _ := m[k].(map[string]any)
		if next == nil {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	return m
}
