package scan

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/secretguard/secretguard/certs"
	"github.com/secretguard/secretguard/config"
	"github.com/secretguard/secretguard/gitops"
	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/source"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Context is what rules may consult besides the object in front of them.
type Context struct {
	Config *config.Config
	Source source.Source
	// Envs maps paths to environments and certificates; nil when the rules that
	// need it should stay quiet.
	Envs *certs.Envs
	// Changed limits findings to the files it accepts (scan --diff: content
	// differs from the merge-base); nil reports all. Every file is still read,
	// so cross-file rules see the whole tree.
	Changed func(file string, data []byte) bool
	// Partial says the source is not the whole tree (scan --staged, or files
	// named on the command line): rules that report something missing from the
	// tree stay quiet, since it may be in a file that was not read.
	Partial bool
	// History says entries are blobs of many commits: cross-file rules, which
	// would mix versions, do not run; findings carry their commits.
	History bool
	// Progress, when set, is told how many files are done (a TTY progress line).
	Progress func(done int)
	// Workers is the number of files scanned at once; 0 means two per CPU.
	Workers int
	// Now is the time certificates are judged at (cert-expiry); zero means
	// the time the rule runs.
	Now time.Time
	// ConfigFile and ConfigChanges: the repo-relative configuration file and
	// what a diff's own edits to it weaken (config-weakened findings).
	ConfigFile    string
	ConfigChanges []config.Weakening
	// Ignored says why git ignores a file that it does not track (".gitignore:3:
	// *.pem"), or "": such a file is never committed, so CI lacks it. Nil
	// outside git.
	Ignored func(rel string) string
	// Advise, when set, checks a finding's advice against where the user
	// stands (a path from the working directory, a sealer that would refuse
	// the file, the index that differs from the working tree) and rewrites it.
	Advise func(f *Finding)
}

func (c *Context) now() time.Time {
	if c.Now.IsZero() {
		return time.Now()
	}
	return c.Now
}

// Result is the outcome of a scan.
type Result struct {
	Findings  []Finding
	Files     int // files read
	Documents int // non-empty YAML documents
	Skipped   []source.Notice
	Allowed   int      // findings that allow entries or allow comments accepted
	Notes     []string // what the scan chose for the user, said once (an environment alias)
	Baselined int      // findings dropped because the baseline has them (Baseline.Apply)
	// Build is the repository's build model (what seal asks where a shared
	// base's Secrets go).
	Build *gitops.Model
}

// Count returns the number of findings of a severity.
func (r *Result) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

type fileResult struct {
	findings  []Finding
	missing   *source.MissingObjectError // a git object that could not be read
	quiet     bool                       // --diff: unchanged file, findings not reported
	path      string
	documents int
	read      bool
	skipped   *source.Notice
	facts     *facts
	// ignoreDocs are the documents with a secretguard:ignore head comment.
	ignoreDocs []*manifest.Document
	// sops says the file is SOPS-encrypted; sopsRules are its creation
	// rules, when it is a .sops.yaml; rawSecret that it holds a v1 Secret
	// (raw-secret's to judge, values or none); skeleton that it is the
	// template of a file (secret.sops.yaml.tmpl) and holds no value to
	// encrypt.
	sops, rawSecret, skeleton bool
	sopsRules                 []manifest.SOPSRule
	entry                     *source.Entry // kept to be read again: see mayBeValues
}

