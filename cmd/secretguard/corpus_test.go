package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The shared corpus holds copies of three real GitOps repositories, kept
// outside this repository (they are not ours to commit). Its README says what
// a right scan reports; this pins it. SECRETGUARD_CORPUS points at it, else it
// is looked for beside the repository (../shared/corpus).
func TestSharedCorpus(t *testing.T) {
	dir := os.Getenv("SECRETGUARD_CORPUS")
	if dir == "" {
		dir = "../../../shared/corpus"
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Skipf("no shared corpus at %s (set SECRETGUARD_CORPUS)", dir)
	}
	for _, c := range []struct {
		repo string
		want []string // "file severity rule", sorted
	}{
		{"skkuding__codedang", []string{
			// A real mistake: the controller names the Secret after metadata.name
			// (integration-credentials), while values.yaml reads n8n-credentials.
			"infra/k8s/n8n/integration-credentials.yaml error sealed-secret-scope",
			"infra/k8s/runner/overlays/production/redis-secret.yaml error raw-secret",
			"infra/k8s/runner/overlays/stage/redis-secret.yaml error raw-secret",
		}},
		{"damacus__home-ops", []string{
			"kubernetes/apps/external-secrets/external-secrets/stores/onepassword/dockerhub-externalsecret.yaml warning reflector-external-secret",
			"kubernetes/apps/external-secrets/external-secrets/stores/onepassword/ghcr-externalsecret.yaml warning reflector-external-secret",
			"kubernetes/apps/flux-system/flux-instance/app/externalsecret.yaml warning external-secret-store-missing",
			"kubernetes/apps/storage/rustfs/app/externalsecret.yaml warning reflector-external-secret",
		}},
		{"M4NU5__UltimateHomeServer", []string{
			// The corpus README calls this reflector-misplaced; its template has
			// the same four annotations, so the copies on the SealedSecret's own
			// metadata do nothing but break nothing: reflector-redundant, a
			// warning (the precision issue's ruling on exactly this case).
			"sealed-secrets/sealed-smb-creds.yaml warning reflector-redundant",
		}},
	} {
		t.Run(c.repo, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Main([]string{"secretguard", "scan", "--format", "json", "--fail-on", "never", filepath.Join(dir, c.repo)}, strings.NewReader(""), &out, &errOut)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			var rep struct {
				Findings []struct{ File, Severity, Rule string }
			}
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Findings {
				got = append(got, f.File+" "+f.Severity+" "+f.Rule)
			}
			sort.Strings(got)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}
