package scan

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/secretguard/secretguard/gitops"
	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/sealedsecret"
)

func init() {
	register(reflectorSourceMissing{})
	register(reflectorSourceNotAllowed{})
	register(reflectorPattern{})
	register(reflectorExternalSecret{})
	register(externalSecretStoreMissing{})
	register(duplicateSecret{})
	register(kustomizeBreaksSeal{})
}

// placement is a producer as one unit renders it.
type placement struct {
	p     *producer
	unit  *gitops.Unit
	m     *gitops.Membership
	ns    string // effective namespace; "" unknown
	name  string // effective name of the produced Secret
	patch bool   // a kustomize patch of the producer, not a producer itself
}

// placements lists every producer in every unit that holds it. A base pulled
// in by two overlays is placed twice, once per overlay's namespace.
func (ix *Index) placements(c *Context) []placement {
	if ix.placed != nil {
		return ix.placed
	}
	byFile := map[string][]*producer{}
	for _, p := range ix.Producers {
		byFile[p.File] = append(byFile[p.File], p)
	}
	out := []placement{}
	for _, u := range ix.Build.Units {
		// What this build deletes with `$patch: delete` it does not deploy.
		var deleted []deletion
		for _, d := range ix.deletions {
			if _, ok := u.Members[d.file]; ok {
				deleted = append(deleted, d)
			}
		}
		for _, file := range u.Files {
			for _, m := range u.Members[file] {
				for _, p := range byFile[file] {
					if deletedBy(deleted, p, m) {
						continue
					}
					name := p.Name
					if m.Kustomized && p.Via != "Certificate" && p.Via != "ExternalSecret" {
						name = m.Prefix + name + m.Suffix
					}
					out = append(out, placement{p: p, unit: u, m: m, ns: m.NamespaceOf(p.Namespace), name: name,
						patch: ix.Build.IsPatch(p.File) && p.Generator == ""})
				}
			}
		}
	}
	ix.placed = out
	return out
}

// generatorLands says where the Secret of the secretGenerator r of the
// kustomization file lands: ok when every build that renders it gives it one
// namespace and its own name (a namePrefix/nameSuffix would rename a
// SealedSecret after sealing). Without a build (nothing deploys it) only the
// kustomization itself says.
func (ix *Index) generatorLands(c *Context, file string, r Resource) (string, bool) {
	ns, seen := "", false
	for _, pl := range ix.placements(c) {
		p := pl.p
		if p.Via != "secretGenerator" || p.File != file || p.Name != r.Name || p.Namespace != r.Namespace {
			continue
		}
		if pl.name != p.Name || seen && pl.ns != ns {
			return "", false
		}
		ns, seen = pl.ns, true
	}
	return ns, true
}

// spreads reports whether file is a kustomize base that seal and fix take
// apart per overlay: its path maps to no single environment of several, and
// the overlays of known environments build it without renaming it.
func (ix *Index) spreads(c *Context, file string) bool {
	if c.Envs == nil {
		return false
	}
	overlays, ok, err := ix.Build.SharedOverlays(file, c.Envs)
	if !ok || err != nil {
		return false
	}
	for _, o := range overlays {
		if o.RenameBy != nil {
			return false
		}
	}
	return true
}

func (pl placement) ref() string { return pl.ns + "/" + pl.name }

// deletedBy reports whether one of a build's delete patches removes the
// producer's resource (same kind and name; same namespace when both say).
func deletedBy(dels []deletion, p *producer, m *gitops.Membership) bool {
	for _, d := range dels {
		if d.kind != p.Resource.Kind || d.name != p.Resource.Name {
			continue
		}
		// The patch applies before the overlay's namespace: it may name the
		// resource as the base has it (flux) or as the build gives it
		// (flux-system).
		if ns := m.NamespaceOf(p.Resource.Namespace); d.ns == "" || ns == "" || d.ns == ns || d.ns == p.Resource.Namespace {
			return true
		}
	}
	return false
}

// Reflector semantics, from kubernetes-reflector's source (Annotations.cs,
// MirroringPropertiesExtensions.cs): only "true"/"false" count, trimmed and in
// any case; namespace lists are comma-separated regular expressions, empty
// meaning all, and an entry allows a namespace when its first match in the
// name (Regex.Match: leftmost, alternatives in order) is the whole name — so
// `a|ab` does not allow `ab`, and `tss-*` allows `tss` and `tss-` only.
func reflectorBool(v string) bool { return strings.EqualFold(strings.TrimSpace(v), "true") }

