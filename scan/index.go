package scan

import (
	"bytes"
	"crypto/sha256"
	"path"
	"strconv"
	"strings"

	"github.com/secretguard/secretguard/gitops"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/sealedsecret"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Index is what cross-file rules need, collected by the workers in the same pass
// as the per-object rules: small facts rather than documents. Only documents
// with a `secretguard:ignore` head comment are kept whole, to match findings
// against their directives.
type Index struct {
	Producers      []*producer
	Stores         []*store
	StoreRefs      []*storeRef
	Kustomizations []*gitops.Kustomization
	// ignores are the documents with a `secretguard:ignore` head comment.
	ignores map[string][]ignoreDoc
	// esoPins are the External Secrets Operator chart versions the repository
	// installs; esoV1beta1 the resources at external-secrets.io/v1beta1.
	esoPins    []string
	esoV1beta1 []esoOld
	// live are the entry points when they decide what is deployed (see
	// liveEntries); nil when every file counts.
	live []gitops.Entry
	// sopsConfigs are the creation rules of each .sops.yaml, by its folder;
	// plainFiles the read files that are neither SOPS-encrypted nor hold a
	// raw Secret (raw-secret reports those).
	sopsConfigs map[string][]manifest.SOPSRule
	sopsLookup  map[string][]manifest.SOPSRule // sopsConfigs and what was looked up
	plainFiles  []string
	// entries are the folders that GitOps entry points (Flux Kustomizations,
	// Argo CD Applications) deploy.
	entries []gitops.Entry
	// deletions are the `$patch: delete` patches.
	deletions []deletion
	// files are every file the scan read.
	files []string

	// Build is the build model of the files above, made once every file is
	// read (see build).
	Build  *gitops.Model
	placed []placement
}

// location points at a document (or a key in it).
// esoOld is a resource at external-secrets.io/v1beta1: what else it must
// change to be valid in v1, and whether fix can edit its document.
type esoOld struct {
	location
	changes []string
	fixable bool
}

type location struct {
	File         string
	Line, Column int
	Resource     Resource
}

func (p location) at() string { return p.File + ":" + strconv.Itoa(p.Line) }

// producer is anything that makes a Secret.
type producer struct {
	location
	Via       string // Secret, SealedSecret, ExternalSecret, secretGenerator, Certificate
	Namespace string // of the produced Secret as written; "" when unknown
	Name      string
	// Reflector holds the reflector.v1.k8s.emberstack.com/* annotations (key
	// without prefix) from where they take effect on the produced Secret.
	Reflector     map[string]string
	ReflectorAt   location // where those annotations are
	Scope         string
	HasCiphertext bool
	// SealedFor is the namespace/name a SealedSecret records it was sealed
	// for (secretguard.io/sealed-for): what the build must give it.
	SealedFor string
	// Generator is set for a secretGenerator: the kustomization's directory.
	Generator string
	// CreatesSecret is false for an ExternalSecret with creationPolicy Merge or
	// None: it fills a Secret that something else makes.
	CreatesSecret bool
	// Generated is an ExternalSecret with a generator among its sources (a
	// Password, an ECR token): its value exists once, so mirroring it is the
	// way to share it.
	Generated bool
	// Same fingerprints the object's document: two byte-identical ones are
	// one object applied twice (a sample's copies in two tutorials), which
	// cannot conflict. "" for a generator or a List item.
	Same [sha256.Size]byte
}

// store is a SecretStore or ClusterSecretStore.
type store struct {
	location
	Cluster   bool
	Namespace string
	Name      string
}

// storeRef is an ExternalSecret's reference to a store.
type storeRef struct {
	location
	Namespace string // of the ExternalSecret
	Kind      string // SecretStore or ClusterSecretStore
	Name      string
	Owner     string // ExternalSecret name
	// Cluster: the owner is a ClusterExternalSecret, which makes its
	// ExternalSecrets in the namespaces its selectors pick.
	Cluster bool
}

// ignoreDoc is a document with an ignore directive and the lines it spans.
type ignoreDoc struct {
	line, end int
	doc       *manifest.Document
}

// facts are what one file contributes.
type facts struct {
	file string
	// valueFiles are files used as Helm values, valuesFrom ConfigMaps that
	// hold them (see gitops.HelmValues).
	valueFiles     []string
	valuesFrom     []gitops.ValuesRef
	producers      []*producer
	stores         []*store
	refs           []*storeRef
	kustomizations []*gitops.Kustomization
	ignores        []ignoreDoc
	esoPins        []string
	esoV1beta1     []esoOld
	entries        []gitops.Entry
	deletions      []deletion
}

// deletion is a `$patch: delete` of a resource: in a patch file, or inline in
// a kustomization's patches. A build that applies it does not deploy that
// resource.
type deletion struct {
	file           string // the patch file, or the kustomization
	kind, ns, name string
}

func (ix *Index) addSOPS(r *fileResult) {
	if r.sopsRules != nil {
		if ix.sopsConfigs == nil {
			ix.sopsConfigs = map[string][]manifest.SOPSRule{}
		}
		ix.sopsConfigs[path.Dir(r.path)] = r.sopsRules
	}
	if !r.sops && !r.rawSecret && !r.skeleton && path.Base(r.path) != ".sops.yaml" {
		ix.plainFiles = append(ix.plainFiles, r.path)
	}
}

func (ix *Index) add(f *facts) {
	if f == nil {
		return
	}
	ix.Producers = append(ix.Producers, f.producers...)
	ix.Stores = append(ix.Stores, f.stores...)
	ix.StoreRefs = append(ix.StoreRefs, f.refs...)
	ix.Kustomizations = append(ix.Kustomizations, f.kustomizations...)
	ix.esoPins = append(ix.esoPins, f.esoPins...)
	ix.entries = append(ix.entries, f.entries...)
	ix.deletions = append(ix.deletions, f.deletions...)
	ix.esoV1beta1 = append(ix.esoV1beta1, f.esoV1beta1...)
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

// collectTemplateStore keeps, of a masked template's object, the ESO versions
// it pins, a v1beta1 ESO resource, and a store whose name the template does
// not compute (a chart's cluster-secret-store template with a literal name and
// a templated region): the ExternalSecrets that name it are not missing one. A
// namespaced store needs a literal namespace too.
func (f *facts) collectTemplateStore(o *Object) {
	// A bootstrap chart that renders the Applications (app of apps) pins
	// the operator in a template; a version the template computes is
	// unknown ({{…}}), as a variable's is.
	for _, v := range esoPin(o) {
		if v != "" {
			f.esoPins = append(f.esoPins, manifest.ShowMasked(v))
		}
	}
	if o.APIVersion == esoV1beta1 {
		// A chart's v1beta1 resource fails to apply all the same; the
		// template itself is what to change (fix does not rewrite templates).
		k := manifest.KeyNode(o.Node, "apiVersion")
		res := *o.Resource()
		if manifest.Masked(res.Namespace) {
			res.Namespace = "" // {{ .Release.Namespace }}: not for a message
		}
		res.Name = manifest.ShowMasked(res.Name)
		f.esoV1beta1 = append(f.esoV1beta1, esoOld{location: location{File: o.File, Line: o.Doc.LineOf(k), Column: k.Column, Resource: res},
			changes: manifest.ESOv1Changes(o.Node)})
	}
	cluster := isExternalSecretsKind(o, "ClusterSecretStore")
	if !cluster && !isExternalSecretsKind(o, "SecretStore") || o.Name == "" || manifest.Masked(o.Name) ||
		!cluster && (o.Namespace == "" || manifest.Masked(o.Namespace)) {
		return
	}
	place := location{File: o.File, Line: o.Line(), Column: o.Node.Column, Resource: *o.Resource()}
	f.stores = append(f.stores, &store{location: place, Cluster: cluster, Namespace: o.Namespace, Name: o.Name})
}

// collect extracts the facts of one object.
func (f *facts) collect(o *Object, isKustomizationFile bool) {
	place := location{File: o.File, Line: o.Line(), Column: o.Node.Column, Resource: *o.Resource()}
	f.entries = append(f.entries, gitops.Entries(o.File, o.APIVersion, o.Kind, o.Node)...)
	files, refs := gitops.HelmValues(o.File, o.APIVersion, o.Kind, o.Node)
	f.valueFiles, f.valuesFrom = append(f.valueFiles, files...), append(f.valuesFrom, refs...)
	if manifest.IsDeletePatch(o.Node) {
		f.deletions = append(f.deletions, deletion{file: o.File, kind: o.Kind, ns: o.Namespace, name: o.Name})
	}
	if o.Kind == HelmValuesKind || o.Kind == "HelmRelease" || o.Kind == "Application" || o.Kind == "ApplicationSet" {
		f.chartStores(o, place)
	}
	for _, v := range esoPin(o) {
		if v == "" {
			continue
		}
		f.esoPins = append(f.esoPins, v)
	}
	if o.APIVersion == esoV1beta1 {
		k := manifest.KeyNode(o.Node, "apiVersion")
		f.esoV1beta1 = append(f.esoV1beta1, esoOld{location: location{File: o.File, Line: o.Doc.LineOf(k), Column: k.Column, Resource: *o.Resource()},
			changes: manifest.ESOv1Changes(o.Node), fixable: o.Item < 0 && !o.Doc.Template && !manifest.HasActions(o.Doc.Text)})
	}
	md := manifest.Field(o.Node, "metadata")
	produced := len(f.producers)
	defer func() {
		if o.Item < 0 {
			for _, p := range f.producers[produced:] {
				p.Same = sha256.Sum256(bytes.TrimSpace(o.Doc.Text))
			}
		}
	}()
	switch {
	case manifest.IsCoreSecret(o.APIVersion, o.Kind) && !manifest.IsDeletePatch(o.Node):
		p := &producer{location: place, Via: "Secret", Namespace: o.Namespace, Name: o.Name, CreatesSecret: true}
		p.Reflector, p.ReflectorAt = reflectorAnns(o, manifest.Field(md, "annotations"))
		f.producers = append(f.producers, p)
	case sealedsecret.Is(o.APIVersion, o.Kind):
		tmd := manifest.Path(o.Node, "spec", "template", "metadata")
		p := &producer{location: place, Via: "SealedSecret", Namespace: o.Namespace, Name: o.Name, CreatesSecret: true,
			Scope: sealedsecret.ScopeOf(o.Node), HasCiphertext: sealedsecret.HasCiphertext(o.Node)}
		if p.Namespace == "" {
			p.Namespace = manifest.Scalar(manifest.Field(tmd, "namespace"))
		}
		p.SealedFor = manifest.Scalar(manifest.Path(md, "annotations", sealedsecret.SealedForAnnotation))
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
		p := &producer{location: place, Via: "ExternalSecret", Namespace: o.Namespace, Name: name,
			CreatesSecret: policy != "Merge" && policy != "None", Generated: usesGenerator(spec)}
		anns := manifest.Path(target, "template", "metadata", "annotations")
		if manifest.Path(target, "template") == nil {
			anns = manifest.Field(md, "annotations")
		}
		p.Reflector, p.ReflectorAt = reflectorAnns(o, anns)
		f.producers = append(f.producers, p)
		f.storeRefs(o, place)
	case isExternalSecretsKind(o, "ClusterExternalSecret"):
		// Its namespaces are picked at run time: only a ClusterSecretStore
		// it names can be missing for certain.
		for _, r := range f.storeRefsOf(o, place, manifest.Path(o.Node, "spec", "externalSecretSpec")) {
			if r.Kind == "ClusterSecretStore" {
				r.Cluster = true
				f.refs = append(f.refs, r)
			}
		}
	case isExternalSecretsKind(o, "SecretStore"), isExternalSecretsKind(o, "ClusterSecretStore"):
		f.stores = append(f.stores, &store{location: place, Cluster: o.Kind == "ClusterSecretStore", Namespace: o.Namespace, Name: o.Name})
	case o.Kind == "Certificate" && strings.HasPrefix(o.APIVersion, "cert-manager.io/"):
		spec := manifest.Field(o.Node, "spec")
		if name := manifest.Scalar(manifest.Field(spec, "secretName")); name != "" {
			p := &producer{location: place, Via: "Certificate", Namespace: o.Namespace, Name: name, CreatesSecret: true}
			p.Reflector, p.ReflectorAt = reflectorAnns(o, manifest.Path(spec, "secretTemplate", "annotations"))
			f.producers = append(f.producers, p)
		}
	case isKustomizationFile && gitops.IsKustomize(o.APIVersion, o.Kind):
		f.kustomization(o, place)
	}
}

// chartStores adds the stores a chart makes from its values — the
// external-secrets chart's extraObjects, app-template's rawResources — which
// are as much the repository's as a store in a manifest.
func (f *facts) chartStores(o *Object, place location) {
	for _, name := range knownChartStores(o) {
		f.stores = append(f.stores, &store{location: place, Cluster: true, Name: name})
	}
	manifest.Walk(o.Node, "", func(n *yaml.Node, path string) bool {
		if n.Kind != yaml.MappingNode || path == "" {
			return true
		}
		kind := manifest.Scalar(manifest.Field(n, "kind"))
		if kind != "SecretStore" && kind != "ClusterSecretStore" || !strings.HasPrefix(manifest.Scalar(manifest.Field(n, "apiVersion")), "external-secrets.io/") {
			return true
		}
		md := manifest.Field(n, "metadata")
		if name := manifest.Scalar(manifest.Field(md, "name")); name != "" && !strings.ContainsAny(name, "{}$") {
			p := place
			p.Line, p.Column = o.Doc.LineOf(n), n.Column
			f.stores = append(f.stores, &store{location: p, Cluster: kind == "ClusterSecretStore",
				Namespace: manifest.Scalar(manifest.Field(md, "namespace")), Name: name})
		}
		return false
	})
}

// chartMadeStores are the ClusterSecretStores a chart makes under fixed
// names, and the value that turns them off: bitwarden-eso-provider serves the
// Bitwarden CLI to ESO's webhook provider through three stores.
var chartMadeStores = map[string]struct {
	names []string
	off   []string // a values path that, false, makes none
}{
	"bitwarden-eso-provider": {[]string{"bitwarden-login", "bitwarden-fields", "bitwarden-notes"}, []string{"bitwarden_eso_provider", "create_cluster_secret_store"}},
}

// knownChartStores is the stores a Flux HelmRelease or an Argo CD
// Application installs by installing a chart of chartMadeStores.
func knownChartStores(o *Object) []string {
	var charts []string
	var values []*yaml.Node
	switch {
	case o.Kind == "HelmRelease":
		charts = append(charts, manifest.Scalar(manifest.Path(o.Node, "spec", "chart", "spec", "chart")))
		values = append(values, manifest.Path(o.Node, "spec", "values"))
	case o.Kind == "Application" && strings.HasPrefix(o.APIVersion, "argoproj.io/"):
		for _, src := range append([]*yaml.Node{manifest.Path(o.Node, "spec", "source")}, manifest.Seq(manifest.Path(o.Node, "spec", "sources"))...) {
			charts = append(charts, manifest.Scalar(manifest.Field(src, "chart")))
			values = append(values, manifest.Path(src, "helm", "valuesObject"))
		}
	}
	var names []string
	for i, chart := range charts {
		known, ok := chartMadeStores[chart]
		if !ok {
			continue
		}
		if sw := manifest.Resolve(manifest.Path(values[i], known.off...)); sw != nil && sw.Value == "false" {
			continue
		}
		names = append(names, known.names...)
	}
	return names
}

func isExternalSecretsKind(o *Object, kind string) bool {
	return o.Kind == kind && strings.HasPrefix(o.APIVersion, "external-secrets.io/")
}

// usesGenerator reports an ExternalSecret spec with a generatorRef among its
// data or dataFrom sources.
func usesGenerator(spec *yaml.Node) bool {
	found := false
	manifest.Walk(spec, "", func(n *yaml.Node, _ string) bool {
		if n.Kind == yaml.MappingNode && manifest.Field(n, "generatorRef") != nil {
			found = true
		}
		return !found
	})
	return found
}

// reflectorAnns reads the reflector annotations of a mapping.
func reflectorAnns(o *Object, anns *yaml.Node) (map[string]string, location) {
	var out map[string]string
	var at location
	manifest.Pairs(anns, func(k, v *yaml.Node) {
		rest, ok := strings.CutPrefix(k.Value, reflectorPrefix)
		if !ok {
			return
		}
		if out == nil {
			out = map[string]string{}
			at = location{File: o.File, Line: o.Doc.LineOf(k), Column: k.Column, Resource: *o.Resource()}
		}
		out[rest] = manifest.Scalar(v)
	})
	return out, at
}

func (f *facts) storeRefs(o *Object, place location) {
	f.refs = append(f.refs, f.storeRefsOf(o, place, manifest.Field(o.Node, "spec"))...)
}

// storeRefsOf lists the stores an ExternalSecret spec names.
func (f *facts) storeRefsOf(o *Object, place location, spec *yaml.Node) []*storeRef {
	var refs []*storeRef
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
		refs = append(refs, &storeRef{location: p, Namespace: o.Namespace, Kind: kind, Name: name, Owner: o.Name})
	}
	add(manifest.Field(spec, "secretStoreRef"))
	for _, list := range []string{"data", "dataFrom"} {
		for _, item := range manifest.Seq(manifest.Field(spec, list)) {
			add(manifest.Path(item, "sourceRef", "storeRef"))
		}
	}
	return refs
}

func (f *facts) kustomization(o *Object, place location) {
	k := gitops.ReadKustomization(o.File, o.Node)
	// Inline strategic-merge patches that delete a resource.
	for _, pt := range manifest.Seq(manifest.Field(o.Node, "patches")) {
		text := manifest.Scalar(manifest.Field(pt, "patch"))
		if !strings.Contains(text, "$patch") {
			continue
		}
		for _, d := range manifest.Documents([]byte(text), false) {
			if d.Blank() || d.Parse() != nil {
				continue
			}
			if manifest.IsDeletePatch(d.Node) {
				md := manifest.Field(d.Node, "metadata")
				f.deletions = append(f.deletions, deletion{file: o.File, kind: manifest.Scalar(manifest.Field(d.Node, "kind")),
					ns: manifest.Scalar(manifest.Field(md, "namespace")), name: manifest.Scalar(manifest.Field(md, "name"))})
			}
		}
	}
	dir := k.Dir
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
		f.producers = append(f.producers, &producer{location: p, Via: "secretGenerator", Namespace: p.Resource.Namespace, Name: name, Generator: dir, CreatesSecret: true})
	}
}

