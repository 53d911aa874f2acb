package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/secretguard/secretguard/source"
	"github.com/secretguard/secretguard/transform"
	"github.com/urfave/cli/v2"
)

// hookMarker identifies a hook we wrote, so we may replace it.
const hookMarker = "# secretguard pre-commit hook"

func installHookCommand() *cli.Command {
	return &cli.Command{
		Name:      "install-hook",
		Usage:     "write the pre-commit hook running `secretguard scan --staged` (for teams without the pre-commit framework)",
		ArgsUsage: "[PATH]",
		Description: "Writes pre-commit where git runs hooks from: core.hooksPath when it is set (husky, lefthook),\n" +
			"else .git/hooks (the main repository's, in a linked worktree). --force replaces a hook that\n" +
			"secretguard did not write, keeping it as pre-commit.before-secretguard.",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Usage: "replace a pre-commit hook that secretguard did not write (a copy is kept)"}},
		Action: func(c *cli.Context) error {
			p := "."
			if c.Args().Len() > 0 {
				p = c.Args().First()
			}
			return installHook(p, c.Bool("force"), streamsOf(c))
		},
	}
}

func installHook(p string, force bool, s streams) error {
	root, err := source.FindRoot(p)
	if err != nil {
		return failure(err)
	}
	g, err := source.OpenGit(root)
	if err != nil {
		return failure(err)
	}
	dir, fromConfig, err := g.HooksDir()
	if err != nil {
		return failure(err)
	}
	hook := filepath.Join(dir, "pre-commit")
	link := false
	if fi, err := os.Lstat(hook); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		// A hook linked to a shared script: replacing it must not write
		// into that script.
		link = true
	}
	old, err := os.ReadFile(hook)
	ours := bytes.Contains(old, []byte(hookMarker))
	var backup string
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return failure(err)
	case (!ours || link) && !force:
		return usage("%s exists and was not written by secretguard (or is a link): add `secretguard scan --staged` to it, or replace it with --force (a copy is kept)", hook)
	case !ours || link:
		if backup, err = keepCopy(hook, old); err != nil {
			return failure(err)
		}
	}
	if link {
		if err := os.Remove(hook); err != nil {
			return failure(err)
		}
	}
	self, _ := os.Executable()
	script := fmt.Sprintf(`#!/bin/sh
%s, written by `+"`secretguard install-hook`"+`.
# It scans what is staged (what the commit records), silent when all is
# well. Skip it once with
# `+"`git commit --no-verify`"+`.
sg=secretguard
command -v secretguard >/dev/null 2>&1 || sg=%q
exec "$sg" scan --staged --no-color --quiet
`, hookMarker, self)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return failure(err)
	}
	if err := transform.WriteOutput(hook, []byte(script), 0o755); err != nil {
		return failure(err)
	}
	if backup != "" {
		fmt.Fprintf(s.out, "kept the previous hook as %s\n", display(root, backup))
	}
	where := ""
	if fromConfig {
		where = " (core.hooksPath)"
	}
	fmt.Fprintf(s.out, "installed %s%s\n", display(root, hook), where)
	return nil
}

// keepCopy saves a hook we replace next to it, never over an earlier copy.
func keepCopy(hook string, data []byte) (string, error) {
	for i := 0; ; i++ {
		p := hook + ".before-secretguard"
		if i > 0 {
			p += "." + strconv.Itoa(i)
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = f.Write(data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return p, err
	}
}

// display is p relative to the repository root when it is inside it.
func display(root, p string) string {
	if rel, err := filepath.Rel(root, p); err == nil && filepath.IsLocal(rel) {
		return filepath.ToSlash(rel)
	}
	return p
}