func reflectorAllows(list, ns string) bool {
	list = strings.TrimSpace(list)
	if list == "" {
		return true
	}
	for _, pat := range strings.Split(list, ",") {
		if reflectorMatches(strings.TrimSpace(pat), ns) {
			return true
		}
	}
	return false
}

// reflectorMatches is one entry against one name, as reflector matches it.
// Go's regexp prefers the leftmost match and the first alternative, as .NET's
// does.
func reflectorMatches(pat, ns string) bool {
	if pat == "" {
		return false
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return false // reflector cannot use it either
	}
	loc := re.FindStringIndex(ns)
	return loc != nil && loc[1]-loc[0] == len(ns)
}

// globMeant says what a namespace-list entry written as a shell glob was
// meant to be — `tss-*` for `tss-.*`, `*-system` for `.*-system` — or "" when
// it reads as the regular expression it is.
func globMeant(pat string) string {
	var b strings.Builder
	glob := false
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		if c == '\\' && i+1 < len(pat) {
			b.WriteByte(c)
			b.WriteByte(pat[i+1])
			i++
			continue
		}
		if c == '*' && (i == 0 || !strings.ContainsRune(".)]}*+?", rune(pat[i-1]))) {
			glob = true
			b.WriteString(".*")
			continue
		}
		b.WriteByte(c)
	}
	if !glob {
		return ""
	}
	return b.String()
}

// mirrorSource parses `reflects: ns/name`; a bare name means the empty
// namespace (reflector v9+), which never matches a real source.
func mirrorSource(v string) (ns, name string) {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, '/'); i >= 0 {
		return v[:i], v[i+1:]
	}
	return "", v
}

type mirror struct {
	pl           placement
	srcNS, srcNm string
}

// source is a Secret as one unit renders it: its producer, and the reflector
// annotations after the unit's patches are applied (a patch's keys win).
type reflectSource struct {
	p         *producer
	fromPatch bool
	reflector map[string]string
}

func (ix *Index) mirrors(c *Context) ([]mirror, map[string][]reflectSource) {
	all := ix.placements(c)
	type key struct {
		unit *gitops.Unit
		ref  string
	}
	merged := map[key]*reflectSource{}
	var order []key
	for _, pl := range all {
		k := key{pl.unit, pl.ref()}
		s := merged[k]
		if s == nil {
			s = &reflectSource{reflector: map[string]string{}}
			merged[k] = s
			order = append(order, k)
		}
		if s.p == nil || s.fromPatch && !pl.patch {
			s.p, s.fromPatch = pl.p, pl.patch
		}
		for ak, av := range pl.p.Reflector {
			if pl.patch || s.reflector[ak] == "" {
				s.reflector[ak] = av
			}
		}
	}
	byRef := map[string][]reflectSource{}
	for _, k := range order {
		byRef[k.ref] = append(byRef[k.ref], *merged[k])
	}
	seen := map[*producer]bool{}
	var ms []mirror
	for _, pl := range all {
		if v, ok := pl.p.Reflector[reflectorReflects]; ok && !seen[pl.p] && !pl.patch {
			seen[pl.p] = true
			ns, name := mirrorSource(v)
			ms = append(ms, mirror{pl: pl, srcNS: ns, srcNm: name})
		}
	}
	return ms, byRef
}

// ReflectorSourceMissingID is the id of the reflector-source-missing rule.
const ReflectorSourceMissingID = "reflector-source-missing"

type reflectorSourceMissing struct{}

func (reflectorSourceMissing) Info() Info {
	return Info{
		ID: ReflectorSourceMissingID, Severity: Warning, WholeTree: true,
		Short: "A reflector mirror names a source Secret that the repository does not define",
		Help: "`reflector.v1.k8s.emberstack.com/reflects: namespace/name` copies that Secret into the " +
			"mirror. No resource here produces it (a Secret, SealedSecret, ExternalSecret, secretGenerator " +
			"or cert-manager Certificate), so it may live in another repository — or the reference has a typo.",
	}
}

