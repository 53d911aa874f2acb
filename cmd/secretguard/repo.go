package main

import (
	"os"
	"path/filepath"
	"sync"

	"github.com/secretguard/secretguard/certs"
	"github.com/secretguard/secretguard/config"
	"github.com/secretguard/secretguard/gitops"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/scan"
	"github.com/secretguard/secretguard/source"
)

// repo is what every command works on: the repository root, its configuration
// and its environments.
type repo struct {
	Root   string
	Paths  []string
	Config *config.Config
	Envs   *certs.Envs

	gitOnce sync.Once
	git     *source.Git // nil outside git

	sopsMu      sync.Mutex
	sopsConfigs map[string][]manifest.SOPSRule // by folder; nil: none there

	modelOnce sync.Once
	build     *gitops.Model // see model
	modelErr  error
}

// sopsKeeps says which .sops.yaml keeps a repository file encrypted (see
// manifest.SOPSRuleFor), reading the .sops.yaml files on the way once.
func (r *repo) sopsKeeps(rel string) (string, bool) {
	cfg, _, ok := manifest.SOPSRuleFor(rel, func(d string) ([]manifest.SOPSRule, bool) {
		r.sopsMu.Lock()
		defer r.sopsMu.Unlock()
		if r.sopsConfigs == nil {
			r.sopsConfigs = map[string][]manifest.SOPSRule{}
		}
		rules, known := r.sopsConfigs[d]
		if !known {
			if data, err := os.ReadFile(filepath.Join(r.abs(d), ".sops.yaml")); err == nil {
				rules = manifest.ParseSOPSConfig(data)
			}
			r.sopsConfigs[d] = rules
		}
		return rules, rules != nil
	})
	return cfg, ok
}

// ignored says why git ignores a file of the repository that it does not
// track, or "" (also outside git): scan's Context.Ignored.
func (r *repo) ignored(rel string) string {
	r.gitOnce.Do(func() {
		if _, err := source.FindGitDirs(r.Root); err == nil {
			r.git, _ = source.OpenGit(r.Root)
		}
	})
	if r.git == nil {
		return ""
	}
	why, _ := r.git.Ignored(rel)
	return why
}

// openRepo finds the root from the first path (not the working directory),
// loads its configuration (configPath, or .secretguard.yaml at the root) and
// checks it: a config that names no rule, a bad glob, a missing file given by
// --config are exit 2 before anything is read.
func openRepo(configPath string, paths []string) (*repo, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	root, err := source.FindRootOf(paths)
	if err != nil {
		return nil, failure(err)
	}
	explicit := configPath != ""
	if !explicit {
		configPath = filepath.Join(root, config.FileName)
	}
	cfg, err := config.Load(configPath, explicit)
	if err != nil {
		return nil, failure(err)
	}
	if err := scan.CheckConfig(cfg); err != nil {
		return nil, failure(err)
	}
	envs, err := certs.Resolve(root, cfg)
	if err != nil {
		return nil, failure(err)
	}
	return &repo{Root: root, Paths: paths, Config: cfg, Envs: envs}, nil
}

// abs is a repository file's path on disk.
func (r *repo) abs(rel string) string { return filepath.Join(r.Root, filepath.FromSlash(rel)) }

func (r *repo) dirSource() *source.Dir {
	return &source.Dir{
		Root:    r.Root,
		Paths:   r.Paths,
		MaxSize: r.Config.MaxFileSize,
		Skip: func(rel string, dir bool) bool {
			return r.Config.Excluded(rel)
		},
	}
}

// whole reports whether the paths cover the whole repository.
func (r *repo) whole() bool {
	rel, err := r.relPaths()
	return err == nil && len(rel) == 1 && rel[0] == "."
}

func (r *repo) relPaths() ([]string, error) {
	var out []string
	for _, p := range r.Paths {
		rel, err := source.Rel(r.Root, p)
		if err != nil {
			return nil, err
		}
		out = append(out, rel)
	}
	return out, nil
}
