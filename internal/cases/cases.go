// Package cases writes the rule test cases (scan/testdata/cases/*.txtar) out
// as repositories: the scan tests compare their findings with the case's
// `want`, the CLI tests run the advice those findings give.
package cases

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/txtar"
)

// Write writes the files of the case at file under root and returns its
// `want` section. `name.crlf` is written as `name` with CRLF line endings
// (txtar cannot hold CR); a file whose content is `@demo-cert NAME...` is the
// demo repository's certificates, concatenated (a NAME with a slash is a file
// under testdata/, such as keys/small). testdata is the repository's
// testdata directory.
func Write(file, root, testdata string) (want string, err error) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		return "", err
	}
	for _, f := range ar.Files {
		if f.Name == "want" {
			want = string(f.Data)
			continue
		}
		name, data := f.Name, f.Data
		if n, ok := strings.CutSuffix(name, ".crlf"); ok {
			name, data = n, []byte(strings.ReplaceAll(string(data), "\n", "\r\n"))
		}
		if names, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "@demo-cert "); ok {
			data = nil
			for _, n := range strings.Fields(names) {
				p := filepath.Join(testdata, "demo", "certs", n+".pem")
				if strings.Contains(n, "/") {
					p = filepath.Join(testdata, filepath.FromSlash(n)+".pem")
				}
				b, err := os.ReadFile(p)
				if err != nil {
					return "", fmt.Errorf("%s: %w", file, err)
				}
				data = append(data, b...)
			}
		}
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return "", err
		}
	}
	return want, nil
}
