package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// marker is in every value of the corpus below; no output may ever contain it.
const marker = "SGMARK"

// A corpus of Secrets in every shape, broken ones included, whose values all
// carry the marker.
var leakyCorpus = map[string]string{
	".git/HEAD":                "ref: refs/heads/main\n",
	"certs/prod.pem":           "", // copied from the demo
	"prod/string.yaml":         "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: n}\nstringData:\n  password: SGMARK-1\n  multi: |\n    SGMARK-2\n    SGMARK-3\n",
	"prod/data.yaml":           "apiVersion: v1\nkind: Secret\nmetadata: {name: d, namespace: n}\ndata:\n  k: U0dNQVJLLTQ=\n", // base64 of SGMARK-4
	"prod/json.json":           `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"j","namespace":"n"},"stringData":{"k":"SGMARK-5"}}`,
	"prod/bad-base64.yaml":     "apiVersion: v1\nkind: Secret\nmetadata: {name: b, namespace: n}\ndata:\n  k: SGMARK!!\n",
	"prod/broken-quote.yaml":   "apiVersion: v1\nkind: Secret\nmetadata: {name: q, namespace: n}\nstringData:\n  k: \"SGMARK-6\n",
	"prod/broken-anchor.yaml":  "apiVersion: v1\nkind: Secret\nmetadata: {name: a, namespace: n}\nstringData:\n  k: *SGMARK7\n",
	"prod/broken-tab.yaml":     "apiVersion: v1\nkind: Secret\nstringData:\n\tSGMARK-8: x\n",
	"prod/list.yaml":           "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: l, namespace: n}\n  stringData: {k: SGMARK-9}\n",
	"prod/sops.yaml":           "apiVersion: v1\nkind: Secret\nmetadata: {name: p, namespace: n}\nstringData:\n  k: SGMARK-10\nsops:\n  mac: x\n  version: 3\n",
	"prod/nons.yaml":           "apiVersion: v1\nkind: Secret\nmetadata: {name: nons}\nstringData: {k: SGMARK-11}\n",
	"prod/sealed-bad.yaml":     "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: x, namespace: n}\nspec:\n  encryptedData:\n    k: SGMARK-12\n",
	"prod/kustomization.yaml":  "secretGenerator:\n- name: g\n  literals: [PASSWORD=SGMARK-13]\n",
	"prod/key.txt":             "-----BEGIN RSA PRIVATE KEY-----\nSGMARK14\n-----END RSA PRIVATE KEY-----\n",
	"prod/last-applied.yaml":   "apiVersion: v1\nkind: Secret\nmetadata:\n  name: la\n  namespace: n\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"stringData\":{\"k\":\"SGMARK-15\"}}'\nstringData: {k: SGMARK-16}\n",
	"prod/flow-broken.yaml":    "apiVersion: v1\nkind: Secret\nstringData: {k: SGMARK-17\n",
	"prod/dup.yaml":            "apiVersion: v1\nkind: Secret\nmetadata: {name: dup, namespace: n}\nstringData: {}\nstringData: {k: SGMARK-18}\n",
	"prod/template.yaml":       "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Values.SGMARK20 }}\nstringData:\n  k: {{ .SGMARK21 }\n",
	"prod/mixed.yaml":          "apiVersion: v1\nkind: Secret\nmetadata: {name: m1, namespace: n}\nstringData: {k: SGMARK-23}\nsops: {mac: x, version: 3}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: m2, namespace: n}\nstringData: {k: SGMARK-24}\n",
	"prod/json-multiline.json": "{\"kind\": \"Secret\", \"apiVersion\": \"v1\", \"stringData\": {\"k\":\n\"SGMARK-25\"}, \"metadata\": {\"name\": \"jm\", \"namespace\": \"n\"}}\n",
	"prod/flow-next-key.yaml":  "apiVersion: v1\nkind: Secret\nmetadata: {name: fk, namespace: n}\nstringData: {a: x,\n  k: SGMARK-26}\ntype: Opaque\n",
	"prod/anchor-outside.yaml": "apiVersion: v1\nkind: Secret\nx-defaults: &pw SGMARK-27\nmetadata: {name: an, namespace: n}\nstringData:\n  k: *pw\n",
	"prod/anchor-block.yaml":   "apiVersion: v1\nkind: Secret\nx-defaults: &sd\n  k: SGMARK-28\n  j: SGMARK-29\nmetadata: {name: ab, namespace: n}\nstringData: *sd\n",
	// plaintext-credential and sops-unencrypted judge values outside Secrets.
	"prod/deploy.yaml":            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app, namespace: n}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        env:\n        - name: DB_PASSWORD\n          value: SGMARK-30\n        - {name: API_TOKEN, value: SGMARK-31x9f3kq}\n",
	"prod/configmap.yaml":         "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: n}\ndata:\n  DATABASE_URL: postgres://app:SGMARK-32@db:5432/app\n  alertmanager.yml: |\n    global:\n      smtp_auth_password: SGMARK-33\n",
	"prod/helmrelease.yaml":       "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: db, namespace: n}\nspec:\n  values:\n    auth:\n      password: SGMARK-34\n",
	"prod/sops-partial.yaml":      "apiVersion: v1\nkind: Secret\nmetadata: {name: sp, namespace: n}\nstringData:\n  a: ENC[AES256_GCM,data:abc,iv:def,tag:ghi,type:str]\n  k: SGMARK-35\nsops:\n  mac: ENC[AES256_GCM,data:x]\n  version: 3.8.1\n",
	".sops.yaml":                  "creation_rules:\n- path_regex: \\.sops\\.yaml$\n  age: age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq\n",
	"prod/values.sops.yaml":       "postgres:\n  password: SGMARK-36\n",
	"prod/sub/weird name ,:%.yml": "apiVersion: v1\nkind: Secret\nmetadata: {name: w, namespace: n}\nstringData: {k: SGMARK-22}\n",
	// A base that the prod and the stage overlays build: sealed (and its env
	// credential moved) once per overlay.
	"certs/stage.pem":                   "",
	"shared/base/kustomization.yaml":    "resources: [secret.yaml, deploy.yaml]\n",
	"shared/base/secret.yaml":           "# the old one was SGMARK-40\napiVersion: v1\nkind: Secret\nmetadata: {name: sh}\nstringData:\n  k: SGMARK-41\n",
	"shared/base/deploy.yaml":           "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: shd}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        env:\n        - name: SMTP_PASSWORD\n          value: SGMARK-42 # was SGMARK-43\n",
	"shared/prod/kustomization.yaml":    "namespace: sp\nresources: [../base]\n",
	"shared/staging/kustomization.yaml": "namespace: ss\nresources:\n- ../base\n",
}

