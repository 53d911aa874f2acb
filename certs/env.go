package certs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/secretguard/secretguard/config"
	"github.com/secretguard/secretguard/internal/words"
)

// Envs maps repository paths to environments and loads their certificates on
// first use, so a scan works even when a certificate is missing.
type Envs struct {
	root string
	envs []config.Environment
	// byDir is set when environments were discovered from certs/ without a
	// config: a file belongs to NAME when a directory of its path is NAME.
	byDir bool

	mu       sync.Mutex
	certs    map[string]certResult
	unplaced []string
	aliased  map[string]string // folder name → environment it was taken for
}

type certResult struct {
	all []*Cert
	err error
}

// Resolve builds the environments of a repository: the config's, or one per
// certs/NAME.pem (or .crt) directly in root's certs/ directory when the config
// names none (certificates elsewhere, such as a chart's TLS files, are not
// environments). Certificates are not read here: see Cert.
func Resolve(root string, cfg *config.Config) (*Envs, error) {
	e := &Envs{root: root, certs: map[string]certResult{}}
	if cfg != nil && len(cfg.Environments) > 0 {
		e.envs = append([]config.Environment(nil), cfg.Environments...)
		sort.Slice(e.envs, func(i, j int) bool { return e.envs[i].Name < e.envs[j].Name })
		return e, nil
	}
	dir := filepath.Join(root, "certs")
	entries, err := os.ReadDir(dir)
	if err != nil {
		if fi, serr := os.Stat(dir); errors.Is(serr, fs.ErrNotExist) || (serr == nil && !fi.IsDir()) {
			// No certs/ directory: look for the controllers' certificates
			// wherever the repository keeps them.
			return e, e.discoverElsewhere(cfg)
		}
		return nil, fmt.Errorf("discover environments: %w", err)
	}
	seen := map[string]string{}
	for _, de := range entries {
		ext := path.Ext(de.Name())
		name := strings.TrimSuffix(de.Name(), ext)
		switch {
		case de.IsDir() && otherKeys(filepath.Join(dir, de.Name())):
			continue // certs/NAME/ of SOPS' PGP public keys (NAME.asc), not certificates
		case de.IsDir():
			name = de.Name() // certs/NAME/: every certificate of NAME
		case ext != ".pem" && ext != ".crt":
			continue
		case notACertificate(filepath.Join(dir, de.Name())):
			continue // a key or a CSR kept beside the certificates
		}
		if other, ok := seen[name]; ok {
			return nil, fmt.Errorf("certs/: both %s and %s are environment %s: keep one (several certificates go in one file, or all in certs/%s/)", other, de.Name(), name, name)
		}
		seen[name] = de.Name()
		e.envs = append(e.envs, config.Environment{Name: name, Cert: "certs/" + de.Name()})
	}
	sort.Slice(e.envs, func(i, j int) bool { return e.envs[i].Name < e.envs[j].Name })
	e.byDir = true
	return e, nil
}

// otherKeys reports a folder that holds files and no certificate among them
// (.pem, .crt): another tool's keys. An empty folder is still an
// environment, whose missing certificate is worth a warning.
func otherKeys(dir string) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	files := 0
	for _, de := range entries {
		if de.IsDir() || strings.HasPrefix(de.Name(), ".") {
			continue // .keep, .gitkeep
		}
		switch strings.ToLower(path.Ext(de.Name())) {
		case ".pem", ".crt", ".cert":
			return false
		}
		files++
	}
	return files > 0
}

// Names lists the environments in name order.
func (e *Envs) Names() []string {
	out := make([]string, len(e.envs))
	for i, env := range e.envs {
		out[i] = env.Name
	}
	return out
}

// Suggest is the environment a mistyped or aliased name most likely meant
// (staging for stage, prd for prod, prdo for prod), or "".
func (e *Envs) Suggest(name string) string {
	for _, g := range aliasGroups {
		if !slices.Contains(g, name) {
			continue
		}
		for _, env := range e.envs {
			if slices.Contains(g, env.Name) {
				return env.Name
			}
		}
	}
	return words.Nearest(name, e.Names())
}

