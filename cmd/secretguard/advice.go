package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/secretguard/secretguard/certs"
	"github.com/secretguard/secretguard/scan"
	"github.com/secretguard/secretguard/source"
	"github.com/secretguard/secretguard/transform"
)

// adviser checks the advice of fixable findings against the sealer and
// against where the user stands, so that the command a finding gives works
// as printed: the path is the one to type from the working directory, seal is
// only advised where a dry run of it seals the file (otherwise the advice is
// what stands in its way), and in --staged mode the index is told apart from
// the working tree.
func (r *repo) adviser(m scanMode) func(*scan.Finding) {
	if m.history {
		return nil // the rule's own advice: rotate the value
	}
	pick, perr := transform.NewPicker(r.Root, r.Envs, transform.Choice{}, time.Now())
	opt := transform.Options{DefaultScope: r.Config.Scope}
	verdicts := map[string]string{} // file → advice, one dry run per file
	opt.Read = r.dirSource().ReadFile
	return func(f *scan.Finding) {
		if f.Fixable && f.Rule == scan.SecretGeneratorID && !r.generatorFixes(f, opt, pick, perr) {
			f.Fixable, f.Advice = false, "" // the rule's message says what to do by hand
			return
		}
		if f.Fixable && f.Rule != scan.RawSecretID && f.File != source.StdinName {
			arg := shellArg(r.pathFromHere(f.File))
			f.Advice = scan.FixAdvice(arg)
			if m.staged {
				f.Advice += ", then stage it with `git add " + arg + "`"
			}
			return
		}
		if !f.Fixable || f.Rule != scan.RawSecretID {
			return
		}
		if f.File == source.StdinName {
			f.Advice, f.Fixable = "the stream is not a file to seal: seal the Secret in the file it was built from (a scan of the repository names it)", false
			return
		}
		if v, ok := verdicts[f.File]; ok {
			f.Advice, f.Fixable = v, v != "" && strings.Contains(v, "`secretguard seal ")
			return
		}
		arg := shellArg(r.pathFromHere(f.File))
		advice := func() string {
			if perr != nil {
				return "seal cannot run here: " + perr.Error()
			}
			data, err := os.ReadFile(r.abs(f.File))
			if err != nil {
				if m.staged {
					return "the file is staged but not in the working tree: restore it (`git restore " + arg + "`), seal it, and stage it again"
				}
				return "seal cannot read it: " + err.Error()
			}
			res, err := r.sealOne(f.File, data, opt, pick)
			switch {
			case err != nil:
				return r.blocked(f.File, arg, err)
			case res.New == nil && m.staged:
				return "the working tree no longer holds it, the index does: stage the file with `git add " + arg + "`"
			case res.New == nil:
				return scan.SealAdvice(arg)
			case m.staged:
				return scan.SealAdvice(arg) + ", then stage it with `git add " + arg + "`"
			}
			return scan.SealAdvice(arg)
		}()
		verdicts[f.File] = advice
		f.Advice, f.Fixable = advice, strings.Contains(advice, "`secretguard seal ")
	}
}

// blocked is the advice where seal would refuse the file: what to do first.
func (r *repo) blocked(rel, arg string, err error) string {
	var te *transform.TemplateError
	var se *transform.Error
	switch {
	case errors.As(err, &te):
		return "seal never rewrites a template: have the chart read the values from a Secret made by a SealedSecret or an ExternalSecret"
	case errors.As(err, &se) && se.Line == 0:
		return "seal leaves the file untouched: " + strings.TrimSuffix(se.Msg, "; file left untouched")
	case errors.As(err, &se):
		return fmt.Sprintf("seal leaves the file untouched until this is fixed: line %d: %s", se.Line, strings.TrimSuffix(se.Msg, "; file left untouched"))
	}
	names := r.Envs.Names()
	switch envs := r.Envs.ForPath(rel); {
	case len(names) == 0:
		return "seal needs the certificate of the cluster it is for: fetch it into certs/ (kubeseal --fetch-cert > certs/prod.pem, one file per cluster), then seal the file"
	case len(envs) > 1:
		return fmt.Sprintf("it belongs to several environments (%s), and a SealedSecret decrypts in one cluster only: give each environment its own copy, or make their paths disjoint in .secretguard.yaml", strings.Join(envs, ", "))
	case len(envs) == 0 && errors.Is(err, certs.ErrUnmapped):
		var cmds []string
		for _, n := range names {
			cmds = append(cmds, fmt.Sprintf("`secretguard seal --env %s %s`", n, arg))
		}
		return fmt.Sprintf("its folder maps to no environment: seal it for its cluster with %s, or map the folder in .secretguard.yaml", strings.Join(cmds, " or "))
	}
	return "seal cannot seal it yet: " + strings.ReplaceAll(err.Error(), "\n", " ")
}

// pathFromHere is a repository file as the user names it from the working
// directory (the advice's commands run there).
func (r *repo) pathFromHere(rel string) string {
	abs := r.abs(rel)
	wd, err := os.Getwd()
	if err != nil {
		return abs
	}
	if p, err := filepath.Rel(wd, abs); err == nil {
		return p
	}
	return abs
}

// shellArg quotes a path for a POSIX shell when it needs it.
func shellArg(p string) string {
	if p != "" && strings.IndexFunc(p, func(c rune) bool {
		return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("/._-+=:,@", c))
	}) < 0 {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}

// generatorFixes says whether fix turns the secretGenerator of a finding into
// a SealedSecret here (the files it reads are there, an environment and its
// certificate take it…): a dry run of the repair, as the user would run it.
func (r *repo) generatorFixes(f *scan.Finding, opt transform.Options, pick *transform.Picker, perr error) bool {
	if perr != nil {
		return false
	}
	data, err := r.dirSource().ReadFile(f.File)
	if err != nil {
		return false
	}
	want := transform.Want{Rule: f.Rule, Line: f.Line, Namespace: f.Namespace}
	if sh, ok, err := r.sharedAt(f.File, data, pick); ok {
		if err != nil {
			return false
		}
		opt.Shared = &sh
	}
	res, err := transform.Fix(f.File, data, []transform.Want{want}, opt, func() (*transform.Target, error) { return pick.Target(f.File) })
	if err != nil {
		return false
	}
	for _, x := range res.Fixed {
		if x.Rule == f.Rule && x.Line == f.Line {
			return true
		}
	}
	return false
}

// sealOne is what seal does to one file, before any write: sealed in
// place, or once per overlay for a shared base.
func (r *repo) sealOne(rel string, data []byte, opt transform.Options, pick *transform.Picker) (*transform.Result, error) {
	if sh, ok, err := r.sharedAt(rel, data, pick); ok {
		if err != nil {
			// Said only of a file with something to seal.
			return transform.Seal(rel, data, opt, func() (*transform.Target, error) { return nil, err })
		}
		return transform.SealShared(rel, data, opt, sh)
	}
	return transform.Seal(rel, data, opt, func() (*transform.Target, error) { return pick.Target(rel) })
}
