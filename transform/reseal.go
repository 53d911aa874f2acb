package transform

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/sealedsecret"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Resealed names reseal's lines in Result.Fixed (resealed, or would be) and
// Result.Left (needed it, but no key decrypts it).
const Resealed = "reseal"

// ResealOptions for re-encrypting SealedSecrets.
type ResealOptions struct {
	// Keys are the controllers' private keys. Without keys nothing is
	// decrypted: the result says, from the cert annotations, what would be
	// resealed, and New is the old text when anything would (--check).
	Keys []sealedsecret.PrivateKey
	// Scope, when set, is the scope every resealed SealedSecret gets.
	Scope string
	Rand  io.Reader // default crypto/rand
}

// byHand ends the reason an exact edit of a SealedSecret is refused.
const byHand = "rewrite it in block style, or edit it by hand"

// Reseal re-encrypts every SealedSecret of one file that is not sealed with
// the target's certificate (the environment's newest, or --env/--cert) or
// not in opt.Scope, when one of the keys decrypts it: each value is
// decrypted and sealed again for the same namespace and name, and only those
// values, the cert annotation and (for a change of scope) the scope
// annotations change; every other byte of the file stays. A SealedSecret
// that no key decrypts is Left as it is. Plaintext lives only in memory, and
// is cleared once sealed again.
//
// target is called only when the file holds a SealedSecret.
func Reseal(file string, data []byte, opt ResealOptions, target func() (*Target, error)) (*Result, error) {
	res := &Result{Old: data}
	if !bytes.Contains(data, []byte(sealedsecret.Kind)) {
		return res, nil
	}
	isJSON := strings.HasSuffix(strings.ToLower(file), ".json")
	docs, err := sealedDocs(file, data, isJSON)
	if err != nil || len(docs) == 0 {
		return res, err
	}
	t, err := target()
	if err != nil {
		return nil, err
	}
	rnd := randOr(opt.Rand)
	eol := eolOf(data)
	stale := false
	for _, d := range docs {
		root := d.Node
		line := d.ContentLine()
		ns, name := sealedsecret.SealedFor(root)
		if ns == "" {
			ns = t.Namespace
		}
		ref := words.Ref(ns, name)
		scope := sealedsecret.ScopeOf(root)
		to := scope
		if opt.Scope != "" {
			to = opt.Scope
		}
		fp := manifest.Scalar(manifest.Path(root, "metadata", "annotations", sealedsecret.CertAnnotation))
		if strings.EqualFold(fp, t.Cert.SHA256) && to == scope || !sealedsecret.HasCiphertext(root) {
			continue
		}
		if to != scope {
			if why := scopeNeeds(to, ns, name); why != "" {
				return nil, &Error{File: file, Line: line, Msg: fmt.Sprintf("SealedSecret %s cannot be %s: %s; file left untouched", ref, to, why)}
			}
		}
		var was []string
		switch {
		case fp == "":
			was = append(was, "it named no certificate")
		case !strings.EqualFold(fp, t.Cert.SHA256):
			was = append(was, "was sealed with "+short(fp))
		}
		if to != scope {
			was = append(was, "was "+scope)
		}
		n := 0
		manifest.Pairs(manifest.Path(root, "spec", "encryptedData"), func(_, v *yaml.Node) {
			if manifest.Scalar(v) != "" {
				n++
			}
		})
		what := fmt.Sprintf("SealedSecret %s (%d key%s) for %s, %s scope (%s)", ref, n, words.Plural(n), t.Env, to, strings.Join(was, "; "))
		if len(opt.Keys) == 0 {
			if fp == "" && to == scope {
				res.Notes = append(res.Notes, fmt.Sprintf("%s:%d: SealedSecret %s names no certificate (%s): which one sealed it is unknown until a reseal with --key", file, line, ref, sealedsecret.CertAnnotation))
				continue
			}
			res.Fixed = append(res.Fixed, Fixed{Rule: Resealed, Line: line, What: what})
			stale = true
			continue
		}
		plain, keys, why := decryptDoc(root, sealedsecret.Label(scope, ns, name), opt.Keys)
		if why != "" {
			res.Left = append(res.Left, Left{Rule: Resealed, Line: line, Why: fmt.Sprintf("SealedSecret %s not resealed: %s; left as it is", ref, why)})
			continue
		}
		e := newDocEdit(d, eol, isJSON)
		label := sealedsecret.Label(to, ns, name)
		for _, k := range keys {
			ct, err := sealedsecret.EncryptString(rnd, t.Cert.Key, label, plain[k])
			clear(plain[k])
			if err != nil {
				return nil, fmt.Errorf("reseal %s: key %s of %s: %w", file, k, ref, err)
			}
			e.set([]string{"spec", "encryptedData"}, k, ct)
		}
		e.set([]string{"metadata", "annotations"}, sealedsecret.CertAnnotation, t.Cert.SHA256)
		if to != scope {
			set, drop := sealedsecret.ScopeAnnotation(to)
			for _, at := range [][]string{{"metadata", "annotations"}, {"spec", "template", "metadata", "annotations"}} {
				for _, k := range drop {
					e.remove(at, k)
				}
				if set != "" {
					e.set(at, set, "true")
				}
			}
		}
		edits, err := e.done(byHand)
		if err != nil {
			return nil, &Error{File: file, Line: line, Msg: fmt.Sprintf("SealedSecret %s: %v; file left untouched", ref, err)}
		}
		res.Edits = append(res.Edits, edits...)
		res.Fixed = append(res.Fixed, Fixed{Rule: Resealed, Line: line, What: what})
	}
	switch {
	case len(res.Edits) > 0:
		sortEdits(res.Edits)
		res.New = apply(data, res.Edits)
	case stale:
		res.New = data // what would change is known, its new bytes are not
	}
	return res, nil
}

