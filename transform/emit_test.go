package transform

import (
	"bytes"
	"math/rand"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// emitSimple must give the encoder's very bytes whenever it takes a node.
func sameAsEncoder(t *testing.T, n *yaml.Node) (taken bool) {
	t.Helper()
	got, ok := emitSimple(n)
	if !ok {
		return false
	}
	want, err := encodeYAML(n)
	if err != nil {
		t.Fatalf("the encoder refuses what emitSimple wrote:\n%s", got)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("emitSimple differs from the encoder:\n%s\nwant:\n%s", got, want)
	}
	return true
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

func mapping(kv ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: kv}
}

// Every string of up to three characters from an alphabet with YAML's
// troublemakers (digits, e, the bool words' letters, punctuation), as a key
// and as a value; the words and numbers YAML resolves; hex digests.
func TestEmitSimpleIsEncoder(t *testing.T) {
	alphabet := []byte("aeynoftrulYNOTFE019x._/-: #'\"")
	var strs []string
	var gen func(prefix []byte, n int)
	gen = func(prefix []byte, n int) {
		if len(prefix) > 0 {
			strs = append(strs, string(prefix))
		}
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			gen(append(prefix, c), n-1)
		}
	}
	gen(nil, 3)
	strs = append(strs, "true", "True", "TRUE", "false", "yes", "Yes", "no", "NO", "on", "On", "off", "null", "Null", "NULL",
		"~", "nan", "NaN", ".nan", "inf", ".inf", "Infinity", "1e5", "1E5", "12e", "0x1F", "0o17", "0b101", "1_000", "1.5", "1.",
		"2001-12-14", "12:30", "1:20:30", "e5", "E", "1e", "abc123", "21c5805c72c2f1dd2f41d3ead98d2be503c462bf992eaaba9b0657042e250b3d",
		"123456", "0123", "1e10e", "deadbeef", "DEADBEEF", "1dead", "9e9e9e", "sgct0z", "app.kubernetes.io/name", "bitnami.com/v1alpha1",
		"Opaque", "kubernetes.io/dockerconfigjson", "a/", "/a", "a-", "a.", "a..b", "a//b")
	taken := 0
	for _, s := range strs {
		if sameAsEncoder(t, mapping(scalar("k"), scalar(s))) {
			taken++
		}
		if sameAsEncoder(t, mapping(scalar(s), scalar("v"))) {
			taken++
		}
	}
	if taken < 1000 {
		t.Fatalf("emitSimple took only %d of %d documents: the test no longer exercises it", taken, 2*len(strs))
	}
}

// A SealedSecret as sealedSecret makes it, with nested metadata, is taken and
// equal; comments, anchors, sequences, flow style, other tags and empty
// mappings are left to the encoder.
func TestEmitSimpleShapes(t *testing.T) {
	sealed := mapping(scalar("apiVersion"), scalar("bitnami.com/v1alpha1"), scalar("kind"), scalar("SealedSecret"),
		scalar("metadata"), mapping(scalar("annotations"), mapping(scalar("secretguard.io/cert-sha256"), scalar("21c5805c72c2")),
			scalar("name"), scalar("s1"), scalar("namespace"), scalar("app")),
		scalar("spec"), mapping(scalar("encryptedData"), mapping(scalar("password"), scalar("sgct0z")),
			scalar("template"), mapping(scalar("metadata"), mapping(scalar("name"), scalar("s1")), scalar("type"), scalar("Opaque"))))
	if !sameAsEncoder(t, sealed) {
		t.Fatal("a plain SealedSecret was left to the encoder")
	}
	var parsed yaml.Node
	for _, src := range []string{
		"a: b # comment\n", "# head\na: b\n", "a: &x b\nc: *x\n", "a: [b]\n", "a:\n  - b\n", "a: {b: c}\n", "a: {}\n",
		"a: 'b'\n", "a: \"b\"\n", "a: 1\n", "a: true\n", "a: |\n  b\n", "a: null\n", "a:\n",
	} {
		parsed = yaml.Node{}
		if err := yaml.Unmarshal([]byte(src), &parsed); err != nil {
			t.Fatal(err)
		}
		if _, ok := emitSimple(parsed.Content[0]); ok && src != "a: {b: c}\n" {
			t.Errorf("%q was taken", src)
		}
		sameAsEncoder(t, parsed.Content[0])
	}
}

// Random trees of plain-looking strings, nested three deep.
func TestEmitSimpleRandomTrees(t *testing.T) {
	rnd := rand.New(rand.NewSource(1))
	alphabet := "abcdefxyzABEFNOTY0123456789._/-"
	word := func() string {
		b := make([]byte, 1+rnd.Intn(12))
		for i := range b {
			b[i] = alphabet[rnd.Intn(len(alphabet))]
		}
		return string(b)
	}
	var tree func(depth int) *yaml.Node
	tree = func(depth int) *yaml.Node {
		m := mapping()
		for i := 0; i < 1+rnd.Intn(4); i++ {
			var v *yaml.Node
			if depth > 0 && rnd.Intn(3) == 0 {
				v = tree(depth - 1)
			} else {
				v = scalar(word())
			}
			m.Content = append(m.Content, scalar(word()), v)
		}
		return m
	}
	for i := 0; i < 20000; i++ {
		sameAsEncoder(t, tree(3))
	}
}

func FuzzEmitSimple(f *testing.F) {
	f.Add("name", "s1", "sgct0z")
	f.Add("a.b/c", "1e5", "deadbeef")
	f.Fuzz(func(t *testing.T, k, v, w string) {
		sameAsEncoder(t, mapping(scalar(k), scalar(v), scalar("m"), mapping(scalar(w), scalar(k))))
	})
}
