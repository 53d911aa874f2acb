package transform

import (
	"runtime"

	"github.com/secretguard/secretguard/source"
)

// Outcome is the rewriting of one file.
type Outcome struct {
	Path   string
	Result *Result // nil when Err is set or the file was not a manifest
	Err    error   // read or seal error; the file is left untouched
}

// SealAll seals many files in parallel: RewriteAll with Seal.
func SealAll(entries []source.Entry, isManifest func(string) bool, opt Options, target func(rel string) (*Target, error), write func(rel string, res *Result) error, fn func(Outcome) error) error {
	return RewriteAll(entries, isManifest, func(rel string, data []byte) (*Result, error) {
		return Seal(rel, data, opt, func() (*Target, error) { return target(rel) })
	}, write, fn)
}

// RewriteAll rewrites many files in parallel (RSA dominates the cost of
// sealing, and it scales with cores) and hands each outcome to fn in entry
// order, so output is deterministic. At most a few files per worker are in
// flight. isManifest picks the files to read. write, when set, runs in the
// worker right after a file is rewritten (its fsync overlaps with other files'
// work); its error is the outcome's.
func RewriteAll(entries []source.Entry, isManifest func(string) bool, rewrite func(rel string, data []byte) (*Result, error), write func(rel string, res *Result) error, fn func(Outcome) error) error {
	// More workers than cores: while one waits for its fsync, another encrypts.
	workers := 4 * runtime.GOMAXPROCS(0)
	done := make([]chan Outcome, len(entries))
	for i := range done {
		done[i] = make(chan Outcome, 1)
	}
	jobs := make(chan int)
	window := make(chan struct{}, workers*4)
	for w := 0; w < workers; w++ {
		go func() {
			for i := range jobs {
				o := rewriteEntry(entries[i], rewrite)
				if write != nil && o.Err == nil && o.Result != nil && o.Result.New != nil {
					o.Err = write(o.Path, o.Result)
				}
				done[i] <- o
			}
		}()
	}
	go func() {
		defer close(jobs)
		for i, e := range entries {
			if !isManifest(e.Path) {
				done[i] <- Outcome{Path: e.Path}
				continue
			}
			window <- struct{}{}
			jobs <- i
		}
	}()
	var first error
	for i := range entries {
		o := <-done[i]
		if isManifest(o.Path) {
			<-window
		}
		if first == nil {
			if err := fn(o); err != nil {
				first = err
			}
		}
	}
	return first
}

func rewriteEntry(e source.Entry, rewrite func(string, []byte) (*Result, error)) Outcome {
	data, err := e.Read()
	if err != nil {
		return Outcome{Path: e.Path, Err: err}
	}
	res, err := rewrite(e.Path, data)
	return Outcome{Path: e.Path, Result: res, Err: err}
}
