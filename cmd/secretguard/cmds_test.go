package main

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/transform"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"unseal": unsealCmd,
	"exit":   exitCmd,
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
	priv := loadKey(ts, ts.MkAbs(args[0]))
	data, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	var lines []string
	var failed error
	for _, d := range manifest.Documents(data, strings.HasSuffix(args[1], ".json")) {
		if d.Blank() || d.Parse() != nil {
			continue
		}
		root := d.Node.YNode()
		if manifest.Scalar(manifest.Field(root, "kind")) != "SealedSecret" {
			continue
		}
		md := manifest.Field(root, "metadata")
		ns, name := manifest.Scalar(manifest.Field(md, "namespace")), manifest.Scalar(manifest.Field(md, "name"))
		label := transform.Label(transform.SealedScope(root), ns, name)
		manifest.Pairs(manifest.Path(root, "spec", "encryptedData"), func(k, v *yaml.Node) {
			ct, err := base64.StdEncoding.DecodeString(v.Value)
			if err == nil {
				var pt []byte
				if pt, err = transform.Decrypt(priv, label, ct); err == nil {
					lines = append(lines, fmt.Sprintf("%s/%s %s=%s", ns, name, k.Value, pt))
					return
				}
			}
			failed = fmt.Errorf("%s/%s %s: %v", ns, name, k.Value, err)
		})
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
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Fprintln(ts.Stdout(), l)
	}
}

func loadKey(ts *testscript.TestScript, path string) *rsa.PrivateKey {
	data, err := os.ReadFile(path)
	ts.Check(err)
	block, _ := pem.Decode(data)
	if block == nil {
		ts.Fatalf("%s: no PEM block", path)
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	ts.Check(err)
	return k.(*rsa.PrivateKey)
}
