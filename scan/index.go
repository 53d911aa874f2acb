package scan

import (
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/sealedsecret"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Index is what cross-file rules need, collected by the workers in the same pass
// as the per-object rules: small facts, not documents, so a scan holds no file
// in memory after it has been read.
type Index struct {
	Producers      []*Producer
	Stores         []*Store
	StoreRefs      []*StoreRef
	Kustomizations []*Kustomization
	// ignores are the documents with a `secretguard:ignore` head comment.
	ignores map[string][]ignoreDoc

	// Derived by resolve: build units and effective names.
	units    []*Unit
	patches  map[string]bool // files that kustomizations use as patches
	resolved bool
	placed   []placement
}

// Place points at a document (or a key in it).
type Place struct {
	File         string
	Line, Column int
	Resource     Resource
}

func (p Place) at() string { return p.File + ":" + strconv.Itoa(p.Line) }

// Producer is anything that makes a Secret.
type Producer struct {
	Place
	Via       string // Secret, SealedSecret, ExternalSecret, secretGenerator, Certificate
	Namespace string // of the produced Secret as written; "" when unknown
	Name      string
	// Reflector holds the reflector.v1.k8s.emberstack.com/* annotations (key
	// without prefix) from where they take effect on the produced Secret.
	Reflector     map[string]string
	ReflectorAt   Place // where those annotations are
	Scope         string
	HasCiphertext bool
	// Generator is set for a secretGenerator: the kustomization's directory.
	Generator string
	// CreatesSecret is false for an ExternalSecret with creationPolicy Merge or
	// None: it fills a Secret that something else makes.
	CreatesSecret bool
}

// Store is a SecretStore or ClusterSecretStore.
type Store struct {
	Place
	Cluster   bool
	Namespace string
	Name      string
}

// StoreRef is an ExternalSecret's reference to a store.
type StoreRef struct {
	Place
	Namespace string // of the ExternalSecret
	Kind      string // SecretStore or ClusterSecretStore
	Name      string
	Owner     string // ExternalSecret name
}

// Kustomization is a kustomize kustomization file.
type Kustomization struct {
	Place
	Dir                               string
	Namespace, NamePrefix, NameSuffix string
	Resources                         []string // repo-relative, cleaned
	Patches                           []string // repo-relative patch files
}

// ignoreDoc is a document with an ignore directive and the lines it spans.
type ignoreDoc struct {
	line, end int
	doc       *manifest.Document
}

// facts are what one file contributes.
type facts struct {
	file           string
	producers      []*Producer
	stores         []*Store
	refs           []*StoreRef
	kustomizations []*Kustomization
	ignores        []ignoreDoc
}

func (ix *Index) add(f *facts) {
	if f == nil {
		return
	}
	ix.Producers = append(ix.Producers, f.producers...)
	ix.Stores = append(ix.Stores, f.stores...)
	ix.StoreRefs = append(ix.StoreRefs, f.refs...)
	ix.Kustomizations = append(ix.Kustomizations, f.kustomizations...)
	if len(f.ignores) > 0 {
		if ix.ignores == nil {
			ix.ignores = map[string][]ignoreDoc{}
		}
		ix.ignores[f.file] = append(ix.ignores[f.file], f.ignores...)
	}
}

// docOf returns the document of a file that holds a line, when that document
// carries an ignore directive.
func (ix *Index) docOf(file string, line int) *manifest.Document {
	for _, ig := range ix.ignores[file] {
		if ig.line <= line && line <= ig.end {
			return ig.doc
		}
	}
	return nil
}

const reflectorReflects = "reflects"

// collect extracts the facts of one object.
func (f *facts) collect(o *Object, isKustomizationFile bool) {
	place := Place{File: o.File, Line: o.Line(), Column: o.Node.Column, Resource: *o.Resource()}
	md := manifest.Field(o.Node, "metadata")
	switch {
	case manifest.IsCoreSecret(o.APIVersion, o.Kind) && !manifest.IsDeletePatch(o.Node):
		p := &Producer{Place: place, Via: "Secret", Namespace: o.Namespace, Name: o.Name, CreatesSecret: true}
		p.Reflector, p.ReflectorAt = reflectorAnns(o, manifest.Field(md, "annotations"))
		f.producers = append(f.producers, p)
	case sealedsecret.Is(o.APIVersion, o.Kind):
		tmd := manifest.Path(o.Node, "spec", "template", "metadata")
		p := &Producer{Place: place, Via: "SealedSecret", Namespace: o.Namespace, Name: o.Name, CreatesSecret: true,
			Scope: sealedsecret.ScopeOf(o.Node), HasCiphertext: sealedsecret.HasCiphertext(o.Node)}
		if p.Namespace == "" {
			p.Namespace = manifest.Scalar(manifest.Field(tmd, "namespace"))
		}
		p.Reflector, p.ReflectorAt = reflectorAnns(o, manifest.Field(tmd, "annotations"))
		f.producers = append(f.producers, p)
	case isExternalSecretsKind(o, "ExternalSecret"):
		spec := manifest.Field(o.Node, "spec")
		target := manifest.Field(spec, "target")
		name := manifest.Scalar(manifest.Field(target, "name"))
		if name == "" {
			name = o.Name
		}
		policy := manifest.Scalar(manifest.Field(target, "creationPolicy"))
		p := &Producer{Place: place, Via: "ExternalSecret", Namespace: o.Namespace, Name: name,
			CreatesSecret: policy != "Merge" && policy != "None"}
		anns := manifest.Path(target, "template", "metadata", "annotations")
		if manifest.Path(target, "template") == nil {
			anns = manifest.Field(md, "annotations")
		}
		p.Reflector, p.ReflectorAt = reflectorAnns(o, anns)
		f.producers = append(f.producers, p)
		f.storeRefs(o, place)
	case isExternalSecretsKind(o, "SecretStore"), isExternalSecretsKind(o, "ClusterSecretStore"):
		f.stores = append(f.stores, &Store{Place: place, Cluster: o.Kind == "ClusterSecretStore", Namespace: o.Namespace, Name: o.Name})
	case o.Kind == "Certificate" && strings.HasPrefix(o.APIVersion, "cert-manager.io/"):
		spec := manifest.Field(o.Node, "spec")
		if name := manifest.Scalar(manifest.Field(spec, "secretName")); name != "" {
			p := &Producer{Place: place, Via: "Certificate", Namespace: o.Namespace, Name: name, CreatesSecret: true}
			p.Reflector, p.ReflectorAt = reflectorAnns(o, manifest.Path(spec, "secretTemplate", "annotations"))
			f.producers = append(f.producers, p)
		}
	case isKustomizationFile && isKustomize(o):
		f.kustomization(o, place)
	}
}

func isExternalSecretsKind(o *Object, kind string) bool {
	return o.Kind == kind && strings.HasPrefix(o.APIVersion, "external-secrets.io/")
}

// reflectorAnns reads the reflector annotations of a mapping.
func reflectorAnns(o *Object, anns *yaml.Node) (map[string]string, Place) {
	var out map[string]string
	var at Place
	manifest.Pairs(anns, func(k, v *yaml.Node) {
		rest, ok := strings.CutPrefix(k.Value, reflectorPrefix)
		if !ok {
			return
		}
		if out == nil {
			out = map[string]string{}
			at = Place{File: o.File, Line: o.Doc.LineOf(k), Column: k.Column, Resource: *o.Resource()}
		}
		out[rest] = manifest.Scalar(v)
	})
	return out, at
}

func (f *facts) storeRefs(o *Object, place Place) {
	spec := manifest.Field(o.Node, "spec")
	add := func(ref *yaml.Node) {
		if ref == nil {
			return
		}
		name := manifest.Scalar(manifest.Field(ref, "name"))
		if name == "" {
			return
		}
		kind := manifest.Scalar(manifest.Field(ref, "kind"))
		if kind == "" {
			kind = "SecretStore"
		}
		p := place
		p.Line, p.Column = o.Doc.LineOf(ref), ref.Column
		f.refs = append(f.refs, &StoreRef{Place: p, Namespace: o.Namespace, Kind: kind, Name: name, Owner: o.Name})
	}
	add(manifest.Field(spec, "secretStoreRef"))
	for _, list := range []string{"data", "dataFrom"} {
		for _, item := range manifest.Seq(manifest.Field(spec, list)) {
			add(manifest.Path(item, "sourceRef", "storeRef"))
		}
	}
}

func (f *facts) kustomization(o *Object, place Place) {
	dir := path.Dir(o.File)
	k := &Kustomization{
		Place:      place,
		Dir:        dir,
		Namespace:  manifest.Scalar(manifest.Field(o.Node, "namespace")),
		NamePrefix: manifest.Scalar(manifest.Field(o.Node, "namePrefix")),
		NameSuffix: manifest.Scalar(manifest.Field(o.Node, "nameSuffix")),
	}
	local := func(p string) (string, bool) {
		if p == "" || strings.Contains(p, "://") || strings.HasPrefix(p, "github.com/") || strings.HasPrefix(p, "/") {
			return "", false
		}
		rel := path.Clean(path.Join(dir, p))
		return rel, rel != ".." && !strings.HasPrefix(rel, "../")
	}
	for _, list := range []string{"resources", "bases", "components"} {
		for _, r := range manifest.Seq(manifest.Field(o.Node, list)) {
			if rel, ok := local(manifest.Scalar(r)); ok {
				k.Resources = append(k.Resources, rel)
			}
		}
	}
	for _, r := range manifest.Seq(manifest.Field(o.Node, "patchesStrategicMerge")) {
		if rel, ok := local(manifest.Scalar(r)); ok {
			k.Patches = append(k.Patches, rel)
		}
	}
	for _, list := range []string{"patches", "patchesJson6902"} {
		for _, r := range manifest.Seq(manifest.Field(o.Node, list)) {
			if rel, ok := local(manifest.Scalar(manifest.Field(r, "path"))); ok {
				k.Patches = append(k.Patches, rel)
			}
		}
	}
	f.kustomizations = append(f.kustomizations, k)
	// Every secretGenerator entry makes a Secret in this kustomization.
	for _, g := range manifest.Seq(manifest.Field(o.Node, "secretGenerator")) {
		name := manifest.Scalar(manifest.Field(g, "name"))
		if name == "" || manifest.Scalar(manifest.Field(g, "behavior")) == "merge" || manifest.Scalar(manifest.Field(g, "behavior")) == "replace" {
			continue
		}
		p := place
		p.Line, p.Column = o.Doc.LineOf(g), g.Column
		p.Resource = Resource{APIVersion: "v1", Kind: "Secret", Namespace: manifest.Scalar(manifest.Field(g, "namespace")), Name: name}
		f.producers = append(f.producers, &Producer{Place: p, Via: "secretGenerator", Namespace: p.Resource.Namespace, Name: name, Generator: dir, CreatesSecret: true})
	}
}

// Unit is one build: a root kustomization with everything it pulls in, or one
// environment's files outside kustomizations (the whole tree without
// environments).
type Unit struct {
	Name string // the root kustomization's file, or "environment NAME"
	// Members maps a file to how the unit renders it.
	Members map[string]*Membership
	order   []string
}

// Membership is how a unit renders a file: the namespace kustomize forces and
// the name prefix/suffix it adds, with the kustomizations that set them.
type Membership struct {
	Namespace, Prefix, Suffix string
	NamespaceBy, RenameBy     *Kustomization
	Kustomized                bool
}

// resolve builds the kustomize graph and the build units once.
func (ix *Index) resolve(c *Context) {
	if ix.resolved {
		return
	}
	ix.resolved = true
	byDir := map[string]*Kustomization{}
	for _, k := range ix.Kustomizations {
		byDir[k.Dir] = k
	}
	included := map[*Kustomization]bool{}
	ix.patches = map[string]bool{}
	for _, k := range ix.Kustomizations {
		for _, r := range k.Resources {
			if child, ok := byDir[r]; ok {
				included[child] = true
			}
		}
		for _, p := range k.Patches {
			ix.patches[p] = true
		}
	}
	inKustomize := map[string]bool{}
	for _, k := range ix.Kustomizations {
		if included[k] {
			continue
		}
		u := &Unit{Name: k.File, Members: map[string]*Membership{}}
		ix.walk(u, k, byDir, Membership{}, map[*Kustomization]bool{})
		for f := range u.Members {
			inKustomize[f] = true
		}
		ix.units = append(ix.units, u)
	}
	// Files outside every kustomization: one unit per environment.
	loose := map[string]*Unit{}
	var names []string
	for _, p := range ix.Producers {
		ix.addLoose(c, p.File, inKustomize, loose, &names)
	}
	for _, s := range ix.Stores {
		ix.addLoose(c, s.File, inKustomize, loose, &names)
	}
	for _, r := range ix.StoreRefs {
		ix.addLoose(c, r.File, inKustomize, loose, &names)
	}
	sort.Strings(names)
	for _, n := range names {
		ix.units = append(ix.units, loose[n])
	}
}

func (ix *Index) addLoose(c *Context, file string, inKustomize map[string]bool, loose map[string]*Unit, names *[]string) {
	if inKustomize[file] || ix.patches[file] {
		return
	}
	name := "the whole tree"
	if c.Envs != nil {
		if m := c.Envs.ForPath(file); len(m) == 1 {
			name = "environment " + m[0]
		}
	}
	u := loose[name]
	if u == nil {
		u = &Unit{Name: name, Members: map[string]*Membership{}}
		loose[name] = u
		*names = append(*names, name)
	}
	if _, ok := u.Members[file]; !ok {
		u.Members[file] = &Membership{}
		u.order = append(u.order, file)
	}
}

// walk adds what k pulls in to u. Outer kustomizations are applied last, so
// the outermost namespace wins and prefixes nest outer-first.
func (ix *Index) walk(u *Unit, k *Kustomization, byDir map[string]*Kustomization, outer Membership, seen map[*Kustomization]bool) {
	if seen[k] {
		return // a cycle: kustomize rejects it; we just stop
	}
	seen[k] = true
	m := outer
	m.Kustomized = true
	if m.Namespace == "" && k.Namespace != "" {
		m.Namespace, m.NamespaceBy = k.Namespace, k
	}
	if k.NamePrefix != "" || k.NameSuffix != "" {
		m.Prefix = m.Prefix + k.NamePrefix
		m.Suffix = k.NameSuffix + m.Suffix
		if m.RenameBy == nil {
			m.RenameBy = k
		}
	}
	// The kustomization file itself, for its secretGenerators.
	ix.member(u, k.File, m)
	for _, r := range k.Resources {
		if child, ok := byDir[r]; ok {
			ix.walk(u, child, byDir, m, seen)
			continue
		}
		ix.member(u, r, m)
	}
	// Patches render in this kustomization's scope too; they amend producers
	// (annotations, ciphertexts) rather than add them.
	for _, p := range k.Patches {
		ix.member(u, p, m)
	}
}

func (ix *Index) member(u *Unit, file string, m Membership) {
	if _, ok := u.Members[file]; ok {
		return
	}
	mm := m
	u.Members[file] = &mm
	u.order = append(u.order, file)
}

// namespaceIn is the namespace a resource lands in within a unit: the one
// kustomize forces, else its own; "" when unknown.
func namespaceIn(m *Membership, own string) string {
	if m != nil && m.Namespace != "" {
		return m.Namespace
	}
	return own
}
