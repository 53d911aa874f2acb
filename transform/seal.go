// Package transform rewrites manifests: raw Secrets become SealedSecrets, spliced
// into the exact byte range of their document so the rest of the file is untouched.
package transform

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/secretguard/secretguard/certs"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/sealedsecret"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Target is where one file's Secrets are sealed for.
type Target struct {
	Env  string
	Cert *certs.Cert // the newest: what new values are sealed with
	// Known are the fingerprints of all the environment's certificates: a
	// SealedSecret sealed with an older one may take new keys (the controller
	// keeps its old keys).
	Known []string
	// Namespace for Secrets that name none: the environment's, else the
	// kustomization's next to the file; empty when neither says.
	Namespace string
}

func (t *Target) knows(fp string) bool {
	if strings.EqualFold(fp, t.Cert.SHA256) {
		return true
	}
	for _, k := range t.Known {
		if strings.EqualFold(fp, k) {
			return true
		}
	}
	return false
}

// Options for a sealing run.
type Options struct {
	// Scope forced by `--scope`; empty means the Secret's own scope annotation,
	// then DefaultScope (config), then strict.
	Scope        string
	DefaultScope string
	Rand         io.Reader // default crypto/rand
	// Only, when set, names the documents (by index) whose raw Secrets are
	// sealed; the others stay as they are (fix seals what scan reports).
	Only map[int]bool
	// Read reads a file of the repository (repo-relative; fs.ErrNotExist when
	// there is none): fix reads a secretGenerator's files through it.
	Read func(rel string) ([]byte, error)
	// Shared, when set, says the file is a base that the overlays of several
	// environments build: fix puts a secretGenerator's SealedSecret into each
	// overlay.
	Shared *Shared
	// ListedBy are the kustomizations that list the file: a SealedSecret fix
	// adds beside it is listed there too.
	ListedBy []string
}

// Change is one raw Secret that was sealed.
type Change struct {
	File            string
	Line            int // of the raw Secret in the old file
	Namespace, Name string
	Keys            []string
	Env, Scope      string
	// Merged is set when the keys went into an existing SealedSecret of the file.
	Merged bool
	// Into is the overlay file a Secret of a shared base was sealed into
	// (SealShared); "" when it was sealed in place.
	Into string
}

// Edit replaces old[Start:End] with Text.
type Edit struct {
	Start, End int
	Text       []byte
	// Secret is the range of a raw Secret document being removed: its lines
	// hold values, so a diff must mask them.
	Secret *yaml.Node
	Doc    *manifest.Document
}

// Result of sealing one file. New is nil when nothing changes.
type Result struct {
	Old, New []byte
	Changes  []Change
	Edits    []Edit
	// Created are files a repair adds (fix: the SealedSecret a
	// secretGenerator becomes); Notes say what is left to the user (delete
	// and rotate the files the values came from).
	Created []Created
	Notes   []string
	// Masked are lines of the old file a diff shows only as given (0-based
	// line → text): secretGenerator literals, kept or removed.
	Masked map[int]string
	// Hidden are documents left as they are that may hold values (a SOPS
	// Secret with plaintext, a raw Secret fix leaves): a diff must not show
	// them as context either.
	Hidden []manifest.Span
	// Fixed and Left are fix's other repairs, and the findings it could not
	// repair; SealErr is why its sealing failed while the other repairs stand.
	Fixed   []Fixed
	Left    []Left
	SealErr error
	// Spread is set when the file is a base shared by several environments:
	// what its sealing changes in the overlays (SealShared).
	Spread *Spread
}

// Error is a file that cannot be sealed; the file is left as it was.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// unparsable is the Error for a document that does not parse. Only a
// manifest.ParseError's text is quoted: it is the one known to hold no value.
func unparsable(file string, d *manifest.Document, err error) error {
	if manifest.HasActions(d.Text) {
		return &TemplateError{File: file}
	}
	var pe *manifest.ParseError
	if errors.As(err, &pe) {
		return &Error{File: file, Line: pe.Line, Msg: "does not parse (" + pe.Msg + "); file left untouched"}
	}
	return &Error{File: file, Msg: "does not parse; file left untouched"}
}

