package manifest

import (
	"bytes"
	"regexp"
	"strings"
)

// Helm chart templates are not YAML until rendered, but most of their text is:
// masking the template actions (keeping every byte position and line break)
// lets literal values be found while values that are actions are not.

// tplMask is what an action inside a line becomes: a plain scalar of the
// action's length, which the value classifier reads as a reference.
// tplMask is a masked action: `_tpl___`, and the underscores its following
// lines became when it spans several.
var tplMask = regexp.MustCompile(`_tpl_*(?:\s+_+)*`)

// actionEnd is where the action whose text starts at from ends (just after
// its "}}"), or -1. As Go's template lexer, it steps over quoted and raw
// strings: {{ printf "{{ resolve `x` }}" $key }} is one action.
func actionEnd(text []byte, from int) int {
	for k := from; k+1 < len(text); k++ {
		switch text[k] {
		case '"':
			for k++; k < len(text) && text[k] != '"' && text[k] != '\n'; k++ {
				if text[k] == '\\' {
					k++
				}
			}
		case '`':
			for k++; k < len(text) && text[k] != '`'; k++ {
			}
		case '}':
			if text[k+1] == '}' {
				return k + 2
			}
		}
	}
	return -1
}

// maskDirectives masks Terraform templatefile directives in place — `%{ if
// x ~}`, `%{ for … }`, `%{ endif }`, each within a line — as actions are
// masked: a line of only a directive becomes spaces, one inside a line
// `_tpl…`. It reports whether there was one.
func maskDirectives(out []byte) bool {
	found := false
	for i := 0; i+1 < len(out); i++ {
		if out[i] != '%' || out[i+1] != '{' {
			continue
		}
		end := bytes.IndexAny(out[i:], "}\n")
		if end < 0 || out[i+end] != '}' {
			continue
		}
		j := i + end + 1
		found = true
		lineStart, lineEnd := lineAround(out, i, j)
		alone := len(bytes.TrimSpace(out[lineStart:i])) == 0 && len(bytes.TrimSpace(out[j:lineEnd])) == 0
		for k := i; k < j; k++ {
			switch {
			case alone:
				out[k] = ' '
			case k-i < 4:
				out[k] = "_tpl"[k-i]
			default:
				out[k] = '_'
			}
		}
		i = j - 1
	}
	return found
}

// lineAround is where the line of out[i:j] starts and where the line its
// end is on ends.
func lineAround(out []byte, i, j int) (start, end int) {
	start = bytes.LastIndexByte(out[:i], '\n') + 1
	end = bytes.IndexByte(out[j:], '\n')
	if end < 0 {
		return start, len(out)
	}
	return start, end + j
}

// Masked reports text that holds a masked template action: what the
// template computes, not what it says.
func Masked(text string) bool { return tplMask.MatchString(text) }

// ShowMasked writes each masked action of text as {{…}}, for a message:
// ExternalSecret {{…}}-secrets rather than _tpl_______-secrets.
func ShowMasked(text string) string { return tplMask.ReplaceAllString(text, "{{…}}") }

// MaskTemplate returns text with every `{{ … }}` action masked, and whether
// there was one. An action alone on its line (control flow, includes) becomes
// spaces; one inside a line becomes `_tpl___…` of the same length.
func MaskTemplate(text []byte) ([]byte, bool) {
	if !bytes.Contains(text, []byte("{{")) && !bytes.Contains(text, []byte("%{")) {
		return text, false
	}
	out := append([]byte(nil), text...)
	found := maskDirectives(out)
	for i := 0; i+1 < len(out); i++ {
		if out[i] != '{' || out[i+1] != '{' {
			continue
		}
		j := actionEnd(out, i+2) // exclusive
		if j < 0 {
			break
		}
		found = true
		lineStart, lineEnd := lineAround(out, i, j)
		alone := len(bytes.TrimSpace(out[lineStart:i])) == 0 && len(bytes.TrimSpace(bytes.ReplaceAll(out[j:lineEnd], []byte("}}"), nil))) == 0 ||
			len(bytes.TrimSpace(out[lineStart:i])) == 0 && bytes.HasPrefix(bytes.TrimSpace(out[j:lineEnd]), []byte("{{"))
		// Each line of the action starts its run with _tpl (an action may
		// break its line right after {{): what is left of a value once the
		// runs are cut holds none of it.
		n := 0
		for k := i; k < j; k++ {
			switch {
			case out[k] == '\n' || out[k] == '\r':
				n = 0
			case alone:
				out[k] = ' '
			default:
				out[k] = '_'
				if n >= 1 && n <= 3 && k-n+4 <= j && !bytes.ContainsAny(out[k-n:k-n+4], "\r\n") {
					out[k] = "_tpl"[n]
				}
				n++
			}
		}
		i = j - 1
	}
	return out, found
}

