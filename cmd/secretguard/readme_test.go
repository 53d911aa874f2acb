package main

import (
	"os"
	"strings"
	"testing"

	"github.com/secretguard/secretguard/scan"
)

// The README's rule table names every rule with its default severity.
func TestREADMEListsEveryRule(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range scan.Rules() {
		info := r.Info()
		row := "| `" + info.ID + "` | " + string(info.Severity) + " |"
		if !strings.Contains(string(b), row) {
			t.Errorf("README has no row %q", row)
		}
	}
}
