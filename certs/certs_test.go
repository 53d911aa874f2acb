package certs

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secretguard/secretguard/config"
)

var (
	keysOnce sync.Once
	rsaKey   *rsa.PrivateKey
	ecKey    *ecdsa.PrivateKey
)

// keys are generated once per test binary (2048 bits, the smallest accepted).
func keys(t *testing.T) (*rsa.PrivateKey, *ecdsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
	})
	return rsaKey, ecKey
}

var (
	year2020 = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	year2100 = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
)

// certPEM is a self-signed certificate, like a sealed-secrets controller's.
func certPEM(t *testing.T, pub, priv any, notAfter time.Time) ([]byte, []byte) {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "sealed-secret", Organization: []string{"sealed-secret"}},
		NotBefore:    time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     notAfter,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), der
}

// weak is a certificate whose public key is rk's modulus with exponent e;
// evenBits > 0 replaces the modulus with an even number of that size (1: the
// key's size), as an attacker's crafted certificate would. It is signed by rk,
// which the parser does not check.
func weak(t *testing.T, rk *rsa.PrivateKey, e int, bits int) []byte {
	t.Helper()
	n := new(big.Int).Set(rk.N)
	switch {
	case bits == 1:
		n.SetBit(n, 0, 0)
	case bits > 1:
		n = new(big.Int).Rsh(rk.N, uint(rk.N.BitLen()-bits))
		n.SetBit(n, 0, 1)
	}
	p, _ := certPEM(t, &rsa.PublicKey{N: n, E: e}, rk, year2100)
	return p
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoad(t *testing.T) {
	rk, ek := keys(t)
	dir := t.TempDir()
	good, der := certPEM(t, &rk.PublicKey, rk, year2100)
	ecdsaPEM, _ := certPEM(t, &ek.PublicKey, ek, year2100)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)})
	files := map[string][]byte{
		"ok.pem":           good,
		"key-first.pem":    append(append([]byte{}, keyPEM...), good...), // the first CERTIFICATE block counts
		"ecdsa.pem":        ecdsaPEM,
		"junk.pem":         []byte("not pem at all\n"),
		"empty.pem":        nil,
		"key-only.pem":     keyPEM,
		"bad-der.pem":      pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("garbage")}),
		"exponent-1.pem":   weak(t, rk, 1, 0),
		"exponent-2.pem":   weak(t, rk, 2, 0),
		"exponent-big.pem": weak(t, rk, 1<<31+1, 0),
		"exponent-3.pem":   weak(t, rk, 3, 0),
		"even-modulus.pem": weak(t, rk, 65537, 1),
		"800-bit.pem":      weak(t, rk, 65537, 800),
		"with-header.pem":  append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Headers: map[string]string{"X": "y"}, Bytes: []byte("x")}), good...),
	}
	for name, data := range files {
		write(t, filepath.Join(dir, name), data)
	}
	if err := os.Mkdir(filepath.Join(dir, "a-directory.pem"), 0o755); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	wantSHA := hex.EncodeToString(sum[:])

	for _, tc := range []struct {
		file string
		err  string // "" means success
	}{
		{"ok.pem", ""},
		{"key-first.pem", ""},
		{"with-header.pem", ""},
		{"missing.pem", "does not exist"},
		{"a-directory.pem", "holds no .pem or .crt file"},
		{"junk.pem", "holds no PEM certificate: it is not PEM"},
		{"empty.pem", "holds no PEM certificate: it is empty"},
		{"key-only.pem", "holds no PEM certificate: it is a private key (RSA PRIVATE KEY), which sealing does not need and the repository must not hold"},
		{"bad-der.pem", "x509"},
		{"ecdsa.pem", "has a ECDSA key; sealed-secrets needs RSA"},
		{"exponent-1.pem", "has RSA public exponent 1, which cannot protect anything"},
		{"exponent-2.pem", "has RSA public exponent 2"},
		{"exponent-big.pem", "has RSA public exponent 2147483649"},
		{"even-modulus.pem", "has an even RSA modulus"},
		{"800-bit.pem", "has a 800-bit RSA key; sealing needs at least 2048 bits"},
		{"/dev/zero", "not a regular file"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			p := filepath.Join(dir, tc.file)
			if filepath.IsAbs(tc.file) {
				p = tc.file
			}
			c, err := Load("stage", p)
			if tc.file == "exponent-3.pem" {
				// Usable, but not what a controller makes: certs list says so.
				if err != nil || !strings.Contains(c.Note(), "exponent 3, not the 65537") {
					t.Errorf("exponent 3: err %v, note %q", err, c.Note())
				}
				return
			}
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if c.Env != "stage" || c.Path != p || c.Bits() != 2048 || c.SHA256 != wantSHA || c.Key.N.Cmp(rk.N) != 0 {
					t.Errorf("got env %q path %q bits %d sha256 %s", c.Env, c.Path, c.Bits(), c.SHA256)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tc.err)
			}
			// Every error names the environment and the path.
			for _, want := range []string{tc.err, "environment stage", p} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if tc.file == "a-directory.pem" && strings.Count(err.Error(), p) != 1 {
				t.Errorf("error %q repeats the path", err)
			}
		})
	}
}

