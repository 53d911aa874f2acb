package transform

import (
	"bytes"
	"sort"
	"strconv"
	"strings"

	"github.com/secretguard/secretguard/certs"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/sealedsecret"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// serverSet metadata fields are written by the API server; copying them into a
// template would pin a stale object (kubeseal strips them too; it forgets
// managedFields, we don't).
var serverSet = map[string]bool{
	"managedFields": true, "uid": true, "resourceVersion": true, "creationTimestamp": true,
	"generation": true, "selfLink": true, "ownerReferences": true, "deletionTimestamp": true,
	"deletionGracePeriodSeconds": true,
}

// ownAnnotation reports annotations meant for the tool that applies the
// SealedSecret itself (Argo CD sync waves, Flux, Helm hooks): they belong on its
// own metadata, not on the Secret the controller generates.
func ownAnnotation(k string) bool {
	return k == sealedsecret.SealedForAnnotation ||
		strings.HasPrefix(k, "argocd.argoproj.io/") ||
		strings.HasPrefix(k, "kustomize.toolkit.fluxcd.io/") ||
		strings.HasPrefix(k, "helm.sh/hook")
}

// lastApplied annotations hold a full copy of the object, values included.
func lastApplied(k string) bool {
	return strings.Contains(k, "last-applied-configuration")
}

// sealedSecret builds the SealedSecret for a raw Secret: what kubeseal writes,
// keys sorted.
func sealedSecret(secret *yaml.Node, ch Change, cert *certs.Cert, enc map[string]string) *yaml.Node {
	md := manifest.Field(secret, "metadata")
	own := newMap()
	tmpl := newMap()
	pairs := map[string]*yaml.Node{}
	manifest.Pairs(md, func(k, v *yaml.Node) {
		if !serverSet[k.Value] {
			pairs[k.Value] = v
		}
	})
	ownAnns, tmplAnns := newMap(), newMap()
	manifest.Pairs(manifest.Resolve(pairs["annotations"]), func(k, v *yaml.Node) {
		switch {
		case lastApplied(k.Value):
		case ownAnnotation(k.Value):
			setNode(ownAnns, k.Value, v)
		default:
			setNode(tmplAnns, k.Value, v)
		}
	})
	delete(pairs, "annotations")
	set, drop := sealedsecret.ScopeAnnotation(ch.Scope)
	for _, k := range drop {
		removeKey(ownAnns, k)
		removeKey(tmplAnns, k)
	}
	if set != "" {
		setString(ownAnns, set, "true")
		setString(tmplAnns, set, "true")
	}
	setString(ownAnns, sealedsecret.CertAnnotation, cert.SHA256)
	for k, v := range pairs {
		setNode(tmpl, k, v)
	}
	if ch.Namespace != "" {
		setString(tmpl, "namespace", ch.Namespace)
	}
	if len(tmplAnns.Content) > 0 {
		sortMap(tmplAnns)
		setNode(tmpl, "annotations", tmplAnns)
	}
	if labels := manifest.Field(tmpl, "labels"); labels != nil {
		sortMap(labels)
	}
	sortMap(tmpl)

	sortMap(ownAnns)
	setNode(own, "annotations", ownAnns)
	setString(own, "name", ch.Name)
	if ch.Namespace != "" {
		setString(own, "namespace", ch.Namespace)
	}

	data := newMap()
	for _, k := range ch.Keys {
		setString(data, k, enc[k])
	}
	template := newMap()
	if v := manifest.Field(secret, "immutable"); v != nil {
		setNode(template, "immutable", v)
	}
	setNode(template, "metadata", tmpl)
	if v := manifest.Field(secret, "type"); v != nil {
		setNode(template, "type", v)
	}
	spec := newMap()
	setNode(spec, "encryptedData", data)
	setNode(spec, "template", template)

	root := newMap()
	setString(root, "apiVersion", sealedsecret.APIVersion)
	setString(root, "kind", sealedsecret.Kind)
	setNode(root, "metadata", own)
	setNode(root, "spec", spec)
	return root
}

func newMap() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"} }

func str(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

// setNode sets key to a copy of v without its comments and positions: comments
// on a raw Secret's lines may sit next to values.
// It returns the copy it set.
func setNode(m *yaml.Node, key string, v *yaml.Node) *yaml.Node {
	v = clean(v)
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return v
		}
	}
	m.Content = append(m.Content, str(key), v)
	return v
}

func setString(m *yaml.Node, key, v string) { setNode(m, key, str(v)) }

func removeKey(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

// ensureMap returns the mapping at key, creating it when absent.
func ensureMap(m *yaml.Node, key string) *yaml.Node {
	if v := manifest.Resolve(manifest.Field(m, key)); v != nil && v.Kind == yaml.MappingNode {
		return v
	}
	// The copy set, not a lookup after it: with a duplicate key, the lookup
	// finds the other one.
	return setNode(m, key, newMap())
}

func sortMap(m *yaml.Node) {
	type kv struct{ k, v *yaml.Node }
	var ps []kv
	for i := 0; i+1 < len(m.Content); i += 2 {
		ps = append(ps, kv{m.Content[i], m.Content[i+1]})
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].k.Value < ps[j].k.Value })
	m.Content = m.Content[:0]
	for _, p := range ps {
		m.Content = append(m.Content, p.k, p.v)
	}
}

// clean deep-copies a node, dropping comments, positions and aliases (resolved),
// and flow style so the output reads like kubeseal's.
func clean(n *yaml.Node) *yaml.Node {
	n = manifest.Resolve(n)
	if n == nil {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	c := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Value: n.Value}
	if n.Kind == yaml.ScalarNode {
		c.Style = n.Style &^ (yaml.FlowStyle)
	}
	for _, ch := range n.Content {
		c.Content = append(c.Content, clean(ch))
	}
	return c
}

// renderSealed renders the SealedSecret of a Secret (sealedSecret, then
// render). A ciphertext is ~700 characters of base64, and the YAML emitter
// looks at every character of a scalar: it was a third of the CPU that
// sealing 1,000 Secrets spent outside RSA. So the ciphertexts are rendered as
// short stand-ins and spliced in after, where that gives the same bytes for
// certain: each ciphertext is a plain scalar no emitter breaks (base64 after
// a letter: no space, no indicator) and each stand-in occurs once in the
// output. Anything else is rendered whole.
func renderSealed(secret *yaml.Node, ch Change, cert *certs.Cert, enc map[string]string, isJSON bool) ([]byte, error) {
	whole := func() ([]byte, error) { return render(sealedSecret(secret, ch, cert, enc), isJSON) }
	if isJSON {
		return whole()
	}
	stand := make(map[string]string, len(enc))
	i := 0
	for k, v := range enc {
		if !plainBase64(v) {
			return whole()
		}
		stand[k] = "sgct" + strconv.Itoa(i) + "z"
		i++
	}
	out, err := render(sealedSecret(secret, ch, cert, stand), false)
	if err != nil {
		return nil, err
	}
	for _, s := range stand {
		if bytes.Count(out, []byte(s)) != 1 {
			return whole()
		}
	}
	for k, s := range stand {
		out = bytes.Replace(out, []byte(s), []byte(enc[k]), 1)
	}
	return out, nil
}

// plainBase64 reports standard base64 that starts with a letter.
func plainBase64(v string) bool {
	if v == "" || !isLetter(v[0]) {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !base64Char[v[i]] {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

var base64Char = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") {
		t[c] = true
	}
	return t
}()