// Scan reads every entry of src once and runs every enabled rule. Files are
// read and scanned in parallel while the source is still listing them; results
// are merged in source order, so output is deterministic.
func Scan(c *Context, src source.Source) (*Result, error) {
	rs := newRuleSet(c.Config)
	workers := c.Workers
	if workers <= 0 {
		// More workers than cores: a worker blocked in open/read leaves its
		// core to another.
		workers = 2 * runtime.GOMAXPROCS(0)
	}
	type job struct {
		i int
		e source.Entry
	}
	// The walk runs ahead of the workers by a few hundred entries, unless
	// the entries hold their content already (history through the git
	// binary): then only a few, so that memory stays bounded.
	ahead := 256
	if h, ok := src.(interface{ HoldsContent() bool }); ok && h.HoldsContent() {
		ahead = workers
	}
	jobs := make(chan job, ahead)
	var (
		mu      sync.Mutex
		results []fileResult
		wg      sync.WaitGroup
		done    int
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r := rs.scanFile(c, j.e)
				mu.Lock()
				results[j.i] = r
				done++
				if c.Progress != nil {
					c.Progress(done)
				}
				mu.Unlock()
			}
		}()
	}
	n := 0
	walkErr := src.Walk(func(e source.Entry) error {
		mu.Lock()
		results = append(results, fileResult{})
		mu.Unlock()
		jobs <- job{n, e}
		n++
		return nil
	})
	close(jobs)
	wg.Wait()
	if walkErr != nil {
		return nil, walkErr
	}

	rs.valuesUsed(c, results)
	res := &Result{}
	ix := &Index{}
	var quiet map[string]bool
	var missing []*source.MissingObjectError
	for i := range results {
		r := &results[i]
		if r.missing != nil {
			missing = append(missing, r.missing)
		}
		if r.read {
			res.Files++
			ix.files = append(ix.files, r.path)
			ix.addSOPS(r)
		}
		res.Documents += r.documents
		if r.skipped != nil {
			res.Skipped = append(res.Skipped, *r.skipped)
		}
		if r.quiet {
			if quiet == nil {
				quiet = map[string]bool{}
			}
			quiet[r.path] = true
		} else {
			res.Findings = append(res.Findings, r.findings...)
		}
		ix.add(r.facts)
	}
	if len(missing) > 0 && !c.History {
		// A pre-commit hook that passes files it could not read lets them
		// through unchecked: fail instead.
		return nil, fmt.Errorf("%d file%s cannot be read from git (%v): the object store is incomplete; `git fsck` says more",
			len(missing), words.Plural(len(missing)), missing[0])
	}
	if c.History {
		rs.historyIncomplete(c, src, missing, &res.Findings)
	}
	if rs.engine[ConfigWeakenedID] != "" {
		for _, w := range c.ConfigChanges {
			rs.accept(c, rs.engine[ConfigWeakenedID], configWeakenedRule, Finding{File: c.ConfigFile, Line: max(1, w.Line), Message: w.Message}, &res.Findings)
		}
	}
	if !c.History {
		// The build model serves the tree rules, which a history does not
		// run (blobs of many commits are no one tree); its entry points
		// over thousands of commits would cost seconds.
		ix.build(c)
		res.Build = ix.Build
	}
	for _, tr := range rs.tree {
		if c.History || c.Partial && tr.rule.Info().WholeTree {
			continue
		}
		id := tr.rule.Info().ID
		tr.rule.CheckTree(c, ix, func(f Finding) {
			if !rs.suppressed(ix.docOf(f.File, f.Line), id) {
				rs.accept(c, tr.sev, tr.rule.Info(), f, &res.Findings)
			}
		})
	}
	// A raw Secret in a file that .sops.yaml keeps encrypted: the team chose
	// SOPS there, so the advice is to encrypt it, and seal leaves it alone.
	if !c.History {
		for i := range res.Findings {
			f := &res.Findings[i]
			if f.Rule != RawSecretID || !f.Fixable {
				continue
			}
			if cfg, _, ok := ix.sopsRuleFor(c, f.File); ok {
				f.Fixable = false
				f.Advice = fmt.Sprintf("encrypt it with `sops -e -i %s` (%s keeps files like it encrypted)", f.File, cfg)
			}
		}
	}
	// A secretGenerator that every build renders under one name and
	// namespace can become a SealedSecret for that namespace.
	if !c.History && !c.Partial {
		for i := range res.Findings {
			f := &res.Findings[i]
			if f.Rule != SecretGeneratorID || f.Resource == nil {
				continue
			}
			if d := ix.docOf(f.File, f.Line); d != nil && d.Template {
				continue
			}
			switch ns, lands := ix.generatorLands(c, f.File, *f.Resource); {
			case ix.spreads(c, f.File):
				// A base that several environments' overlays build: fix
				// seals it into each overlay, for the namespace each gives.
				f.Fixable, f.Advice = true, FixAdvice(f.File)
			case lands:
				f.Fixable, f.Advice, f.Namespace = true, FixAdvice(f.File), ns
			}
		}
	}
	if quiet != nil {
		kept := res.Findings[:0]
		for _, f := range res.Findings {
			if !quiet[f.File] {
				kept = append(kept, f)
			}
		}
		res.Findings = kept
	}
	// An allow entry or ignore comment that accepted nothing in a whole scan
	// of the tree is stale: say so, so that exceptions do not pile up.
	if rs.engine[UnusedAllowID] != "" && !c.Partial && !c.History && c.Changed == nil {
		for i, a := range c.Config.Allow {
			if rs.usedAllow[i] {
				continue
			}
			file := c.ConfigFile
			if file == "" {
				file = config.FileName
			}
			line := c.Config.Lines[fmt.Sprintf("allow[%d]", i)]
			rs.accept(c, rs.engine[UnusedAllowID], unusedAllowRule, Finding{File: file, Line: max(1, line),
				Message: fmt.Sprintf("allow[%d] (rule %q, path %q, name %q) accepts no finding: remove it, or fix what it was meant to match", i, a.Rule, a.Path, a.Name)}, &res.Findings)
		}
		for _, r := range results {
			for _, d := range r.ignoreDocs {
				if !rs.usedIgnore[d] {
					rs.accept(c, rs.engine[UnusedAllowID], unusedAllowRule, Finding{File: r.path, Line: d.Line,
						Message: "# secretguard:ignore on this document suppresses no finding: remove it, or fix what it was meant to accept"}, &res.Findings)
				}
			}
		}
	}
	sortFindings(res.Findings)
	for i := range res.Findings {
		f := &res.Findings[i]
		if c.Advise != nil {
			c.Advise(f)
		}
		if f.Advice != "" {
			f.Message += ": " + f.Advice
		}
	}
	res.Allowed = int(rs.allowed.Load())
	if c.Envs != nil {
		res.Notes = c.Envs.Notes()
	}
	return res, nil
}

