package report

import (
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/secretguard/secretguard/scan"
)

// SARIF 2.1.0, from small structs of our own: the fields GitHub code scanning
// reads (rules with descriptions and help, results with a region, a level and
// primaryLocationLineHash) and little more, so no dependency is needed.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                   `json:"tool"`
	OriginalURIBaseIDs map[string]sarifArtifactLoc `json:"originalUriBaseIds,omitempty"`
	Results            []sarifResult               `json:"results"`
	ColumnKind         string                      `json:"columnKind"`
	Properties         map[string]any              `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	ShortDescription     sarifText          `json:"shortDescription"`
	FullDescription      sarifText          `json:"fullDescription"`
	Help                 sarifText          `json:"help"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           sarifRuleProps     `json:"properties"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	SecuritySeverity string   `json:"security-severity"`
	Tags             []string `json:"tags"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           *int              `json:"ruleIndex,omitempty"` // none for an unregistered rule
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifactLoc `json:"artifactLocation"`
	Region           sarifRegion      `json:"region"`
}

type sarifArtifactLoc struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
}

const (
	sarifSchema    = "https://json.schemastore.org/sarif-2.1.0.json"
	informationURI = "https://github.com/secretguard/secretguard"
	srcRoot        = "%SRCROOT%"
)

// sarifMaxResults is GitHub's limit of results per run.
var sarifMaxResults = 25000

// SARIF writes one run with a rule entry per registered rule and a result per
// finding. primaryLocationLineHash is Finding.Fingerprint, which does not move
// when lines shift; a second finding with the same fingerprint in the run gets
// ":2" appended (":3"…), in file order, as GitHub's own fingerprinting does, so
// two identical key blocks in one file stay two alerts. Over 25,000 findings,
// errors are kept before warnings and run.properties.droppedResults says how
// many were left out.
func SARIF(w io.Writer, res *scan.Result, opt Options) error {
	tool, version := opt.Tool, opt.Version
	if tool == "" {
		tool = "secretguard"
	}
	if version == "" {
		version = "dev"
	}
	driver := sarifDriver{Name: tool, InformationURI: informationURI, Version: version, Rules: []sarifRule{}}
	index := map[string]int{}
	for i, r := range scan.Rules() {
		info := r.Info()
		index[info.ID] = i
		score := "4.0"
		if info.Severity == scan.Error {
			score = "8.0"
		}
		driver.Rules = append(driver.Rules, sarifRule{
			ID: info.ID, Name: info.ID,
			ShortDescription:     sarifText{info.Short},
			FullDescription:      sarifText{sentence(info.Short) + " " + info.Help},
			Help:                 sarifText{info.Help},
			DefaultConfiguration: sarifConfiguration{level(info.Severity)},
			Properties:           sarifRuleProps{SecuritySeverity: score, Tags: []string{"security"}},
		})
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}, ColumnKind: "unicodeCodePoints"}
	if opt.Root != "" {
		if u, err := dirURI(opt.Root); err == nil {
			run.OriginalURIBaseIDs = map[string]sarifArtifactLoc{srcRoot: {URI: u}}
		}
	}
	keep, dropped := capResults(res.Findings, sarifMaxResults)
	if dropped > 0 {
		run.Properties = map[string]any{"droppedResults": dropped,
			"droppedReason": fmt.Sprintf("GitHub code scanning accepts %d results per run; warnings were dropped before errors", sarifMaxResults)}
	}
	seen := map[string]int{}
	for i, f := range res.Findings {
		if !keep[i] {
			continue
		}
		fp := f.Fingerprint()
		if seen[fp]++; seen[fp] > 1 {
			fp = fmt.Sprintf("%s:%d", fp, seen[fp])
		}
		r := sarifResult{
			RuleID: f.Rule, Level: level(f.Severity),
			Message: sarifText{f.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifactLoc{URI: relURI(f.File), URIBaseID: srcRoot},
				Region:           sarifRegion{StartLine: max(1, f.Line), StartColumn: max(1, f.Column)},
			}}},
			PartialFingerprints: map[string]string{"primaryLocationLineHash": fp},
		}
		if idx, ok := index[f.Rule]; ok {
			r.RuleIndex = &idx
		}
		if len(f.Commits) > 0 { // history: where the blob was committed
			commits := make([]jsonCommit, len(f.Commits))
			for k, c := range f.Commits {
				commits[k] = jsonCommit(c)
			}
			r.Properties = map[string]any{"commits": commits}
		}
		run.Results = append(run.Results, r)
	}
	return encodeJSON(w, sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

// capResults picks at most limit findings, errors first, and says how many
// were left out.
func capResults(fs []scan.Finding, limit int) (keep []bool, dropped int) {
	keep = make([]bool, len(fs))
	n := 0
	for pass := 0; pass < 2; pass++ {
		for i, f := range fs {
			if (f.Severity == scan.Error) == (pass == 0) && n < limit {
				keep[i] = true
				n++
			}
		}
	}
	return keep, len(fs) - n
}

// sentence ends s with a full stop unless it has one.
func sentence(s string) string {
	if s == "" || strings.ContainsAny(s[len(s)-1:], ".!?") {
		return s
	}
	return s + "."
}

// relURI percent-encodes a repo-relative, `/`-separated path as a relative
// URI reference (RFC 3986): a space, `%` or `#` in a file name must not end up
// raw in the URI, and a `:` must not make the first segment look like a scheme.
func relURI(p string) string {
	const safe = "-._~/!$&'()*+,;=@"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(safe, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// dirURI is the file: URI of a directory, ending in `/` as SARIF requires of a
// base URI.
func dirURI(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/repo
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return (&url.URL{Scheme: "file", Path: p}).String(), nil
}
