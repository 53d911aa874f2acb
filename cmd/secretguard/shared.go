package main

import (
	"fmt"
	"os"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/secretguard/secretguard/gitops"
	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/transform"
)

// model is the repository's build model, made once by a scan of the whole
// tree (entry points and kustomizations anywhere decide what builds a file).
func (r *repo) model() (*gitops.Model, error) {
	r.modelOnce.Do(func() {
		res, err := r.scan(scanMode{whole: true, noAdvice: true})
		if err != nil {
			r.modelErr = err
			return
		}
		r.build = res.Build
	})
	return r.build, r.modelErr
}

// sharedAt says whether seal takes rel (holding data) as a kustomize base
// that the overlays of known environments build, rather than as a file of one
// environment (gitops.SharedOverlays). The model is made only when the path
// leaves the environment open. ok with an error: the file cannot be sealed
// per overlay, and the error says why (what deploys it from outside every
// overlay, or entry points of several clusters that deploy it as it is).
func (r *repo) sharedAt(rel string, data []byte, pick *transform.Picker) (transform.Shared, bool, error) {
	if len(r.Envs.Names()) < 2 || len(r.Envs.ForPath(rel)) == 1 {
		return transform.Shared{}, false, nil
	}
	build, err := r.model()
	if err != nil {
		return transform.Shared{}, true, err
	}
	overlays, ok, err := build.SharedOverlays(rel, r.Envs)
	switch {
	case ok && err != nil:
		return transform.Shared{}, true, err
	case ok:
		return transform.Shared{Overlays: overlays, Target: pick.EnvTarget, ListedBy: r.listers(rel)}, true, nil
	}
	if sh, ok := r.leftover(rel, data, build, pick); ok {
		return sh, true, nil
	}
	if err := r.deployedToSeveral(rel, build); err != nil {
		return transform.Shared{}, true, err
	}
	return transform.Shared{}, false, nil
}

// leftover says whether rel is the base file of a seal that was killed after
// its folder's kustomization stopped listing it and before it was removed:
// every overlay of that kustomization lists the SealedSecret of each of its
// Secrets already. Sealing it again completes that run (the keys merge into
// those files, and the file goes); any other file nothing deploys is not a
// shared base's.
func (r *repo) leftover(rel string, data []byte, build *gitops.Model, pick *transform.Picker) (transform.Shared, bool) {
	k := build.KustomizationOf(path.Dir(rel))
	if k == nil || slices.Contains(k.Resources, rel) {
		return transform.Shared{}, false
	}
	overlays, ok, err := build.Overlays(k.File, r.Envs.ForPath)
	names := transform.RawSecretNames(rel, data)
	if !ok || err != nil || len(overlays) == 0 || len(names) == 0 {
		return transform.Shared{}, false
	}
	for _, o := range overlays {
		for _, n := range names {
			if !slices.Contains(o.Kustomization.Resources, path.Join(o.Kustomization.Dir, transform.SealedFileName(n))) {
				return transform.Shared{}, false
			}
		}
	}
	return transform.Shared{Overlays: overlays, Target: pick.EnvTarget}, true
}

// deployedToSeveral is the error for a file that entry points of several
// environments deploy as it is (a Flux Kustomization per cluster on one
// folder): one SealedSecret cannot serve them, and seal cannot tell which.
func (r *repo) deployedToSeveral(rel string, build *gitops.Model) error {
	var users, envs []string
	for _, e := range build.Deployers(rel) {
		es := r.Envs.ForPath(e.File)
		if len(es) != 1 {
			continue
		}
		users = append(users, fmt.Sprintf("%s (%s)", e.File, es[0]))
		if !slices.Contains(envs, es[0]) {
			envs = append(envs, es[0])
		}
	}
	if len(envs) < 2 {
		return nil
	}
	sort.Strings(users)
	return &transform.Error{File: rel, Msg: fmt.Sprintf("deployed to %d clusters as it is, by %s: a SealedSecret decrypts in one cluster only; give each cluster its own copy (a kustomize overlay per cluster with the Secret in it, or a folder per cluster that its entry point deploys), then seal each; file left untouched",
		len(envs), strings.Join(users, ", "))}
}

