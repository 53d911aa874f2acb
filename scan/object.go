package scan

import (
	"strings"

	"github.com/secretguard/secretguard/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Object is one Kubernetes resource: a document's root mapping or an item of a
// `kind: List` document.
type Object struct {
	File string
	Doc  *manifest.Document
	Node *yaml.Node // a mapping node
	// Item is the index in the List's items, or -1 for a document root.
	Item int

	APIVersion, Kind, Namespace, Name string
}

// Resource identifies an object in reports.
type Resource struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

func (o *Object) Resource() *Resource {
	return &Resource{APIVersion: o.APIVersion, Kind: o.Kind, Namespace: o.Namespace, Name: o.Name}
}

// Line is the file line of the object (its first key).
func (o *Object) Line() int { return o.Doc.LineOf(o.Node) }

// Ref names the object for messages: "Secret web/db"; in a template, what
// an action computes is {{…}}.
func (o *Object) Ref() string {
	ns, name := manifest.ShowMasked(o.Namespace), manifest.ShowMasked(o.Name)
	if ns != "" {
		return o.Kind + " " + ns + "/" + name
	}
	if name == "" {
		return o.Kind
	}
	return o.Kind + " " + name
}

// objects lists the resources of a parsed document. kind: List items are
// resources of their own, so a raw Secret inside a List is found like any other.
func objects(file string, d *manifest.Document) []*Object {
	if d.Node == nil {
		return nil
	}
	root := d.Node
	if root.Kind != yaml.MappingNode {
		return nil
	}
	top := newObject(file, d, root, -1)
	if !strings.HasSuffix(top.Kind, "List") {
		return []*Object{top}
	}
	out := []*Object{top}
	for _, items := range manifest.Fields(root, "items") {
		for i, it := range manifest.Seq(items) {
			if it.Kind == yaml.MappingNode {
				out = append(out, newObject(file, d, it, i))
			}
		}
	}
	return out
}

func newObject(file string, d *manifest.Document, n *yaml.Node, item int) *Object {
	o := &Object{File: file, Doc: d, Node: n, Item: item}
	o.APIVersion = manifest.Scalar(manifest.Field(n, "apiVersion"))
	o.Kind = manifest.Scalar(manifest.Field(n, "kind"))
	md := manifest.Field(n, "metadata")
	o.Name = manifest.Scalar(manifest.Field(md, "name"))
	o.Namespace = manifest.Scalar(manifest.Field(md, "namespace"))
	return o
}