// TemplateError is a file of Go or Jinja2 templates (a Helm chart's
// templates/): not YAML until rendered, so never rewritten. It is a skip, not
// a failure; scan reports literal values in it.
type TemplateError struct{ File string }

func (e *TemplateError) Error() string {
	return e.File + ": a template (Helm, Jinja2): seal never rewrites one; move literal values out of it by hand"
}

type rawDoc struct {
	doc    *manifest.Document
	values manifest.SecretValues
}

// Seal rewrites every raw Secret of one file into a SealedSecret. target is
// called only when the file has something to seal, so files without Secrets need
// no environment.
func Seal(file string, data []byte, opt Options, target func() (*Target, error)) (*Result, error) {
	res := &Result{Old: data}
	p, err := parseRaw(file, data, opt, res)
	if err != nil || p == nil {
		return res, err
	}
	docs, raws, sealed, isJSON := p.docs, p.raws, p.sealed, p.isJSON
	t, err := target()
	if err != nil {
		return nil, err
	}
	rnd := opt.Rand
	if rnd == nil {
		rnd = rand.Reader
	}
	eol := "\n"
	if bytes.Contains(data, []byte("\r\n")) {
		eol = "\r\n"
	}
	merged := map[*manifest.Document]*yaml.Node{}
	for _, r := range raws {
		root := r.doc.Node
		ch, plain, err := prepare(file, r, t, opt)
		if err != nil {
			return nil, err
		}
		if into, ok := sealed[ch.Namespace+"/"+ch.Name]; ok {
			node := merged[into]
			if node == nil {
				node = into.Node
			}
			if err := mergeInto(file, into, node, &ch, plain, t, opt.Scope, rnd); err != nil {
				return nil, err
			}
			merged[into] = node
			ch.Merged = true
			res.Edits = append(res.Edits, removal(docs, r.doc, root))
			res.Changes = append(res.Changes, ch)
			continue
		}
		enc, err := encryptAll(rnd, t.Cert, ch, plain)
		if err != nil {
			return nil, fmt.Errorf("seal %s: %w", file, err)
		}
		out, err := renderSealed(root, ch, t.Cert, enc, isJSON)
		if err != nil {
			return nil, fmt.Errorf("seal %s: %w", file, err)
		}
		res.Edits = append(res.Edits, Edit{
			Start: r.doc.Start, End: r.doc.End, Doc: r.doc, Secret: root,
			Text: keepComments(r.doc, out, eol, commentedValueLines(r.doc, root)),
		})
		res.Changes = append(res.Changes, ch)
	}
	for d, node := range merged {
		out, err := render(node, isJSON)
		if err != nil {
			return nil, fmt.Errorf("seal %s: %w", file, err)
		}
		res.Edits = append(res.Edits, Edit{Start: d.Start, End: d.End, Doc: d, Text: keepComments(d, out, eol, nil)})
	}
	sortEdits(res.Edits)
	res.New = apply(data, res.Edits)
	return res, nil
}

// parsed is a file with raw Secrets to seal: its documents (all parsed),
// the raw Secrets, and the SealedSecrets they may merge into by namespace/name.
type parsed struct {
	docs   []*manifest.Document
	raws   []rawDoc
	sealed map[string]*manifest.Document
	isJSON bool
}

