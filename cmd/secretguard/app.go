package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/secretguard/secretguard/internal/words"
	"github.com/urfave/cli/v2"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// versionOf is the version to print: the one the build stamped (-ldflags -X
// main.version, as `make build` and releases do), else the module version
// `go install …@v0.1.0` records, else dev.
func versionOf() string {
	if version != "dev" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return version
}

// exitError carries an exit code: 1 for findings, 2 for usage, config and I/O.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return ""
	}
	return e.err.Error()
}

func usage(format string, a ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, a...)}
}

// failure wraps a configuration or I/O error as exit 2.
func failure(err error) error {
	if err == nil {
		return nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return &exitError{code: 2, err: err}
}

// findings is exit 1 without a message: the report has said it all.
var findings = &exitError{code: 1}

// Main runs the command line with injected streams and returns the exit code, so
// every command is tested in-process.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := newApp(stdin, stdout, stderr)
	if len(args) > 1 {
		switch args[1] {
		case "help", "h": // as `--help` says they exist: `help [COMMAND]`
			args = append(append([]string{args[0]}, args[2:]...), "--help")
		case "--version", "-v":
			fmt.Fprintf(stdout, "secretguard %s\n", versionOf())
			return 0
		}
	}
	if len(args) > 1 && !strings.HasPrefix(args[1], "-") && app.Command(args[1]) == nil {
		fmt.Fprintf(stderr, "secretguard: unknown command %q (see secretguard --help)\n", args[1])
		return 2
	}
	err := app.Run(reorder(app, args))
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			// File and resource names reach here: no escape sequence of theirs
			// may drive the terminal.
			fmt.Fprintf(stderr, "secretguard: %s\n", words.Lines(ee.err.Error()))
		}
		return ee.code
	}
	// Anything urfave/cli returns itself is a usage error (bad flag, bad command).
	fmt.Fprintf(stderr, "secretguard: %s\n", words.OneLine(err.Error()))
	return 2
}

// streams are a command's standard streams, injected so that every command
// runs in-process in tests.
type streams struct {
	in       io.Reader
	out, err io.Writer
}

func streamsOf(c *cli.Context) streams { return streams{c.App.Reader, c.App.Writer, c.App.ErrWriter} }

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:           "secretguard",
		Usage:          "keep raw Kubernetes Secrets out of GitOps repositories",
		Version:        version,
		Reader:         stdin,
		Writer:         stdout,
		ErrWriter:      stderr,
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usage("%v", err)
		},
		HideVersion: true,
		Commands: []*cli.Command{
			initCommand(),
			scanCommand(),
			sealCommand(),
			fixCommand(),
			resealCommand(),
			setCommand(),
			unsetCommand(),
			certsCommand(),
			migrateCommand(),
			installHookCommand(),
			{
				Name:  "version",
				Usage: "print the version",
				Action: func(c *cli.Context) error {
					fmt.Fprintf(c.App.Writer, "secretguard %s\n", versionOf())
					return nil
				},
			},
		},
	}
	// A bad flag is one line on stderr and exit 2, not a page of help.
	var quiet func([]*cli.Command)
	quiet = func(cmds []*cli.Command) {
		for _, c := range cmds {
			c.OnUsageError = func(_ *cli.Context, err error, _ bool) error {
				return usage("%v (see --help)", err)
			}
			quiet(c.Subcommands)
		}
	}
	quiet(app.Commands)
	return app
}

// reorder moves flags that follow positional arguments in front of them:
// urfave/cli v2 stops parsing at the first positional, so `scan . --format json`
// would silently drop the flag (urfave/cli#1177). Users type that; we honour it.
func reorder(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	// App-level flags (--help) stay where they are; find the command chain.
	var cmd *cli.Command
	cmds := app.Commands
	for len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		var found *cli.Command
		for _, c := range cmds {
			if c.HasName(rest[0]) {
				found = c
			}
		}
		if found == nil {
			break
		}
		cmd = found
		out = append(out, rest[0])
		rest = rest[1:]
		cmds = found.Subcommands
	}
	if cmd == nil {
		return append(out, rest...)
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	var flags, positional []string
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case a == "--":
			positional = append(positional, rest[i+1:]...)
			i = len(rest)
		case a == "-" || !strings.HasPrefix(a, "-"):
			positional = append(positional, a)
		default:
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && takesValue[name] && i+1 < len(rest) {
				i++
				flags = append(flags, rest[i])
			}
		}
	}
	out = append(out, flags...)
	if len(positional) > 0 {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out
}

// isTerminal reports whether w is a character device (a TTY), for colour and
// progress; tests pass buffers and so never get either.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
