package source

import "testing"

func TestNotOurs(t *testing.T) {
	for p, want := range map[string]bool{
		"pnpm-lock.yaml": true, "apps/web/package-lock.json": true, "go.sum": true, "Cargo.lock": true,
		"public/banner.PNG": true, "fonts/a.woff2": true, "dist/app.jar": true, "logo.svg": true,
		"k8s/secret.yaml": false, "go.mod": false, "id_rsa": false, "certs/prod.pem": false,
		"lock.yaml": false, "values.yaml": false,
	} {
		if got := NotOurs(p); got != want {
			t.Errorf("NotOurs(%q) = %v, want %v", p, got, want)
		}
	}
}