// Env returns an environment by name.
func (e *Envs) Env(name string) (config.Environment, bool) {
	for _, env := range e.envs {
		if env.Name == name {
			return env, true
		}
	}
	return config.Environment{}, false
}

// ForPath lists the environments a repository-relative `/` path belongs to, in
// name order: with a config, those with a matching `paths` glob; without one,
// those named by a directory segment of the path (not by the file name).
func (e *Envs) ForPath(rel string) []string {
	var out []string
	rel = path.Clean(rel)
	dirs := strings.Split(path.Dir(rel), "/")
	for _, env := range e.envs {
		if e.byDir {
			for _, d := range dirs {
				if d == env.Name {
					out = append(out, env.Name)
					break
				}
				if e.alias(d) == env.Name {
					e.noteAlias(d, env.Name)
					out = append(out, env.Name)
					break
				}
			}
			continue
		}
		for _, g := range env.Paths {
			if ok, _ := doublestar.Match(g, rel); ok {
				out = append(out, env.Name)
				break
			}
		}
	}
	return out
}

func (e *Envs) noteAlias(dir, env string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.aliased == nil {
		e.aliased = map[string]string{}
	}
	e.aliased[dir] = env
}

// Notes are what zero-config chose or found, said once per scan: folder
// names taken for an environment as a common alias of its name (production
// for prod), and sealed-secrets certificates found where no environment is
// named, with the config lines that would use them.
func (e *Envs) Notes() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for dir, env := range e.aliased {
		out = append(out, fmt.Sprintf("folders named %s are environment %s (a common name for it); map them otherwise with environments: in .secretguard.yaml", dir, env))
	}
	sort.Strings(out)
	for _, cert := range e.unplaced {
		name, dir := "NAME", "DIR"
		if n, d := placeOf(cert); n != "" {
			name, dir = n, d
		}
		out = append(out, fmt.Sprintf("%s is a sealed-secrets certificate whose place names no environment, so nothing is checked or sealed with it; to use it, add to .secretguard.yaml: environments: {%s: {cert: %s, paths: [\"%s/**\"]}}", cert, name, cert, dir))
	}
	return out
}

// placeOf is the folder a certificate most likely serves, for the config
// lines a note suggests: the deepest folder above it that is not a generic
// one (certs/, sealed-secrets/): kubernasty/sealed-secrets.pub.pem serves
// kubernasty/. "" when every folder is generic.
func placeOf(cert string) (name, dir string) {
	parts := strings.Split(path.Dir(cert), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if p := parts[i]; p != "." && p != "" && !genericCertNames[strings.ToLower(p)] {
			return p, strings.Join(parts[:i+1], "/")
		}
	}
	return "", ""
}

// aliasGroups are the names people give the same environment: a folder named
// production belongs to environment prod (and the reverse).
var aliasGroups = [][]string{
	{"prod", "production", "prd"},
	{"stage", "staging", "stg"},
	{"dev", "development", "develop"},
	{"test", "testing"},
}

// alias is the environment a folder name is a common alias of, when exactly
// one environment is in its group; "" otherwise.
func (e *Envs) alias(dir string) string {
	for _, g := range aliasGroups {
		in := false
		for _, n := range g {
			in = in || n == dir
		}
		if !in {
			continue
		}
		match := ""
		for _, env := range e.envs {
			for _, n := range g {
				if env.Name == n {
					if match != "" && match != env.Name {
						return "" // two environments of one group: only exact names count
					}
					match = env.Name
				}
			}
		}
		return match
	}
	return ""
}

// ErrUnmapped is Pick's error for a file whose path maps to no environment
// of several.
var ErrUnmapped = errors.New("belongs to no environment")

// Pick returns the one environment a file is sealed for: the one its path maps
// to, or the only environment there is.
func (e *Envs) Pick(rel string) (string, error) {
	m := e.ForPath(rel)
	switch {
	case len(m) == 1:
		return m[0], nil
	case len(e.envs) == 1 && len(m) == 0:
		return e.envs[0].Name, nil
	case len(e.envs) == 0:
		return "", fmt.Errorf("%s: no environments: add certs/NAME.pem or environments: to .secretguard.yaml, or pass --env/--cert", rel)
	case len(m) == 0:
		return "", fmt.Errorf("%s %w (known: %s): pass --env, or map its folder in .secretguard.yaml:\n%s", rel, ErrUnmapped, strings.Join(e.Names(), ", "), e.configFor(rel))
	default:
		return "", fmt.Errorf("%s belongs to several environments (%s): make their paths disjoint, or pass --env", rel, strings.Join(m, ", "))
	}
}

