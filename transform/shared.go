package transform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/secretguard/secretguard/gitops"
	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/sealedsecret"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Shared is where the raw Secrets of a kustomize base go when the overlays of
// several environments build it: a SealedSecret decrypts in one cluster only,
// so each overlay gets its own.
type Shared struct {
	Overlays []gitops.Overlay
	// ListedBy are the kustomizations that list the file: when the file is
	// left empty, it leaves their resources: too.
	ListedBy []string
	// Target is the certificate of an environment.
	Target func(env string) (*Target, error)
}

// Spread is what sealing a shared base changes besides the base file, applied
// by Relist and the caller's writes (Result.Created are the new overlay files).
type Spread struct {
	// Delete: the base file holds nothing but the Secrets, so it goes.
	Delete bool
	// Merged are overlay files that were there already (an earlier run that
	// was interrupted): the keys were merged into their SealedSecret.
	Merged []Updated
	// List maps a kustomization to the file names to add to its resources:,
	// Unlist to the repo-relative files to drop from them.
	List, Unlist map[string][]string
}

// Updated is an existing file a run rewrites besides the one it was given.
type Updated struct {
	Path   string
	Result *Result
}

// SealShared seals every raw Secret of a shared base file once per overlay:
// into sealed-NAME.yaml beside the overlay's kustomization, for the
// namespace the overlay's build gives it, recorded in
// secretguard.io/sealed-for. The Secrets leave the file (the file itself when
// nothing else is left). A build that renames it (namePrefix, nameSuffix) is
// refused: kustomize rewrites workloads' references to a Secret, never to a
// SealedSecret, so they would name a Secret that no longer exists.
func SealShared(file string, data []byte, opt Options, sh Shared) (*Result, error) {
	res := &Result{Old: data}
	p, err := parseRaw(file, data, opt, res)
	if err != nil || p == nil {
		return res, err
	}
	if p.isJSON {
		return nil, &Error{File: file, Msg: "a JSON base shared by several environments: seal it per overlay by hand; file left untouched"}
	}
	sp := &Spread{List: map[string][]string{}, Unlist: map[string][]string{}}
	res.Spread = sp
	shOpt := opt
	shOpt.Shared = &sh
	removed := map[int]bool{}
	for _, r := range p.raws {
		md := manifest.Field(r.doc.Node, "metadata")
		name := manifest.Scalar(manifest.Field(md, "name"))
		own := manifest.Scalar(manifest.Field(md, "namespace"))
		line := r.doc.ContentLine()
		fail := func(format string, a ...any) (*Result, error) {
			return nil, &Error{File: file, Line: line, Msg: fmt.Sprintf(format, a...) + "; file left untouched"}
		}
		if name == "" {
			return fail("Secret has no metadata.name")
		}
		dests, err := destinations("", name, own, "", shOpt, nil)
		var rename *renameError
		switch {
		case errors.As(err, &rename):
			return fail("Secret %s is built by several environments, and %v", name, rename)
		case err != nil:
			return nil, err
		}
		for _, d := range dests {
			rel, ns := d.rel, d.ns
			raw, err := overlaySecret(r.doc, ns, name)
			if err != nil {
				return fail("Secret %s: %s", name, words.ErrText(err))
			}
			in := raw
			old, err := readOpt(opt, rel)
			switch {
			case err == nil:
				in = append(append(slices.Clip(old), newlineIfMissing(old)+"---\n"...), raw...)
			case !errors.Is(err, fs.ErrNotExist):
				return fail("Secret %s: read %s: %s", name, rel, words.ErrText(err))
			case slices.ContainsFunc(res.Created, func(c Created) bool { return c.Path == rel }):
				return fail("two Secrets named %s would go to %s", name, rel)
			}
			sealed, err := Seal(rel, in, opt, d.target)
			if err != nil {
				var se *Error
				if errors.As(err, &se) {
					return fail("Secret %s, sealed for %s into %s: %s", name, d.env, rel, strings.TrimSuffix(se.Msg, "; file left untouched"))
				}
				return nil, err
			}
			if sealed.New == nil || len(sealed.Changes) != 1 {
				return fail("Secret %s: sealing it for %s gave nothing to write", name, d.env)
			}
			ch := sealed.Changes[0]
			if old != nil {
				if !ch.Merged {
					return fail("%s exists already and holds no SealedSecret %s: move it away, or seal the Secret into it by hand", rel, words.Ref(ns, name))
				}
				// Sealing removed the raw Secret appended for the merge:
				// what is left is the old file with the keys merged.
				if !bytes.HasPrefix(in, old) || !bytes.HasSuffix(sealed.New, []byte(newlineIfMissing(old))) && newlineIfMissing(old) != "" {
					return fail("Secret %s: merging into %s gave an unexpected file", name, rel)
				}
				sealed.New = bytes.TrimSuffix(sealed.New, []byte(newlineIfMissing(old)))
				sealed.Old = old
				sealed.Edits = onlyWithin(sealed.Edits, len(old))
				sp.Merged = append(sp.Merged, Updated{Path: rel, Result: sealed})
			} else {
				res.Created = append(res.Created, Created{Path: rel, Data: sealed.New})
			}
			ch.File, ch.Line, ch.Into = file, line, rel
			res.Changes = append(res.Changes, ch)
			sp.List[d.into] = append(sp.List[d.into], sealedName(name))
		}
		res.Edits = append(res.Edits, removal(p.docs, r.doc, r.doc.Node))
		removed[r.doc.Index] = true
	}
	sp.Delete = !slices.ContainsFunc(p.docs, func(d *manifest.Document) bool { return !removed[d.Index] && !d.Blank() })
	if sp.Delete {
		for _, k := range sh.ListedBy {
			sp.Unlist[k] = append(sp.Unlist[k], file)
		}
	}
	sortEdits(res.Edits)
	res.New = apply(data, res.Edits)
	return res, nil
}