// InTemplatesDir reports a file under a folder named templates (a Helm
// chart's): there a document with actions is a template even when it happens
// to parse, as garbage (`name: {{ include … }}` reads as a mapping).
func InTemplatesDir(p string) bool {
	return strings.HasPrefix(p, "templates/") || strings.Contains(p, "/templates/")
}

// freeMarker are FreeMarker's directives and macros (`<#if …>`, `</#list>`,
// `<@macro/>`), which GitOps Playground and Java tooling render into
// manifests.
var freeMarker = regexp.MustCompile(`</?[#@][a-zA-Z]`)

// HasActions reports Go template actions or Jinja2 tags in a text: not what
// the cluster gets until a tool renders it, so nothing rewrites it.
func HasActions(text []byte) bool {
	return bytes.Contains(text, []byte("{{")) || bytes.Contains(text, []byte("{%"))
}

// TemplateLanguage names the template language of a text that is not YAML
// until a tool renders it — Jinja2 (Ansible, Salt), FreeMarker — or "" when it
// shows none. (Go templates are masked instead: see MaskTemplate.)
func TemplateLanguage(text []byte) string {
	switch {
	case bytes.Contains(text, []byte("{%")):
		return "Jinja2 template (Ansible?)"
	case freeMarker.Match(text):
		return "FreeMarker template"
	}
	return ""
}

// TemplateFile names the template language a file's name says it is in —
// FreeMarker for NAME.ftl.yaml — or "". Such a file is not what the cluster
// gets, even where it happens to parse as YAML.
func TemplateFile(p string) string {
	base := strings.ToLower(p[strings.LastIndexByte(p, '/')+1:])
	if strings.Contains(base, ".ftl.") || strings.HasSuffix(base, ".ftl") {
		return "FreeMarker template"
	}
	return ""
}

// skeletonExts are what people append to a file's name for its template or
// its example: secret.sops.yaml.tmpl, values.yaml.example.
var skeletonExts = []string{".tmpl", ".tpl", ".template", ".j2", ".jinja", ".jinja2", ".example", ".sample", ".dist"}

// SkeletonFile is the name of the YAML file that p is the template or the
// example of (secret.sops.yaml for secret.sops.yaml.tmpl), or "".
func SkeletonFile(p string) string {
	base := p[strings.LastIndexByte(p, '/')+1:]
	lower := strings.ToLower(base)
	for _, ext := range skeletonExts {
		if name, ok := strings.CutSuffix(lower, ext); ok && (strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
			return base[:len(name)]
		}
	}
	return ""
}

// HelmValuesFile reports a Helm values file by its name: values.yaml,
// values-prod.yaml, values.production.yml, prod-values.yaml.
func HelmValuesFile(p string) bool {
	base := strings.ToLower(p[strings.LastIndexByte(p, '/')+1:])
	name, ok := strings.CutSuffix(base, ".yaml")
	if !ok {
		name, ok = strings.CutSuffix(base, ".yml")
	}
	if !ok || strings.Contains(name, ".sops") || strings.Contains(name, ".enc") {
		return false // SOPS's to judge: sops-unencrypted
	}
	return name == "values" || strings.HasPrefix(name, "values-") || strings.HasPrefix(name, "values.") || strings.HasSuffix(name, "-values")
}