// listers are the kustomizations that list rel ("" none, or no model).
func (r *repo) listers(rel string) []string {
	build, err := r.model()
	if err != nil || build == nil {
		return nil
	}
	var out []string
	for _, u := range build.Uses(rel) {
		if n := len(u.Chain); n > 0 && !slices.Contains(out, u.Chain[n-1].File) {
			out = append(out, u.Chain[n-1].File)
		}
	}
	return out
}

// builtEnvs lists the environments whose overlays deploy rel (Picker.Built).
func builtEnvs(build *gitops.Model, envOf func(string) []string) func(string) []string {
	return func(rel string) []string {
		overlays, _, _ := build.Overlays(rel, envOf)
		var out []string
		for _, o := range overlays {
			if !slices.Contains(out, o.Env) {
				out = append(out, o.Env)
			}
		}
		sort.Strings(out)
		return out
	}
}

// spreadFile is a shared base sealed into its overlays, waiting for the
// writes that must come in order.
type spreadFile struct {
	rel string
	res *transform.Result
}

// relistAll makes the kustomization edits that sealing the files needs, in
// write order (those that list new files, then those that only drop a base
// file). A file whose SealedSecret another file makes already, or that needs
// a kustomization that cannot be edited exactly, is left out (and counted as
// failed); active are the files that stay.
func (r *repo) relistAll(s streams, files []spreadFile, run *sealRun) (active []spreadFile, order []string, relisted map[string]*transform.Result) {
	read := func(rel string) ([]byte, error) { return os.ReadFile(r.abs(rel)) }
	active = files
	for {
		list, unlist := map[string][]string{}, map[string][]string{}
		creators := map[string]string{}
		clash := -1
		for i, f := range active {
			for _, c := range f.res.Created {
				if other, ok := creators[c.Path]; ok {
					fmt.Fprintf(s.err, "secretguard: %s: not sealed: %s gets a SealedSecret from %s already; file left untouched\n", words.OneLine(f.rel), words.OneLine(c.Path), words.OneLine(other))
					clash = i
				}
				creators[c.Path] = f.rel
			}
			for k, names := range f.res.Spread.List {
				list[k] = append(list[k], names...)
			}
			for k, drop := range f.res.Spread.Unlist {
				unlist[k] = append(unlist[k], drop...)
			}
		}
		if clash >= 0 {
			run.failed++
			active = slices.Delete(slices.Clone(active), clash, clash+1)
			continue
		}
		// The kustomizations that list new files first, then those that
		// only drop a base file: killed in between, every Secret is still
		// deployed (twice at worst: raw and sealed), never not at all.
		var adds, drops []string
		for k := range list {
			adds = append(adds, k)
		}
		for k := range unlist {
			if list[k] == nil {
				drops = append(drops, k)
			}
		}
		sort.Strings(adds)
		sort.Strings(drops)
		order = append(adds, drops...)
		relisted = map[string]*transform.Result{}
		// A kustomization that is itself a base being rewritten (a
		// secretGenerator moved out of it) is relisted on top of that.
		pending := map[string][]byte{}
		for _, f := range active {
			if !f.res.Spread.Delete {
				pending[f.rel] = f.res.New
			}
		}
		var bad string
		for _, k := range order {
			data, err := read(k)
			if p, ok := pending[k]; ok {
				data, err = p, nil
			}
			var res *transform.Result
			if err == nil {
				res, err = transform.Relist(k, data, list[k], unlist[k])
			}
			if err != nil {
				fmt.Fprintf(s.err, "secretguard: %s\n", words.Lines(sealError(k, err)))
				bad = k
				break
			}
			relisted[k] = res
		}
		if bad == "" {
			break
		}
		// Every base file that needed the kustomization is left as it is.
		kept := active[:0:0]
		for _, f := range active {
			if f.res.Spread.List[bad] != nil || f.res.Spread.Unlist[bad] != nil {
				fmt.Fprintf(s.err, "secretguard: %s: not sealed, as %s cannot be edited; file left untouched\n", words.OneLine(f.rel), words.OneLine(bad))
				run.failed++
				continue
			}
			kept = append(kept, f)
		}
		active = kept
	}
	return active, order, relisted
}