func (reflectorSourceMissing) CheckTree(c *Context, ix *Index, emit func(Finding)) {
	ms, byRef := ix.mirrors(c)
	// Reflector mirrors across the cluster: a source defined anywhere in the
	// tree (a folder applied by hand, that no entry point reaches) is there.
	defined := map[string]bool{}
	for _, p := range ix.Producers {
		defined[p.Namespace+"/"+p.Name] = true
	}
	for _, m := range ms {
		if len(byRef[m.srcNS+"/"+m.srcNm]) > 0 || defined[m.srcNS+"/"+m.srcNm] || strings.ContainsAny(m.srcNS+m.srcNm, "${}") {
			continue // produced, defined, or a name a substitution computes
		}
		at := m.pl.p.ReflectorAt
		emit(Finding{File: at.File, Line: at.Line, Column: at.Column, Resource: &at.Resource,
			Message: fmt.Sprintf("%s mirrors %s/%s, which nothing in this repository produces", refOf(at.Resource), m.srcNS, m.srcNm)})
	}
}

// ReflectorSourceNotAllowedID is the id of the reflector-source-not-allowed rule.
const ReflectorSourceNotAllowedID = "reflector-source-not-allowed"

type reflectorSourceNotAllowed struct{}

func (reflectorSourceNotAllowed) Info() Info {
	return Info{
		ID: ReflectorSourceNotAllowedID, Severity: Error,
		Short: "A reflector mirror's source does not allow reflection into the mirror's namespace",
		Help: "The source Secret must say `reflection-allowed: \"true\"` and, when it sets " +
			"`reflection-allowed-namespaces`, list a regular expression matching the whole mirror " +
			"namespace (`team-.*`, not the glob `team-*`). On a SealedSecret those annotations belong " +
			"in spec.template.metadata.annotations; on an ExternalSecret in spec.target.template.metadata.",
	}
}

func (reflectorSourceNotAllowed) CheckTree(c *Context, ix *Index, emit func(Finding)) {
	ms, byRef := ix.mirrors(c)
	for _, m := range ms {
		sources := byRef[m.srcNS+"/"+m.srcNm]
		if len(sources) == 0 || m.pl.ns == "" {
			continue // missing: the other rule; unknown mirror namespace: stay quiet
		}
		var why string
		allowed := false
		for _, s := range sources {
			r := s.reflector
			switch {
			case !reflectorBool(r["reflection-allowed"]):
				why = fmt.Sprintf("%s (%s) does not set reflection-allowed: \"true\"", refOf(s.p.Resource), s.p.at())
			case !reflectorAllows(r["reflection-allowed-namespaces"], m.pl.ns):
				why = fmt.Sprintf("reflection-allowed-namespaces %q on %s (%s) does not allow namespace %s (each entry is a regular expression whose first match must be the whole name)",
					r["reflection-allowed-namespaces"], refOf(s.p.Resource), s.p.at(), m.pl.ns)
			default:
				allowed = true
			}
		}
		if allowed {
			continue
		}
		at := m.pl.p.ReflectorAt
		emit(Finding{File: at.File, Line: at.Line, Column: at.Column, Resource: &at.Resource,
			Message: fmt.Sprintf("%s mirrors %s/%s into namespace %s, but %s", refOf(at.Resource), m.srcNS, m.srcNm, m.pl.ns, why)})
	}
}

// ReflectorExternalSecretID is the id of the reflector-external-secret rule.
const ReflectorExternalSecretID = "reflector-external-secret"

type reflectorExternalSecret struct{}

func (reflectorExternalSecret) Info() Info {
	return Info{
		ID: ReflectorExternalSecretID, Severity: Warning,
		Short: "Reflector mirrors a Secret that an ExternalSecret produces",
		Help: "An ExternalSecret reads the cloud secret with its store's identity; mirroring its Secret " +
			"into other namespaces hands the value to services that have no IAM right to it. Give each " +
			"namespace its own ExternalSecret (and store or ClusterSecretStore condition) instead.",
	}
}

func (reflectorExternalSecret) CheckTree(c *Context, ix *Index, emit func(Finding)) {
	for _, p := range ix.Producers {
		if p.Via != "ExternalSecret" || p.Generated {
			continue // a generated value (a Password generator) exists once: mirroring shares it
		}
		if !reflectorBool(p.Reflector["reflection-allowed"]) && !reflectorBool(p.Reflector["reflection-auto-enabled"]) {
			continue
		}
		at := p.ReflectorAt
		emit(Finding{File: at.File, Line: at.Line, Column: at.Column, Resource: &at.Resource,
			Message: fmt.Sprintf("%s lets reflector mirror its Secret %s into other namespaces: give each namespace its own ExternalSecret", refOf(p.Resource), p.Name)})
	}
}

