package transform_test

import (
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	"github.com/secretguard/secretguard/sealedsecret"
	"github.com/secretguard/secretguard/source"
	"github.com/secretguard/secretguard/transform"
)

// BenchmarkSeal1000 seals 1,000 Secrets (two values each) in one run, as `seal`
// does for a repository: parse, encrypt every value with RSA-4096, splice.
func BenchmarkSeal1000(b *testing.B) {
	cert, _ := testCert(b, "prod")
	var files [][]byte
	for i := 0; i < 1000; i++ {
		files = append(files, []byte(fmt.Sprintf("# app %d\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s%d\n  namespace: bench\ntype: Opaque\nstringData:\n  user: svc-%d\n  password: %s\n", i, i, i, strings.Repeat("p", 32))))
	}
	target := func() (*transform.Target, error) { return &transform.Target{Env: "prod", Cert: cert}, nil }
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for i, f := range files {
			res, err := transform.Seal(fmt.Sprintf("s%d.yaml", i), f, transform.Options{Rand: rand.Reader}, target)
			if err != nil || res.New == nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(1000*float64(b.N)/b.Elapsed().Seconds(), "secrets/s")
}

// BenchmarkSealAll1000 is the same through SealAll: files in parallel, as the
// seal command runs them.
func BenchmarkSealAll1000(b *testing.B) {
	cert, _ := testCert(b, "prod")
	var entries []source.Entry
	for i := 0; i < 1000; i++ {
		data := []byte(fmt.Sprintf("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s%d\n  namespace: bench\nstringData:\n  user: svc-%d\n  password: %s\n", i, i, strings.Repeat("p", 32)))
		entries = append(entries, source.Entry{Path: fmt.Sprintf("s%d.yaml", i), Read: func() ([]byte, error) { return data, nil }})
	}
	target := func(string) (*transform.Target, error) { return &transform.Target{Env: "prod", Cert: cert}, nil }
	all := func(string) bool { return true }
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		sealed := 0
		err := transform.SealAll(entries, all, transform.Options{}, target, nil, func(o transform.Outcome) error {
			if o.Err != nil {
				return o.Err
			}
			sealed += len(o.Result.Changes)
			return nil
		})
		if err != nil || sealed != 1000 {
			b.Fatalf("sealed %d: %v", sealed, err)
		}
	}
	b.ReportMetric(1000*float64(b.N)/b.Elapsed().Seconds(), "secrets/s")
}

// BenchmarkEncrypt is one value: the RSA-OAEP and AES-GCM cost alone.
func BenchmarkEncrypt(b *testing.B) {
	cert, _ := testCert(b, "prod")
	v := []byte(strings.Repeat("p", 32))
	for n := 0; n < b.N; n++ {
		if _, err := sealedsecret.Encrypt(rand.Reader, cert.Key, []byte("ns/name"), v); err != nil {
			b.Fatal(err)
		}
	}
}
