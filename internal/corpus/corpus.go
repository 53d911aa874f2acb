// Package corpus generates a deterministic GitOps repository for benchmarks:
// thousands of manifest files, multi-document streams, a few percent raw
// Secrets among SealedSecrets, ExternalSecrets, reflector annotations and the
// Deployments, Services and ConfigMaps that make up most real repositories.
package corpus

import (
	"encoding/base64"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
)

// Options size the corpus.
type Options struct {
	Files int   // number of manifest files
	Seed  int64 // same seed, same bytes
	// RawSecretPercent of files hold a raw Secret (half data, half stringData).
	RawSecretPercent float64
}

// Stats describes what was generated, for recall checks.
type Stats struct {
	Files, Bytes int
	RawSecrets   int // raw Secret documents: every one must be found
	Sealed       int
}

// Generate writes the corpus under dir.
func Generate(dir string, opt Options) (Stats, error) {
	if opt.Files == 0 {
		opt.Files = 5000
	}
	if opt.RawSecretPercent == 0 {
		opt.RawSecretPercent = 2
	}
	r := rand.New(rand.NewSource(opt.Seed))
	var st Stats
	envs := []string{"prod", "stage"}
	for i := 0; i < opt.Files; i++ {
		app := fmt.Sprintf("app%03d", i/20)
		env := envs[i%2]
		ns := app + "-" + env
		var b strings.Builder
		name := fmt.Sprintf("apps/%s/overlays/%s/res%04d.yaml", app, env, i)
		roll := r.Float64() * 100
		switch {
		case roll < opt.RawSecretPercent:
			writeRawSecret(&b, r, ns, i)
			st.RawSecrets++
		case roll < opt.RawSecretPercent+4:
			writeSealed(&b, r, ns, i)
			st.Sealed++
		case roll < opt.RawSecretPercent+6:
			writeExternalSecret(&b, ns, i)
		}
		// The bulk: Deployments, Services and large ConfigMaps, several per file.
		for d := 0; d < 1+r.Intn(3); d++ {
			if b.Len() > 0 {
				b.WriteString("---\n")
			}
			switch r.Intn(3) {
			case 0:
				writeDeployment(&b, r, ns, i, d)
			case 1:
				writeService(&b, ns, i, d)
			default:
				writeConfigMap(&b, r, ns, i, d)
			}
		}
		if i%20 < 2 {
			// One kustomization per overlay, pulling in what is next to it.
			k := fmt.Sprintf("apps/%s/overlays/%s/kustomization.yaml", app, env)
			body := fmt.Sprintf("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: %s\nresources:\n", ns)
			for j := i; j < i+20 && j < opt.Files; j += 2 {
				body += fmt.Sprintf("  - res%04d.yaml\n", j)
			}
			kp := filepath.Join(dir, filepath.FromSlash(k))
			if err := os.MkdirAll(filepath.Dir(kp), 0o755); err != nil {
				return st, err
			}
			if err := os.WriteFile(kp, []byte(body), 0o644); err != nil {
				return st, err
			}
			st.Files++
			st.Bytes += len(body)
		}
		if i%7 == 0 {
			// A reflector mirror of the app's first Secret, allowed or not.
			fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: mirror-%d\n  namespace: %s\n  annotations:\n    reflector.v1.k8s.emberstack.com/reflects: %s/sealed-%d\n", i, ns, ns, i)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return st, err
		}
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			return st, err
		}
		st.Files++
		st.Bytes += b.Len()
	}
	return st, nil
}

func writeRawSecret(b *strings.Builder, r *rand.Rand, ns string, i int) {
	fmt.Fprintf(b, "# credentials for %s\napiVersion: v1\nkind: Secret\nmetadata:\n  name: creds-%d\n  namespace: %s\n", ns, i, ns)
	if i%3 == 0 {
		b.WriteString("  annotations:\n    reflector.v1.k8s.emberstack.com/reflection-allowed: \"true\"\n")
	}
	if i%2 == 0 {
		fmt.Fprintf(b, "type: Opaque\nstringData:\n  password: bench-value-%d\n  user: svc-%d\n", r.Int63(), i)
	} else {
		fmt.Fprintf(b, "type: Opaque\ndata:\n  password: %s\n", strings.Repeat("QUJD", 8))
	}
}

func writeSealed(b *strings.Builder, r *rand.Rand, ns string, i int) {
	fmt.Fprintf(b, "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: sealed-%d\n  namespace: %s\nspec:\n  encryptedData:\n", i, ns)
	for k := 0; k < 2; k++ {
		ct := make([]byte, 2+512+16+r.Intn(64))
		ct[0], ct[1] = 2, 0 // a 4096-bit RSA part, as a controller key makes
		r.Read(ct[2:])
		fmt.Fprintf(b, "    key%d: %s\n", k, base64.StdEncoding.EncodeToString(ct))
	}
	fmt.Fprintf(b, "  template:\n    metadata:\n      name: sealed-%d\n      namespace: %s\n      annotations:\n        reflector.v1.k8s.emberstack.com/reflection-allowed: \"true\"\n", i, ns)
}

func writeExternalSecret(b *strings.Builder, ns string, i int) {
	fmt.Fprintf(b, "apiVersion: external-secrets.io/v1\nkind: ExternalSecret\nmetadata:\n  name: ext-%d\n  namespace: %s\nspec:\n  refreshInterval: 1h\n  secretStoreRef:\n    kind: ClusterSecretStore\n    name: aws\n  target:\n    name: ext-%d\n  data:\n    - secretKey: url\n      remoteRef:\n        key: %s/url\n", i, ns, i, ns)
}

func writeDeployment(b *strings.Builder, r *rand.Rand, ns string, i, d int) {
	fmt.Fprintf(b, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-%d-%d\n  namespace: %s\n  labels:\n    app.kubernetes.io/name: web\nspec:\n  replicas: %d\n  selector:\n    matchLabels:\n      app: web-%d\n  template:\n    metadata:\n      labels:\n        app: web-%d\n    spec:\n", i, d, ns, 1+r.Intn(4), i, i)
	if r.Intn(2) == 0 {
		b.WriteString("      imagePullSecrets:\n        - name: registry\n")
	}
	fmt.Fprintf(b, "      containers:\n        - name: web\n          image: ghcr.io/example/web:%d.%d\n          env:\n", r.Intn(9), r.Intn(99))
	for e := 0; e < 10+r.Intn(30); e++ {
		fmt.Fprintf(b, "            - name: SETTING_%d\n              value: \"%d\"\n", e, r.Int63())
	}
	b.WriteString("            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: db\n                  key: password\n")
}

func writeService(b *strings.Builder, ns string, i, d int) {
	fmt.Fprintf(b, "apiVersion: v1\nkind: Service\nmetadata:\n  name: web-%d-%d\n  namespace: %s\nspec:\n  selector:\n    app: web-%d\n  ports:\n    - port: 80\n      targetPort: 8080\n", i, d, ns, i)
}

func writeConfigMap(b *strings.Builder, r *rand.Rand, ns string, i, d int) {
	fmt.Fprintf(b, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg-%d-%d\n  namespace: %s\ndata:\n  config.yaml: |\n", i, d, ns)
	for l := 0; l < 100+r.Intn(500); l++ {
		fmt.Fprintf(b, "    setting_%d: value-%d-lorem-ipsum-dolor-sit-amet\n", l, r.Int63())
	}
}
