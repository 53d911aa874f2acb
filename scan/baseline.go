package scan

// Baseline is the findings a team accepted when it adopted secretguard (a
// JSON report of an earlier run): a later scan reports only what is not in
// it. Findings are matched by their Fingerprint — rule, file, resource and
// keys — never by line, so an edit above a finding does not bring it back.
type Baseline map[string]bool

// Apply drops the findings that are in the baseline and counts them.
func (b Baseline) Apply(res *Result) {
	if len(b) == 0 {
		return
	}
	kept := res.Findings[:0]
	for _, f := range res.Findings {
		if b[f.Fingerprint()] {
			res.Baselined++
			continue
		}
		kept = append(kept, f)
	}
	res.Findings = kept
}