// ExternalSecretStoreMissingID is the id of the external-secret-store-missing rule.
const ExternalSecretStoreMissingID = "external-secret-store-missing"

type externalSecretStoreMissing struct{}

func (externalSecretStoreMissing) Info() Info {
	return Info{
		ID: ExternalSecretStoreMissingID, Severity: Warning, WholeTree: true,
		Short: "An ExternalSecret refers to a store the repository does not define",
		Help: "secretStoreRef.kind defaults to SecretStore, which must be in the ExternalSecret's own " +
			"namespace; a ClusterSecretStore must say `kind: ClusterSecretStore`. Without the store the " +
			"ExternalSecret never syncs.",
	}
}

func (externalSecretStoreMissing) CheckTree(c *Context, ix *Index, emit func(Finding)) {
	cluster := map[string]*store{}
	nsStores := map[string]bool{} // ns/name, in every namespace a unit puts it
	anyNS := map[string]*store{}
	for _, s := range ix.Stores {
		if s.Cluster {
			cluster[s.Name] = s
			continue
		}
		anyNS[s.Name] = s
		placed := false
		for _, u := range ix.Build.Units {
			for _, m := range u.Members[s.File] {
				nsStores[m.NamespaceOf(s.Namespace)+"/"+s.Name] = true
				placed = true
			}
		}
		if !placed {
			nsStores[s.Namespace+"/"+s.Name] = true
		}
	}
	// One finding per missing store, at its first use, naming every
	// ExternalSecret that uses it: one store a chart creates outside the
	// repository must not become hundreds of warnings.
	type missing struct {
		first *storeRef
		msg   string
		users []string
	}
	var order []string
	byStore := map[string]*missing{}
	for _, r := range ix.StoreRefs {
		if ix.undeployed(r.File) {
			continue // never applied: it cannot miss its store
		}
		if strings.Contains(r.Name, "${") || strings.Contains(r.Namespace, "${") {
			continue // Flux fills the name in (${EXTERNAL_SECRET_STORE:=onepassword}): which store is not known here
		}
		key, msg := "", ""
		if r.Kind == "ClusterSecretStore" {
			if cluster[r.Name] != nil || c.Config.ExternalStore("ClusterSecretStore", "", r.Name) {
				continue
			}
			key = "ClusterSecretStore " + r.Name
			msg = fmt.Sprintf("ClusterSecretStore %s, which this repository does not define", r.Name)
			if s := anyNS[r.Name]; s != nil {
				msg += fmt.Sprintf(" (a SecretStore of that name is at %s: say kind: SecretStore)", s.at())
			}
		} else {
			namespaces := ix.Build.NamespacesOf(r.File, r.Namespace)
			miss := ""
			for _, ns := range namespaces {
				if ns == "" {
					if anyNS[r.Name] == nil {
						miss = "?"
					}
					continue
				}
				if !nsStores[ns+"/"+r.Name] {
					miss = ns
					break
				}
			}
			if miss == "" || c.Config.ExternalStore("SecretStore", strings.TrimPrefix(miss, "?"), r.Name) {
				continue
			}
			if miss == "?" {
				key = "SecretStore " + r.Name
				msg = fmt.Sprintf("SecretStore %s, which this repository does not define", r.Name)
			} else {
				key = "SecretStore " + miss + "/" + r.Name
				msg = fmt.Sprintf("SecretStore %s, which namespace %s does not have (a SecretStore must be in the ExternalSecret's namespace)", r.Name, miss)
			}
			if s := cluster[r.Name]; s != nil {
				msg += fmt.Sprintf("; %s is a ClusterSecretStore (%s): set secretStoreRef.kind: ClusterSecretStore", r.Name, s.at())
			}
		}
		m := byStore[key]
		if m == nil {
			m = &missing{first: r, msg: msg}
			byStore[key] = m
			order = append(order, key)
		}
		user := words.Ref(r.Namespace, r.Owner)
		if r.Cluster {
			user = "ClusterExternalSecret " + r.Owner
		}
		m.users = append(m.users, user)
	}
	for _, key := range order {
		m := byStore[key]
		users := dedupe(m.users)
		sort.Strings(users)
		who := "ExternalSecret " + users[0] + " uses "
		if strings.HasPrefix(users[0], "ClusterExternalSecret ") {
			who = users[0] + " uses "
		}
		if len(users) > 1 {
			who = fmt.Sprintf("%d ExternalSecrets (%s) use ", len(users), words.Some(users, 3))
		}
		r := m.first
		emit(Finding{File: r.File, Line: r.Line, Column: r.Column, Resource: &r.Resource,
			Message: who + m.msg + "; if a chart or operator creates it outside the repository, declare it under externalStores in .secretguard.yaml"})
	}
}