// build makes the build model once every file is read. The loose files of
// interest are those of producers, stores and store references; a loose file
// belongs to the unit of its environment when it maps to exactly one.
func (ix *Index) build(c *Context) {
	var loose []string
	for _, p := range ix.Producers {
		loose = append(loose, p.File)
	}
	for _, s := range ix.Stores {
		loose = append(loose, s.File)
	}
	for _, r := range ix.StoreRefs {
		loose = append(loose, r.File)
	}
	for _, l := range ix.esoV1beta1 {
		loose = append(loose, l.File)
	}
	ix.live = ix.liveEntries(c, loose)
	// Entry points that reach nothing here (paths with placeholders,
	// <CLUSTER_NAME>, or of another repository) say the tree is not deployed
	// as it is: a template whose top folders are variants a user copies one
	// of (aws-github/, civo-gitlab/…), never built together. Each is a unit.
	variants := len(ix.entries) > 0 && len(ix.live) == 0 && !c.Partial
	splits := gitops.SplitsClusters(ix.live)
	ix.Build = gitops.Build(ix.Kustomizations, loose, func(file string) string {
		if c.Envs != nil {
			if m := c.Envs.ForPath(file); len(m) == 1 {
				return "environment " + m[0]
			}
		}
		if variants {
			if top, _, ok := strings.Cut(file, "/"); ok {
				return "the tree under " + top + "/"
			}
			return "the files at the top of the tree"
		}
		// Without environments, or bootstraps that tell clusters apart,
		// folders named for one (kubernetes/argocd/prod/, …/stage/) go to
		// their own clusters, as the overlays of a base do.
		if !splits {
			if env := envFolder(file); env != "" {
				return "the folders named " + env + "/"
			}
		}
		return ""
	}, ix.live)
}