type enabled[R Rule] struct {
	rule R
	sev  Severity
}

type ruleSet struct {
	object []enabled[ObjectRule]
	file   []enabled[FileRule]
	tree   []enabled[TreeRule]
	// engine holds the severities of the rules the engine emits itself, by
	// id; absent when off.
	engine map[string]Severity
	// allowed counts the findings that allow entries and comments accepted;
	// usedAllow says which allow entries accepted one.
	allowed    atomic.Int64
	mu         sync.Mutex
	usedAllow  map[int]bool
	usedIgnore map[*manifest.Document]bool // documents whose secretguard:ignore dropped a finding
	plaintext  bool                        // plaintext-credential is on: workloads are parsed too
}

// suppressed reports whether d's `# secretguard:ignore` drops a finding of
// rule, and records that it did.
func (rs *ruleSet) suppressed(d *manifest.Document, rule string) bool {
	if d == nil || !ignored(d, rule) {
		return false
	}
	rs.mu.Lock()
	rs.usedIgnore[d] = true
	rs.mu.Unlock()
	return true
}

func newRuleSet(cfg *config.Config) *ruleSet {
	rs := &ruleSet{engine: map[string]Severity{}, usedAllow: map[int]bool{}, usedIgnore: map[*manifest.Document]bool{}}
	for _, r := range Rules() {
		info := r.Info()
		sev := Severity(cfg.Severity(info.ID, string(info.Severity)))
		if sev == Off {
			continue
		}
		if _, ok := r.(engineRule); ok {
			rs.engine[info.ID] = sev
		}
		rs.plaintext = rs.plaintext || info.ID == PlaintextCredentialID
		// A rule may check objects and the tree both.
		if or, ok := r.(ObjectRule); ok {
			rs.object = append(rs.object, enabled[ObjectRule]{or, sev})
		}
		if fr, ok := r.(FileRule); ok {
			rs.file = append(rs.file, enabled[FileRule]{fr, sev})
		}
		if tr, ok := r.(TreeRule); ok {
			rs.tree = append(rs.tree, enabled[TreeRule]{tr, sev})
		}
	}
	return rs
}

// accept fills in what every finding shares and drops allowed ones. A rule
// may give a finding a severity of its own (a placeholder is a warning where a
// value is an error); `rules: {ID: S}` in the config sets one for all.
func (rs *ruleSet) accept(c *Context, sev Severity, info Info, f Finding, out *[]Finding) {
	f.Rule = info.ID
	if _, set := c.Config.Rules[info.ID]; set || f.Severity == "" {
		f.Severity = sev
	}
	if f.Column == 0 {
		f.Column = 1
	}
	ns, name := "", ""
	if f.Resource != nil {
		ns, name = f.Resource.Namespace, f.Resource.Name
	}
	if f.AllowedByComment {
		rs.allowed.Add(1)
		return
	}
	if i := c.Config.AllowedBy(f.Rule, f.File, ns, name); i >= 0 {
		rs.allowed.Add(1)
		rs.mu.Lock()
		rs.usedAllow[i] = true
		rs.mu.Unlock()
		return
	}
	*out = append(*out, f)
}

