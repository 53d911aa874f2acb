package transform

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// SecretGenerator is the rule id of a kustomize secretGenerator whose values
// are committed.
const SecretGenerator = "secret-generator"

// Created is a file that a repair adds beside the one it edits: written
// before that one, and never over an existing file, so that a crash leaves at
// worst a file nothing lists, never a kustomization that lists a missing one.
type Created struct {
	Path string // repo-relative
	Data []byte
}

// sealedName is the file a secretGenerator named name becomes.
func sealedName(name string) string { return "sealed-" + name + ".yaml" }

// generatorKeys are the fields of a secretGenerator entry that fix carries
// over exactly; an entry with any other field is left to the user.
var generatorKeys = map[string]bool{"name": true, "namespace": true, "literals": true, "files": true, "envs": true, "env": true, "type": true, "options": true, "behavior": true}

// optionKeys are the generator options fix carries over (the hash suffix is
// dropped on purpose: see fixGenerators).
var optionKeys = map[string]bool{"labels": true, "annotations": true, "disableNameSuffixHash": true, "immutable": true}

// fixGenerators replaces the wanted secretGenerator entries of a kustomization
// by SealedSecrets: one new file per generator, sealed for the kustomization's
// environment and named as the generator, listed in resources:, and the entry
// removed. The SealedSecret is named without kustomize's hash suffix: that is
// the name the workloads write (kustomize rewrote their references to the
// hashed name; a SealedSecret is not a Secret to it, so nothing is rewritten
// and the controller makes the Secret under the plain name). The values come
// from the generator's literals and the files it reads (read); those files
// stay, and the caller is told to delete them and rotate their values, which
// Git keeps in history.
func fixGenerators(res *Result, file string, d *manifest.Document, wants map[int]string, opt Options, target func() (*Target, error), eol string) []Edit {
	root := d.Node
	first := slices.Min(slices.Collect(maps.Keys(wants)))
	// giveUp leaves every wanted generator: the kustomization edit that
	// would have listed them cannot be made exactly.
	var done []Fixed // the generators repaired so far
	giveUp := func(why string) []Edit {
		if len(done) == 0 {
			done = []Fixed{{Line: first}}
		}
		for _, f := range done {
			res.Left = append(res.Left, Left{Rule: SecretGenerator, Line: f.Line, Why: why})
		}
		return nil
	}
	if root == nil || root.Kind != yaml.MappingNode {
		return giveUp("the kustomization is not a mapping")
	}
	read := opt.Read
	if read == nil {
		return giveUp("fix reads no files here")
	}
	if manifest.Scalar(manifest.Field(root, "namePrefix")) != "" || manifest.Scalar(manifest.Field(root, "nameSuffix")) != "" {
		return giveUp("the kustomization's namePrefix/nameSuffix would rename the SealedSecret after sealing: seal it for the final name by hand")
	}
	l := newLines(d)
	gensKey, gens := keyOf(root, "secretGenerator")
	if gens == nil || gens.Kind != yaml.SequenceNode || gens.Style&yaml.FlowStyle != 0 || !l.block(root) {
		return giveUp("its secretGenerator is not a plain block list: seal the Secret by hand and remove the entry")
	}
	// Which entries are wanted: those whose lines hold a wanted line, said at
	// the first of them, with the namespace scan's build model gives.
	type pick struct {
		line int
		ns   string
	}
	picked := map[int]*pick{}
	for i, g := range gens.Content {
		end := l.count() + 1
		if i+1 < len(gens.Content) {
			end = gens.Content[i+1].Line
		}
		for w, ns := range wants {
			if w >= g.Line && w < end {
				if p := picked[i]; p == nil || w < p.line {
					picked[i] = &pick{line: w, ns: ns}
				}
			}
		}
	}
	kopt := manifest.Field(root, "generatorOptions")
	dir := path.Dir(file)
	ns := manifest.Scalar(manifest.Field(root, "namespace"))
	var edits []Edit
	var left []Left
	var created []Created
	var notes []string
	var listed []string
	into := map[string][]string{} // overlay kustomization → new files (shared base)
	// Generators that cannot be carried are left whatever happens to the
	// others; those repaired stand only if the kustomization edit can be made.
	defer func() { res.Left = append(res.Left, left...) }()
	removed := map[int]bool{}
	for i := range gens.Content {
		if picked[i] == nil {
			continue
		}
		g := gens.Content[i]
		at := picked[i].line
		leave := func(why string) { left = append(left, Left{Rule: SecretGenerator, Line: at, Why: why}) }
		gen, err := readGenerator(g, kopt, dir, read)
		if err != nil {
			leave(err.Error())
			continue
		}
		secretNS := gen.namespace
		if ns != "" {
			secretNS = ns // kustomize's namespace: wins over the generator's
		}
		if w := picked[i].ns; w != "" {
			secretNS = w // where the whole build puts it (scan's model)
		}
		dests, err := destinations(dir, gen.name, gen.namespace, secretNS, opt, target)
		if err != nil {
			leave(words.ErrText(err))
			continue
		}
		made, whats, why := sealTo(dests, gen.name, gen.secret, opt, created)
		if why != "" {
			leave(why)
			continue
		}
		created = append(created, made...)
		for _, d := range dests {
			if d.into == "" {
				listed = append(listed, sealedName(gen.name))
			} else {
				into[d.into] = append(into[d.into], sealedName(gen.name))
			}
		}
		removed[i] = true
		done = append(done, Fixed{Rule: SecretGenerator, Line: at,
			What: fmt.Sprintf("secretGenerator %q became %s", gen.name, strings.Join(whats, "; "))})
		for _, f := range gen.files {
			notes = append(notes, fmt.Sprintf("%s held the values of secretGenerator %q: delete it (git rm %s) and rotate them, since Git history keeps them", f, gen.name, f))
		}
		if gen.literals > 0 {
			notes = append(notes, fmt.Sprintf("%s:%d: the literals of secretGenerator %q stay in Git history: rotate them", file, at, gen.name))
		}
	}
	if len(removed) == 0 {
		return nil
	}
	// The edits on the kustomization: the entries out (with the key when none
	// is left), the new files into resources:.
	want, err := decoded(root)
	if err != nil {
		return giveUp("its kustomization does not decode")
	}
	var keep []any
	for i, g := range want["secretGenerator"].([]any) {
		if !removed[i] {
			keep = append(keep, g)
		}
	}
	if len(keep) == 0 {
		delete(want, "secretGenerator")
		from, to, _, ok := l.entry(gensKey)
		if !ok {
			return giveUp("its secretGenerator key does not open its line")
		}
		edits = append(edits, Edit{Start: l.offset(from), End: l.offset(to), Doc: d})
	} else {
		want["secretGenerator"] = keep
		for i := range gens.Content {
			if !removed[i] {
				continue
			}
			from, to, ok := l.item(gens, i)
			if !ok {
				return giveUp("its secretGenerator entries are not one per line block")
			}
			edits = append(edits, Edit{Start: l.offset(from), End: l.offset(to), Doc: d})
		}
	}
	if len(listed) > 0 {
		e, why := listResources(l, d, want, listed, eol)
		if why != "" {
			return giveUp(why)
		}
		edits = append(edits, e)
	}
	sortEdits(edits)
	if !verified(d, edits, want) {
		return giveUp("removing the entry and listing the new file would change more than they should (an unusual layout): do it by hand")
	}
	res.Fixed = append(res.Fixed, done...)
	res.Created = append(res.Created, created...)
	if len(into) > 0 {
		res.Spread = &Spread{List: into, Unlist: map[string][]string{}}
	}
	res.Notes = append(res.Notes, notes...)
	return edits
}

