package transform_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/secretguard/secretguard/manifest"
	"github.com/secretguard/secretguard/sealedsecret"
	"github.com/secretguard/secretguard/transform"
)

// A SealedSecret that records secretguard.io/sealed-for (the name its build
// gives it, which its own metadata may not say: a base's copy that an
// overlay moves) is set and resealed for that name, never for its metadata's.
func TestSealedForNamesTheLabel(t *testing.T) {
	cert, key := testCert(t, "prod")
	target := func() (*transform.Target, error) { return &transform.Target{Env: "prod", Cert: cert}, nil }
	in := "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\n  namespace: base\n  annotations:\n" +
		"    secretguard.io/sealed-for: shop-prod/db\nspec:\n  encryptedData:\n    user: AgBy3i4OJSWK+PiTySYZZA==\n  template:\n    metadata: {name: db, namespace: base}\n"
	res, err := transform.SetKey("sealed-db.yaml", []byte(in), transform.SetOptions{Key: "password", Value: []byte("MARKER-pw")}, target)
	if err != nil {
		t.Fatal(err)
	}
	d := manifest.Documents(res.New, false)[0]
	if err := d.Parse(); err != nil {
		t.Fatal(err)
	}
	ct, err := base64.StdEncoding.DecodeString(manifest.Scalar(manifest.Path(d.Node, "spec", "encryptedData", "password")))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := sealedsecret.Decrypt(key, sealedsecret.Label(sealedsecret.Strict, "shop-prod", "db"), ct); err != nil || string(got) != "MARKER-pw" {
		t.Fatalf("not sealed for shop-prod/db: %v", err)
	}
	if _, err := sealedsecret.Decrypt(key, sealedsecret.Label(sealedsecret.Strict, "base", "db"), ct); err == nil {
		t.Fatal("sealed for its metadata's base/db")
	}
	if strings.Contains(string(res.New), "MARKER") {
		t.Fatal("the value is in the file")
	}
}