func (rs *ruleSet) scanFile(c *Context, e source.Entry) fileResult {
	return rs.scanFileAs(c, e, false)
}

// scanFileAs is scanFile; values reads the file as Helm values whatever its
// name (something in the repository uses it as such).
func (rs *ruleSet) scanFileAs(c *Context, e source.Entry, values bool) (r fileResult) {
	if len(e.Commits) > 0 {
		defer func() {
			for i := range r.findings {
				r.findings[i].Commits = e.Commits
			}
		}()
	}
	limit := c.Config.MaxFileSize
	data, err := e.Read()
	var missing *source.MissingObjectError
	if errors.As(err, &missing) {
		r.missing = missing
		return r
	}
	var tooLarge *source.TooLargeError
	if errors.As(err, &tooLarge) || err == nil && limit > 0 && int64(len(data)) > limit {
		if tooLarge == nil { // a source that does not know sizes in advance
			tooLarge = &source.TooLargeError{Size: int64(len(data)), Limit: limit,
				Binary: bytes.IndexByte(data[:min(len(data), source.BinarySniff)], 0) >= 0}
		}
		if tooLarge.Binary {
			return r // binary: not ours, whatever its size
		}
		r.tooLarge(c, rs, e.Path, fmt.Sprintf("%s is %d bytes, over the maxFileSize limit of %d bytes: it was not scanned", e.Path, tooLarge.Size, tooLarge.Limit))
		return r
	}
	if err != nil {
		r.skipped = &source.Notice{Path: e.Path, Reason: "unreadable: " + words.ErrText(err)}
		return r
	}
	if bytes.IndexByte(data[:min(len(data), source.BinarySniff)], 0) >= 0 {
		// Binary: not ours. A "manifest" that is binary deserves a word.
		if m, _ := Kind(e.Path); m {
			r.skipped = &source.Notice{Path: e.Path, Reason: "binary (NUL byte in the first 8000 bytes)"}
		}
		return r
	}
	r.read = true
	r.path = e.Path
	if !c.History && mayBeValues(data) {
		r.entry = &e // read again when something uses it as Helm values
	}
	r.sops = manifest.SOPSEncrypted(data)
	r.skeleton = !r.sops && manifest.SkeletonFile(e.Path) != "" && !holdsValues(e.Path, data)
	if path.Base(e.Path) == ".sops.yaml" {
		r.sopsRules = manifest.ParseSOPSConfig(data)
	}
	r.quiet = c.Changed != nil && !c.Changed(e.Path, data)

	var docs []*manifest.Document
	isManifest, isKustomization := Kind(e.Path)
	if lang := manifest.TemplateFile(e.Path); lang != "" && isManifest {
		// Rendered by a tool before it is applied: not ours to judge as a
		// manifest (its private keys still are).
		r.skipped = &source.Notice{Path: e.Path, Reason: lang + " (by its name): not a manifest until rendered"}
		isManifest = false
	}
	if isManifest {
		docs = manifest.Documents(data, strings.HasSuffix(strings.ToLower(e.Path), ".json"))
		if manifest.TooMany(docs) {
			r.tooLarge(c, rs, e.Path, fmt.Sprintf("%s has more than %d YAML documents, the cap per file: its manifests were not checked", e.Path, manifest.MaxDocuments))
			docs, isManifest = nil, false // the file rules (private keys) still read the bytes
		}
	}
	for _, fr := range rs.file {
		fr.rule.CheckFile(c, e.Path, data, func(f Finding) {
			f.File = e.Path
			if !rs.suppressed(manifest.DocAt(docs, f.Line), fr.rule.Info().ID) {
				rs.accept(c, fr.sev, fr.rule.Info(), f, &r.findings)
			}
		})
	}
	if !isManifest {
		// Terraform that installs the ESO chart pins the operator as a
		// HelmRelease would (an EKS blueprint's helm_release).
		if len(rs.tree) > 0 && strings.HasSuffix(e.Path, ".tf") && bytes.Contains(data, esoChartName) {
			if pins := terraformESOPins(data); len(pins) > 0 {
				r.facts = &facts{file: e.Path, esoPins: pins}
			}
		}
		return r
	}
	// Cheap whole-file test first: most manifests (Deployments, Services…) cannot
	// match any rule and are never parsed.
	collect := len(rs.tree) > 0
	// Besides candidates, files that may pin the ESO operator or hold Argo CD
	// entry points are parsed (both are facts for tree rules).
	chart := path.Base(e.Path) == "Chart.yaml"
	// Values that describe chart installs (an umbrella ApplicationSet
	// chart's) may pin the operator too: any file that names its chart.
	esoChart := func(text []byte) bool {
		return bytes.Contains(text, esoChartName) || bytes.Contains(text, esoVarName)
	}
	factHit := collect && (chart || manifest.HasKind(data, factKinds) || esoChart(data))
	// Workloads and ConfigMaps are parsed for plaintext-credential when
	// they mention something a credential is named or shaped like.
	credHit := rs.plaintext && manifest.HasKind(data, credentialKinds)
	// A Helm values file (values.yaml, values-prod.yaml) is where a chart's
	// credentials often sit first: parsed for plaintext-credential as values.
	helmValues := rs.plaintext && (values || manifest.HelmValuesFile(e.Path))
	credHit = credHit || helmValues
	fileHit := isKustomization || factHit || credHit || manifest.Candidate(data)
	// The same tests, per document, say which documents are parsed.
	docHit := func(text []byte) bool {
		switch {
		case isKustomization || manifest.Candidate(text):
			return true
		case factHit && (chart || manifest.HasKind(text, factKinds) || esoChart(text)):
			return true
		case credHit && (helmValues || manifest.HasKind(text, credentialKinds)):
			return manifest.CredentialHint(text)
		}
		return false
	}
	if collect {
		r.facts = &facts{file: e.Path}
	}
	for _, d := range docs {
		if d.Blank() {
			continue
		}
		r.documents++
		if !fileHit || !docHit(d.Text) {
			continue
		}
		err := d.Parse()
		helm, terraform := bytes.Contains(d.Text, []byte("{{")), bytes.Contains(d.Text, []byte("%{"))
		if (helm || terraform) && (err != nil || manifest.InTemplatesDir(e.Path)) {
			// A Helm template, or a Terraform templatefile (%{ if … }): parse
			// it with its actions masked. What cannot be read even so is
			// skipped whole.
			if d.ParseTemplate() != nil {
				what := "Go template (Helm chart?) that is not YAML"
				if !helm {
					what = "Terraform template that is not YAML"
				}
				r.skipped = &source.Notice{Path: e.Path, Reason: what}
				r.findings = keepRule(r.findings, PrivateKeyID)
				return r
			}
			err = nil
		}
		if err != nil {
			if lang := manifest.TemplateLanguage(d.Text); lang != "" {
				// Jinja2, FreeMarker: not YAML until a tool renders it.
				r.skipped = &source.Notice{Path: e.Path, Reason: lang + " that is not YAML"}
				r.findings = keepRule(r.findings, PrivateKeyID)
				return r
			}
			if !isKustomization && !manifest.LooksLikeManifest(d.Text) {
				// JSON with comments (tsconfig, .vscode), CI workflows and the
				// like: not ours to judge, so a notice, not an error.
				r.skipped = &source.Notice{Path: e.Path, Reason: "does not parse, and is not a Kubernetes manifest (no apiVersion and kind)"}
				continue
			}
			if rs.engine[ParseErrorID] != "" && !rs.suppressed(d, ParseErrorID) {
				f := Finding{File: e.Path, Line: d.ContentLine(),
					Message: "does not parse as YAML: this document was not checked (the others of the file were)"}
				// Only a ParseError's text is known to quote no value.
				var pe *manifest.ParseError
				if errors.As(err, &pe) {
					f.Line, f.Message = pe.Line, "does not parse as YAML: "+pe.Msg+": this document was not checked (the others of the file were)"
				}
				rs.accept(c, rs.engine[ParseErrorID], parseErrorRule, f, &r.findings)
			}
			continue
		}
		if hasIgnore(d) {
			r.ignoreDocs = append(r.ignoreDocs, d)
			if collect {
				r.facts.ignores = append(r.facts.ignores, ignoreDoc{line: d.Line, end: d.Line + bytes.Count(d.Text, []byte("\n")), doc: d})
			}
		}
		objs := objects(e.Path, d)
		if helmValues && len(objs) == 1 && objs[0].Kind == "" && objs[0].APIVersion == "" {
			objs[0].Kind = HelmValuesKind // plaintext-credential reads it as values
		}
		for _, o := range objs {
			if manifest.IsCoreSecret(o.APIVersion, o.Kind) {
				r.rawSecret = true // raw-secret judges it; sops-unencrypted does not
			}
			if isKustomization && o.Kind == "" {
				o.Kind = "Kustomization"
			}
			// A masked template's names and references are not what the
			// cluster gets: it makes no cross-file facts, and only rules
			// that judge values on their own read it.
			if collect && !d.Template {
				r.facts.collect(o, isKustomization)
			} else if collect {
				r.facts.collectTemplateStore(o)
			}
			for _, or := range rs.object {
				id := or.rule.Info().ID
				if d.Template && !or.rule.Info().Templates {
					continue
				}
				or.rule.CheckObject(c, o, func(f Finding) {
					if rs.suppressed(d, id) {
						return
					}
					f.File = e.Path
					if f.Line == 0 {
						f.Line = o.Line()
					}
					if f.Resource == nil {
						f.Resource = o.Resource()
					}
					rs.accept(c, or.sev, or.rule.Info(), f, &r.findings)
				})
			}
		}
	}
	return r
}

