package transform

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/sealedsecret"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Rules naming set's and unset's lines in Result.Fixed.
const (
	SetKeyRule   = "set"
	UnsetKeyRule = "unset"
)

// SetOptions for SetKey.
type SetOptions struct {
	Key string
	// Value is the plaintext to seal (the caller's to clear); Unset removes
	// the key instead.
	Value []byte
	Unset bool
	// Name (and Namespace) pick the SealedSecret of a file that holds
	// several; in a file that holds none, they name the new one.
	Name, Namespace string
	// Scope and DefaultScope are for a new SealedSecret: --scope, then the
	// config's scope, then strict. An existing one keeps its own.
	Scope, DefaultScope string
	Rand                io.Reader // default crypto/rand
}

// SetKey seals one value into a file's SealedSecret, added or replaced in
// place, for the file's environment (target, called only to seal) and the
// SealedSecret's own scope, namespace and name; or, with Unset, removes the
// key. Only that entry's lines change (and the cert annotation, when every
// value is now sealed with the newest certificate); every other byte of the
// file stays. A file with no SealedSecret gets a new one, appended, when
// Name (and, unless cluster-wide, a namespace) is given.
func SetKey(file string, data []byte, opt SetOptions, target func() (*Target, error)) (*Result, error) {
	res := &Result{Old: data}
	verb := SetKeyRule
	if opt.Unset {
		verb = UnsetKeyRule
	}
	fail := func(line int, format string, a ...any) (*Result, error) {
		return nil, &Error{File: file, Line: line, Msg: fmt.Sprintf(format, a...) + "; file left untouched"}
	}
	if err := sealedsecret.CheckKey(opt.Key); err != nil {
		return fail(0, "%v", err)
	}
	isJSON := strings.HasSuffix(strings.ToLower(file), ".json")
	docs, err := sealedDocs(file, data, isJSON)
	if err != nil {
		return nil, err
	}
	var picked []*manifest.Document
	var names []string
	for _, d := range docs {
		ns, name := sealedsecret.NameOf(d.Node)
		names = append(names, words.Ref(ns, name))
		if (opt.Name == "" || opt.Name == name) && (opt.Namespace == "" || opt.Namespace == ns) {
			picked = append(picked, d)
		}
	}
	switch {
	case len(docs) == 0 && opt.Unset:
		return fail(0, "holds no SealedSecret")
	case len(docs) == 0 && opt.Name == "":
		return fail(0, "holds no SealedSecret: name the new one with --name (and --namespace)")
	case len(docs) == 0:
		return newSealedSecret(file, data, isJSON, opt, target)
	case len(picked) == 0:
		return fail(0, "holds no SealedSecret %s (it holds %s)", words.Ref(opt.Namespace, opt.Name), strings.Join(names, ", "))
	case len(picked) > 1:
		return fail(0, "holds %d SealedSecrets (%s): name one with --name", len(docs), strings.Join(names, ", "))
	}
	d := picked[0]
	root := d.Node
	line := d.ContentLine()
	ns, name := sealedsecret.SealedFor(root)
	data0 := manifest.Path(root, "spec", "encryptedData")
	var keys, others []string
	manifest.Pairs(data0, func(k, v *yaml.Node) {
		keys = append(keys, k.Value)
		if k.Value != opt.Key && manifest.Scalar(v) != "" {
			others = append(others, k.Value)
		}
	})
	has := manifest.KeyNode(data0, opt.Key) != nil
	if k := manifest.KeyNode(data0, opt.Key); k != nil {
		line = d.LineOf(k)
	}
	// edit is the file's edits: fn makes them on a fresh docEdit.
	edit := func(fn func(e *docEdit)) ([]Edit, error) {
		e := newDocEdit(d, eolOf(data), isJSON)
		fn(e)
		return e.done(byHand)
	}
	var edits []Edit
	var what string
	if opt.Unset {
		switch {
		case !has:
			return fail(line, "SealedSecret %s has no key %s (it has %s)", words.Ref(ns, name), opt.Key, words.Some(keys, 10))
		case len(keys) == 1:
			return fail(line, "%s is the last key of SealedSecret %s: a SealedSecret without keys makes an empty Secret; delete the document (or the file) instead", opt.Key, words.Ref(ns, name))
		}
		edits, err = edit(func(e *docEdit) { e.remove([]string{"spec", "encryptedData"}, opt.Key) })
		what = fmt.Sprintf("key %s removed from SealedSecret %s", opt.Key, words.Ref(ns, name))
	} else {
		t, terr := target()
		if terr != nil {
			return nil, terr
		}
		if ns == "" {
			ns = t.Namespace
		}
		scope := sealedsecret.ScopeOf(root)
		if opt.Scope != "" && opt.Scope != scope {
			return fail(line, "SealedSecret %s is %s, but --scope %s was given: its keys share one scope; change it with secretguard reseal --scope %s, or drop the flag", words.Ref(ns, name), scope, opt.Scope, opt.Scope)
		}
		if why := scopeNeeds(scope, ns, name); why != "" {
			return fail(line, "SealedSecret %s: %s", words.Ref(ns, name), why)
		}
		fp := manifest.Scalar(manifest.Path(root, "metadata", "annotations", sealedsecret.CertAnnotation))
		if fp != "" && !t.knows(fp) {
			return fail(line, "SealedSecret %s was sealed with a certificate %s does not list (%s): its keys must share one controller; reseal it first (secretguard reseal --key FILE)", words.Ref(ns, name), t.Env, short(fp))
		}
		ct, cerr := sealedsecret.EncryptString(randOr(opt.Rand), t.Cert.Key, sealedsecret.Label(scope, ns, name), opt.Value)
		if cerr != nil {
			return nil, fmt.Errorf("set %s: key %s of %s: %w", file, opt.Key, words.Ref(ns, name), cerr)
		}
		// When every value is now the newest certificate's, the annotation
		// says so; where the layout cannot take a new annotation (flow-style
		// metadata), none is better than no value.
		annotate := len(others) == 0
		for {
			edits, err = edit(func(e *docEdit) {
				e.set([]string{"spec", "encryptedData"}, opt.Key, ct)
				if annotate {
					e.set([]string{"metadata", "annotations"}, sealedsecret.CertAnnotation, t.Cert.SHA256)
				}
			})
			if err == nil || !annotate || fp != "" {
				break
			}
			annotate = false
		}
		how := "added"
		if has {
			how = "replaced"
		}
		what = fmt.Sprintf("key %s of SealedSecret %s %s, sealed for %s, %s scope", opt.Key, words.Ref(ns, name), how, t.Env, scope)
	}
	if err != nil {
		return fail(line, "SealedSecret %s: %v", words.Ref(ns, name), err)
	}
	res.Edits = edits
	res.New = apply(data, edits)
	res.Fixed = append(res.Fixed, Fixed{Rule: verb, Line: line, What: what})
	return res, nil
}

