// Package source lists the files a scan reads: a directory tree today, the git
// index, a diff or the history through the same interface.
package source

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/go-git/go-git/v5/plumbing"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Entry is one file to scan. Read is called once, by the worker that scans it, so
// a run holds only the files in flight in memory.
type Entry struct {
	Path string // repository-relative, `/`-separated
	Size int64  // -1 when unknown before reading
	Read func() ([]byte, error)
	// Commits that hold this content (history mode only).
	Commits []Commit
	hash    plumbing.Hash // the blob, in history mode
}

// Commit records where a blob was committed.
type Commit struct {
	Hash string `json:"hash"`
	Date string `json:"date"`
	Path string `json:"path"`
}

// Source yields the files of one scan in a deterministic order.
type Source interface {
	// Walk calls fn for every entry, in order, as it finds them, so reading can
	// start before the listing ends.
	Walk(fn func(Entry) error) error
	// Exists reports whether a repo-relative path is a file in this source, so a
	// kustomize secretGenerator can tell a committed env file from a generated one.
	Exists(rel string) bool
}

// StdinName is the path of a stream read from standard input (`scan -`),
// in findings and reports.
const StdinName = "<stdin>"

// Stream is a source of one entry: a stream of manifests (`kustomize build
// overlays/prod | secretguard scan -`).
type Stream struct {
	Name string
	Data []byte
}

func (s *Stream) Walk(fn func(Entry) error) error {
	return fn(Entry{Path: s.Name, Size: int64(len(s.Data)), Read: func() ([]byte, error) { return s.Data, nil }})
}

func (s *Stream) Exists(rel string) bool { return rel == s.Name }

// FileReader is a source that can read any of its files by path, so a rule
// can judge what a generator's file holds (SOPS-encrypted, public material).
type FileReader interface {
	ReadFile(rel string) ([]byte, error)
}

// Notice is something the walk skipped that the user should hear about.
type Notice struct {
	Path   string
	Reason string
}

// Dir walks paths below root.
type Dir struct {
	Root  string
	Paths []string // absolute or relative to the working directory; default Root
	// Skip is asked for every file and directory (repo-relative); true prunes it.
	Skip func(rel string, dir bool) bool
	// Notices collects what was skipped and why (symlinks, unreadable directories).
	Notices []Notice
	// MaxSize makes Read refuse larger files (with *TooLargeError) before
	// reading more than their head; 0 means no limit.
	MaxSize int64
}

// TooLargeError is returned by Read for a file over the size limit, found
// before the file is read. Binary says its first bytes hold a NUL: not text,
// so not a file a rule could match.
type TooLargeError struct {
	Size, Limit int64
	Binary      bool
}

// BinarySniff is how much of a file decides whether it is text, as git does.
const BinarySniff = 8000

// tooLarge builds the error for a file over limit, reading only its head.
func tooLarge(size, limit int64, head io.Reader) *TooLargeError {
	buf := make([]byte, BinarySniff)
	n, _ := io.ReadFull(head, buf)
	return &TooLargeError{Size: size, Limit: limit, Binary: bytes.IndexByte(buf[:n], 0) >= 0}
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%d bytes, larger than the %d-byte limit (maxFileSize)", e.Size, e.Limit)
}

// readFile reads a file whole, refusing it after one fstat when it is over
// limit: a 2 GB artefact must not be loaded to learn that it is too big.
func readFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if limit > 0 && fi.Size() > limit {
		return nil, tooLarge(fi.Size(), limit, f)
	}
	buf := make([]byte, fi.Size()+1) // +1: see EOF in one read
	n := 0
	for {
		m, err := f.Read(buf[n:])
		n += m
		if err == io.EOF {
			return buf[:n], nil
		}
		if err != nil {
			return nil, err
		}
		if n == len(buf) {
			// The file grew while we read it.
			buf = append(buf, make([]byte, len(buf))...)
		}
	}
}

// FindRoot returns the repository root for a path: the git work tree holding
// it; outside git, the nearest directory above it that holds a
// .secretguard.yaml or a certs/ directory (not above the home directory, and
// neither the home directory nor / for certs/); else, for a directory, the
// directory itself, and for a file in the working directory the working
// directory (`secretguard seal apps/prod/db.yaml` run where the repository
// is), else the file's directory.
func FindRoot(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", err
	}
	start := abs
	if !fi.IsDir() {
		start = filepath.Dir(abs)
	}
	for d := start; ; {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	home, _ := os.UserHomeDir()
	for d := start; ; d = filepath.Dir(d) {
		top := d == home || filepath.Dir(d) == d
		if isFile(filepath.Join(d, ".secretguard.yaml")) || !top && isDir(filepath.Join(d, "certs")) {
			return d, nil
		}
		if top {
			break
		}
	}
	// A file named from the working directory (`seal apps/prod/db.yaml`)
	// belongs to the repository the user stands in; a directory named is
	// the repository itself (`scan ~/src/repo`).
	if !fi.IsDir() {
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, start); err == nil && (filepath.IsLocal(rel) || rel == ".") {
				return wd, nil
			}
		}
	}
	return start, nil
}

func isFile(p string) bool { fi, err := os.Stat(p); return err == nil && fi.Mode().IsRegular() }
func isDir(p string) bool  { fi, err := os.Stat(p); return err == nil && fi.IsDir() }

