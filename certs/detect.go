package certs

import (
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/secretguard/secretguard/config"
)

// Detect proposes the environments of a repository from its layout, for
// `secretguard init`: folders named as people name environments
// (overlays/production, envs/stage), the clusters of a clusters/ folder
// (Flux's layout), and the certificates present (e's environments). Aliases
// of one environment (prod, production) become one, named after its
// certificate when there is one, else after the folder; its paths are every
// such folder. A cluster folder's environment keeps the folder's name.
func (e *Envs) Detect() []config.Environment {
	found := map[string]map[string]bool{} // environment → folder names
	add := func(env, dir string) {
		if found[env] == nil {
			found[env] = map[string]bool{}
		}
		found[env][dir] = true
	}
	certOf := map[string]string{}
	for _, env := range e.envs {
		certOf[env.Name] = env.Cert
	}
	envFolders := map[string]bool{}
	seen := 0
	_ = filepath.WalkDir(e.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if seen++; seen > maxCertSearch {
			return fs.SkipAll
		}
		rel, _ := filepath.Rel(e.root, p)
		name := d.Name()
		if rel != "." && (skipDirs[name] || strings.HasPrefix(name, ".")) {
			return fs.SkipDir
		}
		switch parent := filepath.Base(filepath.Dir(p)); {
		case envNames[name]:
			envFolders[name] = true
		case rel != "." && (parent == "clusters" || parent == "environments" || parent == "envs") && !genericCertNames[name]:
			add(name, name)
		}
		return nil
	})
	// One environment per alias group: named after its certificate, else
	// after the group's first name that is a folder here.
	for _, g := range aliasGroups {
		env := ""
		for _, n := range g {
			if certOf[n] != "" {
				env = n
				break
			}
		}
		for _, n := range g {
			if envFolders[n] {
				if env == "" {
					env = n
				}
				add(env, n)
				delete(envFolders, n)
			}
		}
	}
	for n := range envFolders { // uat, qa
		add(n, n)
	}
	for name := range certOf {
		if found[name] == nil {
			found[name] = map[string]bool{}
		}
	}
	var out []config.Environment
	for name, dirs := range found {
		env := config.Environment{Name: name, Cert: certOf[name]}
		if env.Cert == "" {
			env.Cert = "certs/" + name + ".pem"
		}
		for d := range dirs {
			env.Paths = append(env.Paths, "**/"+d+"/**")
		}
		sort.Strings(env.Paths)
		out = append(out, env)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
