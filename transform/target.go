package transform

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/secretguard/secretguard/certs"
	"github.com/secretguard/secretguard/config"
	"github.com/secretguard/secretguard/gitops"
	"github.com/secretguard/secretguard/internal/words"
)

// Choice is what the user forced for a sealing run.
type Choice struct {
	Env  string // `--env NAME`: seal every file for that environment
	Cert string // `--cert FILE`: seal with that certificate, whatever the environments say
	// Namespace is for Secrets that name none when neither the environment nor a
	// kustomization next to the file sets one (`--namespace`).
	Namespace string
	// Force lets --env seal a file whose path maps to other environments.
	Force bool
}

// Picker picks the environment, certificate and default namespace for each
// file of a sealing run. NewPicker checks the forced choices once, so that a
// bad `--env` or an unusable `--cert` is one error before any file is read,
// whatever the tree holds.
type Picker struct {
	root   string
	envs   *certs.Envs
	choice Choice
	cert   *certs.Cert // loaded --cert
	now    time.Time
	// Built, when set, lists the environments whose builds deploy a file
	// (the overlays of a shared base): --env for another one is refused
	// as for a path that maps elsewhere.
	Built func(rel string) []string
	// dirNamespace caches, by directory, the namespace its kustomization
	// sets ("" for none): a run over 1,000 files of one folder read the
	// same kustomization (or failed to find three names) 1,000 times.
	dirNamespace sync.Map
}

// UsageError is a forced choice that names nothing usable.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// NewPicker validates the choice against the repository's environments.
func NewPicker(root string, envs *certs.Envs, choice Choice, now time.Time) (*Picker, error) {
	p := &Picker{root: root, envs: envs, choice: choice, now: now}
	if choice.Env != "" {
		if _, ok := envs.Env(choice.Env); !ok {
			known := strings.Join(envs.Names(), ", ")
			if known == "" {
				known = "none"
			}
			hint := ""
			if near := envs.Suggest(choice.Env); near != "" {
				hint = fmt.Sprintf(" (did you mean %s?)", near)
			}
			return nil, &UsageError{fmt.Sprintf("--env %q: no such environment%s (known: %s)", choice.Env, hint, known)}
		}
	}
	if choice.Cert != "" {
		cert, err := certs.Load("--cert", choice.Cert)
		if err != nil {
			return nil, err
		}
		if err := cert.Check(now); err != nil {
			return nil, err
		}
		p.cert = cert
	}
	return p, nil
}

// Target is where the file rel (repo-relative) is sealed for: --cert, then
// --env, then the environment its path maps to.
func (p *Picker) Target(rel string) (*Target, error) {
	t := &Target{}
	var env config.Environment
	if p.cert != nil {
		t.Env, t.Cert = "--cert "+p.choice.Cert, p.cert
		if p.choice.Env != "" {
			env, _ = p.envs.Env(p.choice.Env)
		}
	} else {
		name := p.choice.Env
		if name != "" && !p.choice.Force && rel != "-" {
			// --env for a file that deploys to other clusters would seal it
			// for the wrong controller, and the next scan would be clean.
			if others := p.envs.ForPath(rel); len(others) > 0 && !slices.Contains(others, name) {
				return nil, &UsageError{fmt.Sprintf("%s belongs to environment %s, not %s: sealed for %s, its cluster could not decrypt it; pass --force if %s really deploys it",
					rel, strings.Join(others, ", "), name, name, name)}
			}
			if p.Built != nil {
				if built := p.Built(rel); slices.ContainsFunc(built, func(e string) bool { return e != name }) {
					return nil, &UsageError{fmt.Sprintf("%s is deployed by the overlays of %s %s: sealed for %s alone, the other clusters could not decrypt it; run seal without --env to seal it once per overlay, or pass --force if only %s really deploys it",
						rel, "environment"+words.Plural(len(built)), strings.Join(built, ", "), name, name)}
				}
			}
		}
		if name == "" {
			var err error
			if name, err = p.envs.Pick(rel); err != nil {
				return nil, err
			}
		}
		et, err := p.EnvTarget(name)
		if err != nil {
			return nil, err
		}
		*t = *et
		env, _ = p.envs.Env(name)
	}
	t.Namespace = env.Namespace
	if t.Namespace == "" {
		t.Namespace = p.choice.Namespace
	}
	if t.Namespace == "" {
		t.Namespace = p.kustomizationNamespace(path.Dir(rel))
	}
	return t, nil
}

// kustomizationNamespace is the namespace the kustomization of a directory
// sets, read once per run.
func (p *Picker) kustomizationNamespace(dir string) string {
	if ns, ok := p.dirNamespace.Load(dir); ok {
		return ns.(string)
	}
	ns := ""
	if k, _ := gitops.KustomizationIn(p.root, dir); k != nil {
		ns = k.Namespace
	}
	p.dirNamespace.Store(dir, ns)
	return ns
}

// EnvTarget is the newest certificate of an environment, and its namespace.
func (p *Picker) EnvTarget(name string) (*Target, error) {
	env, _ := p.envs.Env(name)
	all, err := p.envs.Certs(name)
	if err != nil {
		return nil, err
	}
	cert := certs.Newest(all)
	if err := cert.Check(p.now); err != nil {
		return nil, err
	}
	t := &Target{Env: name, Cert: cert, Namespace: env.Namespace}
	for _, c := range all {
		t.Known = append(t.Known, c.SHA256)
	}
	return t, nil
}
