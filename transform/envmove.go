package transform

import (
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/manifest"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// PlaintextCredential is the rule id of a credential written in plain text
// outside a Secret; fix moves the env ones into a SealedSecret when asked
// (--move-env-credentials: it changes a workload).
const PlaintextCredential = "plaintext-credential"

// EnvSecretName is the Secret a workload's env credentials move into.
func EnvSecretName(workload string) string { return workload + "-env" }

// moveEnvCredentials moves the literal values of a workload's env entries
// named in names into a SealedSecret WORKLOAD-env (a new file beside the
// workload, listed where the workload is, or one per overlay of a shared
// base) and makes each entry a valueFrom.secretKeyRef to it. Only the
// `value:` lines change, each into the four lines of the reference at its
// indentation, checked by decoding the result. line is where scan reported
// the finding.
func moveEnvCredentials(res *Result, file string, d *manifest.Document, names []string, line int, ns string, opt Options, target func() (*Target, error), eol string) []Edit {
	leave := func(why string) []Edit {
		res.Left = append(res.Left, Left{Rule: PlaintextCredential, Line: line, Why: why})
		return nil
	}
	root := d.Node
	kind := manifest.Scalar(manifest.Field(root, "kind"))
	specPath, ok := manifest.PodSpecPaths[kind]
	if !ok {
		return leave("not a workload with a pod template")
	}
	md := manifest.Field(root, "metadata")
	workload := manifest.Scalar(manifest.Field(md, "name"))
	if workload == "" {
		return leave("the workload has no metadata.name")
	}
	own := manifest.Scalar(manifest.Field(md, "namespace"))
	if ns == "" {
		ns = own
	}
	want, err := decoded(root)
	if err != nil {
		return leave("the workload does not decode")
	}
	secretName := EnvSecretName(workload)
	l := newLines(d)
	values := map[string]string{}
	var edits []Edit
	spec := manifest.Path(root, specPath...)
	wspec := dig(want, specPath...)
	for _, list := range []string{"containers", "initContainers", "ephemeralContainers"} {
		wctrs, _ := wspec[list].([]any)
		for ci, ctr := range manifest.Seq(manifest.Field(spec, list)) {
			wctr, _ := wctrs[ci].(map[string]any)
			wenv, _ := wctr["env"].([]any)
			for ei, e := range manifest.Seq(manifest.Field(ctr, "env")) {
				name := manifest.Scalar(manifest.Field(e, "name"))
				v := manifest.Field(e, "value")
				if !slices.Contains(names, name) || v == nil || manifest.Field(e, "valueFrom") != nil {
					continue
				}
				if old, seen := values[name]; seen && old != v.Value {
					return leave(fmt.Sprintf("env %s has different values in two containers: one Secret key cannot hold both; move them by hand", name))
				}
				values[name] = v.Value
				k := manifest.KeyNode(e, "value")
				from, to, indent, ok := l.entry(k)
				if !ok || v.Kind != yaml.ScalarNode {
					return leave(fmt.Sprintf("env %s is not written one field per line (`- name: …` then `value: …`): move it by hand", name))
				}
				pad := strings.Repeat(" ", indent)
				text := pad + "valueFrom:" + eol + pad + "  secretKeyRef:" + eol +
					pad + "    name: " + flowScalar(secretName) + eol + pad + "    key: " + flowScalar(name) + eol
				edits = append(edits, Edit{Start: l.offset(from), End: l.offset(to), Text: []byte(text), Doc: d})
				// The removed line holds the value: a diff shows it masked.
				if res.Masked == nil {
					res.Masked = map[int]string{}
				}
				for i := from; i < to; i++ {
					masked := pad + "  <masked>" // a block scalar's next lines
					if i == from {
						masked = pad + "value: <masked>"
					}
					res.Masked[lineIndex(res.Old, d.Start+l.start[i])] = masked
				}
				we, _ := wenv[ei].(map[string]any)
				delete(we, "value")
				we["valueFrom"] = map[string]any{"secretKeyRef": map[string]any{"name": secretName, "key": name}}
			}
		}
	}
	if len(values) == 0 {
		return leave("no env entry with a literal value to move")
	}
	sortEdits(edits)
	if !verified(d, edits, want) {
		return leave("the env entries are laid out in a way fix cannot edit exactly (an anchor, flow style): move them by hand")
	}
	dests, err := destinations(path.Dir(file), secretName, own, ns, opt, target)
	if err != nil {
		return leave(words.ErrText(err))
	}
	keys := slices.Sorted(maps.Keys(values))
	secret := func(ns string) *yaml.Node {
		md := newMap()
		setString(md, "name", secretName)
		if ns != "" {
			setString(md, "namespace", ns)
		}
		data := newMap()
		for _, k := range keys {
			setString(data, k, values[k])
		}
		n := newMap()
		setString(n, "apiVersion", "v1")
		setString(n, "kind", "Secret")
		setNode(n, "metadata", md)
		setString(n, "type", "Opaque")
		setNode(n, "stringData", data)
		return n
	}
	made, whats, why := sealTo(dests, secretName, secret, opt, res.Created)
	if why != "" {
		return leave(why)
	}
	res.Created = append(res.Created, made...)
	if res.Spread == nil {
		res.Spread = &Spread{List: map[string][]string{}, Unlist: map[string][]string{}}
	}
	for _, dst := range dests {
		into := []string{dst.into}
		if dst.into == "" {
			into = opt.ListedBy
		}
		for _, k := range into {
			// The new file as the kustomization names it: from its folder.
			rel, err := filepath.Rel(filepath.FromSlash(path.Dir(k)), filepath.FromSlash(dst.rel))
			if err != nil {
				return leave(err.Error())
			}
			res.Spread.List[k] = append(res.Spread.List[k], filepath.ToSlash(rel))
		}
	}
	res.Fixed = append(res.Fixed, Fixed{Rule: PlaintextCredential, Line: line,
		What: fmt.Sprintf("env %s of %s %s moved into Secret %s, as %s", strings.Join(keys, ", "), kind, workload, secretName, strings.Join(whats, "; "))})
	return edits
}