// tooLarge reports a file over a cap as a file-too-large finding.
func (r *fileResult) tooLarge(c *Context, rs *ruleSet, file, msg string) {
	if rs.engine[FileTooLargeID] != "" {
		rs.accept(c, rs.engine[FileTooLargeID], fileTooLargeRule, Finding{File: file, Line: 1, Message: msg}, &r.findings)
	}
}

// credentialKinds are the kinds plaintext-credential reads besides the fact
// kinds (HelmRelease, Application): workloads with pod templates, ConfigMaps.
var credentialKinds = map[string]bool{"Pod": true, "Deployment": true, "StatefulSet": true, "DaemonSet": true,
	"ReplicaSet": true, "Job": true, "CronJob": true, "ConfigMap": true, "ReplicationController": true}

// factKinds are kinds parsed for the facts they give tree rules even when no
// rule judges them: the ESO version a HelmRelease, OCIRepository or Argo CD
// Application installs (with Chart.yaml, by name), and the entry points of
// Argo CD and of the Flux Operator (FluxInstance).
var factKinds = map[string]bool{"HelmRelease": true, "OCIRepository": true, "Application": true, "ApplicationSet": true, "FluxInstance": true, "App": true}

func hasIgnore(d *manifest.Document) bool {
	for _, c := range d.Head {
		if strings.HasPrefix(c, "secretguard:ignore") {
			return true
		}
	}
	return false
}

