package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/secretguard/secretguard/internal/words"
	"github.com/secretguard/secretguard/sealedsecret"
	"github.com/secretguard/secretguard/source"
	"github.com/secretguard/secretguard/transform"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

// maxValue is the most a Secret holds (etcd's object limit, 1 MiB).
const maxValue = 1 << 20

func setCommand() *cli.Command {
	return &cli.Command{
		Name:      "set",
		Usage:     "seal the value read from stdin (or --from-file) into FILE's SealedSecret as KEY, in place",
		ArgsUsage: "FILE KEY",
		Description: "The value is never taken from the command line (shell history, ps): it is the exact bytes of stdin when it is a pipe\n" +
			"or a file, or of --from-file; typed on a terminal, it is read without echo up to the newline. It is sealed with the newest\n" +
			"certificate of FILE's environment for the SealedSecret's namespace, name and scope, and added or replaced in place: every\n" +
			"other byte of FILE stays. A FILE that holds several SealedSecrets needs --name; one that holds none (or does not exist)\n" +
			"gets a new SealedSecret with --name and --namespace.",
		Flags: append(append(lifecycleFlags(), targetFlags("seal")...),
			&cli.StringFlag{Name: "from-file", Usage: "read the value from `PATH` (its exact bytes)"},
			&cli.StringFlag{Name: "namespace", Aliases: []string{"n"}, Usage: "`NAMESPACE` of the SealedSecret (to pick one, or for a new one)"},
			&cli.StringFlag{Name: "scope", Usage: "`SCOPE` of a new SealedSecret: " + strings.Join(sealedsecret.Scopes, ", ") + " (default: the config's scope, then strict)"},
		),
		Action: func(c *cli.Context) error { return runSetKey(c, false) },
	}
}

func unsetCommand() *cli.Command {
	return &cli.Command{
		Name:        "unset",
		Usage:       "remove KEY from FILE's SealedSecret, in place",
		ArgsUsage:   "FILE KEY",
		Description: "Removes the key's lines from spec.encryptedData; every other byte of FILE stays. The last key is not removed: delete the file instead.",
		Flags:       lifecycleFlags(),
		Action:      func(c *cli.Context) error { return runSetKey(c, true) },
	}
}

// lifecycleFlags are the flags set and unset share.
func lifecycleFlags() []cli.Flag {
	return []cli.Flag{configFlag, noColorFlag, sealQuietFlag, dryRunFlag, diffFlag,
		&cli.StringFlag{Name: "name", Usage: "`NAME` of the SealedSecret, when FILE holds several (or none)"}}
}

// setOptions is `secretguard set`'s and `unset`'s command line.
type setOptions struct {
	Config, File, FromFile string
	Choice                 transform.Choice
	Lib                    transform.SetOptions
	DryRun, Diff, Quiet    bool
}

func runSetKey(c *cli.Context, unset bool) error {
	args := c.Args().Slice()
	verb := c.Command.Name
	switch {
	case len(args) > 2 && !unset:
		return usage("set takes FILE KEY only: the value is never read from the command line (shell history, ps); pipe it (printf %%s \"$VALUE\" | secretguard set FILE KEY), use --from-file, or type it when asked")
	case len(args) != 2:
		return usage("%s needs FILE KEY (see --help)", verb)
	}
	o := setOptions{
		Config: c.String("config"), File: args[0], FromFile: c.String("from-file"),
		Choice: targetChoice(c),
		Lib: transform.SetOptions{Key: args[1], Unset: unset, Name: c.String("name"), Namespace: c.String("namespace"),
			Scope: c.String("scope")},
		DryRun: c.Bool("dry-run"), Diff: c.Bool("diff"), Quiet: c.Bool("quiet"),
	}
	if err := sealedsecret.CheckScope(o.Lib.Scope); err != nil {
		return usage("--%v", err)
	}
	if err := sealedsecret.CheckKey(o.Lib.Key); err != nil {
		return usage("%v", err)
	}
	s := streamsOf(c)
	data, err := os.ReadFile(o.File)
	exists := err == nil
	at := o.File
	switch {
	case errors.Is(err, fs.ErrNotExist) && !unset && o.Lib.Name != "":
		at = filepath.Dir(o.File) // a new file holding a new SealedSecret
	case err != nil:
		return failure(err)
	}
	r, err := openRepo(o.Config, []string{at})
	if err != nil {
		return err
	}
	rel, err := source.Rel(r.Root, o.File)
	if err != nil {
		return failure(err)
	}
	pick, err := r.picker(o.Choice)
	if err != nil {
		return err
	}
	if !unset {
		if o.Lib.Value, err = readValue(s, o.FromFile, rel, o.Lib.Key); err != nil {
			return failure(err)
		}
		defer clear(o.Lib.Value)
	}
	o.Lib.DefaultScope = r.Config.Scope
	res, err := transform.SetKey(rel, data, o.Lib, func() (*transform.Target, error) { return pick.Target(rel) })
	if err != nil {
		return failure(errors.New(sealError(rel, err)))
	}
	if o.Diff {
		if err := transform.WriteDiff(s.out, rel, res); err != nil {
			return failure(err)
		}
		return findings // like seal --diff: 1 when it shows a change
	}
	if !o.DryRun {
		path := r.abs(rel)
		write := transform.WriteFile
		if !exists {
			write = transform.CreateFile
		}
		if err := write(path, res.New); err != nil {
			return failure(err)
		}
	}
	if !o.Quiet {
		done := verb
		if o.DryRun {
			done = "would " + verb
		}
		for _, f := range res.Fixed {
			fmt.Fprintf(s.out, "%s %s:%d: %s\n", done, words.OneLine(rel), f.Line, words.OneLine(f.What))
		}
	}
	return nil
}

// readValue is the value to seal: --from-file's bytes, the line typed on a
// terminal (not echoed), or all of stdin, exactly. At most maxValue bytes.
func readValue(s streams, fromFile, rel, key string) ([]byte, error) {
	var in io.Reader = s.in
	if fromFile != "" {
		f, err := os.Open(fromFile)
		if err != nil {
			return nil, fmt.Errorf("--from-file: %w", err)
		}
		defer f.Close()
		in = f
	} else if f, ok := s.in.(*os.File); ok && isTerminal(f) {
		fmt.Fprintf(s.err, "value of %s in %s (not echoed, ends at the newline): ", words.OneLine(key), words.OneLine(rel))
		v, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(s.err)
		if err != nil {
			return nil, fmt.Errorf("read the value from the terminal: %w", err)
		}
		if len(v) == 0 {
			return nil, errors.New("nothing was typed: to seal an empty value, pipe it (secretguard set FILE KEY < /dev/null)")
		}
		return v, nil
	}
	v, err := io.ReadAll(io.LimitReader(in, maxValue+1))
	if err != nil {
		clear(v)
		return nil, fmt.Errorf("read the value: %w", err)
	}
	if len(v) > maxValue {
		clear(v)
		return nil, fmt.Errorf("the value is larger than %d bytes, the most a Secret holds", maxValue)
	}
	return v, nil
}