// FindRootOf is the repository root for several paths: the git work tree
// holding the first, or, outside git, the deepest directory holding every
// path (a file's own directory when there is one file).
func FindRootOf(paths []string) (string, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	root, err := FindRoot(paths[0])
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(root, ".git")); err == nil || len(paths) == 1 {
		return root, nil
	}
	for _, p := range paths[1:] {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", err
		}
		fi, err := os.Stat(abs)
		if err != nil {
			return "", err
		}
		if !fi.IsDir() {
			abs = filepath.Dir(abs)
		}
		for {
			if rel, err := filepath.Rel(root, abs); err == nil && filepath.IsLocal(rel) || rel == "." {
				break
			}
			parent := filepath.Dir(root)
			if parent == root {
				break
			}
			root = parent
		}
	}
	return root, nil
}

// Rel returns a path relative to root with `/` separators, or an error when it
// lies outside root.
func Rel(root, path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the repository root %s", path, root)
	}
	return filepath.ToSlash(rel), nil
}

// Entries lists every entry (Walk, collected).
func Entries(s Source) ([]Entry, error) {
	var out []Entry
	err := s.Walk(func(e Entry) error {
		out = append(out, e)
		return nil
	})
	return out, err
}

func (d *Dir) Walk(fn func(Entry) error) error {
	paths := d.Paths
	if len(paths) == 0 {
		paths = []string{d.Root}
	}
	seen := map[string]bool{}
	add := func(rel, abs string) error {
		if seen[rel] {
			return nil
		}
		seen[rel] = true
		return fn(Entry{Path: rel, Size: -1, Read: func() ([]byte, error) { return readFile(abs, d.MaxSize) }})
	}
	for _, p := range paths {
		rel, err := Rel(d.Root, p)
		if err != nil {
			return err
		}
		abs := filepath.Join(d.Root, filepath.FromSlash(rel))
		if err := d.contained(p, rel, abs); err != nil {
			return err
		}
		fi, err := os.Stat(abs)
		if err != nil {
			return err
		}
		if !fi.IsDir() && !fi.Mode().IsRegular() {
			// A FIFO or device would block or never end.
			d.Notices = append(d.Notices, Notice{Path: rel, Reason: "not a regular file"})
			continue
		}
		if !fi.IsDir() {
			// A file named on the command line is read as given, even when a walk
			// would skip it.
			if err := add(rel, abs); err != nil {
				return err
			}
			continue
		}
		err = filepath.WalkDir(abs, func(path string, e fs.DirEntry, err error) error {
			r, _ := filepath.Rel(d.Root, path)
			r = filepath.ToSlash(r)
			if err != nil {
				// An unreadable directory or file: say so and go on with the rest.
				var pe *fs.PathError
				if errors.As(err, &pe) {
					err = pe.Err
				}
				d.Notices = append(d.Notices, Notice{Path: r, Reason: "unreadable: " + err.Error()})
				if e != nil && e.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if e.IsDir() {
				if e.Name() == ".git" || (r != "." && d.Skip != nil && d.Skip(r, true)) {
					return fs.SkipDir
				}
				return nil
			}
			if e.Type()&fs.ModeSymlink != 0 {
				// Never followed: a link inside the tree is scanned at its target,
				// one outside is not ours, and a loop would never end.
				d.Notices = append(d.Notices, Notice{Path: r, Reason: "symbolic link not followed"})
				return nil
			}
			if d.Skip != nil && d.Skip(r, false) || NotOurs(r) {
				return nil
			}
			if !e.Type().IsRegular() {
				d.Notices = append(d.Notices, Notice{Path: r, Reason: "not a regular file"})
				return nil
			}
			return add(r, path)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// contained refuses a named path that is a symbolic link, or that resolves
// (through a linked directory on its way) to a place outside the repository:
// what is read there would be reported, and sealed, as if it were inside, and
// a sealed copy would replace the link while its target kept the plaintext.
func (d *Dir) contained(named, rel, abs string) error {
	// The root itself may be reached through a link (~/src -> /data/src).
	if fi, err := os.Lstat(abs); err == nil && fi.Mode()&fs.ModeSymlink != 0 && rel != "." {
		target, _ := os.Readlink(abs)
		return fmt.Errorf("%s is a symbolic link (to %s): secretguard does not follow links; name the file or directory it points to", named, target)
	}
	realRoot, err := filepath.EvalSymlinks(d.Root)
	if err != nil {
		return err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return err
	}
	if rel, err := filepath.Rel(realRoot, real); err != nil || !filepath.IsLocal(rel) && rel != "." {
		return fmt.Errorf("%s resolves to %s, outside the repository %s (through a symbolic link): not read", named, real, d.Root)
	}
	return nil
}

// ReadFile reads another file of the tree (a kustomize generator's source),
// bounded like the walk's reads and never through a link.
func (d *Dir) ReadFile(rel string) ([]byte, error) {
	p := filepath.Join(d.Root, filepath.FromSlash(rel))
	if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() {
		return nil, fs.ErrNotExist
	}
	return readFile(p, d.MaxSize)
}

func (d *Dir) Exists(rel string) bool {
	fi, err := os.Stat(filepath.Join(d.Root, filepath.FromSlash(rel)))
	return err == nil && fi.Mode().IsRegular()
}
