package scan

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/secretguard/secretguard/config"
	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/sealedsecret"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func init() {
	register(rawSecret{})
	register(reflectorMisplaced{})
	register(reflectorRedundant{})
	register(secretCommentValue{})
}

// SealAdvice is raw-secret's advice where seal fixes the file: the command.
func SealAdvice(file string) string {
	return fmt.Sprintf("seal it with `secretguard seal %s`", file)
}

// FixAdvice is the advice of a finding that `secretguard fix` repairs.
func FixAdvice(file string) string {
	return fmt.Sprintf("`secretguard fix %s` does it", file)
}

// RotateAdvice is raw-secret's advice for a value in the history: sealing the
// file now leaves every earlier commit as it is.
const RotateAdvice = "rotate the value: it stays in the git history of every clone, where sealing the file does not reach"

// RawSecretID is the id of the raw-secret rule.
const RawSecretID = "raw-secret"

type rawSecret struct{}

func (rawSecret) Info() Info {
	return Info{
		ID: RawSecretID, Severity: Error, Fixable: true, Templates: true,
		Short: "A plain v1 Secret with values is committed",
		Help: "A Secret's data and stringData are only base64, not encrypted: anyone who can read the " +
			"repository can read them. Seal it for the environment's controller with " +
			"`secretguard seal FILE` (it becomes a SealedSecret in place), or fetch it with an " +
			"ExternalSecret. Rotate the value if it was ever pushed.",
	}
}

func (rawSecret) CheckObject(c *Context, o *Object, emit func(Finding)) {
	if !manifest.IsCoreSecret(o.APIVersion, o.Kind) || manifest.IsDeletePatch(o.Node) {
		return
	}
	if manifest.Scalar(manifest.Path(o.Node, "metadata", "annotations", manifest.ReflectorPrefix+"reflects")) != "" {
		return // a reflector mirror: reflector overwrites its data with the source's
	}
	sv := manifest.ReadSecretValues(o.Node)
	if len(sv.Plain) == 0 {
		// Only obvious placeholders: someone has to fill them in, which is
		// worth a word, not an error; in an example file, not even that.
		if len(sv.Unfilled) > 0 && !exampleFile(o.File) && !inChartTests(c, o.File) {
			k := sv.FirstUnfilled
			emit(Finding{Severity: Warning, Keys: sv.Unfilled, Line: o.Doc.LineOf(k), Column: k.Column,
				Message: fmt.Sprintf("%s holds only placeholder values (%s): put the real ones in through a SealedSecret or an ExternalSecret, never in plain text here",
					o.Ref(), strings.Join(sv.Unfilled, ", "))})
		}
		return
	}
	if allowed := allowedKeys(c, o, sv.Plain); len(allowed) > 0 {
		emit(Finding{AllowedByComment: true, Keys: allowed})
		sv.Plain = without(sv.Plain, allowed)
		if len(sv.Plain) == 0 {
			return
		}
		sv.First = firstKey(o, sv.Plain)
	}
	sops := manifest.IsSOPS(o.Node)
	msg := fmt.Sprintf("%s holds %d raw value%s (%s)", o.Ref(), len(sv.Plain), words.Plural(len(sv.Plain)), strings.Join(sv.Plain, ", "))
	advice := SealAdvice(o.File)
	if c.History {
		advice = RotateAdvice
	}
	if sops {
		msg = fmt.Sprintf("%s has a sops block but %d value%s (%s) are not encrypted",
			o.Ref(), len(sv.Plain), words.Plural(len(sv.Plain)), strings.Join(sv.Plain, ", "))
	}
	if o.Doc.Template {
		msg = fmt.Sprintf("%s holds %d literal value%s (%s) in a Helm template: seal cannot rewrite a template; have the chart read them from a Secret made by a SealedSecret or an ExternalSecret",
			o.Ref(), len(sv.Plain), words.Plural(len(sv.Plain)), strings.Join(sv.Plain, ", "))
	}
	f := Finding{Keys: sv.Plain, Message: msg, Fixable: !sops && !o.Doc.Template && !c.History}
	if f.Fixable || c.History {
		f.Advice = advice
	}
	if sv.First != nil {
		f.Line, f.Column = o.Doc.LineOf(sv.First), sv.First.Column
	}
	emit(f)
}

const reflectorPrefix = manifest.ReflectorPrefix