// holdsValues reports whether a file's YAML holds a credential: in a
// Secret, or in other YAML (Helm values). Text that does not parse as YAML (a
// Jinja2 template) holds none that it can say.
func holdsValues(file string, data []byte) bool {
	for _, d := range manifest.Documents(data, false) {
		if d.Blank() || d.Parse() != nil {
			continue
		}
		for _, o := range objects(file, d) {
			if manifest.IsCoreSecret(o.APIVersion, o.Kind) {
				if manifest.SecretHoldsCredential(o.Node) {
					return true
				}
				continue
			}
			hit := false
			valuesCredentials(o.Node, "", func(string, *yaml.Node) { hit = true })
			if hit {
				return true
			}
		}
	}
	return false
}

// Kind tells whether a file is parsed as manifests, and whether it is a
// kustomization by name (which it is whether or not it says `kind:`).
func Kind(p string) (isManifest, isKustomization bool) {
	if p == source.StdinName {
		return true, false // a stream of manifests
	}
	if gitops.IsKustomizationFile(p) {
		return true, true
	}
	switch strings.ToLower(path.Ext(p)) {
	case ".yaml", ".yml", ".json":
		return true, false
	case ".tpl":
		// Helm renders every file of a chart's templates/ but its _partials:
		// secretstore.yaml.tpl is a manifest too.
		base := strings.ToLower(path.Base(p))
		yamlTpl := strings.HasSuffix(base, ".yaml.tpl") || strings.HasSuffix(base, ".yml.tpl")
		return yamlTpl && !strings.HasPrefix(base, "_") && manifest.InTemplatesDir(p), false
	}
	return false, false
}