// SealedFileName is the file a Secret named name is sealed into beside a
// kustomization (an overlay's, for a shared base; a secretGenerator's own).
func SealedFileName(name string) string { return sealedName(name) }

// RawSecretNames are the names of the raw Secrets of a file that seal would
// take; nil when it holds none or does not parse.
func RawSecretNames(file string, data []byte) []string {
	p, err := parseRaw(file, data, Options{}, &Result{})
	if err != nil || p == nil {
		return nil
	}
	var out []string
	for _, r := range p.raws {
		out = append(out, manifest.Scalar(manifest.Path(r.doc.Node, "metadata", "name")))
	}
	return out
}

// newlineIfMissing is the line break a file lacks at its end, if any.
func newlineIfMissing(b []byte) string {
	if len(b) == 0 || bytes.HasSuffix(b, []byte("\n")) {
		return ""
	}
	return "\n"
}

// onlyWithin keeps the edits of the first n bytes (a diff of the old file).
func onlyWithin(edits []Edit, n int) []Edit {
	var out []Edit
	for _, e := range edits {
		if e.End <= n {
			out = append(out, e)
		}
	}
	return out
}

func readOpt(opt Options, rel string) ([]byte, error) {
	if opt.Read == nil {
		return nil, fs.ErrNotExist
	}
	return opt.Read(rel)
}

// overlaySecret is a copy of a raw Secret for one overlay: in the namespace
// its build gives it, with that recorded, and without comments (they may
// quote values, and belong to the base's document).
func overlaySecret(d *manifest.Document, ns, name string) ([]byte, error) {
	c := &manifest.Document{Text: d.Text}
	if err := c.Parse(); err != nil {
		return nil, err
	}
	n := c.Node
	stripComments(n)
	if ns != "" {
		setString(ensureMap(n, "metadata"), "namespace", ns)
	}
	recordSealedFor(n, ns, name)
	return render(n, false)
}

// recordSealedFor notes on a Secret about to be sealed into an overlay the
// namespace/name its build gives it; seal puts it on the SealedSecret's own
// metadata.
func recordSealedFor(secret *yaml.Node, ns, name string) {
	setString(ensureMap(ensureMap(secret, "metadata"), "annotations"), sealedsecret.SealedForAnnotation, ns+"/"+name)
}

func stripComments(n *yaml.Node) {
	if n == nil {
		return
	}
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	for _, c := range n.Content {
		stripComments(c)
	}
}