// didYouMean is " (did you mean NAME?)" for a name Suggest knows, else "".
func (e *Envs) didYouMean(name string) string {
	if s := e.Suggest(name); s != "" {
		return fmt.Sprintf(" (did you mean %s?)", s)
	}
	return ""
}

// Cert is the certificate an environment seals with: the newest of its
// certificates (see Newest). It does not check expiry: callers that seal call
// Cert.Check, while scan reports expiry as a finding.
func (e *Envs) Cert(name string) (*Cert, error) {
	all, err := e.Certs(name)
	if err != nil {
		return nil, err
	}
	return Newest(all), nil
}

// Certs loads (once) every certificate of an environment: its controller's
// current one and the older ones it keeps for SealedSecrets sealed before a
// key renewal. The result, error included, is cached.
func (e *Envs) Certs(name string) ([]*Cert, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if r, ok := e.certs[name]; ok {
		return r.all, r.err
	}
	env, ok := e.Env(name)
	if !ok {
		return nil, fmt.Errorf("no environment %q%s (known: %s)", name, e.didYouMean(name), strings.Join(e.Names(), ", "))
	}
	p := env.Cert
	if !filepath.IsAbs(p) {
		p = filepath.Join(e.root, filepath.FromSlash(p))
	}
	all, err := LoadAll(name, p)
	if err != nil && p != env.Cert {
		err = &relError{strings.ReplaceAll(err.Error(), p, env.Cert), err}
	}
	for _, c := range all {
		// Report repo-relative paths.
		if rel, rerr := filepath.Rel(e.root, c.Path); rerr == nil && filepath.IsLocal(rel) {
			c.Path = filepath.ToSlash(rel)
		}
	}
	e.certs[name] = certResult{all, err}
	return all, err
}

// relError is a certificate error that names the file as the configuration
// does (repository-relative), not by the absolute path it was read at.
type relError struct {
	msg string
	err error
}

func (e *relError) Error() string { return e.msg }
func (e *relError) Unwrap() error { return e.err }

// Owner names the environment one of whose certificates has the fingerprint
// (lowercase hex SHA-256), or "" when none has.
func (e *Envs) Owner(sha256 string) string {
	for _, name := range e.Names() {
		all, _ := e.Certs(name)
		for _, c := range all {
			if strings.EqualFold(c.SHA256, sha256) {
				return name
			}
		}
	}
	return ""
}

// configFor is the .secretguard.yaml that would map rel's folder to the first
// environment (the user picks the right one), keeping the others as they are.
func (e *Envs) configFor(rel string) string {
	var b strings.Builder
	b.WriteString("  environments:\n")
	for i, env := range e.envs {
		fmt.Fprintf(&b, "    %s:\n      cert: %s\n", env.Name, env.Cert)
		paths := append([]string(nil), env.Paths...)
		if e.byDir {
			// What the folder names map today: the name and its aliases.
			paths = []string{"**/" + env.Name + "/**"}
			for _, g := range aliasGroups {
				for _, n := range g {
					if n != env.Name && e.alias(n) == env.Name {
						paths = append(paths, "**/"+n+"/**")
					}
				}
			}
		}
		if i == 0 {
			paths = append(paths, path.Dir(path.Clean(rel))+"/**")
		}
		var quoted []string
		for _, p := range paths {
			quoted = append(quoted, fmt.Sprintf("%q", p))
		}
		fmt.Fprintf(&b, "      paths: [%s]\n", strings.Join(quoted, ", "))
	}
	return strings.TrimRight(b.String(), "\n")
}

// envNames are the folder and file names that name an environment.
var envNames = func() map[string]bool {
	m := map[string]bool{"uat": true, "qa": true}
	for _, g := range aliasGroups {
		for _, n := range g {
			m[n] = true
		}
	}
	return m
}()

