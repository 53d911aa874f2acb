package scan

import (
	"fmt"
	"strings"

	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/sealedsecret"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

func init() {
	register(rawSecret{})
	register(reflectorMisplaced{})
}

// RawSecretID is the id of the raw-secret rule.
const RawSecretID = "raw-secret"

type rawSecret struct{}

func (rawSecret) Info() Info {
	return Info{
		ID: RawSecretID, Severity: Error, Fixable: true,
		Short: "A plain v1 Secret with values is committed",
		Help: "A Secret's data and stringData are only base64, not encrypted: anyone who can read the " +
			"repository can read them. Seal it for the environment's controller with " +
			"`secretguard seal FILE` (it becomes a SealedSecret in place), or fetch it with an " +
			"ExternalSecret. Rotate the value if it was ever pushed.",
	}
}

func (rawSecret) CheckObject(c *Context, o *Object, emit func(Finding)) {
	sv, ok := manifest.RawSecret(o.Node)
	if !ok {
		return
	}
	sops := manifest.IsSOPS(o.Node)
	msg := fmt.Sprintf("%s holds %d raw value%s (%s): seal it with `secretguard seal %s`",
		o.Ref(), len(sv.Plain), words.Plural(len(sv.Plain)), strings.Join(sv.Plain, ", "), o.File)
	if sops {
		msg = fmt.Sprintf("%s has a sops block but %d value%s (%s) are not encrypted",
			o.Ref(), len(sv.Plain), words.Plural(len(sv.Plain)), strings.Join(sv.Plain, ", "))
	}
	f := Finding{Keys: sv.Plain, Message: msg, Fixable: !sops}
	if sv.First != nil {
		f.Line, f.Column = o.Doc.LineOf(sv.First), sv.First.Column
	}
	emit(f)
}

const reflectorPrefix = "reflector.v1.k8s.emberstack.com/"

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
	if o.Kind != sealedsecret.Kind {
		return
	}
	anns := manifest.Path(o.Node, "metadata", "annotations")
	var keys []string
	var first *Finding
	manifest.Pairs(anns, func(k, _ *yaml.Node) {
		if strings.HasPrefix(k.Value, reflectorPrefix) {
			keys = append(keys, k.Value)
			if first == nil {
				first = &Finding{Line: o.Doc.LineOf(k), Column: k.Column}
			}
		}
	})
	if len(keys) == 0 {
		return
	}
	first.Keys = keys
	first.Message = fmt.Sprintf("%s has %d reflector annotation%s in metadata.annotations, where they do nothing: move them to spec.template.metadata.annotations",
		o.Ref(), len(keys), words.Plural(len(keys)))
	emit(*first)
}