// parseRaw finds the raw Secrets of a file that seal takes (nil when there is
// none); what it must leave alone but hide from diffs goes into res.
func parseRaw(file string, data []byte, opt Options, res *Result) (*parsed, error) {
	if !manifest.Candidate(data) {
		return nil, nil
	}
	isJSON := strings.HasSuffix(strings.ToLower(file), ".json")
	docs := manifest.Documents(data, isJSON)
	if manifest.TooMany(docs) {
		return nil, &Error{File: file, Msg: fmt.Sprintf("more than %d YAML documents, the cap per file; file left untouched", manifest.MaxDocuments)}
	}
	var raws []rawDoc
	sealed := map[string]*manifest.Document{}
	for _, d := range docs {
		if d.Blank() || !manifest.Candidate(d.Text) {
			continue
		}
		if err := d.Parse(); err != nil {
			return nil, unparsable(file, d, err)
		}
		root := d.Node
		kind := manifest.Scalar(manifest.Field(root, "kind"))
		if kind == sealedsecret.Kind {
			ns, name := sealedsecret.NameOf(root)
			sealed[ns+"/"+name] = d
			continue
		}
		if strings.HasSuffix(kind, "List") {
			for _, it := range manifest.Seq(manifest.Field(root, "items")) {
				if _, ok := manifest.RawSecret(it); ok {
					return nil, &Error{File: file, Line: d.LineOf(it), Msg: "a raw Secret inside a kind: List cannot be sealed in place: move it to a document of its own; file left untouched"}
				}
			}
			continue
		}
		if manifest.IsSOPS(root) {
			// SOPS owns this document; scan reports plaintext in it.
			res.Hidden = append(res.Hidden, d.Span)
			continue
		}
		if sv, ok := manifest.RawSecret(root); ok && (opt.Only == nil || opt.Only[d.Index]) {
			if manifest.InTemplatesDir(file) && manifest.HasActions(d.Text) {
				// A chart template that happens to parse reads as garbage (an
				// action becomes a mapping): never rewrite it.
				return nil, &TemplateError{File: file}
			}
			raws = append(raws, rawDoc{doc: d, values: sv})
		}
	}
	if len(raws) == 0 {
		return nil, nil
	}
	// Something will change: every other document must parse too, or we could
	// be splicing into a file we do not understand.
	for _, d := range docs {
		if d.Node == nil && !d.Blank() {
			if err := d.Parse(); err != nil {
				return nil, unparsable(file, d, err)
			}
		}
	}
	return &parsed{docs: docs, raws: raws, sealed: sealed, isJSON: isJSON}, nil
}

// prepare works out name, namespace, scope and plaintext values of a raw Secret.
func prepare(file string, r rawDoc, t *Target, opt Options) (Change, map[string][]byte, error) {
	root := r.doc.Node
	md := manifest.Field(root, "metadata")
	ch := Change{
		File:      file,
		Line:      r.doc.ContentLine(),
		Name:      manifest.Scalar(manifest.Field(md, "name")),
		Namespace: manifest.Scalar(manifest.Field(md, "namespace")),
		Env:       t.Env,
	}
	fail := func(format string, a ...any) (Change, map[string][]byte, error) {
		return ch, nil, &Error{File: file, Line: ch.Line, Msg: fmt.Sprintf(format, a...) + "; file left untouched"}
	}
	if ch.Name == "" {
		return fail("Secret has no metadata.name")
	}
	if expanded(root, maxNodes) > maxNodes {
		// An alias bomb: copying it into the template would expand it.
		return fail("Secret %s expands to more than %d YAML nodes through aliases", ch.Name, maxNodes)
	}
	ch.Scope = opt.Scope
	if ch.Scope == "" {
		ch.Scope = sealedsecret.AnnotatedScope(md)
	}
	if ch.Scope == "" {
		ch.Scope = opt.DefaultScope
	}
	if ch.Scope == "" {
		ch.Scope = sealedsecret.Strict
	}
	if ch.Namespace == "" {
		ch.Namespace = t.Namespace
	}
	if ch.Namespace == "" && ch.Scope != sealedsecret.ClusterWide {
		return fail("Secret %s names no namespace, and neither environment %s nor a kustomization next to it sets one: add metadata.namespace, set environments.%s.namespace, or use --scope cluster-wide", ch.Name, t.Env, t.Env)
	}
	plain := map[string][]byte{}
	for _, m := range manifest.Fields(root, "data") {
		var err error
		manifest.Pairs(manifest.Resolve(m), func(k, v *yaml.Node) {
			v = manifest.Resolve(v)
			if err != nil || v == nil || v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
				return
			}
			b, e := decodeBase64(v.Value)
			if e != nil {
				err = &Error{File: file, Line: r.doc.LineOf(k), Msg: fmt.Sprintf("data.%s of Secret %s is not valid base64; file left untouched", k.Value, ch.Name)}
				return
			}
			plain[k.Value] = b
		})
		if err != nil {
			return ch, nil, err
		}
	}
	// stringData wins over data for the same key, as the API server does.
	for _, m := range manifest.Fields(root, "stringData") {
		manifest.Pairs(manifest.Resolve(m), func(k, v *yaml.Node) {
			v = manifest.Resolve(v)
			if v == nil || v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
				return
			}
			plain[k.Value] = []byte(v.Value)
		})
	}
	for k := range plain {
		ch.Keys = append(ch.Keys, k)
	}
	sort.Strings(ch.Keys)
	return ch, plain, nil
}