func TestNoValueInAnyOutput(t *testing.T) {
	root := t.TempDir()
	for name, body := range leakyCorpus {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(name, "certs/") {
			b, err := os.ReadFile("../../testdata/demo/" + name)
			if err != nil {
				t.Fatal(err)
			}
			body = string(b)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	baseline := filepath.Join(t.TempDir(), "baseline.json")
	runs := [][]string{
		{"scan", root},
		{"scan", "--format", "json", root},
		{"scan", "--format", "sarif", root},
		{"scan", "--format", "github", root},
		{"scan", "--format", "gitlab", root},
		{"scan", "--format", "junit", root},
		{"scan", "--write-baseline", baseline, root},
		{"scan", "--baseline", baseline, root},
		{"scan", "--quiet", root},
		{"scan", filepath.Join(root, "prod/broken-quote.yaml")},
		{"seal", "--dry-run", root},
		{"seal", "--diff", root},
		{"seal", "--check", root},
		{"seal", "--scope", "cluster-wide", "--diff", root},
		{"fix", "--move-env-credentials", "--dry-run", root},
		{"fix", "--move-env-credentials", "--diff", root},
		{"seal", root}, // writes: from here on
		{"fix", "--move-env-credentials", root},
		{"scan", root},
		{"seal", "--diff", root},
	}
	for _, args := range runs {
		var stdout, stderr bytes.Buffer
		code := Main(append([]string{"secretguard"}, args...), strings.NewReader(""), &stdout, &stderr)
		for _, out := range []struct{ name, text string }{{"stdout", stdout.String()}, {"stderr", stderr.String()}} {
			if strings.Contains(out.text, marker) {
				t.Errorf("%v (exit %d): %s shows a value:\n%s", args, code, out.name, out.text)
			}
		}
		if len(args) == 4 && args[2] == "json" {
			// The corpus reaches the rules that judge values outside Secrets.
			for _, rule := range []string{"raw-secret", "plaintext-credential", "sops-unencrypted"} {
				if !strings.Contains(stdout.String(), `"`+rule+`"`) {
					t.Errorf("%v: no %s finding:\n%s", args, rule, stdout.String())
				}
			}
		}
		if stdout.Len()+stderr.Len() == 0 && args[0] == "scan" {
			t.Errorf("%v printed nothing", args)
		}
	}
	if b, err := os.ReadFile(baseline); err != nil || bytes.Contains(b, []byte(marker)) {
		t.Errorf("the baseline is missing or shows a value: %v\n%s", err, b)
	}
	// Every file the runs made (the overlays' SealedSecrets) holds no value,
	// and no temp file is left.
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if _, given := leakyCorpus[filepath.ToSlash(rel)]; given {
			return nil
		}
		if b, err := os.ReadFile(p); err != nil || bytes.Contains(b, []byte(marker)) {
			t.Errorf("%s, made by a run, shows a value: %v", rel, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, made := range []string{"shared/prod/sealed-sh.yaml", "shared/staging/sealed-sh.yaml", "shared/staging/sealed-shd-env.yaml"} {
		if _, err := os.Stat(filepath.Join(root, made)); err != nil {
			t.Errorf("not made: %v", err)
		}
	}
	// Sealing happened: the file that sealed cleanly holds no marker any more.
	b, err := os.ReadFile(filepath.Join(root, "prod/string.yaml"))
	if err != nil || bytes.Contains(b, []byte(marker)) || !bytes.Contains(b, []byte("SealedSecret")) {
		t.Errorf("prod/string.yaml was not sealed: %v\n%s", err, b)
	}
}