// listResources is the edit that appends names to a kustomization's
// resources: (the key created when it has none), with want updated to
// match; why says what stands in the way when the list is not one it can
// edit by whole lines.
func listResources(l *lines, d *manifest.Document, want map[string]any, names []string, eol string) (Edit, string) {
	list, _ := want["resources"].([]any)
	if want["resources"] != nil && list == nil {
		return Edit{}, "its resources: is not a list"
	}
	for _, n := range names {
		list = append(list, n)
	}
	want["resources"] = list
	root := d.Node
	_, resNode := keyOf(root, "resources")
	switch {
	case resNode == nil:
		text := "resources:" + eol
		for _, n := range names {
			text += "- " + n + eol
		}
		return withDoc(l.insertAt(l.end(root), []byte(text), eol), d), ""
	case resNode.Kind == yaml.SequenceNode && resNode.Style&yaml.FlowStyle == 0 && len(resNode.Content) > 0:
		last := len(resNode.Content) - 1
		_, to, ok := l.item(resNode, last)
		if !ok {
			return Edit{}, "its resources: entries are not one per line"
		}
		dash := l.indent(resNode.Content[last].Line - 1)
		var text []byte
		for _, n := range names {
			text = append(text, strings.Repeat(" ", dash)+"- "+n+eol...)
		}
		return withDoc(l.insertAt(to, text, eol), d), ""
	}
	return Edit{}, "its resources: is not a block list with entries (flow style or empty): add " + strings.Join(names, ", ") + " by hand"
}

func withDoc(e Edit, d *manifest.Document) Edit { e.Doc = d; return e }

