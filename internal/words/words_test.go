package words

import (
	"errors"
	"io/fs"
	"testing"
)

func TestWords(t *testing.T) {
	if Plural(1) != "" || Plural(0) != "s" || Plural(2) != "s" {
		t.Error("Plural")
	}
	if Ref("", "db") != "db" || Ref("web", "db") != "web/db" {
		t.Error("Ref")
	}
	err := &fs.PathError{Op: "open", Path: "/tmp/x", Err: fs.ErrPermission}
	if got := ErrText(err); got != "permission denied" {
		t.Errorf("ErrText: %q", got)
	}
	if got := ErrText(errors.New("boom")); got != "boom" {
		t.Errorf("ErrText: %q", got)
	}
}

func TestNearest(t *testing.T) {
	opts := []string{"done", "cert", "paths", "path", "namespace", "prod", "stage", "raw-secret"}
	for in, want := range map[string]string{
		"pahts": "paths", "pth": "path", "Cert": "cert", "namespce": "namespace", "prd": "prod",
		"raw-secrets": "raw-secret", "zzz": "", "exclude": "", "nope": "", "gone": "done",
	} {
		if got := Nearest(in, opts); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", in, got, want)
		}
	}
}
