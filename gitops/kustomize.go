// Package gitops holds the GitOps build model: which files a build renders
// together (a kustomization with everything it pulls in, or one environment's
// loose files) and what the build does to them on the way (the namespace it
// forces, the name prefix and suffix it adds). Cross-file rules ask it where a
// resource really lands; `seal` asks it for a directory's namespace.
package gitops

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/secretguard/secretguard/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// KustomizationFileNames are the names kustomize looks for in a directory, in
// its order. A file of one of these names is a kustomization whether or not
// it says `kind:`.
var KustomizationFileNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// IsKustomizationFile reports whether a file is a kustomization by its name.
func IsKustomizationFile(p string) bool {
	base := path.Base(p)
	for _, n := range KustomizationFileNames {
		if base == n {
			return true
		}
	}
	return false
}

// IsKustomize reports a kustomize Kustomization or Component (not a Flux
// Kustomization, which shares the kind but is an entry point, not a build).
func IsKustomize(apiVersion, kind string) bool {
	if kind != "Kustomization" && kind != "Component" {
		return false
	}
	return apiVersion == "" || strings.HasPrefix(apiVersion, "kustomize.config.k8s.io/")
}

// Kustomization is what the build model needs of one kustomization file.
type Kustomization struct {
	File                              string // repo-relative
	Dir                               string
	Namespace, NamePrefix, NameSuffix string
	Resources                         []string // resources, bases, components: repo-relative, cleaned
	Patches                           []string // repo-relative patch files
	// ConfigMaps are its configMapGenerator's files: ConfigMap name → key →
	// repo-relative file (a Flux HelmRelease's valuesFrom reads them).
	ConfigMaps map[string]map[string]string
}

// ReadKustomization reads a kustomization's root mapping. References outside
// the repository (URLs, absolute paths, `../` past the root) are left out:
// the model cannot see what they hold.
func ReadKustomization(file string, root *yaml.Node) *Kustomization {
	dir := path.Dir(file)
	k := &Kustomization{
		File:       file,
		Dir:        dir,
		Namespace:  manifest.Scalar(manifest.Field(root, "namespace")),
		NamePrefix: manifest.Scalar(manifest.Field(root, "namePrefix")),
		NameSuffix: manifest.Scalar(manifest.Field(root, "nameSuffix")),
	}
	local := func(p string) (string, bool) {
		if p == "" || strings.Contains(p, "://") || strings.HasPrefix(p, "github.com/") || strings.HasPrefix(p, "/") {
			return "", false
		}
		rel := path.Clean(path.Join(dir, p))
		return rel, rel != ".." && !strings.HasPrefix(rel, "../")
	}
	for _, list := range []string{"resources", "bases", "components"} {
		for _, r := range manifest.Seq(manifest.Field(root, list)) {
			if rel, ok := local(manifest.Scalar(r)); ok {
				k.Resources = append(k.Resources, rel)
			}
		}
	}
	for _, g := range manifest.Seq(manifest.Field(root, "configMapGenerator")) {
		name := manifest.Scalar(manifest.Field(g, "name"))
		for _, f := range manifest.Seq(manifest.Field(g, "files")) {
			key, file, ok := strings.Cut(manifest.Scalar(f), "=")
			if !ok {
				key, file = path.Base(key), key
			}
			if rel, ok := local(file); ok && name != "" {
				if k.ConfigMaps == nil {
					k.ConfigMaps = map[string]map[string]string{}
				}
				if k.ConfigMaps[name] == nil {
					k.ConfigMaps[name] = map[string]string{}
				}
				k.ConfigMaps[name][key] = rel
			}
		}
	}
	for _, r := range manifest.Seq(manifest.Field(root, "patchesStrategicMerge")) {
		if rel, ok := local(manifest.Scalar(r)); ok {
			k.Patches = append(k.Patches, rel)
		}
	}
	for _, list := range []string{"patches", "patchesJson6902"} {
		for _, r := range manifest.Seq(manifest.Field(root, list)) {
			if rel, ok := local(manifest.Scalar(manifest.Field(r, "path"))); ok {
				k.Patches = append(k.Patches, rel)
			}
		}
	}
	return k
}

// KustomizationIn reads the kustomization of a directory on disk (rel is the
// directory's repo-relative path, for File); nil when the directory has none
// or it does not parse.
func KustomizationIn(root, rel string) (*Kustomization, error) {
	for _, name := range KustomizationFileNames {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel), name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, d := range manifest.Documents(data, false) {
			if d.Blank() || d.Parse() != nil {
				continue
			}
			return ReadKustomization(path.Join(rel, name), d.Node), nil
		}
		return nil, nil
	}
	return nil, nil
}