// keyOf is a mapping's key node and value for key.
func keyOf(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// item is the line range [from, to) of a block sequence's item i: its `- `
// line, the comment lines right above it at the dash's indentation, and the
// lines indented deeper than the dash that follow.
func (l *lines) item(seq *yaml.Node, i int) (from, to int, ok bool) {
	n := seq.Content[i]
	k := n.Line - 1
	if k < 0 || k >= l.count() {
		return 0, 0, false
	}
	t := l.text(k)
	dash := l.indent(k)
	if dash < 0 || dash >= len(t) || t[dash] != '-' || n.Column-1 <= dash {
		return 0, 0, false
	}
	if i > 0 && seq.Content[i-1].Line == n.Line {
		return 0, 0, false
	}
	from, to = l.extent(k, dash)
	return from, to, true
}

// generator is one secretGenerator entry, read as kustomize reads it.
type generator struct {
	name, namespace, typ string
	labels, annotations  map[string]string
	immutable            bool
	data                 map[string][]byte
	files                []string // repo-relative files the values came from
	literals             int
}

// secret is the Secret kustomize generates, without the hash suffix.
func (g *generator) secret(ns string) *yaml.Node {
	md := newMap()
	setString(md, "name", g.name)
	if ns != "" {
		setString(md, "namespace", ns)
	}
	for _, f := range []struct {
		key string
		m   map[string]string
	}{{"labels", g.labels}, {"annotations", g.annotations}} {
		if len(f.m) == 0 {
			continue
		}
		m := newMap()
		for _, k := range slices.Sorted(maps.Keys(f.m)) {
			setString(m, k, f.m[k])
		}
		setNode(md, f.key, m)
	}
	data := newMap()
	for _, k := range slices.Sorted(maps.Keys(g.data)) {
		setString(data, k, base64.StdEncoding.EncodeToString(g.data[k]))
	}
	root := newMap()
	setString(root, "apiVersion", "v1")
	setString(root, "kind", "Secret")
	setNode(root, "metadata", md)
	if g.immutable {
		setNode(root, "immutable", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
	setString(root, "type", g.typ)
	setNode(root, "data", data)
	return root
}

// envName is what kustomize accepts as a key of an env file (a C identifier,
// with dots and dashes).
var envName = regexp.MustCompile(`^[-._a-zA-Z][-._a-zA-Z0-9]*$`)

// secretKey is what the API server accepts as a Secret data key.
var secretKey = regexp.MustCompile(`^[-._a-zA-Z0-9]+$`)

// readGenerator reads a secretGenerator entry and the files it names; an
// error says why fix cannot carry it exactly.
func readGenerator(g, kopt *yaml.Node, dir string, read func(string) ([]byte, error)) (*generator, error) {
	if g.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("the entry is not a mapping")
	}
	gen := &generator{data: map[string][]byte{}, labels: map[string]string{}, annotations: map[string]string{}, typ: "Opaque"}
	for i := 0; i+1 < len(g.Content); i += 2 {
		if k := g.Content[i].Value; !generatorKeys[k] {
			return nil, fmt.Errorf("its field %s is not one fix carries over: seal the Secret by hand and remove the entry", k)
		}
	}
	gen.name = manifest.Scalar(manifest.Field(g, "name"))
	gen.namespace = manifest.Scalar(manifest.Field(g, "namespace"))
	if gen.name == "" {
		return nil, fmt.Errorf("the entry has no name")
	}
	if b := manifest.Scalar(manifest.Field(g, "behavior")); b != "" && b != "create" {
		return nil, fmt.Errorf("behavior %s merges with a generator of a base: seal the resulting Secret by hand", b)
	}
	if t := manifest.Scalar(manifest.Field(g, "type")); t != "" {
		gen.typ = t
	}
	// Options: the kustomization's generatorOptions, then the entry's own.
	for _, o := range []*yaml.Node{kopt, manifest.Field(g, "options")} {
		if o == nil {
			continue
		}
		if o.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("its generator options are not a mapping")
		}
		for i := 0; i+1 < len(o.Content); i += 2 {
			k, v := o.Content[i].Value, o.Content[i+1]
			if !optionKeys[k] {
				return nil, fmt.Errorf("generator option %s is not one fix carries over: seal the Secret by hand and remove the entry", k)
			}
			switch k {
			case "labels", "annotations":
				into := gen.labels
				if k == "annotations" {
					into = gen.annotations
				}
				if v.Kind != yaml.MappingNode {
					return nil, fmt.Errorf("generator option %s is not a mapping", k)
				}
				manifest.Pairs(v, func(k, v *yaml.Node) { into[k.Value] = v.Value })
			case "immutable":
				gen.immutable = manifest.Scalar(v) == "true"
			}
		}
	}
	add := func(key string, value []byte) error {
		if !secretKey.MatchString(key) {
			return fmt.Errorf("key %q is not a valid Secret key", key)
		}
		if _, dup := gen.data[key]; dup {
			return fmt.Errorf("key %s is given twice (kustomize refuses the generator)", key)
		}
		gen.data[key] = value
		return nil
	}
	for _, lit := range manifest.Seq(manifest.Field(g, "literals")) {
		k, v, ok := strings.Cut(manifest.Scalar(lit), "=")
		if !ok || k == "" || k != strings.TrimSpace(k) {
			return nil, fmt.Errorf("a literal is not KEY=VALUE")
		}
		// kustomize drops one pair of matching quotes around a literal's value.
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		if err := add(k, []byte(v)); err != nil {
			return nil, err
		}
		gen.literals++
	}
	readRel := func(p string) (string, []byte, error) {
		rel := path.Clean(path.Join(dir, p))
		if p == "" || path.IsAbs(p) || rel == ".." || strings.HasPrefix(rel, "../") {
			return "", nil, fmt.Errorf("it reads %s, outside the repository: seal the Secret by hand", p)
		}
		data, err := read(rel)
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil, fmt.Errorf("it reads %s, which is not in the repository (made at build time?): seal the Secret by hand", rel)
		}
		if err != nil {
			return "", nil, fmt.Errorf("it reads %s: %s", rel, words.ErrText(err))
		}
		if manifest.FileHoldsNoSecret(data) {
			return "", nil, fmt.Errorf("it reads %s, which holds no plain values (SOPS): leave it to SOPS", rel)
		}
		gen.files = append(gen.files, rel)
		return rel, data, nil
	}
	for _, f := range manifest.Seq(manifest.Field(g, "files")) {
		spec := manifest.Scalar(f)
		key, p, ok := strings.Cut(spec, "=")
		if !ok {
			key, p = path.Base(spec), spec
		}
		_, data, err := readRel(p)
		if err != nil {
			return nil, err
		}
		if err := add(key, data); err != nil {
			return nil, err
		}
	}
	for _, block := range []string{"envs", "env"} {
		var specs []*yaml.Node
		if n := manifest.Field(g, block); n != nil && n.Kind == yaml.ScalarNode {
			specs = []*yaml.Node{n} // the old `env: FILE`
		} else {
			specs = manifest.Seq(n)
		}
		for _, f := range specs {
			rel, data, err := readRel(manifest.Scalar(f))
			if err != nil {
				return nil, err
			}
			pairs, err := envPairs(rel, data)
			if err != nil {
				return nil, err
			}
			for _, p := range pairs {
				if err := add(p[0], []byte(p[1])); err != nil {
					return nil, err
				}
			}
		}
	}
	if len(gen.data) == 0 {
		return nil, fmt.Errorf("it has no values")
	}
	return gen, nil
}

