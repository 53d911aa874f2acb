package transform

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// A Batch puts the files of one run in place: each is, after a crash, either
// untouched or wholly new, and all are durable when Commit returns — the
// guarantee of WriteFile and CreateFile, at a fraction of the cost when a run
// writes hundreds of files.
//
// Stage writes every new content to a temp file beside its file while the
// run is still sealing others. Every chunkSize staged files, and at Commit for
// the rest, a chunk is put in place: its temp files made durable together (one
// syncfs on Linux), renamed over their files, created files before the files
// that list them, and the directories made durable. A chunk is put in place
// while the run seals the next, so its waits for the disk overlap with RSA.
// Writing file after file instead (create, fsync, rename, fsync the
// directory) was measured 3–6× slower for 1,000 files: each fsync is a journal
// commit, and on ext4 without a journal each create scans past the inodes
// that the previous renames just freed (docs/performance.md).
type Batch struct {
	mu      sync.Mutex
	pending []*unit
	failed  []*unit
	put     sync.Mutex // one chunk at a time
	running sync.WaitGroup
}

// chunkSize is how many staged files are put in place together while the
// run goes on. On the 2-core machine of docs/performance.md chunks and one
// commit at the end measured the same (sealing is CPU-bound there); on a
// slower disk the chunks overlap its waits with RSA.
const chunkSize = 256

// unit is what one file of the run becomes: the new files it lists, put in
// place first, then its own new content.
type unit struct {
	path    string
	created []move
	replace move
	err     error
}

// move is a staged temp file and the file it becomes.
type move struct{ tmp, path string }

// Stage writes what path becomes, and the new files it lists (put in place
// before it, never over an existing file; their paths as the process sees
// them, like path), to temp files. It may be in place before Commit returns,
// never before Stage does; on error nothing of this file is staged. Safe for
// concurrent use.
func (b *Batch) Stage(path string, data []byte, created ...Created) (err error) {
	u := &unit{path: path}
	defer func() {
		if err != nil {
			u.discard()
		}
	}()
	for _, c := range created {
		if err := checkCreate(c.Path); err != nil {
			return err
		}
		tmp, err := writeTemp(c.Path, c.Data, 0o644, !batchSync)
		if err != nil {
			return err
		}
		u.created = append(u.created, move{tmp, c.Path})
	}
	perm, err := checkReplace(path)
	if err != nil {
		return err
	}
	tmp, err := writeTemp(path, data, perm, !batchSync)
	if err != nil {
		return err
	}
	u.replace = move{tmp, path}
	b.mu.Lock()
	b.pending = append(b.pending, u)
	var chunk []*unit
	if len(b.pending) >= chunkSize {
		chunk, b.pending = b.pending, nil
	}
	b.mu.Unlock()
	if chunk != nil {
		b.running.Add(1)
		go func() {
			defer b.running.Done()
			b.putInPlace(chunk)
		}()
	}
	return nil
}

// Commit puts every staged file in place and returns when all are durable.
// A file that could not be put in place is left untouched (its temp files
// removed) and reported to failed with the path it was staged for, in path
// order; the others go on.
func (b *Batch) Commit(failed func(path string, err error)) {
	b.mu.Lock()
	rest := b.pending
	b.pending = nil
	b.mu.Unlock()
	b.running.Wait()
	b.putInPlace(rest)
	sort.Slice(b.failed, func(i, j int) bool { return b.failed[i].path < b.failed[j].path })
	for _, u := range b.failed {
		failed(u.path, u.err)
	}
	b.failed = nil
}

// putInPlace puts a chunk in place in three steps, so that a crash between
// any two leaves each file old or new: the temp files are made durable; the
// new files that others list are renamed into place and their directories
// made durable; then the files that list them.
func (b *Batch) putInPlace(units []*unit) {
	if len(units) == 0 {
		return
	}
	b.put.Lock()
	defer b.put.Unlock()
	sort.Slice(units, func(i, j int) bool { return units[i].path < units[j].path })
	if batchSync {
		var temps []string
		for _, u := range units {
			for _, c := range u.created {
				temps = append(temps, c.tmp)
			}
			temps = append(temps, u.replace.tmp)
		}
		syncFiles(temps, func(tmp string, err error) {
			for _, u := range units {
				if u.err == nil && u.owns(tmp) {
					u.err = fmt.Errorf("write %s: %w", u.path, err)
				}
			}
		})
	}
	dirs := map[string]bool{}
	for _, u := range units {
		for _, c := range u.created {
			if u.err != nil {
				break
			}
			// Checked again: another run may have made it since Stage.
			if u.err = checkCreate(c.path); u.err == nil {
				u.err = rename(c)
			}
			dirs[filepath.Dir(c.path)] = true
		}
	}
	syncDirs(dirs)
	dirs = map[string]bool{}
	for _, u := range units {
		if u.err == nil {
			u.err = rename(u.replace)
			dirs[filepath.Dir(u.replace.path)] = true
		}
	}
	syncDirs(dirs)
	for _, u := range units {
		if u.err != nil {
			u.discard()
			b.mu.Lock()
			b.failed = append(b.failed, u)
			b.mu.Unlock()
		}
	}
}

func (u *unit) owns(tmp string) bool {
	for _, c := range u.created {
		if c.tmp == tmp {
			return true
		}
	}
	return u.replace.tmp == tmp
}

// discard removes the unit's temp files that are still there (those renamed
// into place are not: their names are gone).
func (u *unit) discard() {
	for _, c := range u.created {
		os.Remove(c.tmp)
	}
	if u.replace.tmp != "" {
		os.Remove(u.replace.tmp)
	}
}

func rename(m move) error {
	if err := os.Rename(m.tmp, m.path); err != nil {
		return fmt.Errorf("write %s: %w", m.path, err)
	}
	if testHookRenamed != nil {
		testHookRenamed()
	}
	return nil
}

// testHookRenamed, set by tests, runs after each rename of a Commit: the
// crash test slows the commit down to kill the process inside it.
var testHookRenamed func()

// syncDirs makes renames in each directory durable.
func syncDirs(dirs map[string]bool) {
	for d := range dirs {
		if f, err := os.Open(d); err == nil {
			f.Sync()
			f.Close()
		}
	}
}