// sealedDocs are the SealedSecret documents of a file, parsed.
func sealedDocs(file string, data []byte, isJSON bool) ([]*manifest.Document, error) {
	docs := manifest.Documents(data, isJSON)
	if manifest.TooMany(docs) {
		return nil, &Error{File: file, Msg: fmt.Sprintf("more than %d YAML documents, the cap per file; file left untouched", manifest.MaxDocuments)}
	}
	var out []*manifest.Document
	for _, d := range docs {
		if d.Blank() || !bytes.Contains(d.Text, []byte(sealedsecret.Kind)) {
			continue
		}
		if err := d.Parse(); err != nil {
			return nil, unparsable(file, d, err)
		}
		kind := manifest.Scalar(manifest.Field(d.Node, "kind"))
		if sealedsecret.Is(manifest.Scalar(manifest.Field(d.Node, "apiVersion")), kind) {
			if expanded(d.Node, maxNodes) > maxNodes {
				// An alias bomb: the edits' check would expand it.
				return nil, &Error{File: file, Line: d.ContentLine(), Msg: fmt.Sprintf("a SealedSecret that expands to more than %d YAML nodes through aliases; file left untouched", maxNodes)}
			}
			out = append(out, d)
		}
		if strings.HasSuffix(kind, "List") {
			for _, it := range manifest.Seq(manifest.Field(d.Node, "items")) {
				if sealedsecret.Is(manifest.Scalar(manifest.Field(it, "apiVersion")), manifest.Scalar(manifest.Field(it, "kind"))) {
					return nil, &Error{File: file, Line: d.LineOf(it), Msg: "a SealedSecret inside a kind: List cannot be changed in place: move it to a document of its own; file left untouched"}
				}
			}
		}
	}
	return out, nil
}

// decryptDoc decrypts every encryptedData value of a SealedSecret (null ones
// stay null); why says what failed, naming the key, never the value.
func decryptDoc(root *yaml.Node, label []byte, keys []sealedsecret.PrivateKey) (plain map[string][]byte, names []string, why string) {
	plain = map[string][]byte{}
	manifest.Pairs(manifest.Path(root, "spec", "encryptedData"), func(k, v *yaml.Node) {
		v = manifest.Resolve(v)
		if why != "" || v == nil || v.Tag == "!!null" {
			return
		}
		p, _, err := sealedsecret.DecryptWith(keys, label, manifest.Scalar(v))
		if err != nil {
			why = fmt.Sprintf("encryptedData.%s: %v", k.Value, err)
			return
		}
		plain[k.Value] = p
		names = append(names, k.Value)
	})
	if why != "" {
		for _, p := range plain {
			clear(p)
		}
		return nil, nil, why
	}
	sort.Strings(names)
	return plain, names, ""
}

// scopeNeeds says what a SealedSecret lacks for scope: strict binds it to
// namespace/name, namespace-wide to its namespace.
func scopeNeeds(scope, ns, name string) string {
	switch {
	case scope == sealedsecret.Strict && name == "":
		return "strict scope binds it to namespace/name, and it has no name"
	case scope == sealedsecret.Strict && ns == "":
		return "strict scope binds it to namespace/name, and it names no namespace (nor does its environment or a kustomization next to it)"
	case scope == sealedsecret.NamespaceWide && ns == "":
		return "namespace-wide scope binds it to its namespace, and it names none (nor does its environment or a kustomization next to it)"
	}
	return ""
}

// short is a certificate fingerprint as messages show it.
func short(fp string) string {
	if len(fp) > 12 {
		return fp[:12] + "…"
	}
	return fp
}

// randOr is r, or crypto/rand when r is nil.
func randOr(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}