// envPairs reads an env file as kustomize does: one KEY=VALUE per line,
// leading blanks dropped, the value kept as written (quotes and trailing
// blanks included), blank lines and # comments skipped.
func envPairs(rel string, data []byte) ([][2]string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var out [][2]string
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSuffix(line, "\r")
		line = strings.TrimLeft(line, " \t\v\f")
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: %s has no value, so kustomize takes it from its own environment: seal the Secret by hand", rel, i+1, k)
		}
		if !envName.MatchString(k) {
			return nil, fmt.Errorf("%s:%d: the key is not a valid environment variable name", rel, i+1)
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

// literalLines masks, for a diff, every line of a kustomization's
// secretGenerator literals: the part after the first `=` holds a value.
// Keyed by 0-based line of the file.
func literalLines(d *manifest.Document) map[int]string {
	if d.Node == nil {
		return nil
	}
	l := newLines(d)
	out := map[int]string{}
	for _, gens := range manifest.Fields(d.Node, "secretGenerator") {
		for _, g := range manifest.Seq(gens) {
			key, lits := keyOf(g, "literals")
			if key == nil {
				continue
			}
			from, to := key.Line-1, key.Line
			if f, t, _, ok := l.entry(key); ok {
				from, to = f, t
			}
			if lits != nil && lits.Line-1 < from {
				from = lits.Line - 1
			}
			for i := from; i < to && i < l.count(); i++ {
				if i == key.Line-1 && lits != nil && lits.Line != key.Line {
					continue // `literals:` alone on its line
				}
				t := string(l.text(i))
				shown := t[:len(t)-len(strings.TrimLeft(t, " "))] + "<masked>"
				if k := strings.IndexByte(t, '='); k >= 0 {
					shown = t[:k+1] + "<masked>"
				}
				out[d.Line-1+i] = shown
			}
		}
	}
	return out
}