// spread writes what sealing shared bases changes, in the order that keeps
// every build whole after a crash: the overlays' new files, the files merged
// into, the kustomizations (new entries listed, emptied base files dropped),
// and last the base files. A kustomization that cannot be edited exactly
// leaves every base file that needed it untouched.
func (r *repo) spread(s streams, m sealMode, files []spreadFile, run *sealRun, would func(string) string) error {
	active, order, relisted := r.relistAll(s, files, run)
	for _, f := range active {
		if m.diff {
			if err := transform.WriteDiff(s.out, f.rel, f.res); err != nil {
				return failure(err)
			}
			for _, u := range f.res.Spread.Merged {
				if err := transform.WriteDiff(s.out, u.Path, u.Result); err != nil {
					return failure(err)
				}
			}
		}
		if m.say {
			sayChanges(s.out, f.rel, f.res, would)
			if f.res.Spread.Delete {
				verb := "removed"
				if m.dry {
					verb = "would remove"
				}
				fmt.Fprintf(s.out, "%s %s: it held only what was sealed into the overlays\n", verb, words.OneLine(f.rel))
			}
		}
		run.files = append(run.files, f.rel)
		for _, c := range f.res.Created {
			run.files = append(run.files, c.Path)
		}
		for _, u := range f.res.Spread.Merged {
			run.files = append(run.files, u.Path)
		}
		run.changes = append(run.changes, f.res.Changes...)
	}
	for _, k := range order {
		if res := relisted[k]; res != nil && res.New != nil {
			if m.diff {
				if err := transform.WriteDiff(s.out, k, res); err != nil {
					return failure(err)
				}
			}
			run.files = append(run.files, k)
		}
	}
	if !m.write {
		return nil
	}
	// A write that fails stops the run where it is: what was written so far
	// leaves every build whole, and a second run completes it.
	stop := func(err error) error {
		run.failed++
		fmt.Fprintf(s.err, "secretguard: %s\n", words.Lines(words.ErrText(err)))
		return nil
	}
	for _, f := range active {
		for _, c := range f.res.Created {
			if err := transform.CreateFile(r.abs(c.Path), c.Data); err != nil {
				return stop(err)
			}
		}
		for _, u := range f.res.Spread.Merged {
			if err := transform.WriteFile(r.abs(u.Path), u.Result.New); err != nil {
				return stop(err)
			}
		}
	}
	isBase := map[string]bool{}
	for _, f := range active {
		isBase[f.rel] = true
	}
	for _, k := range order {
		if res := relisted[k]; res != nil && res.New != nil && !isBase[k] {
			if err := transform.WriteFile(r.abs(k), res.New); err != nil {
				return stop(err)
			}
		}
	}
	// The bases, those that go last: a kustomization that listed one has
	// been rewritten by then.
	for _, f := range active {
		var err error
		switch res := relisted[f.rel]; {
		case f.res.Spread.Delete:
			continue
		case res != nil && res.New != nil:
			err = transform.WriteFile(r.abs(f.rel), res.New)
		default:
			err = transform.WriteFile(r.abs(f.rel), f.res.New)
		}
		if err != nil {
			return stop(err)
		}
	}
	for _, f := range active {
		if f.res.Spread.Delete {
			if err := transform.RemoveFile(r.abs(f.rel)); err != nil {
				return stop(err)
			}
		}
	}
	return nil
}