// maxNodes bounds the alias-expanded size of a Secret the sealer copies.
const maxNodes = 100000

// expanded counts the nodes of n with aliases followed, stopping past limit.
func expanded(n *yaml.Node, limit int) int {
	count := 0
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || count > limit || depth > 10000 {
			count = limit + 1
			return
		}
		count++
		if n.Kind == yaml.AliasNode {
			walk(n.Alias, depth+1)
			return
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return count
}

// decodeBase64 accepts what the API server accepts: standard base64, with line
// breaks inside a folded scalar ignored.
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
	return base64.StdEncoding.DecodeString(s)
}

func encryptAll(rnd io.Reader, cert *certs.Cert, ch Change, plain map[string][]byte) (map[string]string, error) {
	label := sealedsecret.Label(ch.Scope, ch.Namespace, ch.Name)
	out := make(map[string]string, len(plain))
	for _, k := range ch.Keys {
		ct, err := sealedsecret.Encrypt(rnd, cert.Key, label, plain[k])
		if err != nil {
			return nil, fmt.Errorf("encrypt key %s of %s: %w", k, ch.Name, err)
		}
		out[k] = base64.StdEncoding.EncodeToString(ct)
	}
	return out, nil
}

// mergeInto seals a raw Secret's keys into an existing SealedSecret (kubeseal
// --merge-into): new keys are added, same-named ones replaced, the others keep
// their ciphertext byte for byte.
//
// The keys take the SealedSecret's scope: one object unseals with one label.
// A --scope that says otherwise is a conflict to refuse, not to override
// silently (kubeseal honours the flag).
func mergeInto(file string, into *manifest.Document, node *yaml.Node, ch *Change, plain map[string][]byte, t *Target, forced string, rnd io.Reader) error {
	if fp := manifest.Scalar(manifest.Path(node, "metadata", "annotations", sealedsecret.CertAnnotation)); fp != "" && !t.knows(fp) {
		return &Error{File: file, Line: into.ContentLine(), Msg: fmt.Sprintf("SealedSecret %s was sealed for another certificate than %s's: re-seal it before merging; file left untouched", ch.Name, t.Env)}
	}
	ch.Scope = sealedsecret.ScopeOf(node)
	if forced != "" && forced != ch.Scope {
		return &Error{File: file, Line: into.ContentLine(), Msg: fmt.Sprintf("SealedSecret %s is %s, but --scope %s was given: its keys must share one scope; re-seal it whole with --scope %s, or drop the flag; file left untouched", ch.Name, ch.Scope, forced, forced)}
	}
	enc, err := encryptAll(rnd, t.Cert, *ch, plain)
	if err != nil {
		return fmt.Errorf("seal %s: %w", file, err)
	}
	spec := ensureMap(node, "spec")
	data := ensureMap(spec, "encryptedData")
	for _, k := range ch.Keys {
		setString(data, k, enc[k])
	}
	sortMap(data)
	setString(ensureMap(ensureMap(node, "metadata"), "annotations"), sealedsecret.CertAnnotation, t.Cert.SHA256)
	return nil
}