// envFolder is the name of the innermost folder of file that names an
// environment ("" for none).
func envFolder(file string) string {
	dirs := strings.Split(path.Dir(file), "/")
	for i := len(dirs) - 1; i >= 0; i-- {
		if envWords[strings.ToLower(dirs[i])] {
			return dirs[i]
		}
	}
	return ""
}

var envWords = map[string]bool{"prod": true, "production": true, "prd": true, "stage": true, "staging": true,
	"stg": true, "dev": true, "development": true, "test": true, "qa": true, "uat": true, "preprod": true,
	"sandbox": true}

// undeployed reports a file that no build deploys where the entry points
// decide what is deployed (a retired archive/, a folder its kustomization
// does not list, a template/ no ks.yaml points at): a rule about what the
// cluster does with a resource has nothing to say of it. A chart's
// templates/ are deployed by the chart, which the build model does not follow.
func (ix *Index) undeployed(file string) bool {
	return len(ix.live) > 0 && !ix.Build.Deploys(file) && !manifest.InTemplatesDir(file)
}

// liveEntries are the entry points' folders, when they decide what is
// deployed: the whole tree was read, and one of them reaches a file here.
func (ix *Index) liveEntries(c *Context, loose []string) []gitops.Entry {
	if c.Partial || len(ix.entries) == 0 {
		return nil
	}
	dirs := make([]string, 0, len(loose)+len(ix.Kustomizations))
	for _, f := range loose {
		dirs = append(dirs, path.Dir(f))
	}
	for _, k := range ix.Kustomizations {
		dirs = append(dirs, k.Dir)
	}
	return gitops.Live(ix.entries, dirs)
}