// Relist edits a kustomization's resources: the files of drop (repo-relative)
// leave it, the names of add (relative to its folder) join it unless it lists
// them already. Only whole lines change, checked by decoding the result.
func Relist(file string, data []byte, add, drop []string) (*Result, error) {
	fail := func(why string) (*Result, error) {
		return nil, &Error{File: file, Msg: why + "; file left untouched"}
	}
	docs := manifest.Documents(data, false)
	var d *manifest.Document
	for _, x := range docs {
		if x.Blank() {
			continue
		}
		if d != nil {
			return fail("more than one document in a kustomization")
		}
		d = x
	}
	if d == nil {
		return fail("an empty kustomization")
	}
	if err := d.Parse(); err != nil {
		return nil, unparsable(file, d, err)
	}
	root := d.Node
	if root == nil || root.Kind != yaml.MappingNode {
		return fail("the kustomization is not a mapping")
	}
	l := newLines(d)
	if !l.block(root) {
		return fail("the kustomization is not in block style")
	}
	want, err := decoded(root)
	if err != nil {
		return fail("the kustomization does not decode")
	}
	dir := path.Dir(file)
	resolve := func(entry string) string { return path.Clean(path.Join(dir, entry)) }
	resKey, resNode := keyOf(root, "resources")
	if resNode != nil && resNode.Kind == yaml.SequenceNode && resNode.Style&yaml.FlowStyle != 0 {
		return relistFlow(file, data, d, l, resKey, resNode, want, add, drop)
	}
	var edits []Edit
	var keep []any
	listed := map[string]bool{}
	if resNode != nil && resNode.Kind == yaml.SequenceNode {
		for i, item := range resNode.Content {
			v := manifest.Scalar(item)
			if !slices.Contains(drop, resolve(v)) {
				keep = append(keep, v)
				listed[resolve(v)] = true
				continue
			}
			from, to, ok := l.item(resNode, i)
			if !ok {
				return fail("its resources: entries are not one per line")
			}
			edits = append(edits, Edit{Start: l.offset(from), End: l.offset(to), Doc: d})
		}
	}
	var names []string
	for _, n := range add {
		if !listed[resolve(n)] && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	switch {
	case len(edits) > 0 && len(keep) == 0 && len(names) == 0:
		// Nothing left: an empty list, not no key (a kustomization with
		// nothing in it is an error to kustomize).
		from, to, indent, ok := l.entry(resKey)
		if !ok {
			return fail("its resources: key does not open its line")
		}
		for from < to && l.comment(from) {
			from++ // its head comment stays
		}
		edits = []Edit{{Start: l.offset(from), End: l.offset(to), Doc: d, Text: []byte(strings.Repeat(" ", indent) + "resources: []" + eolOf(data))}}
		want["resources"] = []any{}
	case len(edits) > 0:
		if keep == nil {
			keep = []any{}
		}
		want["resources"] = keep
	}
	if len(names) > 0 {
		e, why := listResources(l, d, want, names, eolOf(data))
		if why != "" {
			return fail(why)
		}
		edits = append(edits, e)
	}
	res := &Result{Old: data}
	if len(edits) == 0 {
		return res, nil
	}
	sortEdits(edits)
	if !verified(d, edits, want) {
		return fail("changing its resources: would change more than it should (an unusual layout): edit it by hand")
	}
	res.Edits = edits
	res.New = apply(data, edits)
	return res, nil
}

// FixShared is fix's SealShared: it seals the raw Secrets scan reported
// (wants) of a shared base. ok is false when wants hold another repair,
// which Fix makes in place.
func FixShared(file string, data []byte, wants []Want, opt Options, sh Shared) (res *Result, ok bool, err error) {
	docs := manifest.Documents(data, strings.HasSuffix(strings.ToLower(file), ".json"))
	only := map[int]bool{}
	for _, w := range wants {
		if w.Rule != RawSecret {
			return nil, false, nil
		}
		if d := manifest.DocAt(docs, w.Line); d != nil {
			only[d.Index] = true
		}
	}
	opt.Only = only
	res, err = SealShared(file, data, opt, sh)
	return res, true, err
}

// relistFlow is Relist for `resources: [a, b]` on one line: the list is
// written anew on that line, in the same style.
func relistFlow(file string, data []byte, d *manifest.Document, l *lines, key, seq *yaml.Node, want map[string]any, add, drop []string) (*Result, error) {
	fail := func(why string) (*Result, error) {
		return nil, &Error{File: file, Msg: why + "; file left untouched"}
	}
	dir := path.Dir(file)
	resolve := func(entry string) string { return path.Clean(path.Join(dir, entry)) }
	k := key.Line - 1
	if k < 0 || k >= l.count() || seq.Line != key.Line || slices.ContainsFunc(seq.Content, func(n *yaml.Node) bool { return n.Line != key.Line }) {
		return fail("its resources: is a flow list over several lines: edit it by hand")
	}
	text := l.text(k)
	open := seq.Column - 1
	end := bytes.LastIndexByte(text, ']')
	if open < 0 || open >= len(text) || text[open] != '[' || end < open || bytes.ContainsAny(text[end+1:], "[]") {
		return fail("its resources: flow list does not read as one")
	}
	var items []string
	listed := map[string]bool{}
	var keep []any
	dropped := false
	for _, n := range seq.Content {
		v := manifest.Scalar(n)
		if slices.Contains(drop, resolve(v)) {
			dropped = true
			continue
		}
		keep = append(keep, v)
		listed[resolve(v)] = true
		items = append(items, flowScalar(v))
	}
	for _, n := range add {
		if !listed[resolve(n)] {
			listed[resolve(n)] = true
			keep = append(keep, n)
			items = append(items, flowScalar(n))
		}
	}
	res := &Result{Old: data}
	if !dropped && len(items) == len(seq.Content) {
		return res, nil
	}
	// Nothing left is an empty list, not no key (a kustomization with
	// nothing in it is an error to kustomize).
	if keep == nil {
		keep = []any{}
	}
	want["resources"] = keep
	e := Edit{Start: l.offset(k) + open, End: l.offset(k) + end + 1, Text: []byte("[" + strings.Join(items, ", ") + "]"), Doc: d}
	if !verified(d, []Edit{e}, want) {
		return fail("changing its resources: would change more than it should (an unusual layout): edit it by hand")
	}
	res.Edits = wholeLines(d, []Edit{e}) // a diff shows whole lines
	res.New = apply(data, res.Edits)
	return res, nil
}

// flowScalar writes a path as an item of a flow list: plain when it can be,
// else double-quoted (a JSON string is a YAML one).
func flowScalar(v string) string {
	plain := v != "" && strings.IndexFunc(v, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("._/-", c))
	}) < 0
	if plain && !strings.HasPrefix(v, "-") {
		return v
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// dest is where a SealedSecret made of a file's Secret goes: a new file, the
// namespace it is sealed for, the environment and its certificate, and the
// overlay kustomization that lists it ("" when the caller lists it itself).
type dest struct {
	rel, ns, env, into string
	target             func() (*Target, error)
}

// renameError is a build that renames a shared base's Secret: kustomize
// rewrites references to a Secret, never to a SealedSecret.
type renameError struct{ k *gitops.Kustomization }

func (e *renameError) Error() string {
	return fmt.Sprintf("%s renames it (namePrefix %q, nameSuffix %q): kustomize rewrites references to a Secret but not to a SealedSecret, so workloads would name a Secret that no longer exists; seal it in each overlay by hand",
		e.k.File, e.k.NamePrefix, e.k.NameSuffix)
}

// destinations are the files a SealedSecret named name, made from what a
// file in dir holds, goes to: sealedName(name) in dir (for namespace ns), or,
// when the file is a base that several environments' overlays build
// (opt.Shared), one in each overlay, for the namespace its build gives a
// resource whose own namespace is own. The error is a renameError, or an
// environment's certificate that cannot seal.
func destinations(dir, name, own, ns string, opt Options, target func() (*Target, error)) ([]dest, error) {
	sh := opt.Shared
	if sh == nil {
		return []dest{{rel: path.Join(dir, sealedName(name)), ns: ns, target: target}}, nil
	}
	var out []dest
	for _, o := range sh.Overlays {
		if o.RenameBy != nil {
			return nil, &renameError{o.RenameBy}
		}
		t, err := sh.Target(o.Env)
		if err != nil {
			return nil, err
		}
		ns := o.NamespaceOf(own)
		if ns == "" {
			ns = t.Namespace
		}
		out = append(out, dest{rel: path.Join(o.Kustomization.Dir, sealedName(name)), ns: ns, env: o.Env, into: o.Kustomization.File,
			target: func() (*Target, error) { return t, nil }})
	}
	return out, nil
}

// sealTo seals the Secret that secret(ns) makes into a new file at each
// destination: the files, what each holds (for the repair's line), or why
// none is made (a file there already, among them created before).
func sealTo(dests []dest, name string, secret func(ns string) *yaml.Node, opt Options, created []Created) (made []Created, whats []string, why string) {
	sopt := opt
	sopt.Shared = nil
	for _, d := range dests {
		if _, err := readOpt(opt, d.rel); !errors.Is(err, fs.ErrNotExist) || slices.ContainsFunc(created, func(c Created) bool { return c.Path == d.rel }) {
			return nil, nil, d.rel + " exists already: seal the values into it by hand"
		}
		n := secret(d.ns)
		if d.into != "" {
			recordSealedFor(n, d.ns, name)
		}
		raw, err := render(n, false)
		if err != nil {
			return nil, nil, err.Error()
		}
		sealed, err := Seal(d.rel, raw, sopt, d.target)
		if err != nil {
			return nil, nil, words.ErrText(err)
		}
		if sealed.New == nil || len(sealed.Changes) != 1 {
			return nil, nil, "sealing it gave nothing to write"
		}
		ch := sealed.Changes[0]
		made = append(made, Created{Path: d.rel, Data: sealed.New})
		whats = append(whats, fmt.Sprintf("SealedSecret %s (%d key%s) for %s, %s scope, in %s",
			words.Ref(ch.Namespace, ch.Name), len(ch.Keys), words.Plural(len(ch.Keys)), ch.Env, ch.Scope, d.rel))
	}
	return made, whats, ""
}