// The fingerprint is openssl's: sha256 over the DER, lowercase hex.
func TestFingerprintOfDemoCerts(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		// openssl x509 -in FILE -noout -fingerprint -sha256 | tr -d : | tr A-F a-f
		{"../testdata/demo/certs/prod.pem", "21c5805c72c2f1dd2f41d3ead98d2be503c462bf992eaaba9b0657042e250b3d"},
		{"../testdata/demo/certs/stage.pem", "eef92f43f9e6cbe64874a8600a170acd6754c8c3b345ce0ca2daf5229e20b7b2"},
	} {
		c, err := Load("demo", tc.file)
		if err != nil {
			t.Fatal(err)
		}
		if c.SHA256 != tc.want || c.Bits() != 4096 {
			t.Errorf("%s: sha256 %s (%d bits), want %s (4096)", tc.file, c.SHA256, c.Bits(), tc.want)
		}
		if err := c.Check(time.Date(2124, 12, 31, 0, 0, 0, 0, time.UTC)); err != nil {
			t.Errorf("%s: %v", tc.file, err)
		}
	}
}

func TestExpiry(t *testing.T) {
	c, err := Load("old", "../testdata/keys/expired.pem") // valid 2019-01-01 .. 2020-01-01
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	for _, tc := range []struct {
		now      time.Time
		within   time.Duration
		checkErr string
		expiring bool
	}{
		{time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), 30 * day, "environment old: certificate ../testdata/keys/expired.pem expired on 2020-01-01", true},
		{year2020.Add(time.Second), 0, "expired on 2020-01-01", true},
		{year2020, 0, "", false}, // valid through its NotAfter second
		{time.Date(2019, 12, 15, 0, 0, 0, 0, time.UTC), 30 * day, "", true},
		{time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC), 30 * day, "", false},
		// Not yet valid is accepted, as kubeseal does: clocks differ.
		{time.Date(2018, 6, 1, 0, 0, 0, 0, time.UTC), 30 * day, "", false},
	} {
		err := c.Check(tc.now)
		if (tc.checkErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.checkErr)) {
			t.Errorf("Check(%s) = %v, want %q", tc.now, err, tc.checkErr)
		}
		if got := c.ExpiresWithin(tc.now, tc.within); got != tc.expiring {
			t.Errorf("ExpiresWithin(%s, %s) = %v", tc.now, tc.within, got)
		}
	}
}

// repo writes certs/NAME for each name, plus extra files.
func repo(t *testing.T, certFiles ...string) string {
	t.Helper()
	rk, _ := keys(t)
	root := t.TempDir()
	good, _ := certPEM(t, &rk.PublicKey, rk, year2100)
	for _, f := range certFiles {
		write(t, filepath.Join(root, filepath.FromSlash(f)), good)
	}
	return root
}

func TestDiscover(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
		want  []string
		err   string
	}{
		{"none", nil, []string{}, ""},
		{"pem and crt", []string{"certs/prod.pem", "certs/stage.crt", "certs/README.md", "certs/sub/dev.pem"}, []string{"prod", "stage", "sub"}, ""}, // certs/sub/ is environment sub
		{"only root certs/", []string{"charts/web/certs/tls.crt", "certs/prod.pem"}, []string{"prod"}, ""},
		{"both extensions", []string{"certs/prod.pem", "certs/prod.crt"}, nil, "both prod.crt and prod.pem are environment prod"},
		{"certs is a file", []string{"certs"}, []string{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Resolve(repo(t, tc.files...), &config.Config{})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := e.Names(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Names() = %q, want %q", got, tc.want)
			}
		})
	}
	// A nil config is the zero configuration.
	if e, err := Resolve(repo(t, "certs/prod.pem"), nil); err != nil || len(e.Names()) != 1 {
		t.Errorf("nil config: %v, %v", e, err)
	}
}

