package report

import (
	"encoding/json"
	"io"

	"github.com/secretguard/secretguard/scan"
)

// SARIF 2.1.0, from small structs of our own: only the fields GitHub code
// scanning reads (FIELD-NOTES), so no dependency is needed.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool      `json:"tool"`
	Results    []sarifResult  `json:"results"`
	Properties map[string]any `json:"properties,omitempty"`
	Columns    string         `json:"columnKind"`
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
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration map[string]any `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifA      `json:"artifactLocation"`
	Region           sarifRegion `json:"region"`
}

type sarifA struct {
	URI       string `json:"uri,omitempty"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
}

// sarifMaxResults is GitHub's limit per run.
const sarifMaxResults = 25000

// SARIF writes one run with a rule entry per rule and a result per finding.
// Fingerprints come from Finding.Fingerprint: stable when lines shift.
func SARIF(w io.Writer, res *scan.Result, opt Options) error {
	tool, version := opt.Tool, opt.Version
	if tool == "" {
		tool = "secretguard"
	}
	if version == "" {
		version = "dev"
	}
	rules := scan.Rules()
	index := map[string]int{}
	driver := sarifDriver{Name: tool, InformationURI: "https://github.com/secretguard/secretguard", Version: version}
	for i, r := range rules {
		info := r.Info()
		index[info.ID] = i
		score := "4.0"
		if info.Severity == scan.Error {
			score = "8.0"
		}
		driver.Rules = append(driver.Rules, sarifRule{
			ID: info.ID, Name: info.ID,
			ShortDescription:     sarifText{info.Short},
			FullDescription:      sarifText{info.Short + ". " + info.Help},
			Help:                 sarifText{info.Help},
			DefaultConfiguration: map[string]any{"level": string(info.Severity)},
			Properties:           map[string]any{"security-severity": score, "tags": []string{"security"}},
		})
	}
	run := sarifRun{
		Tool: sarifTool{Driver: driver}, Results: []sarifResult{}, Columns: "unicodeCodePoints",
	}
	for i, f := range res.Findings {
		if i == sarifMaxResults {
			run.Properties = map[string]any{"droppedResults": len(res.Findings) - sarifMaxResults}
			break
		}
		run.Results = append(run.Results, sarifResult{
			RuleID: f.Rule, RuleIndex: index[f.Rule], Level: string(f.Severity),
			Message: sarifText{f.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifA{URI: f.File, URIBaseID: "%SRCROOT%"},
				Region:           sarifRegion{StartLine: max(1, f.Line), StartColumn: max(1, f.Column)},
			}}},
			PartialFingerprints: map[string]string{"primaryLocationLineHash": f.Fingerprint()},
		})
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}
