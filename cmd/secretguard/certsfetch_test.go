package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// certServer is an API server that answers only the sealed-secrets
// controller's certificate through the service proxy, with what body says.
type certServer struct {
	mu   sync.Mutex
	body []byte
	code int
	hits []string
}

func (s *certServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hits = append(s.hits, r.URL.Path)
	if !strings.HasSuffix(r.URL.Path, "/proxy/v1/cert.pem") {
		http.NotFound(w, r)
		return
	}
	if s.code != 0 {
		w.WriteHeader(s.code)
	}
	w.Write(s.body)
}

// asked is the paths asked so far.
func (s *certServer) asked() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.hits...)
}

func (s *certServer) serve(body []byte, code int) {
	s.mu.Lock()
	s.body, s.code = body, code
	s.mu.Unlock()
}

// certs fetch with the real kubectl against a local API server: the first
// fetch writes the certificate, a second changes nothing, a renewed key is
// added beside the old one (both listed, the newest seals), and garbage, a
// 404 or a weak key change nothing and are exit 2. Two environments without
// a context are refused before anything is asked.
func TestCertsFetchWithKubectl(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		t.Skip("no kubectl")
	}
	srv := &certServer{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	os.WriteFile(kubeconfig, []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: local, cluster: {server: %q}}]
users: [{name: u, user: {}}]
contexts:
- {name: prod-cluster, context: {cluster: local, user: u}}
- {name: stage-cluster, context: {cluster: local, user: u}}
current-context: prod-cluster
`, ts.URL)), 0o600)
	t.Setenv("KUBECONFIG", kubeconfig)
	repo := filepath.Join(dir, "repo")
	os.MkdirAll(filepath.Join(repo, ".git"), 0o755)
	os.MkdirAll(filepath.Join(repo, "certs", "stage"), 0o755)
	os.WriteFile(filepath.Join(repo, ".secretguard.yaml"), []byte(`environments:
  prod:
    cert: certs/prod.pem
    paths: ["prod/**"]
    context: prod-cluster
    controller: {name: sealed-secrets, namespace: security}
  stage:
    cert: certs/stage
    paths: ["stage/**"]
`), 0o644)
	read := func(p string) []byte { b, _ := os.ReadFile(filepath.Join(repo, p)); return b }
	prodPEM, _ := os.ReadFile("../../testdata/demo/certs/prod.pem")
	stagePEM, _ := os.ReadFile("../../testdata/demo/certs/stage.pem")
	smallPEM, _ := os.ReadFile("../../testdata/keys/small.pem")
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Main(append([]string{"secretguard", "certs", "fetch"}, append(args, repo)...), strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}

	// Two environments, and stage names no context: refused, nothing asked.
	srv.serve(prodPEM, 0)
	if code, _, errs := run(); code != 2 || !strings.Contains(errs, "environment stage has no kubeconfig context") || len(srv.asked()) != 0 {
		t.Fatalf("no context: exit %d %q, %d requests", code, errs, len(srv.asked()))
	}
	// prod: its context, its controller; the file is new.
	code, out, errs := run("--env", "prod")
	if code != 0 || !strings.Contains(out, "prod: wrote the controller's certificate") || !bytes.Equal(read("certs/prod.pem"), prodPEM) {
		t.Fatalf("first fetch: exit %d %q %q", code, out, errs)
	}
	if hits := srv.asked(); hits[len(hits)-1] != "/api/v1/namespaces/security/services/http:sealed-secrets:/proxy/v1/cert.pem" {
		t.Errorf("asked %s", hits[len(hits)-1])
	}
	// Again: nothing changes.
	if code, out, _ := run("--env", "prod"); code != 0 || !strings.Contains(out, "already has the controller's certificate") || !bytes.Equal(read("certs/prod.pem"), prodPEM) {
		t.Errorf("second fetch: exit %d %q", code, out)
	}
	// The controller renewed its key: the new one is added after the old.
	srv.serve(stagePEM, 0)
	if code, out, _ := run("--env", "prod"); code != 0 || !strings.Contains(out, "2 certificates, the newest seals") ||
		!bytes.Equal(read("certs/prod.pem"), append(append([]byte(nil), prodPEM...), stagePEM...)) {
		t.Errorf("renewal: exit %d %q", code, out)
	}
	// A directory of certificates gets a new file; kubeseal's default
	// controller; the current context for one environment.
	if code, out, errs := run("--env", "stage"); code != 0 || !strings.Contains(out, "stage: wrote") && !strings.Contains(out, "stage: added") {
		t.Errorf("stage: exit %d %q %q", code, out, errs)
	}
	if entries, _ := os.ReadDir(filepath.Join(repo, "certs", "stage")); len(entries) != 1 {
		t.Errorf("certs/stage holds %d files", len(entries))
	}
	if hits := srv.asked(); hits[len(hits)-1] != "/api/v1/namespaces/kube-system/services/http:sealed-secrets-controller:/proxy/v1/cert.pem" {
		t.Errorf("asked %s", hits[len(hits)-1])
	}
	before := read("certs/prod.pem")
	for _, c := range []struct {
		name string
		body []byte
		code int
		want string
	}{
		{"garbage", []byte("<html>hello</html>"), 0, "holds no PEM certificate"},
		{"404", []byte("no such service"), 404, "could not get security/sealed-secrets's certificate"},
		{"a 2048-bit key", smallPEM, 0, ""},
	} {
		srv.serve(c.body, c.code)
		code, out, errs := run("--env", "prod")
		if c.want == "" { // small is a usable key: it is added
			if code != 0 {
				t.Errorf("%s: exit %d %q", c.name, code, errs)
			}
			continue
		}
		if code != 2 || !strings.Contains(errs, c.want) || !strings.Contains(errs, "nothing changed") || !bytes.Equal(read("certs/prod.pem"), before) || out != "" {
			t.Errorf("%s: exit %d, out %q, err %q", c.name, code, out, errs)
		}
	}
	// --from a file, for one environment.
	os.WriteFile(filepath.Join(dir, "weak.pem"), []byte("not a certificate"), 0o644)
	if code, _, errs := run("--env", "prod", "--from", filepath.Join(dir, "weak.pem")); code != 2 || !strings.Contains(errs, "it is not PEM") {
		t.Errorf("--from junk: exit %d %q", code, errs)
	}
	if code, _, errs := run("--from", filepath.Join(dir, "weak.pem")); code != 2 || !strings.Contains(errs, "one environment") {
		t.Errorf("--from for two: exit %d %q", code, errs)
	}
}