// Entry is a GitOps entry point: a folder it deploys, and the namespace it
// sets on what it deploys — a Flux Kustomization's targetNamespace forces it
// on every resource (like a kustomization's namespace:, outermost), an Argo
// CD Application's destination.namespace is the default for resources that
// name none.
type Entry struct {
	File      string // where the entry point is defined
	Path      string // repo-relative, cleaned
	Namespace string
	Force     bool
	// Flat: an Argo CD directory source without directory.recurse applies
	// the files of its folder only, not of its subfolders.
	Flat bool
	// Include and Exclude are an Argo CD directory source's globs, matched
	// against a file's path below Path.
	Include, Exclude string
}

// Entries reads the entry points an object defines: a Flux Kustomization's
// spec.path (and its spec.components, relative to it), a Flux Operator
// FluxInstance's spec.sync.path (or the flux-instance chart's
// instance.sync.path in a HelmRelease's values), an Argo CD
// Application's spec.source.path or spec.sources[].path (an ApplicationSet's
// template likewise). Templated paths and paths that
// leave the repository are left out.
func Entries(file, apiVersion, kind string, root *yaml.Node) []Entry {
	var raw []string
	var e Entry
	switch {
	case kind == "Kustomization" && strings.HasPrefix(apiVersion, "kustomize.toolkit.fluxcd.io/"):
		p := manifest.Scalar(manifest.Path(root, "spec", "path"))
		src := manifest.Scalar(manifest.Path(root, "spec", "sourceRef", "kind"))
		if src != "" && src != "GitRepository" && path.Clean(strings.TrimPrefix(p, "/")) == "." {
			// The whole of an artifact (Flux's own flux-manifests from an
			// OCIRepository): not this repository's root.
			break
		}
		raw = append(raw, p)
		// spec.components are kustomize Components that Flux adds to the
		// build of spec.path (a shared volsync component): they are
		// deployed with it.
		for _, c := range manifest.Seq(manifest.Path(root, "spec", "components")) {
			if comp := manifest.Scalar(c); comp != "" && p != "" && !strings.ContainsAny(p+comp, "{}$") {
				raw = append(raw, path.Join(strings.TrimPrefix(p, "/"), comp))
			}
		}
		e.Namespace, e.Force = manifest.Scalar(manifest.Path(root, "spec", "targetNamespace")), true
	case kind == "FluxInstance" && strings.HasPrefix(apiVersion, "fluxcd.controlplane.io/"):
		// The Flux Operator's instance syncs a cluster from spec.sync.path:
		// the bootstrap of that cluster.
		raw = append(raw, manifest.Scalar(manifest.Path(root, "spec", "sync", "path")))
	case kind == "HelmRelease" && strings.HasPrefix(apiVersion, "helm.toolkit.fluxcd.io/"):
		// The Flux Operator's flux-instance chart makes the FluxInstance from
		// its values (instance.sync), as a helmfile bootstrap installs it.
		sync := manifest.Path(root, "spec", "values", "instance", "sync")
		if manifest.Field(sync, "url") != nil || manifest.Field(sync, "kind") != nil {
			raw = append(raw, manifest.Scalar(manifest.Field(sync, "path")))
		}
	case kind == "App" && strings.HasPrefix(apiVersion, "kappctrl.k14s.io/"):
		// Carvel's kapp-controller deploys what each git fetch's subPath
		// holds (its ytt templates rendered).
		for _, f := range manifest.Seq(manifest.Path(root, "spec", "fetch")) {
			raw = append(raw, manifest.Scalar(manifest.Path(f, "git", "subPath")))
		}
	case (kind == "Application" || kind == "ApplicationSet") && strings.HasPrefix(apiVersion, "argoproj.io/"):
		spec := manifest.Field(root, "spec")
		if kind == "ApplicationSet" {
			spec = manifest.Path(spec, "template", "spec")
		}
		raw = append(raw, manifest.Scalar(manifest.Path(spec, "source", "path")))
		for _, src := range manifest.Seq(manifest.Field(spec, "sources")) {
			raw = append(raw, manifest.Scalar(manifest.Field(src, "path")))
		}
		e.Namespace = manifest.Scalar(manifest.Path(spec, "destination", "namespace"))
		dir := manifest.Path(spec, "source", "directory")
		e.Flat = manifest.Scalar(manifest.Field(dir, "recurse")) != "true"
		e.Include, e.Exclude = manifest.Scalar(manifest.Field(dir, "include")), manifest.Scalar(manifest.Field(dir, "exclude"))
	}
	if strings.ContainsAny(e.Namespace, "{}$") {
		e.Namespace = "" // templated: unknown
	}
	var out []Entry
	for _, p := range raw {
		if p == "" || strings.ContainsAny(p, "{}$") {
			continue
		}
		p = path.Clean(strings.TrimPrefix(p, "/"))
		if p == ".." || strings.HasPrefix(p, "../") {
			continue
		}
		e.File, e.Path = file, p
		out = append(out, e)
	}
	return out
}

// ValuesRef is a Flux HelmRelease's valuesFrom entry: the key of a ConfigMap
// (a configMapGenerator's file, when the repository generates it) that holds
// Helm values.
type ValuesRef struct {
	File      string // the HelmRelease's
	Name, Key string
}