// ignored reports whether a document's head comment suppresses a rule:
// `# secretguard:ignore` alone suppresses every rule, followed by ids only those.
func ignored(d *manifest.Document, rule string) bool {
	for _, c := range d.Head {
		rest, ok := strings.CutPrefix(c, "secretguard:ignore")
		if !ok {
			continue
		}
		ids := strings.FieldsFunc(rest, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
		if len(ids) == 0 {
			return true
		}
		for _, id := range ids {
			if id == rule {
				return true
			}
		}
	}
	return false
}

func keepRule(fs []Finding, id string) []Finding {
	out := fs[:0]
	for _, f := range fs {
		if f.Rule == id {
			out = append(out, f)
		}
	}
	return out
}

// historyIncomplete reports what of the history was not read: the source's
// own account (a shallow boundary, missing commits or trees) and the blobs
// that could not be read, one finding per cause.
func (rs *ruleSet) historyIncomplete(c *Context, src source.Source, missing []*source.MissingObjectError, out *[]Finding) {
	if rs.engine[HistoryIncompleteID] == "" {
		return
	}
	var reasons []string
	if h, ok := src.(interface{ IncompleteHistory() []string }); ok {
		reasons = h.IncompleteHistory()
	}
	for _, why := range reasons {
		rs.accept(c, rs.engine[HistoryIncompleteID], historyIncompleteRule, Finding{File: ".git", Line: 1,
			Message: "history incomplete: " + why + "; findings cover only what was read"}, out)
	}
	if len(missing) == 0 {
		return
	}
	var names []string
	for i, m := range missing {
		if i == 3 {
			names = append(names, fmt.Sprintf("and %d more", len(missing)-3))
			break
		}
		names = append(names, m.Path+" ("+m.Hash+")")
	}
	rs.accept(c, rs.engine[HistoryIncompleteID], historyIncompleteRule, Finding{File: missing[0].Path, Line: 1,
		Message: fmt.Sprintf("history incomplete: %d blob%s could not be read from the object store (%s) and went unscanned",
			len(missing), words.Plural(len(missing)), strings.Join(names, ", "))}, out)
}

// valuesUsed reads again, as Helm values for plaintext-credential, the files
// that something in the repository uses as values but whose names do not
// say so (an Argo CD Application's helm.valueFiles, a Flux HelmRelease's
// valuesFrom of a generated ConfigMap): values.yaml-named files were read
// as values already.
func (rs *ruleSet) valuesUsed(c *Context, results []fileResult) {
	if !rs.plaintext || c.History {
		return
	}
	used := map[string]bool{}
	var refs []gitops.ValuesRef
	var ks []*gitops.Kustomization
	for _, r := range results {
		if r.facts == nil {
			continue
		}
		for _, f := range r.facts.valueFiles {
			used[f] = true
		}
		refs = append(refs, r.facts.valuesFrom...)
		ks = append(ks, r.facts.kustomizations...)
	}
	for _, ref := range refs {
		for _, k := range ks {
			if f := k.GeneratedBy(ref); f != "" {
				used[f] = true
			}
		}
	}
	if len(used) == 0 {
		return
	}
	for i := range results {
		r := &results[i]
		if !r.read || !used[r.path] || manifest.HelmValuesFile(r.path) || r.entry == nil {
			continue
		}
		if ok, _ := Kind(r.path); !ok {
			continue
		}
		again := rs.scanFileAs(c, *r.entry, true)
		seen := map[string]bool{}
		for _, f := range r.findings {
			seen[fmt.Sprint(f.Rule, f.Line, f.Message)] = true
		}
		for _, f := range again.findings {
			if f.Rule == PlaintextCredentialID && !seen[fmt.Sprint(f.Rule, f.Line, f.Message)] {
				r.findings = append(r.findings, f)
			}
		}
	}
}

// mayBeValues says whether a file could be read as Helm values: no
// top-level `kind:` line (nor a JSON "kind"), which any Kubernetes object
// has. Only those are kept to be read again (valuesUsed), so a scan of many
// manifests holds little more than it did.
func mayBeValues(data []byte) bool {
	return !bytes.HasPrefix(data, []byte("kind:")) && !bytes.Contains(data, []byte("\nkind:")) && !bytes.Contains(data, []byte(`"kind"`))
}