func TestPickDiscovered(t *testing.T) {
	root := repo(t, "certs/prod.pem", "certs/stage.crt")
	e, err := Resolve(root, &config.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path    string
		matches []string
		want    string
		err     string
	}{
		{"clusters/prod/app/secret.yaml", []string{"prod"}, "prod", ""},
		{"./clusters/prod/secret.yaml", []string{"prod"}, "prod", ""},
		{"apps/web/overlays/stage/s.yaml", []string{"stage"}, "stage", ""},
		{"prod/s.yaml", []string{"prod"}, "prod", ""},
		{"apps/web/base/s.yaml", nil, "", "apps/web/base/s.yaml belongs to no environment (known: prod, stage)"},
		{"apps/prod.yaml", nil, "", "belongs to no environment"}, // a file name is not a directory
		{"apps/prod", nil, "", "belongs to no environment"},
		{"production/s.yaml", []string{"prod"}, "prod", ""},                                                             // a common alias of prod only
		{"apps/staging/s.yaml", []string{"stage"}, "stage", ""},                                                         // and of stage
		{"apps/products/s.yaml", nil, "", "belongs to no environment"},                                                  // whole segments only
		{"apps/web/base/x.yaml", nil, "", `paths: ["**/prod/**", "**/production/**", "**/prd/**", "apps/web/base/**"]`}, // the config lines that would map it
		{"prod/stage/s.yaml", []string{"prod", "stage"}, "", "prod/stage/s.yaml belongs to several environments (prod, stage)"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			if got := e.ForPath(tc.path); !reflect.DeepEqual(got, tc.matches) {
				t.Errorf("ForPath = %q, want %q", got, tc.matches)
			}
			got, err := e.Pick(tc.path)
			if got != tc.want || (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
				t.Errorf("Pick = %q, %v; want %q, %q", got, err, tc.want, tc.err)
			}
		})
	}
	env, ok := e.Env("stage")
	if !ok || env.Cert != "certs/stage.crt" || env.Name != "stage" {
		t.Errorf("Env(stage) = %+v, %v", env, ok)
	}
	if _, ok := e.Env("dev"); ok {
		t.Error("Env(dev) exists")
	}
}

func TestPickConfigured(t *testing.T) {
	root := repo(t, "certs/prod.pem", "certs/stage.pem")
	for _, tc := range []struct {
		name, config string
		cases        map[string]string // path -> environment, or "error: substring"
	}{
		{"two environments", `
environments:
  stage:
    cert: certs/stage.pem
    paths: ["clusters/stage/**", "**/overlays/stage/**"]
  prod:
    cert: certs/prod.pem
    paths: ["clusters/prod/**", "**/overlays/prod/**", "shared/**"]
  dev:
    cert: certs/dev.pem
    paths: ["shared/**"]
`, map[string]string{
			"clusters/prod/a/s.yaml":      "prod",
			"apps/x/overlays/stage/s.yml": "stage",
			"apps/x/base/s.yaml":          "error: apps/x/base/s.yaml belongs to no environment (known: dev, prod, stage)",
			"shared/s.yaml":               "error: belongs to several environments (dev, prod)",
			"stage/s.yaml":                "error: belongs to no environment", // globs, not directory names
		}},
		{"one environment takes every file", `
environments:
  prod:
    cert: certs/prod.pem
    paths: ["**/overlays/prod/**"]
`, map[string]string{
			"a/overlays/prod/x.yaml": "prod",
			"anything/else.yaml":     "prod",
		}},
		{"one environment without paths", `
environments:
  prod:
    cert: certs/prod.pem
`, map[string]string{"x.yaml": "prod"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte(tc.config))
			if err != nil {
				t.Fatal(err)
			}
			e, err := Resolve(root, cfg)
			if err != nil {
				t.Fatal(err)
			}
			for p, want := range tc.cases {
				got, err := e.Pick(p)
				if msg, ok := strings.CutPrefix(want, "error: "); ok {
					if err == nil || !strings.Contains(err.Error(), msg) {
						t.Errorf("Pick(%s) = %q, %v; want error %q", p, got, err, msg)
					}
				} else if got != want || err != nil {
					t.Errorf("Pick(%s) = %q, %v; want %q", p, got, err, want)
				}
			}
		})
	}
}