// GeneratedBy says whether a kustomization makes the ConfigMap a HelmRelease
// of file reads: names repeat across a repository (`values` in every app's
// folder), so only a kustomization of the HelmRelease's folder, or one that
// lists it, counts.
func (k *Kustomization) GeneratedBy(ref ValuesRef) string {
	if k.Dir != path.Dir(ref.File) && !slices.Contains(k.Resources, ref.File) {
		return ""
	}
	return k.ConfigMaps[ref.Name][ref.Key]
}

// HelmValues says which files of the repository an object (of file) uses as Helm
// values: an Argo CD Application's (or ApplicationSet template's)
// helm.valueFiles, relative to its source's path, or to the repository root
// through `$REF/` of a git source of the same Application; and a Flux
// HelmRelease's ConfigMap valuesFrom (refs), resolved against the
// kustomizations' configMapGenerators once every file is read.
func HelmValues(file, apiVersion, kind string, root *yaml.Node) (files []string, refs []ValuesRef) {
	switch {
	case (kind == "Application" || kind == "ApplicationSet") && strings.HasPrefix(apiVersion, "argoproj.io/"):
		spec := manifest.Field(root, "spec")
		if kind == "ApplicationSet" {
			spec = manifest.Path(spec, "template", "spec")
		}
		sources := append([]*yaml.Node{manifest.Field(spec, "source")}, manifest.Seq(manifest.Field(spec, "sources"))...)
		gitRefs := map[string]bool{}
		for _, src := range sources {
			if ref := manifest.Scalar(manifest.Field(src, "ref")); ref != "" && manifest.Scalar(manifest.Field(src, "chart")) == "" {
				gitRefs[ref] = true
			}
		}
		for _, src := range sources {
			dir := manifest.Scalar(manifest.Field(src, "path"))
			for _, v := range manifest.Seq(manifest.Path(src, "helm", "valueFiles")) {
				f := manifest.Scalar(v)
				var rel string
				switch {
				case f == "" || strings.ContainsAny(f, "{}") || strings.Contains(f, "://"):
					continue
				case strings.HasPrefix(f, "$"):
					ref, rest, ok := strings.Cut(f[1:], "/")
					if !ok || !gitRefs[ref] {
						continue
					}
					rel = path.Clean(rest)
				case dir != "" && !strings.ContainsAny(dir, "{}$"):
					rel = path.Clean(path.Join(strings.TrimPrefix(dir, "/"), f))
				default:
					continue
				}
				if rel != ".." && !strings.HasPrefix(rel, "../") && !strings.HasPrefix(rel, "/") {
					files = append(files, rel)
				}
			}
		}
	case kind == "HelmRelease" && strings.HasPrefix(apiVersion, "helm.toolkit.fluxcd.io/"):
		for _, v := range manifest.Seq(manifest.Path(root, "spec", "valuesFrom")) {
			if manifest.Scalar(manifest.Field(v, "kind")) != "ConfigMap" {
				continue // a Secret's values are raw-secret's or secret-generator's
			}
			key := manifest.Scalar(manifest.Field(v, "valuesKey"))
			if key == "" {
				key = "values.yaml"
			}
			if name := manifest.Scalar(manifest.Field(v, "name")); name != "" {
				refs = append(refs, ValuesRef{File: file, Name: name, Key: key})
			}
		}
	}
	return files, refs
}

// Applies reports whether the entry applies a loose file: under its folder,
// and through its include/exclude globs.
func (e Entry) Applies(file string) bool {
	if !e.under(path.Dir(file)) {
		return false
	}
	rel := strings.TrimPrefix(file, e.Path+"/")
	if e.Path == "." {
		rel = file
	}
	if e.Include != "" {
		if ok, _ := doublestar.Match(e.Include, rel); !ok {
			return false
		}
	}
	if e.Exclude != "" {
		if ok, _ := doublestar.Match(e.Exclude, rel); ok {
			return false
		}
	}
	return true
}

// under reports whether dir is the entry's folder or below it.
func (e Entry) under(dir string) bool {
	if e.Flat {
		return dir == e.Path
	}
	return e.contains(dir)
}

// contains reports whether dir is the entry's folder or any folder below it.
func (e Entry) contains(dir string) bool {
	return e.Path == "." || dir == e.Path || len(dir) > len(e.Path) && dir[len(e.Path)] == '/' && strings.HasPrefix(dir, e.Path)
}

// Live returns the entry points when they decide what is deployed: at least
// one of them holds one of dirs (the folders of this repository's files of
// interest). Entry points of other repositories' sources reach nothing here
// and must not make everything look undeployed.
func Live(entries []Entry, dirs []string) []Entry {
	for _, e := range entries {
		for _, d := range dirs {
			if e.contains(d) {
				return entries
			}
		}
	}
	return nil
}