// removal deletes a document together with the separator line before it (or,
// for the first document, after it).
func removal(docs []*manifest.Document, d *manifest.Document, secret *yaml.Node) Edit {
	if d.Index > 0 {
		prev := docs[d.Index-1]
		return Edit{Start: prev.End, End: d.End, Doc: d, Secret: secret}
	}
	if d.Index+1 < len(docs) {
		return Edit{Start: d.Start, End: docs[d.Index+1].Start, Doc: d, Secret: secret}
	}
	return Edit{Start: d.Start, End: d.End, Doc: d, Secret: secret}
}

func apply(data []byte, edits []Edit) []byte {
	var out bytes.Buffer
	out.Grow(len(data) + 4096)
	pos := 0
	for _, e := range edits {
		out.Write(data[pos:e.Start])
		out.Write(e.Text)
		pos = e.End
	}
	out.Write(data[pos:])
	return out.Bytes()
}

// keepComments puts the document's head comment (and blank lines) above the new
// text and its trailing comments below it, byte for byte, and uses the file's
// line endings.
//
// Lines in drop (file lines: commented-out values of the Secret) are left out
// of what is kept.
func keepComments(d *manifest.Document, out []byte, eol string, drop map[int]bool) []byte {
	_, off := manifest.FirstContentLine(d.Text)
	head := d.Text[:off]
	if bytes.HasPrefix(d.Text[off:], []byte("---")) {
		// `--- {…}`: the marker opened this document; keep one.
		head = append(append([]byte{}, head...), []byte("---"+eol)...)
	}
	tail := trailingComments(d.Text)
	if len(drop) > 0 {
		first := d.Line + bytes.Count(d.Text[:len(d.Text)-len(tail)], []byte("\n"))
		var kept []byte
		for i, line := range bytes.SplitAfter(tail, []byte("\n")) {
			if !drop[first+i] {
				kept = append(kept, line...)
			}
		}
		tail = kept
	}
	if eol != "\n" {
		out = bytes.ReplaceAll(out, []byte("\n"), []byte(eol))
	}
	var b bytes.Buffer
	b.Write(head)
	b.Write(out)
	b.Write(tail)
	return b.Bytes()
}

// trailingComments returns the comment and blank lines at the end of a document
// that are not indented: they introduce what follows, not the Secret's values.
func trailingComments(text []byte) []byte {
	cut := len(text)
	for cut > 0 {
		// The line that ends at cut (its terminator included).
		start := bytes.LastIndexByte(text[:cut-1], '\n') + 1
		if cut == 1 {
			start = 0
		}
		line := bytes.TrimRight(text[start:cut], "\r\n")
		if len(line) > 0 && line[0] != '#' {
			break
		}
		cut = start
	}
	return text[cut:]
}

// commentedValueLines are the file lines of a raw Secret's commented-out
// values (what secret-comment-value reports): the SealedSecret must not carry
// them on in plain text.
func commentedValueLines(d *manifest.Document, secret *yaml.Node) map[int]bool {
	drop := map[int]bool{}
	for _, block := range []string{"stringData", "data"} {
		for _, cv := range d.CommentedValues(manifest.KeyNode(secret, block)) {
			drop[cv.Line] = true
		}
	}
	return drop
}

// render encodes a node as YAML (2-space indent, as kubeseal writes) or, for a
// JSON file, as indented JSON.
func render(n *yaml.Node, isJSON bool) ([]byte, error) {
	if isJSON {
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, err
		}
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return nil, err
		}
		return append(b, '\n'), nil
	}
	if b, ok := emitSimple(n); ok {
		return b, nil
	}
	return encodeYAML(n)
}

// encodeYAML is the YAML encoder's rendering of n.
func encodeYAML(n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