// ReflectorMisplacedID is the id of the reflector-misplaced rule.
const ReflectorMisplacedID = "reflector-misplaced"

type reflectorMisplaced struct{}

func (reflectorMisplaced) Info() Info {
	return Info{
		ID: ReflectorMisplacedID, Severity: Error,
		Short: "Reflector annotations on a SealedSecret's own metadata have no effect",
		Help: "kubernetes-reflector reads annotations from the Secret the controller generates, and " +
			"that Secret's metadata comes from spec.template.metadata. Move the " +
			"reflector.v1.k8s.emberstack.com/* annotations there; no re-sealing is needed.",
	}
}

func (reflectorMisplaced) CheckObject(c *Context, o *Object, emit func(Finding)) {
	misplaced, _ := reflectorOnOwnMetadata(o)
	if misplaced.Line == 0 {
		return
	}
	misplaced.Message = fmt.Sprintf("%s has %d reflector annotation%s in metadata.annotations, where they do nothing: move them to spec.template.metadata.annotations",
		o.Ref(), len(misplaced.Keys), words.Plural(len(misplaced.Keys)))
	// fix moves the keys the template lacks; which of two values is meant
	// is the user's call.
	tmpl := manifest.Path(o.Node, "spec", "template", "metadata", "annotations")
	for _, k := range misplaced.Keys {
		if manifest.Field(tmpl, k) == nil {
			fixable(c, o, &misplaced)
			break
		}
	}
	if !misplaced.Fixable {
		misplaced.Message += " (the template has other values for them: keep the one meant there, and remove these)"
	}
	emit(misplaced)
}

// reflectorOnOwnMetadata splits the reflector annotations of a SealedSecret's
// own metadata into those missing from (or different in) its template —
// misplaced — and those the template repeats with the same value: redundant.
func reflectorOnOwnMetadata(o *Object) (misplaced, redundant Finding) {
	if o.Kind != sealedsecret.Kind {
		return
	}
	tmpl := manifest.Path(o.Node, "spec", "template", "metadata", "annotations")
	manifest.Pairs(manifest.Path(o.Node, "metadata", "annotations"), func(k, v *yaml.Node) {
		if !strings.HasPrefix(k.Value, reflectorPrefix) {
			return
		}
		f := &misplaced
		if tv := manifest.Field(tmpl, k.Value); tv != nil && manifest.Scalar(tv) == manifest.Scalar(v) {
			f = &redundant
		}
		if f.Line == 0 {
			f.Line, f.Column = o.Doc.LineOf(k), k.Column
		}
		f.Keys = append(f.Keys, k.Value)
	})
	return misplaced, redundant
}

// ReflectorRedundantID is the id of the reflector-redundant rule.
const ReflectorRedundantID = "reflector-redundant"

type reflectorRedundant struct{}

func (reflectorRedundant) Info() Info {
	return Info{
		ID: ReflectorRedundantID, Severity: Warning,
		Short: "Reflector annotations on a SealedSecret's own metadata repeat those of its template",
		Help: "Reflector reads the annotations of the Secret the controller makes, which come from " +
			"spec.template.metadata; copies of them on the SealedSecret's own metadata do nothing. " +
			"Nothing is broken, but the copies mislead the next reader: remove them.",
	}
}

func (reflectorRedundant) CheckObject(c *Context, o *Object, emit func(Finding)) {
	_, redundant := reflectorOnOwnMetadata(o)
	if redundant.Line == 0 {
		return
	}
	redundant.Message = fmt.Sprintf("%s repeats %d reflector annotation%s of spec.template.metadata in metadata.annotations, where they do nothing: remove the copies",
		o.Ref(), len(redundant.Keys), words.Plural(len(redundant.Keys)))
	fixable(c, o, &redundant)
	emit(redundant)
}

// fixable marks a finding that `secretguard fix` repairs in place: a
// document of its own in a file of the working tree (not a List item, not a
// template, not a blob of the history).
func fixable(c *Context, o *Object, f *Finding) {
	if !c.History && o.Item < 0 && !o.Doc.Template && !manifest.HasActions(o.Doc.Text) {
		f.Fixable, f.Advice = true, FixAdvice(o.File)
	}
}

// SecretCommentValueID is the id of the secret-comment-value rule.
const SecretCommentValueID = "secret-comment-value"

type secretCommentValue struct{}

