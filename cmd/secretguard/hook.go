package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/secretguard/secretguard/source"
	"github.com/urfave/cli/v2"
)

// hookMarker identifies a hook we wrote, so we may replace it.
const hookMarker = "# secretguard pre-commit hook"

func installHookCommand() *cli.Command {
	return &cli.Command{
		Name:      "install-hook",
		Usage:     "write .git/hooks/pre-commit running `secretguard scan --staged` (for teams without the pre-commit framework)",
		ArgsUsage: "[PATH]",
		Flags:     []cli.Flag{&cli.BoolFlag{Name: "force", Usage: "replace a pre-commit hook that secretguard did not write"}},
		Action: func(c *cli.Context) error {
			p := "."
			if c.Args().Len() > 0 {
				p = c.Args().First()
			}
			root, err := source.FindRoot(p)
			if err != nil {
				return failure(err)
			}
			gitDir, err := source.FindGitDir(root)
			if err != nil {
				return failure(err)
			}
			hook := filepath.Join(gitDir, "hooks", "pre-commit")
			old, err := os.ReadFile(hook)
			switch {
			case errors.Is(err, fs.ErrNotExist):
			case err != nil:
				return failure(err)
			case !bytes.Contains(old, []byte(hookMarker)) && !c.Bool("force"):
				return usage("%s exists and was not written by secretguard: add `secretguard scan --staged` to it, or replace it with --force", hook)
			}
			self, _ := os.Executable()
			script := fmt.Sprintf(`#!/bin/sh
%s, written by `+"`secretguard install-hook`"+`.
# It scans what is staged (what the commit records). Skip it once with
# `+"`git commit --no-verify`"+`.
sg=secretguard
command -v secretguard >/dev/null 2>&1 || sg=%q
exec "$sg" scan --staged --no-color
`, hookMarker, self)
			if err := os.MkdirAll(filepath.Dir(hook), 0o755); err != nil {
				return failure(err)
			}
			if err := os.WriteFile(hook, []byte(script), 0o755); err != nil {
				return failure(err)
			}
			rel, _ := filepath.Rel(root, hook)
			fmt.Fprintf(c.App.Writer, "installed %s\n", filepath.ToSlash(rel))
			return nil
		},
	}
}