// dedupe keeps the first of each string, in order.
func dedupe(xs []string) []string {
	seen := map[string]bool{}
	out := xs[:0:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// DuplicateSecretID is the id of the duplicate-secret rule.
const DuplicateSecretID = "duplicate-secret"

type duplicateSecret struct{}

func (duplicateSecret) Info() Info {
	return Info{
		ID: DuplicateSecretID, Severity: Warning,
		Short: "Two resources produce the same Secret in one build",
		Help: "A raw Secret, a SealedSecret, an ExternalSecret, a secretGenerator or a cert-manager " +
			"Certificate that make the same namespace/name in one kustomize build (or one environment) " +
			"overwrite each other, and GitOps tools flap between them. Keep one; a kustomize patch of " +
			"the same Secret is fine.",
	}
}

// placeholderName is a name with a slot to fill in (<app-name>, <namespace>).
var placeholderName = regexp.MustCompile(`<[A-Za-z0-9_. -]+>`)

func (duplicateSecret) CheckTree(c *Context, ix *Index, emit func(Finding)) {
	type key struct {
		unit *gitops.Unit
		ref  string
	}
	first := map[key]placement{}
	reported := map[[2]*producer]bool{}
	for _, pl := range ix.placements(c) {
		if !pl.p.CreatesSecret || pl.patch {
			continue
		}
		// Outside kustomize an unknown namespace is not a collision: each
		// file may be applied to a different namespace.
		if pl.ns == "" && !pl.m.Kustomized {
			continue
		}
		if placeholderName.MatchString(pl.name) || placeholderName.MatchString(pl.ns) {
			continue // <app-name>-secret: a slot of an example for a person to fill in, no object's name
		}
		if inChartTests(c, pl.p.File) {
			continue // a chart test's expected renders: each is one test's output, never applied
		}
		k := key{pl.unit, pl.ref()}
		prev, ok := first[k]
		if !ok {
			first[k] = pl
			continue
		}
		if prev.p == pl.p || reported[[2]*producer{prev.p, pl.p}] {
			continue
		}
		// Files applied by hand (no entry point, no kustomization) that
		// define one object byte for byte — a sample's copies in two
		// tutorials — are the same object applied twice. A Flux or Argo CD
		// build of both fails or warns on the duplicate, so there they count.
		if len(ix.live) == 0 && !pl.m.Kustomized && !prev.m.Kustomized && prev.p.Same != ([32]byte{}) && prev.p.Same == pl.p.Same {
			continue
		}
		reported[[2]*producer{prev.p, pl.p}] = true
		in := pl.unit.Name
		if pl.m.Kustomized {
			in = "the build of " + in
		}
		emit(Finding{File: pl.p.File, Line: pl.p.Line, Column: pl.p.Column, Resource: &pl.p.Resource,
			Message: fmt.Sprintf("%s makes Secret %s, which %s (%s) makes too, in %s", producerRef(pl.p), words.Ref(pl.ns, pl.name),
				producerRef(prev.p), prev.p.at(), in)})
	}
}

// KustomizeBreaksSealID is the id of the kustomize-breaks-seal rule.
const KustomizeBreaksSealID = "kustomize-breaks-seal"

type kustomizeBreaksSeal struct{}

func (kustomizeBreaksSeal) Info() Info {
	return Info{
		ID: KustomizeBreaksSealID, Severity: Error,
		Short: "A kustomization renames or moves a SealedSecret after it was sealed",
		Help: "A strict SealedSecret only unseals under the namespace/name it was sealed for, a " +
			"namespace-wide one only in its namespace. A kustomization's namePrefix/nameSuffix (strict) " +
			"or namespace changes them after sealing, and the controller refuses to decrypt. Seal for the " +
			"final name and namespace, exclude the SealedSecret from the rename, or use a wider --scope.",
	}
}

func (kustomizeBreaksSeal) CheckTree(c *Context, ix *Index, emit func(Finding)) {
	seen := map[string]bool{}
	for _, pl := range ix.placements(c) {
		p := pl.p
		if p.Via != "SealedSecret" || !p.HasCiphertext || !pl.m.Kustomized && pl.m.NamespaceBy == nil || p.Scope == sealedsecret.ClusterWide {
			continue
		}
		var msg string
		switch {
		case p.SealedFor != "":
			// Sealed for the name the build gives it: only a build that
			// gives another one breaks it.
			if pl.ns == "" {
				continue
			}
			gives := pl.ns + "/" + pl.name
			if p.Scope == sealedsecret.NamespaceWide {
				gives, _, _ = strings.Cut(gives, "/")
				if ns, _, _ := strings.Cut(p.SealedFor, "/"); ns == gives {
					continue
				}
			} else if p.SealedFor == gives {
				continue
			}
			msg = fmt.Sprintf("%s was sealed for %s (%s), but %s gives it %s: the controller cannot decrypt it",
				refOf(p.Resource), p.SealedFor, sealedsecret.SealedForAnnotation, pl.unit.Name, gives)
		case p.Scope == sealedsecret.Strict && pl.m.RenameBy != nil:
			k := pl.m.RenameBy
			msg = fmt.Sprintf("%s is strict, but %s renames it to %s (namePrefix %q, nameSuffix %q): the controller cannot decrypt it",
				refOf(p.Resource), k.File, pl.name, k.NamePrefix, k.NameSuffix)
		case p.Namespace != "" && pl.m.Namespace != "" && pl.m.Namespace != p.Namespace:
			msg = fmt.Sprintf("%s is sealed for namespace %s, but %s moves it to namespace %s: the controller cannot decrypt it",
				refOf(p.Resource), p.Namespace, pl.m.NamespaceBy.File, pl.m.Namespace)
		default:
			continue
		}
		if seen[p.at()+msg] {
			continue
		}
		seen[p.at()+msg] = true
		emit(Finding{File: p.File, Line: p.Line, Column: p.Column, Resource: &p.Resource, Message: msg})
	}
}

func refOf(r Resource) string {
	if r.Namespace != "" {
		return r.Kind + " " + r.Namespace + "/" + r.Name
	}
	return r.Kind + " " + r.Name
}

func producerRef(p *producer) string {
	if p.Via == "secretGenerator" {
		return fmt.Sprintf("secretGenerator %s of %s", p.Name, p.File)
	}
	return refOf(p.Resource)
}

// ReflectorPatternID is the id of the reflector-pattern rule.
const ReflectorPatternID = "reflector-pattern"

type reflectorPattern struct{}

func (reflectorPattern) Info() Info {
	return Info{
		ID: ReflectorPatternID, Severity: Warning,
		Short: "A reflector namespace list has an entry written as a glob",
		Help: "reflection-allowed-namespaces and reflection-auto-namespaces are comma-separated regular " +
			"expressions, and an entry allows a namespace only when its first match is the whole name: " +
			"`tss-*` allows tss and tss- (the dash repeated), not tss-dev. Write `tss-.*`. This holds with " +
			"no mirror in the tree too: auto-reflection creates the mirrors.",
	}
}

func (reflectorPattern) CheckTree(c *Context, ix *Index, emit func(Finding)) {
	for _, p := range ix.Producers {
		for _, key := range []string{"reflection-allowed-namespaces", "reflection-auto-namespaces"} {
			list, ok := p.Reflector[key]
			if !ok {
				continue
			}
			for _, pat := range strings.Split(list, ",") {
				pat = strings.TrimSpace(pat)
				meant := globMeant(pat)
				if meant == "" {
					continue
				}
				at := p.ReflectorAt
				emit(Finding{File: at.File, Line: at.Line, Column: at.Column, Resource: &at.Resource, Keys: []string{reflectorPrefix + key},
					Message: fmt.Sprintf("%s: %s entry %q is a regular expression to reflector, not a glob: the whole namespace must be its first match, so it does not allow what it seems to; you likely meant %q",
						refOf(at.Resource), key, pat, meant)})
			}
		}
	}
}
