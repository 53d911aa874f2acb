package transform

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/manifest"
)

// fixESOVersion moves an External Secrets resource from
// external-secrets.io/v1beta1, which the operator no longer serves, to v1: one
// token of the apiVersion line changes. Where the resource uses something v1
// does not accept unchanged (manifest.ESOv1Changes), it is left, with what to
// change.
func fixESOVersion(d *manifest.Document) ([]Edit, []Fixed, []Left) {
	line := d.ContentLine()
	root := d.Node
	left := func(why string) ([]Edit, []Fixed, []Left) {
		return nil, nil, []Left{{Rule: ESOAPIRemoved, Line: line, Why: why}}
	}
	if d.Template || root == nil {
		return left("a template: change its apiVersion by hand")
	}
	ref := strings.TrimSpace(manifest.Scalar(manifest.Field(root, "kind")) + " " + words.Ref(
		manifest.Scalar(manifest.Path(root, "metadata", "namespace")), manifest.Scalar(manifest.Path(root, "metadata", "name"))))
	if changes := manifest.ESOv1Changes(root); len(changes) > 0 {
		return left(ref + " needs more than the apiVersion to be valid in external-secrets.io/v1: " + strings.Join(changes, "; "))
	}
	v, ok := plainField(root, "apiVersion")
	if !ok || v == nil || v.Value != manifest.ESOv1beta1 {
		return left("its apiVersion is not a plain external-secrets.io/v1beta1 value: change it by hand")
	}
	l := newLines(d)
	i := v.Line - 1
	text := l.text(i)
	from := min(v.Column-1, len(text)) // the value's column, a quote included
	at := bytes.Index(text[from:], []byte(manifest.ESOv1beta1))
	if at < 0 {
		return left("its apiVersion spans lines: change it by hand")
	}
	at += from
	// The whole line is the edit: a diff shows whole lines.
	var b bytes.Buffer
	b.Write(text[:at])
	b.WriteString(manifest.ESOv1)
	b.Write(text[at+len(manifest.ESOv1beta1):])
	b.Write(l.d.Text[l.start[i]+len(text) : l.start[i+1]]) // its terminator
	e := Edit{Start: l.offset(i), End: l.offset(i + 1), Text: b.Bytes(), Doc: d}
	want, err := decoded(root)
	if err != nil {
		return left("cannot read it as plain data: change its apiVersion by hand")
	}
	want["apiVersion"] = manifest.ESOv1
	if !verified(d, []Edit{e}, want) {
		return left("its layout does not allow an exact line edit: change its apiVersion by hand")
	}
	return []Edit{e}, []Fixed{{Rule: ESOAPIRemoved, Line: line, What: fmt.Sprintf("%s: apiVersion external-secrets.io/v1beta1 -> v1", ref)}}, nil
}
