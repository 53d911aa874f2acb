package certs

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// The controller defaults are kubeseal's.
const (
	DefaultControllerName      = "sealed-secrets-controller"
	DefaultControllerNamespace = "kube-system"
)

// CertPath is the path a controller serves its current certificate at,
// through the API server's service proxy, as kubeseal --fetch-cert asks it.
func CertPath(namespace, name string) string {
	return fmt.Sprintf("/api/v1/namespaces/%s/services/http:%s:/proxy/v1/cert.pem", namespace, name)
}

// FetchKubectl asks the API server of a kubeconfig context (the current one
// when context is "") for the controller's certificate, with kubectl.
func FetchKubectl(kubectl, kubeContext, namespace, name string) ([]byte, error) {
	args := []string{"get", "--raw", CertPath(namespace, name)}
	if kubeContext != "" {
		args = append([]string{"--context", kubeContext}, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, kubectl, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		where := "the current context"
		if kubeContext != "" {
			where = "context " + kubeContext
		}
		return nil, fmt.Errorf("kubectl (%s) could not get %s/%s's certificate: %s", where, namespace, name, oneLine(stderr.String(), err))
	}
	return out, nil
}

// FetchFrom reads a certificate from a URL (http, https) or a file.
func FetchFrom(from string) ([]byte, error) {
	if strings.HasPrefix(from, "http://") || strings.HasPrefix(from, "https://") {
		c := &http.Client{Timeout: 60 * time.Second}
		resp, err := c.Get(from)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", from, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("fetch %s: %s", from, resp.Status)
		}
		return io.ReadAll(io.LimitReader(resp.Body, maxCertFile))
	}
	return readBounded(from)
}

func oneLine(stderr string, err error) string {
	s := strings.Join(strings.Fields(stderr), " ")
	if s == "" {
		return err.Error()
	}
	return s
}

// Addition is what adding a fetched certificate to an environment does: the
// file to write (nil when nothing changes) and what to say.
type Addition struct {
	Cert    *Cert
	Write   *FileWrite // nil: the environment has this certificate already
	Message string
}

// FileWrite is a file to write whole.
type FileWrite struct {
	Path string // as the environment names it (relative to the root, or absolute)
	Abs  string
	Data []byte
}

// Add works out how a fetched certificate joins an environment whose
// certificates are at certPath (a file, a directory, or nothing yet): it
// must be a usable sealing certificate (one RSA key of sealed-secrets'
// sizes, not expired at now); a new one is appended to the file, or written
// beside the others in the directory, so that SealedSecrets sealed with the
// older keys are still checked against them; one already there changes
// nothing.
func Add(env, root, certPath string, fetched []byte, now time.Time) (*Addition, error) {
	got, err := ParseAll(env, "the fetched certificate", fetched)
	if err != nil {
		return nil, err
	}
	if len(got) != 1 {
		return nil, fmt.Errorf("environment %s: the fetched data holds %d certificates; a controller serves one", env, len(got))
	}
	c := got[0]
	if err := c.Check(now); err != nil {
		return nil, err
	}
	abs := certPath
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(root, filepath.FromSlash(certPath))
	}
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.X509.Raw})
	short := c.SHA256[:16]
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &Addition{Cert: c, Write: &FileWrite{Path: certPath, Abs: abs, Data: block},
			Message: fmt.Sprintf("%s: wrote the controller's certificate (sha256 %s…, valid until %s) to %s", env, short, c.X509.NotAfter.UTC().Format("2006-01-02"), certPath)}, nil
	case err != nil:
		return nil, fmt.Errorf("environment %s: %w", env, err)
	}
	existing, err := LoadAll(env, abs)
	if err != nil && !fi.IsDir() {
		return nil, fmt.Errorf("environment %s: %s cannot take another certificate until it is fixed: %w", env, certPath, err)
	}
	for _, e := range existing {
		if e.SHA256 == c.SHA256 {
			return &Addition{Cert: c, Message: fmt.Sprintf("%s: %s already has the controller's certificate (sha256 %s…): nothing to do", env, certPath, short)}, nil
		}
	}
	n := len(existing) + 1
	if fi.IsDir() {
		name := fmt.Sprintf("%s-%s.pem", c.X509.NotBefore.UTC().Format("2006-01-02"), c.SHA256[:8])
		p := filepath.ToSlash(filepath.Join(certPath, name))
		return &Addition{Cert: c, Write: &FileWrite{Path: p, Abs: filepath.Join(abs, name), Data: block},
			Message: fmt.Sprintf("%s: added the controller's new certificate (sha256 %s…, valid until %s) as %s: %d certificates, the newest seals, the older ones still check what they sealed", env, short, c.X509.NotAfter.UTC().Format("2006-01-02"), p, n)}, nil
	}
	old, err := readBounded(abs)
	if err != nil {
		return nil, fmt.Errorf("environment %s: %w", env, err)
	}
	data := append([]byte(nil), old...)
	if len(data) > 0 && data[len(data)-1] != '\n' {
		data = append(data, '\n')
	}
	data = append(data, block...)
	return &Addition{Cert: c, Write: &FileWrite{Path: certPath, Abs: abs, Data: data},
		Message: fmt.Sprintf("%s: added the controller's new certificate (sha256 %s…, valid until %s) to %s: %d certificates, the newest seals, the older ones still check what they sealed", env, short, c.X509.NotAfter.UTC().Format("2006-01-02"), certPath, n)}, nil
}