// newSealedSecret appends a SealedSecret holding the one key to a file
// that has none (or creates the file's content), as seal writes one.
func newSealedSecret(file string, data []byte, isJSON bool, opt SetOptions, target func() (*Target, error)) (*Result, error) {
	if isJSON && !manifest.IsBlank(data) {
		return nil, &Error{File: file, Msg: "a JSON file holds one object: write the new SealedSecret to a file of its own; file left untouched"}
	}
	t, err := target()
	if err != nil {
		return nil, err
	}
	ch := Change{File: file, Name: opt.Name, Namespace: opt.Namespace, Env: t.Env, Keys: []string{opt.Key}, Scope: opt.Scope}
	if ch.Namespace == "" {
		ch.Namespace = t.Namespace
	}
	for _, s := range []string{opt.DefaultScope, sealedsecret.Strict} {
		if ch.Scope == "" {
			ch.Scope = s
		}
	}
	if why := scopeNeeds(ch.Scope, ch.Namespace, ch.Name); why != "" {
		return nil, &Error{File: file, Msg: fmt.Sprintf("new SealedSecret %s: %s: pass --namespace; file left untouched", ch.Name, why)}
	}
	if ch.Scope == sealedsecret.ClusterWide {
		ch.Namespace = opt.Namespace
	}
	enc, err := encryptAll(randOr(opt.Rand), t.Cert, ch, map[string][]byte{opt.Key: opt.Value})
	if err != nil {
		return nil, fmt.Errorf("set %s: %w", file, err)
	}
	md := newMap()
	setString(md, "name", ch.Name)
	if ch.Namespace != "" {
		setString(md, "namespace", ch.Namespace)
	}
	secret := newMap()
	setNode(secret, "metadata", md)
	out, err := renderSealed(secret, ch, t.Cert, enc, isJSON)
	if err != nil {
		return nil, fmt.Errorf("set %s: %w", file, err)
	}
	eol := eolOf(data)
	var text []byte
	if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
		text = append(text, eol...)
	}
	if !manifest.IsBlank(data) {
		text = append(text, "---"+eol...)
	}
	line := lineCount(data) + 1
	if !manifest.IsBlank(data) {
		line++
	}
	text = append(text, bytes.ReplaceAll(out, []byte("\n"), []byte(eol))...)
	if len(data) > 0 && !bytes.HasSuffix(data, []byte("\n")) {
		text = bytes.TrimSuffix(text, []byte(eol)) // a missing last newline stays missing
	}
	edit := Edit{Start: len(data), End: len(data), Text: text}
	res := &Result{Old: data, Edits: []Edit{edit}, New: apply(data, []Edit{edit})}
	res.Fixed = append(res.Fixed, Fixed{Rule: SetKeyRule, Line: line, What: fmt.Sprintf("key %s of a new SealedSecret %s, sealed for %s, %s scope", opt.Key, words.Ref(ch.Namespace, ch.Name), t.Env, ch.Scope)})
	return res, nil
}
