package gitops

import (
	"path"
	"sort"
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
}

// Build resolves the kustomize graph: every kustomization that no other one
// includes is the root of a unit. Loose files (those of interest that no
// kustomization reaches and that are not patches) form one unit per
// environment, which envOf names ("" when a file belongs to no single one).
//
// What is deployed: a loose file in a folder whose kustomization does not
// list it is deployed from nowhere (Flux and Argo CD build the kustomization
// when there is one). When the repository has entry points (entries: the
// repo-relative paths of Flux Kustomizations and Argo CD Applications), only
// what they reach is deployed: kustomizations and loose files under an entry
// path; the rest (a retired archive/ folder) is in no unit, so it makes no
// cross-file pair with live files.
func Build(ks []*Kustomization, loose []string, envOf func(file string) string, entries []Entry) *Model {
	m := &Model{patches: map[string]bool{}}
	byDir := map[string]*Kustomization{}
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
	// entryOf is the entry point that deploys dir: the one with the deepest
	// path above it; ok is false when entries exist and none reaches dir.
	entryOf := func(dir string) (Entry, bool) {
		var best Entry
		found := false
		for _, e := range entries {
			if e.under(dir) && (!found || len(e.Path) > len(best.Path)) {
				best, found = e, true
			}
		}
		return best, found || len(entries) == 0
	}
	inKustomize := map[string]bool{}
	for _, k := range ks {
		e, reached := entryOf(k.Dir)
		if included[k] || !reached {
			continue
		}
		u := &Unit{Name: k.File, Members: map[string][]*Membership{}}
		budget := maxRenderings
		walk(u, k, byDir, e.membership(), map[*Kustomization]bool{}, &budget)
		for f := range u.Members {
			inKustomize[f] = true
		}
		m.Units = append(m.Units, u)
	}
	byEnv := map[string]*Unit{}
	var names []string
	for _, file := range loose {
		if inKustomize[file] || m.patches[file] {
			continue
		}
		e, reached := entryOf(path.Dir(file))
		if _, listed := byDir[path.Dir(file)]; listed || !reached || len(entries) > 0 && !e.Applies(file) {
			// Not listed by its folder's kustomization, reached by no entry
			// point, or left out by its include/exclude.
			continue
		}
		name := "the whole tree"
		if env := envOf(file); env != "" {
			name = "environment " + env
		}
		u := byEnv[name]
		if u == nil {
			u = &Unit{Name: name, Members: map[string][]*Membership{}}
			byEnv[name] = u
			names = append(names, name)
		}
		u.add(file, e.membership())
	}
	sort.Strings(names)
	for _, n := range names {
		m.Units = append(m.Units, byEnv[n])
	}
	return m
}

// walk adds what k pulls in to u. Outer kustomizations are applied last, so
// the outermost namespace wins and prefixes nest outer-first.
// maxRenderings bounds how many kustomizations one build walks: a diamond of
// bases included twice at every level would otherwise be walked 2^depth
// times (a hostile pull request must not stall the check).
const maxRenderings = 10000

func walk(u *Unit, k *Kustomization, byDir map[string]*Kustomization, outer Membership, onPath map[*Kustomization]bool, budget *int) {
	if onPath[k] || *budget <= 0 {
		return // a cycle (kustomize rejects it), or past the bound: we just stop
	}
	*budget--
	onPath[k] = true
	defer delete(onPath, k) // reached again by another way, it is rendered again
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
	u.add(k.File, m)
	for _, r := range k.Resources {
		if child, ok := byDir[r]; ok {
			walk(u, child, byDir, m, onPath, budget)
			continue
		}
		u.add(r, m)
	}
	// Patches render in this kustomization's scope too; they amend resources
	// rather than add them.
	for _, p := range k.Patches {
		u.add(p, m)
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