func TestPickWithoutEnvironments(t *testing.T) {
	e, err := Resolve(t.TempDir(), &config.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Pick("a/s.yaml"); err == nil || !strings.Contains(err.Error(), "a/s.yaml: no environments") {
		t.Errorf("Pick: %v", err)
	}
	if got := e.ForPath("a/s.yaml"); len(got) != 0 {
		t.Errorf("ForPath = %q", got)
	}
}

// Certificates are read on first use only: a missing or expired one does not
// stop Resolve (so scan works), and Cert caches its result, errors included.
func TestCertLazyAndCached(t *testing.T) {
	root := repo(t, "certs/prod.pem")
	if err := os.WriteFile(filepath.Join(root, "certs", "old.pem"), mustRead(t, "../testdata/keys/expired.pem"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse([]byte(`
environments:
  prod: {cert: certs/prod.pem, paths: ["prod/**"]}
  gone: {cert: certs/gone.pem, paths: ["gone/**"]}
  old: {cert: certs/old.pem, paths: ["old/**"]}
`))
	if err != nil {
		t.Fatal(err)
	}
	e, err := Resolve(root, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := e.Names(), []string{"gone", "old", "prod"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}

	c1, err := e.Cert("prod")
	if err != nil || c1.Path != "certs/prod.pem" || c1.Env != "prod" {
		t.Fatalf("Cert(prod) = %+v, %v", c1, err)
	}
	if c2, _ := e.Cert("prod"); c2 != c1 {
		t.Error("Cert(prod) not cached")
	}

	_, err = e.Cert("gone")
	if err == nil || !strings.Contains(err.Error(), "environment gone") || !strings.Contains(err.Error(), "certificate certs/gone.pem does not exist") || strings.Contains(err.Error(), root) {
		t.Errorf("Cert(gone) = %v", err)
	}
	write(t, filepath.Join(root, "certs", "gone.pem"), mustRead(t, filepath.Join(root, "certs", "prod.pem")))
	if _, err2 := e.Cert("gone"); err2 == nil || err2.Error() != err.Error() {
		t.Errorf("Cert(gone) error not cached: %v", err2)
	}

	old, err := e.Cert("old") // loads; expiry is the caller's check
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Check(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil || !strings.Contains(err.Error(), "environment old: certificate certs/old.pem expired") {
		t.Errorf("Check = %v", err)
	}

	if _, err := e.Cert("nope"); err == nil || !strings.Contains(err.Error(), `no environment "nope" (known: gone, old, prod)`) {
		t.Errorf("Cert(nope) = %v", err)
	}
}

// An absolute cert path in the config is used as is.
func TestCertAbsolutePath(t *testing.T) {
	other := repo(t, "elsewhere/prod.pem")
	abs := filepath.ToSlash(filepath.Join(other, "elsewhere", "prod.pem"))
	e, err := Resolve(t.TempDir(), &config.Config{Environments: []config.Environment{{Name: "prod", Cert: abs}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Cert("prod"); err != nil {
		t.Error(err)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// After a controller key renewal an environment has several certificates: in
// one file (`kubeseal --fetch-cert >> certs/prod.pem`) or a directory. Sealing
// uses the newest (latest NotBefore); all of them are the environment's.
func TestSeveralCertificates(t *testing.T) {
	rk, _ := keys(t)
	rk2, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	old := certAt(t, rk, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	newer := certAt(t, rk2, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	root := t.TempDir()
	write(t, filepath.Join(root, "certs/prod.pem"), append(append([]byte{}, newer...), old...)) // newest first or last: order does not matter
	write(t, filepath.Join(root, "certs/stage/2024.pem"), old)
	write(t, filepath.Join(root, "certs/stage/2025.crt"), newer)
	e, err := Resolve(root, &config.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range []string{"prod", "stage"} {
		all, err := e.Certs(env)
		if err != nil || len(all) != 2 {
			t.Fatalf("%s: %d certificates, %v", env, len(all), err)
		}
		c, err := e.Cert(env)
		if err != nil || c.Key.N.Cmp(rk2.N) != 0 {
			t.Errorf("%s seals with the older certificate (%v)", env, err)
		}
	}
	if got := e.Owner(Newest(mustCerts(t, e, "prod")).SHA256); got != "prod" {
		t.Errorf("Owner = %q, want prod (the first environment listing it)", got)
	}
	if e.Owner("00") != "" {
		t.Error("an unknown fingerprint has an owner")
	}
}

func mustCerts(t *testing.T, e *Envs, env string) []*Cert {
	t.Helper()
	all, err := e.Certs(env)
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// certAt is a controller-like certificate made at notBefore.
func certAt(t *testing.T, k *rsa.PrivateKey, notBefore time.Time) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(notBefore.Unix()),
		Subject:      pkix.Name{CommonName: "sealed-secret", Organization: []string{"sealed-secret"}},
		NotBefore:    notBefore,
		NotAfter:     notBefore.AddDate(10, 0, 0),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
