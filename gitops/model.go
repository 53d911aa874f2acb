package gitops

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Unit is one build: a root kustomization with everything it pulls in, or one
// environment's files outside kustomizations (the whole tree without
// environments).
type Unit struct {
	Name string // the root kustomization's file, or "environment NAME"
	// Members maps a file to how the unit renders it: once per way the build
	// reaches it (a base that two kustomizations of one build include, each
	// with its own namespace, is rendered twice). Files lists them in the
	// order the build meets them.
	Members map[string][]*Membership
	Files   []string
}

// Membership is how a unit renders a file: the namespace kustomize forces and
// the name prefix/suffix it adds, with the kustomizations that set them.
type Membership struct {
	Namespace, Prefix, Suffix string
	NamespaceBy, RenameBy     *Kustomization
	Kustomized                bool
	// Default is the namespace of resources that name none and that nothing
	// forces (an Argo CD Application's destination.namespace).
	Default string
}

// NamespaceOf is the namespace a resource whose own namespace is own lands in
// under this membership: the one kustomize (or a Flux targetNamespace)
// forces, else its own, else the entry point's default (Argo CD's
// destination.namespace); "" unknown.
func (m *Membership) NamespaceOf(own string) string {
	switch {
	case m != nil && m.Namespace != "":
		return m.Namespace
	case own != "":
		return own
	case m != nil:
		return m.Default
	}
	return ""
}

// membership is what an entry point does to what it deploys: the
// outermost namespace (Flux targetNamespace), or a default (Argo CD).
func (e Entry) membership() Membership {
	if e.Namespace == "" {
		return Membership{}
	}
	if e.Force {
		return Membership{Namespace: e.Namespace, NamespaceBy: &Kustomization{File: e.File, Namespace: e.Namespace}}
	}
	return Membership{Default: e.Namespace}
}

// Model is the repository's builds.
type Model struct {
	Units   []*Unit
	patches map[string]bool
	// roots and byDir let Uses walk the builds again, with the chain of
	// kustomizations that reaches a file: once, the first time a command
	// asks (seal, fix); a scan never does.
	roots    []root
	byDir    map[string]*Kustomization
	usesOnce sync.Once
	uses     map[string][]Use // kustomize builds only; Uses adds the loose ones
	// entries are the entry points when they decide what is deployed.
	entries []Entry
}

// root is a build's root kustomization and what its entry point does to it.
type root struct {
	k     *Kustomization
	entry Entry
}

