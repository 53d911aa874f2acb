package transform

import (
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// emitSimple writes what the YAML encoder writes (kyaml's: two-space indent)
// for the shape a SealedSecret has when nothing in it needs quoting:
// mappings of mappings and plain strings, no comments, anchors, sequences
// or empty collections. ok is false for anything else, which render leaves
// to the encoder. The encoder allocated 52 KB and spent ~30 µs on each small
// SealedSecret: a tenth of the CPU of sealing 1,000 Secrets.
// TestEmitSimpleIsEncoder and FuzzEmitSimple hold it to the encoder's bytes.
func emitSimple(n *yaml.Node) ([]byte, bool) {
	if n.Kind != yaml.MappingNode {
		return nil, false
	}
	b := make([]byte, 0, 1024)
	b, ok := emitMapping(b, n, 0)
	return b, ok
}

func emitMapping(b []byte, m *yaml.Node, indent int) ([]byte, bool) {
	if len(m.Content) == 0 || len(m.Content)%2 != 0 || !bare(m) || m.Style != 0 {
		return nil, false
	}
	for i := 0; i < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if !plainScalar(k) || len(k.Value) > maxSimpleKey {
			return nil, false
		}
		for j := 0; j < indent; j++ {
			b = append(b, ' ')
		}
		b = append(b, k.Value...)
		b = append(b, ':')
		switch {
		case v.Kind == yaml.MappingNode:
			b = append(b, '\n')
			var ok bool
			if b, ok = emitMapping(b, v, indent+2); !ok {
				return nil, false
			}
		case plainScalar(v):
			b = append(b, ' ')
			b = append(b, v.Value...)
			b = append(b, '\n')
		default:
			return nil, false
		}
	}
	return b, true
}

// maxSimpleKey: the encoder writes a longer key (over 128 bytes) as a
// complex one ("? key").
const maxSimpleKey = 100

// bare is a node with nothing the encoder writes besides its value.
func bare(n *yaml.Node) bool {
	return n.Anchor == "" && n.HeadComment == "" && n.LineComment == "" && n.FootComment == ""
}

// plainScalar is a string scalar the encoder writes as it is: letters,
// digits and . _ / - from a letter on (app.kubernetes.io/name, Opaque,
// base64 stand-ins), or hex that is no number (a certificate's SHA-256),
// and none of the words YAML reads as a boolean or null.
func plainScalar(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode || n.Style != 0 || n.Tag != "!!str" && n.Tag != "" || !bare(n) {
		return false
	}
	s := n.Value
	if s == "" {
		return false
	}
	if isLetter(s[0]) {
		for i := 1; i < len(s); i++ {
			if c := s[i]; !isLetter(c) && !isDigit(c) && c != '.' && c != '_' && c != '/' && c != '-' {
				return false
			}
		}
		return !yamlWord[strings.ToLower(s)]
	}
	// Hex from a digit on: a number only when its letters are all e or E
	// (1e5 is a float) or it starts 0b (binary), so one other hex letter
	// makes it a string.
	if len(s) > 1 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B') {
		return false
	}
	letter := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
			letter = letter || c != 'e' && c != 'E'
		default:
			return false
		}
	}
	return letter
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// yamlWord are plain words a YAML 1.1 or 1.2 reader takes for a boolean or
// null: the encoder quotes them as strings.
var yamlWord = map[string]bool{"y": true, "yes": true, "n": true, "no": true, "true": true, "false": true,
	"on": true, "off": true, "null": true}
