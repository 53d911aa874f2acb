package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the scripts run `secretguard` in-process as a real command.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"secretguard": func() { os.Exit(Main(os.Args, os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs testdata/script/*.txtar: each reads like a terminal session.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// Fixtures shared by the scripts: the demo repository and the test keys.
			env.Setenv("DEMO", mustAbs("../../testdata/demo"))
			env.Setenv("KEYS", mustAbs("../../testdata/keys"))
			env.Setenv("NO_COLOR", "")
			return nil
		},
		Cmds: scriptCmds,
	})
}

func mustAbs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		panic(err)
	}
	return a
}
