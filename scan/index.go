package scan

import "github.com/secretguard/secretguard/manifest"

// Index is what cross-file rules need, collected in the same pass as the
// per-object rules: no file is read twice.
type Index struct {
	Objects []*Object
}

func (ix *Index) add(objs []*Object) { ix.Objects = append(ix.Objects, objs...) }

// docOf returns the document of a file that holds a line, for suppression of
// cross-file findings.
func (ix *Index) docOf(file string, line int) *manifest.Document {
	var hit *manifest.Document
	for _, o := range ix.Objects {
		if o.File == file && o.Doc.Line <= line {
			hit = o.Doc
		}
	}
	return hit
}