// Build resolves the kustomize graph: every kustomization that no other one
// includes is the root of a unit. Loose files (those of interest that no
// kustomization reaches and that are not patches) form one unit per name
// that unitOf gives them ("environment prod"); without one, one per cluster
// the entry points bootstrap, else "the whole tree".
//
// What is deployed: a loose file in a folder whose kustomization does not
// list it is deployed from nowhere (Flux and Argo CD build the kustomization
// when there is one). When the repository has entry points (entries: the
// repo-relative paths of Flux Kustomizations and Argo CD Applications), only
// what they reach is deployed: kustomizations and loose files under an entry
// path; the rest (a retired archive/ folder) is in no unit, so it makes no
// cross-file pair with live files.
func Build(ks []*Kustomization, loose []string, unitOf func(file string) string, entries []Entry) *Model {
	byDir := map[string]*Kustomization{}
	m := &Model{patches: map[string]bool{}, byDir: byDir, entries: entries}
	for _, k := range ks {
		byDir[k.Dir] = k
	}
	included := map[*Kustomization]bool{}
	for _, k := range ks {
		for _, r := range k.Resources {
			if child, ok := byDir[r]; ok {
				included[child] = true
			}
		}
		for _, p := range k.Patches {
			m.patches[p] = true
		}
	}
	// entryOf is the entry point that deploys dir; ok is false when entries
	// exist and none reaches dir.
	entryOf := func(dir string) (Entry, bool) {
		e, found := deepestEntry(entries, dir)
		return e, found || len(entries) == 0
	}
	inKustomize := map[string]bool{}
	for _, k := range ks {
		e, reached := entryOf(k.Dir)
		if included[k] || !reached || len(entries) > 0 && builtAbove(k.File, e, byDir) {
			continue
		}
		u := &Unit{Name: k.File, Members: map[string][]*Membership{}}
		m.roots = append(m.roots, root{k: k, entry: e})
		budget := maxRenderings
		walk(k, byDir, e.membership(), nil, &budget, func(file string, mb Membership, _ []*Kustomization) { u.add(file, mb) })
		for f := range u.Members {
			inKustomize[f] = true
		}
		m.Units = append(m.Units, u)
	}
	byEnv := map[string]*Unit{}
	var names []string
	clusters := clustersOf(entries)
	for _, file := range loose {
		if inKustomize[file] || m.patches[file] {
			continue
		}
		e, reached := entryOf(path.Dir(file))
		if _, listed := byDir[path.Dir(file)]; listed || !reached || len(entries) > 0 && (!e.Applies(file) || builtAbove(file, e, byDir)) {
			// Not listed by its folder's kustomization, reached by no entry
			// point, left out by its include/exclude, or below a folder
			// whose kustomization is what the entry point builds.
			continue
		}
		// Outside environments, a loose file is in the unit of each cluster
		// that deploys it: the entry points at its depth, by the bootstrap
		// they come from (clusters/prod and clusters/test of one repository
		// are two, as environments would be).
		deployers := []Entry{e}
		if len(entries) > 0 {
			deployers = deployers[:0]
			for _, o := range entries {
				if o.Path == e.Path && o.Applies(file) {
					deployers = append(deployers, o)
				}
			}
		}
		for _, d := range deployers {
			name := "the whole tree"
			if n := unitOf(file); n != "" {
				name = n
			} else if c := clusters.of(d); c != "" {
				name = "the tree " + c + " deploys"
			}
			u := byEnv[name]
			if u == nil {
				u = &Unit{Name: name, Members: map[string][]*Membership{}}
				byEnv[name] = u
				names = append(names, name)
			}
			u.add(file, d.membership())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		m.Units = append(m.Units, byEnv[n])
	}
	return m
}

// clusters names the bootstrap of each entry point: the entry point at the
// top of the chain of those that deploy one another's files, when it deploys
// its own file too — Flux's flux-system Kustomization, a FluxInstance syncing
// the folder it is in, an Argo CD Application managing itself. Only with two
// or more such bootstraps is a repository taken for several clusters; an
// entry point that no bootstrap deploys (an Application applied by hand)
// stays in "the whole tree", so that two of them for one cluster still pair.
type clusters map[entryID]string

// entryID is an entry point by where it is defined and what it deploys.
type entryID struct{ file, path string }

func entryKey(e Entry) entryID { return entryID{e.File, e.Path} }

// deepestEntry is the entry point that deploys dir: the one with the
// deepest path above it.
func deepestEntry(entries []Entry, dir string) (Entry, bool) {
	var best Entry
	found := false
	for _, e := range entries {
		if e.under(dir) && (!found || len(e.Path) > len(best.Path)) {
			best, found = e, true
		}
	}
	return best, found
}

func clustersOf(entries []Entry) clusters {
	c := clusters{}
	roots := map[string]bool{}
	for _, e := range entries {
		top := e
		seen := map[entryID]bool{}
		for !seen[entryKey(top)] {
			seen[entryKey(top)] = true
			up, ok := deepestEntry(entries, path.Dir(top.File))
			if !ok || entryKey(up) == entryKey(top) {
				break
			}
			top = up
		}
		if top.under(path.Dir(top.File)) {
			c[entryKey(e)] = top.File
			roots[top.File] = true
		}
	}
	if len(roots) < 2 {
		return nil // one cluster: its files are "the whole tree"
	}
	return c
}

// SplitsClusters reports entry points that bootstrap two or more clusters:
// Build then gives loose files one unit per cluster.
func SplitsClusters(entries []Entry) bool { return clustersOf(entries) != nil }

// of names the bootstrap file of e's cluster ("" when there is only one).
func (c clusters) of(e Entry) string { return c[entryKey(e)] }

// builtAbove reports a kustomization in a folder between the entry point's
// and the file's: the entry point builds it (Flux's generated kustomization
// takes a folder with one as a whole), and it does not list the file, which
// is then not deployed (a grafana/ beside the kustomization of monitoring/, a
// mongodb/template/ kustomization that database/'s does not include).
func builtAbove(file string, e Entry, byDir map[string]*Kustomization) bool {
	for dir := path.Dir(path.Dir(file)); e.contains(dir); dir = path.Dir(dir) {
		if _, ok := byDir[dir]; ok {
			return true
		}
		if dir == "." || dir == e.Path {
			break
		}
	}
	return false
}

// walk calls visit for every file k pulls in (the kustomization file itself
// too, for its secretGenerators), with how the build renders it and the
// chain of kustomizations that reaches it (outermost first). Outer
// kustomizations are applied last, so the outermost namespace wins and
// prefixes nest outer-first.
// maxRenderings bounds how many kustomizations one build walks: a diamond of
// bases included twice at every level would otherwise be walked 2^depth
// times (a hostile pull request must not stall the check).
const maxRenderings = 10000

func walk(k *Kustomization, byDir map[string]*Kustomization, outer Membership, chain []*Kustomization, budget *int, visit func(file string, m Membership, chain []*Kustomization)) {
	if slices.Contains(chain, k) || *budget <= 0 {
		return // a cycle (kustomize rejects it), or past the bound: we just stop
	}
	*budget--
	// Reached again by another way, a kustomization is rendered again: the
	// chain is this way's alone.
	chain = append(slices.Clip(chain), k)
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
	visit(k.File, m, chain)
	for _, r := range k.Resources {
		if child, ok := byDir[r]; ok {
			walk(child, byDir, m, chain, budget, visit)
			continue
		}
		visit(r, m, chain)
	}
	// Patches render in this kustomization's scope too; they amend resources
	// rather than add them.
	for _, p := range k.Patches {
		visit(p, m, chain)
	}
}

func (u *Unit) add(file string, m Membership) {
	ms, ok := u.Members[file]
	if !ok {
		u.Files = append(u.Files, file)
	}
	for _, have := range ms {
		if *have == m {
			return // the same rendering, reached twice
		}
	}
	u.Members[file] = append(ms, &m)
}

// KustomizationOf is the kustomization of a folder, nil when it has none.
func (m *Model) KustomizationOf(dir string) *Kustomization { return m.byDir[dir] }

// IsPatch reports whether a kustomization uses the file as a patch.
func (m *Model) IsPatch(file string) bool { return m.patches[file] }

// Deploys reports whether some build deploys file (a loose file of
// interest, or one a kustomization reaches).
func (m *Model) Deploys(file string) bool {
	for _, u := range m.Units {
		if len(u.Members[file]) > 0 {
			return true
		}
	}
	return false
}

// NamespacesOf lists the namespaces a file's resource (own namespace own)
// lands in, one per unit that holds it ("" when unknown); just own when no
// unit does.
func (m *Model) NamespacesOf(file, own string) []string {
	var out []string
	seen := map[string]bool{}
	for _, u := range m.Units {
		for _, mb := range u.Members[file] {
			ns := mb.NamespaceOf(own)
			if !seen[ns] {
				seen[ns] = true
				out = append(out, ns)
			}
		}
	}
	if len(out) == 0 {
		out = []string{own}
	}
	return out
}

// Use is one way a build deploys a file. Through kustomizations, Chain lists
// them from the build's root to the one that lists the file, and Entry is
// the entry point that deploys the root ("" when none does). A loose file
// has no Chain: Loose names its unit ("environment prod", "the whole tree").
type Use struct {
	Chain []*Kustomization
	Entry string
	Loose string
	Membership
}

// Uses lists every way a build deploys file, kustomize builds first, in the
// order of Units.
func (m *Model) Uses(file string) []Use {
	m.usesOnce.Do(func() {
		m.uses = map[string][]Use{}
		for _, r := range m.roots {
			budget := maxRenderings
			walk(r.k, m.byDir, r.entry.membership(), nil, &budget, func(f string, mb Membership, chain []*Kustomization) {
				if !m.patches[f] {
					m.uses[f] = append(m.uses[f], Use{Chain: chain, Entry: r.entry.File, Membership: mb})
				}
			})
		}
	})
	out := slices.Clone(m.uses[file])
	for _, u := range m.Units[len(m.roots):] { // the loose files' units follow the roots'
		for _, mb := range u.Members[file] {
			out = append(out, Use{Loose: u.Name, Membership: *mb})
		}
	}
	return out
}

// Overlay is a build of one environment that deploys a shared base's file:
// the kustomization that gets the environment's own copy of what the file
// holds (the deepest kustomization of the chain whose path maps to exactly
// that environment), and what the whole build does to the file's resources.
type Overlay struct {
	Env           string
	Kustomization *Kustomization
	Membership
}

// OverlayError is a shared file that some build deploys from outside every
// overlay of a known environment: Users names them.
type OverlayError struct {
	File  string
	Users []string
}

func (e *OverlayError) Error() string {
	verb := "is"
	if len(e.Users) > 1 {
		verb = "are"
	}
	return fmt.Sprintf("%s is deployed by %s, which %s not an overlay of a known environment: a SealedSecret decrypts in one cluster only, so give each cluster its own overlay (or map these paths to an environment in .secretguard.yaml)",
		e.File, strings.Join(e.Users, ", "), verb)
}

// Overlays lists the overlays that deploy file through kustomize, one per
// overlay kustomization and namespace, in build order; envOf maps a path to
// the environments it belongs to. ok is false when no kustomize build
// deploys the file. A build that deploys it from no known environment's
// overlay (a loose file of an entry point, a root kustomization of no
// environment) is an OverlayError naming it.
func (m *Model) Overlays(file string, envOf func(string) []string) (out []Overlay, ok bool, err error) {
	single := func(p string) string {
		if es := envOf(p); len(es) == 1 {
			return es[0]
		}
		return ""
	}
	var strays []string
	seen := map[string]bool{}
	for _, u := range m.Uses(file) {
		if u.Chain == nil {
			strays = append(strays, userOf(u))
			continue
		}
		ok = true
		var o *Overlay
		for i := len(u.Chain) - 1; i >= 0 && o == nil; i-- {
			if env := single(u.Chain[i].File); env != "" {
				o = &Overlay{Env: env, Kustomization: u.Chain[i], Membership: u.Membership}
			}
		}
		if o == nil && u.Entry != "" {
			if env := single(u.Entry); env != "" {
				o = &Overlay{Env: env, Kustomization: u.Chain[0], Membership: u.Membership}
			}
		}
		if o == nil {
			strays = append(strays, userOf(u))
			continue
		}
		key := o.Kustomization.File + "\x00" + o.Membership.Namespace
		if !seen[key] {
			seen[key] = true
			out = append(out, *o)
		}
	}
	if len(strays) > 0 {
		slices.Sort(strays)
		return nil, ok, &OverlayError{File: file, Users: slices.Compact(strays)}
	}
	return out, ok, nil
}

// Envs is what the build model needs of the repository's environments.
type Envs interface {
	Names() []string
	ForPath(rel string) []string
}

// SharedOverlays are the overlays of file when it is a base that seal takes
// apart per environment: its path maps to no single environment of several,
// and a kustomize build deploys it (ok); the error is Overlays'.
func (m *Model) SharedOverlays(file string, envs Envs) (out []Overlay, ok bool, err error) {
	if m == nil || len(envs.Names()) < 2 || len(envs.ForPath(file)) == 1 {
		return nil, false, nil
	}
	return m.Overlays(file, envs.ForPath)
}

// userOf names what deploys a file by a use: the root kustomization, or the
// entry point.
func userOf(u Use) string {
	switch {
	case u.Chain != nil && u.Entry != "":
		return u.Chain[0].File + " (deployed by " + u.Entry + ")"
	case u.Chain != nil:
		return u.Chain[0].File
	}
	return "the plain files of " + u.Loose
}

// Deployers are the entry points that deploy file: as a loose file of their
// folder, or through the root kustomization of a build that holds it. Several
// entry points may deploy one folder (a Flux Kustomization per cluster).
func (m *Model) Deployers(file string) []Entry {
	dirs := []string{}
	for _, u := range m.Uses(file) {
		if u.Chain != nil {
			dirs = append(dirs, u.Chain[0].Dir)
		}
	}
	var out []Entry
	for _, e := range m.entries {
		if e.Applies(file) || slices.ContainsFunc(dirs, e.under) {
			out = append(out, e)
		}
	}
	return out
}
