package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/secretguard/secretguard/internal/sealtest"
)

var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"unseal":    unsealCmd,
	"exit":      exitCmd,
	"keybackup": keyBackupCmd,
}

// keybackup OUT KEYFILE... writes what `kubectl get secret -n kube-system -l
// sealedsecrets.bitnami.com/sealed-secrets-key -o yaml` prints for those
// keys (a List of kubernetes.io/tls Secrets), mode 0600.
func keyBackupCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: keybackup OUT KEYFILE...")
	}
	var b strings.Builder
	b.WriteString("apiVersion: v1\nitems:\n")
	for i, f := range args[1:] {
		key, err := os.ReadFile(ts.MkAbs(f))
		ts.Check(err)
		fmt.Fprintf(&b, "- apiVersion: v1\n  data:\n    tls.crt: \"\"\n    tls.key: %s\n  kind: Secret\n  metadata:\n    labels:\n      sealedsecrets.bitnami.com/sealed-secrets-key: active\n    name: sealed-secrets-key%d\n    namespace: kube-system\n  type: kubernetes.io/tls\n",
			base64.StdEncoding.EncodeToString(key), i)
	}
	b.WriteString("kind: List\nmetadata:\n  resourceVersion: \"\"\n")
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(b.String()), 0o600))
}

// exit N PROG ARGS... runs a program like exec and asserts its exit status,
// because the contract (0, 1, 2) is part of what we test.
func exitCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exit N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("%v", err)
	}
	if got != want {
		ts.Fatalf("exit status %d, want %d", got, want)
	}
}

// unseal KEYFILE FILE decrypts every SealedSecret of FILE with a test private key
// and prints `namespace/name key=value` lines, sorted: the round trip in-process.
// (The compat module does the same with the real kubeseal.)
func unsealCmd(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: unseal KEYFILE FILE")
	}
	priv, err := sealtest.LoadKey(ts.MkAbs(args[0]))
	ts.Check(err)
	data, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	values, err := sealtest.DecryptAll(data, strings.HasSuffix(args[1], ".json"), priv)
	ts.Check(err)
	var failed error
	for _, v := range values {
		if v.Err != nil {
			failed = fmt.Errorf("%s/%s %s: %v", v.Namespace, v.Name, v.Key, v.Err)
		}
	}
	if neg {
		if failed == nil {
			ts.Fatalf("every value decrypted")
		}
		return
	}
	if failed != nil {
		ts.Fatalf("%v", failed)
	}
	for _, v := range values {
		fmt.Fprintf(ts.Stdout(), "%s/%s %s=%s\n", v.Namespace, v.Name, v.Key, v.Plain)
	}
}