func (secretCommentValue) Info() Info {
	return Info{
		ID: SecretCommentValueID, Severity: Error, Templates: true,
		Short: "A Secret or SealedSecret keeps a commented-out value",
		Help: "A comment such as `# password: old-value` inside (or right after) a Secret's data or " +
			"stringData, or a SealedSecret's encryptedData, is as readable as the value itself, and " +
			"sealing does not encrypt comments. Delete the line, and rotate the value if it was ever real.",
	}
}

func (secretCommentValue) CheckObject(c *Context, o *Object, emit func(Finding)) {
	if o.Item >= 0 {
		return // a List item: its lines are the List's
	}
	var blocks []*yaml.Node
	switch {
	case manifest.IsCoreSecret(o.APIVersion, o.Kind):
		blocks = append(blocks, manifest.KeyNode(o.Node, "stringData"), manifest.KeyNode(o.Node, "data"))
	case sealedsecret.Is(o.APIVersion, o.Kind):
		blocks = append(blocks, manifest.KeyNode(manifest.Field(o.Node, "spec"), "encryptedData"))
	default:
		return
	}
	// One finding per document, at the first commented value, naming them all.
	seen := map[int]bool{}
	var first *manifest.CommentedValue
	var keys []string
	for _, b := range blocks {
		for _, cv := range o.Doc.CommentedValues(b) {
			if seen[cv.Line] {
				continue
			}
			seen[cv.Line] = true
			if first == nil || cv.Line < first.Line {
				first = &cv
			}
			keys = append(keys, cv.Key)
		}
	}
	if first == nil {
		return
	}
	what := "a commented-out value for " + keys[0]
	if len(keys) > 1 {
		what = fmt.Sprintf("%d commented-out values (%s)", len(keys), strings.Join(keys, ", "))
	}
	emit(Finding{Line: first.Line, Column: first.Column, Keys: keys,
		Message: fmt.Sprintf("%s keeps %s: a comment is as readable as a value, and sealing does not encrypt it", o.Ref(), what)})
}

// exampleFile names files that show what to write rather than what is
// deployed: app.example.yaml, secret-template.yaml, values.sample.yaml.
var exampleName = regexp.MustCompile(`(?i)(^|[._-])(example|sample|template|tmpl)s?([._-]|$)`)

// exampleDir names folders of examples: docs/examples/, samples/.
var exampleDir = regexp.MustCompile(`(?i)(^|/)(examples?|samples?)/`)

// inChartTests is a file under a Helm chart's tests/ (beside its
// Chart.yaml): helm-unittest's expected renders and fixtures, with the test
// values they were rendered from. (A cluster's test/ folder is not one.)
func inChartTests(c *Context, p string) bool {
	dirs := strings.Split(path.Dir(p), "/")
	for i, d := range dirs {
		if (d == "tests" || d == "test") && c.Source != nil && c.Source.Exists(path.Join(path.Join(dirs[:i]...), "Chart.yaml")) {
			return true
		}
	}
	return false
}

func exampleFile(p string) bool {
	return exampleName.MatchString(path.Base(p)) || exampleDir.MatchString(p)
}

// allowedKeys are the keys whose line carries an allow comment of a scanner
// the config names (allowComments): `password: x # gitleaks:allow`.
func allowedKeys(c *Context, o *Object, keys []string) []string {
	if len(c.Config.AllowComments) == 0 {
		return nil
	}
	lines := strings.Split(string(o.Doc.Text), "\n")
	var out []string
	for _, k := range keys {
		for _, block := range []string{"stringData", "data"} {
			kn := manifest.KeyNode(manifest.Field(o.Node, block), k)
			if kn == nil || kn.Line < 1 || kn.Line > len(lines) {
				continue
			}
			line := lines[kn.Line-1]
			hit := false
			for _, a := range c.Config.AllowComments {
				if m := config.AllowMarker(a); m != "" && strings.Contains(line, m) {
					hit = true
				}
			}
			if hit {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

func without(xs, drop []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(drop, x) {
			out = append(out, x)
		}
	}
	return out
}

// firstKey is the key node of the first of keys in the Secret's value blocks.
func firstKey(o *Object, keys []string) *yaml.Node {
	var first *yaml.Node
	for _, block := range []string{"stringData", "data"} {
		for _, k := range keys {
			if kn := manifest.KeyNode(manifest.Field(o.Node, block), k); kn != nil && (first == nil || kn.Line < first.Line) {
				first = kn
			}
		}
	}
	return first
}