// genericCertNames say what a file is, not which cluster it serves.
var genericCertNames = map[string]bool{"cert": true, "certs": true, "pub-cert": true, "public": true, "pub": true,
	"tls": true, "ca": true, "sealed-secrets": true, "sealed-secret": true, "kubeseal": true, "controller": true}

// skipDirs are never searched for certificates.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "vendor": true, ".terraform": true}

// maxCertSearch bounds the certificate search of a large monorepo.
const maxCertSearch = 200000

// discoverElsewhere finds sealed-secrets certificates outside certs/: a .pem
// or .crt under a folder named sealed-secrets, or whose subject is the
// controller's (O=sealed-secret); a chart's TLS certificates are neither. One
// whose path names an environment (clusters/staging/…, sealed-secrets/
// production.pem) is that environment's; the others are Unplaced.
func (e *Envs) discoverElsewhere(cfg *config.Config) error {
	byName := map[string][]string{}
	dirNames := map[string]bool{}
	var unnamed []string
	seen := 0
	err := filepath.WalkDir(e.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // an unreadable folder: the scan reports it
		}
		rel, _ := filepath.Rel(e.root, p)
		rel = filepath.ToSlash(rel)
		if seen++; seen > maxCertSearch {
			return fs.SkipAll
		}
		if d.IsDir() {
			if rel != "." && (skipDirs[d.Name()] || cfg != nil && cfg.Excluded(rel)) {
				return fs.SkipDir
			}
			dirNames[d.Name()] = true
			return nil
		}
		ext := path.Ext(rel)
		if !d.Type().IsRegular() || ext != ".pem" && ext != ".crt" || cfg != nil && cfg.Excluded(rel) {
			return nil
		}
		segs := strings.Split(strings.TrimSuffix(rel, ext), "/")
		inSealed := false
		for _, s := range segs[:len(segs)-1] {
			inSealed = inSealed || s == "sealed-secrets" || s == "sealed-secret" || s == "kubeseal"
		}
		all, err := LoadAll("", p)
		if err != nil {
			return nil
		}
		// The controller's own certificates have an empty subject and issuer
		// (kubeseal's test setups say O=sealed-secret); a TLS certificate
		// always names something.
		controller := false
		for _, c := range all {
			for _, o := range c.X509.Subject.Organization {
				controller = controller || o == "sealed-secret"
			}
			controller = controller || len(c.X509.RawSubject) <= 2 && len(c.X509.RawIssuer) <= 2
		}
		if !inSealed && !controller {
			return nil
		}
		name := ""
		for _, s := range segs {
			if envNames[s] {
				name = s // the deepest segment that names an environment
			}
		}
		if name == "" {
			unnamed = append(unnamed, rel)
			return nil
		}
		byName[name] = append(byName[name], rel)
		return nil
	})
	if err != nil {
		return fmt.Errorf("discover environments: %w", err)
	}
	// A certificate named after a folder of the repository serves the cluster
	// that folder deploys (kubeseal/bands.pem and clusters/bands/).
	for _, rel := range unnamed {
		base := strings.TrimSuffix(path.Base(rel), path.Ext(rel))
		if dirNames[base] && !genericCertNames[base] {
			byName[base] = append(byName[base], rel)
			continue
		}
		e.unplaced = append(e.unplaced, rel)
	}
	for name, files := range byName {
		if len(files) > 1 {
			sort.Strings(files)
			return fmt.Errorf("environment %s: certificates at %s: keep one file (several certificates go in one file), or map them in .secretguard.yaml", name, strings.Join(files, ", "))
		}
		e.envs = append(e.envs, config.Environment{Name: name, Cert: files[0]})
	}
	sort.Slice(e.envs, func(i, j int) bool { return e.envs[i].Name < e.envs[j].Name })
	sort.Strings(e.unplaced)
	e.byDir = true
	return nil
}

// notACertificate reports a PEM file that holds blocks but no certificate (a
// private key, a CSR); an empty or unreadable file is left for Certs to judge.
func notACertificate(p string) bool {
	data, err := readBounded(p)
	if err != nil {
		return false
	}
	return bytes.Contains(data, []byte("-----BEGIN ")) && !bytes.Contains(data, []byte("-----BEGIN CERTIFICATE-----"))
}
