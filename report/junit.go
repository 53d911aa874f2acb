package report

import (
	"encoding/xml"
	"fmt"
	"io"

	"github.com/secretguard/secretguard/scan"
)

// JUnit is a JUnit XML report, for every CI that shows test results: one
// test case per finding, failed, named FILE:LINE:COL and classed by rule;
// with no finding, one passing case, so that the run shows as a green test.
func JUnit(w io.Writer, res *scan.Result) error {
	type failure struct {
		Type    string `xml:"type,attr"`
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	}
	type testcase struct {
		Name      string   `xml:"name,attr"`
		Classname string   `xml:"classname,attr"`
		File      string   `xml:"file,attr,omitempty"`
		Line      int      `xml:"line,attr,omitempty"`
		Failure   *failure `xml:"failure,omitempty"`
	}
	type testsuite struct {
		Name     string     `xml:"name,attr"`
		Tests    int        `xml:"tests,attr"`
		Failures int        `xml:"failures,attr"`
		Errors   int        `xml:"errors,attr"`
		Skipped  int        `xml:"skipped,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	type testsuites struct {
		XMLName  xml.Name    `xml:"testsuites"`
		Name     string      `xml:"name,attr"`
		Tests    int         `xml:"tests,attr"`
		Failures int         `xml:"failures,attr"`
		Suites   []testsuite `xml:"testsuite"`
	}
	suite := testsuite{Name: "secretguard"}
	for _, f := range res.Findings {
		suite.Cases = append(suite.Cases, testcase{
			Name: fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column), Classname: f.Rule, File: f.File, Line: f.Line,
			Failure: &failure{Type: string(f.Severity), Message: f.Message, Text: fmt.Sprintf("%s %s: %s", f.Severity, f.Rule, f.Message)},
		})
	}
	if len(suite.Cases) == 0 {
		suite.Cases = []testcase{{Name: summaryLine(res), Classname: "secretguard"}}
	}
	suite.Tests, suite.Failures = len(suite.Cases), len(res.Findings)
	doc := testsuites{Name: "secretguard", Tests: suite.Tests, Failures: suite.Failures, Suites: []testsuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
