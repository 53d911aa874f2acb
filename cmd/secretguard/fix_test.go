package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/secretguard/secretguard/internal/sealtest"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/scan"
	"github.com/secretguard/secretguard/transform"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// `kustomize build` of every overlay of the demo repository gives the same
// objects before and after `secretguard fix`, except what fix means to
// change: a Secret becomes a SealedSecret of the same name, keys, type and
// metadata (annotations for Argo CD stay on the SealedSecret itself);
// reflector annotations move into the SealedSecret's template; an
// ExternalSecret moves to external-secrets.io/v1. CI installs kustomize and
// sets SECRETGUARD_TOOLS_REQUIRED, so there the test never skips.
func TestFixKeepsBuilds(t *testing.T) {
	// seal, too: its Secrets of a base that prod and stage build go into
	// each overlay, and the builds must not notice.
	for _, verb := range []string{"fix", "seal"} {
		t.Run(verb, func(t *testing.T) { keepsBuilds(t, verb) })
	}
}

func keepsBuilds(t *testing.T, verb string) {
	kustomize := kustomizeBin(t)
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS("../../testdata/demo")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	overlays, _ := filepath.Glob(filepath.Join(root, "apps", "*", "overlays", "*"))
	if len(overlays) < 4 {
		t.Fatalf("overlays: %v", overlays)
	}
	build := func() map[string][]string {
		out := map[string][]string{}
		for _, o := range overlays {
			b, err := exec.Command(kustomize, "build", o).Output()
			if err != nil {
				t.Fatalf("kustomize build %s: %v", o, err)
			}
			rel, _ := filepath.Rel(root, o)
			out[rel] = normalized(t, b)
		}
		return out
	}
	before := build()
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"secretguard", verb, root}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("%s: exit %d\n%s%s", verb, code, stdout.String(), stderr.String())
	}
	wants := []string{"sealed apps/web/overlays/prod/session-secret.yaml",
		"into apps/api/overlays/prod/sealed-api-db.yaml", "into apps/api/overlays/stage/sealed-api-db.yaml"}
	if verb == "fix" {
		wants = append(wants, "reflector-misplaced", "external-secret-api-removed",
			`secretGenerator "api-partner-key" became SealedSecret api/api-partner-key (1 key) for prod, strict scope, in apps/api/overlays/prod/sealed-api-partner-key.yaml; SealedSecret staging/api-partner-key (1 key) for stage`)
	}
	for _, want := range wants {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("%s did not say %q:\n%s", verb, want, stdout.String())
		}
	}
	after := build()
	for o := range before {
		if !reflect.DeepEqual(before[o], after[o]) {
			t.Errorf("%s builds other objects after %s:\nbefore:\n%s\nafter:\n%s", o, verb, strings.Join(before[o], "\n"), strings.Join(after[o], "\n"))
		}
	}
	if verb == "seal" {
		return // what remains is fix's
	}
	// And there is nothing left to fix.
	stdout.Reset()
	stderr.Reset()
	if code := Main([]string{"secretguard", "scan", "-q", root}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Errorf("scan after fix: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
}

// normalized renders each object of a build as YAML with fix's intended
// changes undone: Secrets and SealedSecrets read as the Secret they make
// (metadata, type, key names: never values, which the seal round trips
// check), the annotations of a SealedSecret's own metadata count as its
// template's, and External Secrets resources are at v1.
func normalized(t *testing.T, stream []byte) []string {
	t.Helper()
	var out []string
	for _, obj := range objectsOf(t, stream) {
		delete(obj, "_text")
		switch {
		case obj["kind"] == "Secret":
			md, _ := obj["metadata"].(map[string]any)
			// A secretGenerator's Secret carries kustomize's hash suffix;
			// the SealedSecret fix makes of it is named without.
			if name, _ := md["name"].(string); hashSuffix.MatchString(name) {
				md["name"] = hashSuffix.ReplaceAllString(name, "")
			}
			keys := keyNames(obj["data"], obj["stringData"])
			obj = map[string]any{"secret": md, "type": obj["type"], "keys": keys}
		case obj["kind"] == "SealedSecret":
			md, _ := obj["metadata"].(map[string]any)
			spec, _ := obj["spec"].(map[string]any)
			tmpl, _ := spec["template"].(map[string]any)
			tmd, _ := tmpl["metadata"].(map[string]any)
			if tmd == nil {
				tmd = map[string]any{}
			}
			own, _ := md["annotations"].(map[string]any)
			for k, v := range own {
				// The seal puts the Secret's annotations for the tool that
				// applies it (Argo CD, Flux) on the SealedSecret itself, and
				// adds its own bookkeeping there.
				if !strings.HasPrefix(k, "secretguard.io/") && !strings.HasPrefix(k, "sealedsecrets.bitnami.com/") {
					anns, _ := tmd["annotations"].(map[string]any)
					if anns == nil {
						anns = map[string]any{}
						tmd["annotations"] = anns
					}
					anns[k] = v
				}
			}
			obj = map[string]any{"secret": tmd, "type": tmpl["type"], "keys": keyNames(spec["encryptedData"])}
		case strings.HasPrefix(obj["apiVersion"].(string), "external-secrets.io/"):
			obj["apiVersion"] = "external-secrets.io/v1"
		}
		b, err := yaml.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	sort.Strings(out)
	return out
}

// hashSuffix is the suffix kustomize gives a generated name: ten characters of
// its hash alphabet (hex with 0, 1, 3, a, e replaced: no vowels, no look-alikes).
var hashSuffix = regexp.MustCompile(`-[245-9bcdfghkmt]{10}$`)

func keyNames(maps ...any) []string {
	var keys []string
	for _, m := range maps {
		mm, _ := m.(map[string]any)
		for k := range mm {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return slices.Compact(keys)
}

// The rule ids transform.Fix repairs are the ids scan reports, each marked
// fixable in its rule, so no finding is dropped on the way.
func TestFixRulesAreScanRules(t *testing.T) {
	// --move-env-credentials hands plaintext-credential findings over too.
	if transform.PlaintextCredential != scan.PlaintextCredentialID {
		t.Errorf("fix moves %q, scan reports %q", transform.PlaintextCredential, scan.PlaintextCredentialID)
	}
	for id := range fixRules {
		if _, err := scan.Lookup(id); err != nil {
			t.Errorf("fix repairs %q: %v", id, err)
		}
	}
	for _, id := range []string{scan.RawSecretID, scan.ReflectorMisplacedID, scan.ReflectorRedundantID, scan.ExternalSecretApiRemovedID} {
		if !fixRules[id] {
			t.Errorf("scan marks %s findings fixable, fix does not take them", id)
		}
	}
}

// fix --move-env-credentials, checked with the real kustomize: every overlay
// builds the same objects, except that each moved env entry now reads
// valueFrom.secretKeyRef from WORKLOAD-env, a SealedSecret of the workload's
// namespace in that build which decrypts, with that cluster's key, to the
// values the entries held.
func TestMoveEnvKeepsBuilds(t *testing.T) {
	kustomize := kustomizeBin(t)
	root := t.TempDir()
	files := map[string]string{
		"certs/prod.pem":                    "../../testdata/demo/certs/prod.pem",
		"certs/stage.pem":                   "../../testdata/demo/certs/stage.pem",
		"base/kustomization.yaml":           "resources: [api.yaml]\n",
		"overlays/prod/kustomization.yaml":  "namespace: shop-prod\nresources:\n  - ../../base\n  - worker.yaml\n",
		"overlays/stage/kustomization.yaml": "namespace: shop-stage\nresources:\n- ../../base\n",
		"base/api.yaml":                     "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          env:\n            - name: PORT\n              value: \"8080\"\n            - name: SMTP_PASSWORD\n              value: UNSEALED-smtp\n",
		"overlays/prod/worker.yaml":         "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\nspec:\n  template:\n    spec:\n      containers:\n        - name: worker\n          env:\n          - name: DB_PASSWORD\n            value: 'UNSEALED-db'\n          - name: API_TOKEN\n            value: UNSEALED-token\n",
	}
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(rel, ".pem") {
			b, err := os.ReadFile(content)
			if err != nil {
				t.Fatal(err)
			}
			content = string(b)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	build := func(env string) []map[string]any {
		b, err := exec.Command(kustomize, "build", filepath.Join(root, "overlays", env)).Output()
		if err != nil {
			t.Fatalf("kustomize build %s: %v", env, err)
		}
		return objectsOf(t, b)
	}
	envs := []string{"prod", "stage"}
	before := map[string][]map[string]any{}
	for _, e := range envs {
		before[e] = build(e)
	}
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"secretguard", "fix", "--move-env-credentials", root}, strings.NewReader(""), &stdout, &stderr); code != 0 {
		t.Fatalf("fix: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	moved := map[string]bool{"SMTP_PASSWORD": true, "DB_PASSWORD": true, "API_TOKEN": true}
	for _, e := range envs {
		key, err := sealtest.LoadKey("../../testdata/keys/" + e + ".key")
		if err != nil {
			t.Fatal(err)
		}
		after := build(e)
		sealed := map[string]map[string]string{} // namespace/name → values
		var rest []map[string]any
		for _, obj := range after {
			if obj["kind"] != "SealedSecret" {
				rest = append(rest, obj)
				continue
			}
			values, err := sealtest.DecryptAll([]byte(obj["_text"].(string)), false, key)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range values {
				if v.Err != nil {
					t.Fatalf("%s: %s/%s %s does not decrypt with the %s key: %v", e, v.Namespace, v.Name, v.Key, e, v.Err)
				}
				if sealed[v.Namespace+"/"+v.Name] == nil {
					sealed[v.Namespace+"/"+v.Name] = map[string]string{}
				}
				sealed[v.Namespace+"/"+v.Name][v.Key] = string(v.Plain)
			}
		}
		if len(rest) != len(before[e]) {
			t.Fatalf("%s: %d objects besides SealedSecrets after fix, %d before", e, len(rest), len(before[e]))
		}
		for i, was := range before[e] {
			now := rest[i]
			md, _ := was["metadata"].(map[string]any)
			workload, ns := md["name"].(string), md["namespace"].(string)
			// Undo the move on the built Deployment: each reference to
			// WORKLOAD-env must resolve, in its namespace, to the value.
			ctrs := dig(now, "spec", "template", "spec")["containers"].([]any)
			for _, c := range ctrs {
				for _, en := range c.(map[string]any)["env"].([]any) {
					en := en.(map[string]any)
					name := en["name"].(string)
					if !moved[name] {
						continue
					}
					ref := dig(en, "valueFrom", "secretKeyRef")
					if ref["name"] != workload+"-env" || ref["key"] != name {
						t.Fatalf("%s: %s env %s: %v", e, workload, name, en)
					}
					v, ok := sealed[ns+"/"+workload+"-env"][name]
					if !ok {
						t.Fatalf("%s: no SealedSecret %s/%s-env with key %s in the build", e, ns, workload, name)
					}
					delete(en, "valueFrom")
					en["value"] = v
				}
			}
			delete(was, "_text")
			delete(now, "_text")
			if !reflect.DeepEqual(was, now) {
				t.Errorf("%s: %s builds otherwise:\nbefore: %v\nafter:  %v", e, workload, was, now)
			}
		}
	}
	if strings.Contains(stdout.String()+stderr.String(), "UNSEALED") {
		t.Errorf("fix printed a value:\n%s%s", stdout.String(), stderr.String())
	}
}

// dig follows keys through nested maps; nil where one is missing.
func dig(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m, _ = m[k].(map[string]any)
	}
	return m
}

// kustomizeBin is the real kustomize, which CI installs (there the test
// never skips).
func kustomizeBin(t *testing.T) string {
	t.Helper()
	kustomize, err := exec.LookPath("kustomize")
	if err != nil {
		if os.Getenv("SECRETGUARD_TOOLS_REQUIRED") != "" {
			t.Fatal("kustomize is not on PATH (go install sigs.k8s.io/kustomize/kustomize/v5@v5.7.1)")
		}
		t.Skip("no kustomize on PATH")
	}
	return kustomize
}

// objectsOf decodes every object of a build's output, each with its own
// text under "_text".
func objectsOf(t *testing.T, stream []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, d := range manifest.Documents(stream, false) {
		if d.Blank() {
			continue
		}
		if err := d.Parse(); err != nil {
			t.Fatal(err)
		}
		var obj map[string]any
		if err := d.Node.Decode(&obj); err != nil {
			t.Fatal(err)
		}
		obj["_text"] = string(d.Text)
		out = append(out, obj)
	}
	return out
}
