package manifest

import (
	"strconv"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Fields returns every value of key in a mapping, aliases followed (`kind: *k`
// is a Secret to kubectl too). A duplicated key (which go-yaml accepts
// silently) yields all its values, so a second `stringData:` cannot hide one.
func Fields(m *yaml.Node, key string) []*yaml.Node {
	m = Resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	var out []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			out = append(out, Resolve(m.Content[i+1]))
		}
	}
	return out
}

// Field returns the last value of key (what Kubernetes would keep), or nil.
func Field(m *yaml.Node, key string) *yaml.Node {
	f := Fields(m, key)
	if len(f) == 0 {
		return nil
	}
	return f[len(f)-1]
}

// KeyNode returns the key node of key in mapping m, for pointing at it.
func KeyNode(m *yaml.Node, key string) *yaml.Node {
	m = Resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Kind == yaml.ScalarNode && k.Value == key {
			return k
		}
	}
	return nil
}

// Path walks nested mappings.
func Path(m *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		m = Field(m, k)
		if m == nil {
			return nil
		}
	}
	return m
}

// Scalar returns a scalar's value, or "" for anything else (a mapping where a
// string belongs is not a name).
func Scalar(n *yaml.Node) string {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

// Pairs calls fn for every key/value pair of a mapping, duplicates included.
func Pairs(m *yaml.Node, fn func(k, v *yaml.Node)) {
	m = Resolve(m)
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		fn(m.Content[i], m.Content[i+1])
	}
}

// Resolve follows an alias (`password: *pw`) to the node it names.
func Resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 8; i++ {
		n = n.Alias
	}
	return n
}

// IsSOPS reports a top-level `sops:` block with `mac` and `version`: a file SOPS
// encrypted. It protects only the values it encrypted.
func IsSOPS(o *yaml.Node) bool {
	s := Field(o, "sops")
	return s != nil && Field(s, "mac") != nil && Field(s, "version") != nil
}

// IsDeletePatch reports a `$patch: delete` strategic-merge patch: it removes a
// Secret, it carries none.
func IsDeletePatch(o *yaml.Node) bool {
	return Scalar(Field(o, "$patch")) == "delete"
}

// Seq returns a sequence's items, aliases followed (`items: [*s]`), or nil
// for anything else.
func Seq(n *yaml.Node) []*yaml.Node {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	for i, it := range n.Content {
		if it.Kind == yaml.AliasNode {
			out := append([]*yaml.Node(nil), n.Content...)
			for j := i; j < len(out); j++ {
				out[j] = Resolve(out[j])
			}
			return out
		}
	}
	return n.Content
}

// ReflectorPrefix starts every kubernetes-reflector annotation
// (reflects, reflection-allowed, reflection-auto-enabled…).
const ReflectorPrefix = "reflector.v1.k8s.emberstack.com/"

// IsCoreSecret reports a `v1 Secret`. An apiVersion-less Secret (a kustomize patch
// fragment) counts too: it lands in the cluster all the same.
func IsCoreSecret(apiVersion, kind string) bool {
	return kind == "Secret" && (apiVersion == "v1" || apiVersion == "")
}

// RawSecret reports whether a resource is a v1 Secret that carries readable
// values, and which. Empty, all-placeholder, all-ENC[…] and `$patch: delete`
// Secrets carry none. Rules and the sealer share this one definition.
func RawSecret(o *yaml.Node) (SecretValues, bool) {
	if !IsCoreSecret(Scalar(Field(o, "apiVersion")), Scalar(Field(o, "kind"))) || IsDeletePatch(o) {
		return SecretValues{}, false
	}
	sv := ReadSecretValues(o)
	return sv, len(sv.Plain) > 0
}

// PodSpecPaths are where the pod spec sits in each workload kind that has
// one (plaintext-credential reads env there; fix moves it).
var PodSpecPaths = map[string][]string{
	"Pod": {"spec"}, "Deployment": {"spec", "template", "spec"}, "StatefulSet": {"spec", "template", "spec"},
	"DaemonSet": {"spec", "template", "spec"}, "ReplicaSet": {"spec", "template", "spec"}, "Job": {"spec", "template", "spec"},
	"CronJob": {"spec", "jobTemplate", "spec", "template", "spec"}, "ReplicationController": {"spec", "template", "spec"},
}

// maxWalkDepth bounds Walk: hostile nesting must not recurse without end.
const maxWalkDepth = 64

// Walk visits n and every node below it — aliases resolved, each node once,
// at most maxWalkDepth deep — with its path from at: `at.key` below a
// mapping, `at[i]` below a sequence. visit returning false skips what is
// below that node.
func Walk(n *yaml.Node, at string, visit func(n *yaml.Node, path string) bool) {
	seen := map[*yaml.Node]bool{}
	var walk func(n *yaml.Node, path string, depth int)
	walk = func(n *yaml.Node, path string, depth int) {
		n = Resolve(n)
		if n == nil || seen[n] || depth > maxWalkDepth {
			return
		}
		seen[n] = true
		if !visit(n, path) {
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], path+"."+n.Content[i].Value, depth+1)
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, path+"["+strconv.Itoa(i)+"]", depth+1)
			}
		}
	}
	walk(n, at, 0)
}
