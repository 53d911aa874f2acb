// Package report renders scan results: each format is a small file of its own.
package report

import (
	"fmt"
	"io"

	"github.com/secretguard/secretguard/scan"
)

// Formats that Write knows.
var Formats = []string{"text", "json", "sarif", "github"}

// Options for rendering.
type Options struct {
	Color   bool   // ANSI colour (text)
	Quiet   bool   // findings only (text)
	Tool    string // tool name (SARIF)
	Version string // tool version (SARIF)
}

// Write renders res in format.
func Write(w io.Writer, format string, res *scan.Result, opt Options) error {
	switch format {
	case "text":
		return Text(w, res, opt)
	case "json":
		return JSON(w, res)
	case "sarif":
		return SARIF(w, res, opt)
	case "github":
		return GitHub(w, res)
	}
	return fmt.Errorf("unknown report format %q (want text, json, sarif or github)", format)
}
