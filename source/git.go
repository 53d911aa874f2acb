package source

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
	"github.com/secretguard/secretguard/internal/words"
)

// Git is a repository read with go-git: no git binary is needed.
type Git struct {
	Repo *git.Repository
	Root string
	Dirs GitDirs
	// MaxSize makes a blob's Read refuse blobs over it (*TooLargeError), by
	// the size in the object's header, before inflating more than its head.
	MaxSize int64
	// trees caches decoded tree objects by hash: history walks revisit them.
	trees map[plumbing.Hash]*object.Tree
	// mu serialises object reads: with kept descriptors the pack readers are
	// shared, and scan workers read blobs concurrently.
	mu sync.Mutex
	// GitBinary, when set, is a git executable that History may read the
	// history with (see gitbinary.go); go-git is the fallback.
	GitBinary string
}

// OpenGit opens the repository whose work tree is root. Pack files stay open
// for the life of the process (KeepDescriptors): by default go-git re-opens
// and re-stats them for every object, which was a third of a history scan. In
// a linked worktree (`git worktree add`) the objects, refs and config live in
// the common git directory and only HEAD and the index in the worktree's own:
// both are read, as git does.
func OpenGit(root string) (*Git, error) {
	dirs, err := FindGitDirs(root)
	if err != nil {
		return nil, fmt.Errorf("open git repository %s: %w", root, err)
	}
	var dotGit billy.Filesystem = osfs.New(dirs.Git)
	if dirs.Common != dirs.Git {
		dotGit = dotgit.NewRepositoryFilesystem(osfs.New(dirs.Git), osfs.New(dirs.Common))
	}
	st := filesystem.NewStorageWithOptions(dotGit, cache.NewObjectLRUDefault(),
		filesystem.Options{KeepDescriptors: true, AlternatesFS: osfs.New("/")})
	r, err := git.Open(st, osfs.New(root))
	if err != nil {
		return nil, fmt.Errorf("open git repository %s: %w", root, err)
	}
	return &Git{Repo: r, Root: root, Dirs: dirs, trees: map[plumbing.Hash]*object.Tree{}}, nil
}

// GitDirs are where a work tree's git data lives.
type GitDirs struct {
	// Git is the work tree's own git directory: root/.git, or in a linked
	// worktree or submodule the directory its `.git` file names.
	Git string
	// Common holds objects, refs, config and hooks: Git itself, or the main
	// repository's git directory that a linked worktree's `commondir` names.
	Common string
}

// FindGitDirs resolves root/.git, which is a directory or, in a linked
// worktree or submodule, a file that says `gitdir: PATH`; then its commondir.
func FindGitDirs(root string) (GitDirs, error) {
	dotGit := filepath.Join(root, ".git")
	fi, err := os.Stat(dotGit)
	if err != nil {
		return GitDirs{}, fmt.Errorf("%s is not a git repository", root)
	}
	dir := dotGit
	if !fi.IsDir() {
		b, err := os.ReadFile(dotGit)
		if err != nil {
			return GitDirs{}, err
		}
		d, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir: ")
		if !ok {
			return GitDirs{}, fmt.Errorf("%s: not a gitdir file", dotGit)
		}
		if !filepath.IsAbs(d) {
			d = filepath.Join(root, d)
		}
		dir = d
	}
	dirs := GitDirs{Git: dir, Common: dir}
	b, err := os.ReadFile(filepath.Join(dir, "commondir"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return GitDirs{}, fmt.Errorf("%s: %w", dir, err)
	default:
		c := strings.TrimSpace(string(b))
		if !filepath.IsAbs(c) {
			c = filepath.Join(dir, c)
		}
		if fi, err := os.Stat(c); err != nil || !fi.IsDir() {
			return GitDirs{}, fmt.Errorf("%s: its commondir %s is not a directory (a worktree whose main repository moved? `git worktree repair`)", dir, c)
		}
		dirs.Common = filepath.Clean(c)
	}
	return dirs, nil
}

// ErrShallow explains the usual reason a revision is missing in CI.
var ErrShallow = errors.New("the revision or its merge-base is not in this clone; a shallow clone (actions/checkout's default fetch-depth: 1) lacks history: fetch with fetch-depth: 0")

func (g *Git) tree(h plumbing.Hash) (*object.Tree, error) {
	if t, ok := g.trees[h]; ok {
		return t, nil
	}
	t, err := g.Repo.TreeObject(h)
	if err != nil {
		return nil, err
	}
	g.trees[h] = t
	return t, nil
}

func (g *Git) blobEntry(p string, h plumbing.Hash, commits []Commit) Entry {
	return Entry{Path: p, Size: -1, Commits: commits, hash: h, Read: func() ([]byte, error) {
		g.mu.Lock()
		defer g.mu.Unlock()
		b, err := g.Repo.BlobObject(h)
		if err != nil {
			return nil, &MissingObjectError{Path: p, Hash: h.String()[:12], Err: err}
		}
		rd, err := b.Reader()
		if err != nil {
			return nil, &MissingObjectError{Path: p, Hash: h.String()[:12], Err: err}
		}
		defer rd.Close()
		if g.MaxSize > 0 && b.Size > g.MaxSize {
			return nil, tooLarge(b.Size, g.MaxSize, rd)
		}
		buf := bytes.NewBuffer(make([]byte, 0, b.Size))
		_, err = buf.ReadFrom(rd)
		return buf.Bytes(), err
	}}
}

// headTree is HEAD's tree, or nil in a repository without commits.
func (g *Git) headTree() (*object.Tree, error) {
	ref, err := g.Repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	c, err := g.Repo.CommitObject(ref.Hash())
	if err != nil {
		return nil, err
	}
	return g.tree(c.TreeHash)
}

// Staged is the index version of every file added or modified relative to
// HEAD: what `git commit` would record. It honours GIT_INDEX_FILE, which git sets
// for `git commit -a` and `git commit PATH` hooks (go-git does not).
type Staged struct {
	g       *Git
	changed []*index.Entry
	all     map[string]bool
	hashes  map[string]plumbing.Hash // every staged file's blob
	// Only limits the entries to these repo-relative paths or directories.
	Only []string
	// Pending lists every path the next commit would change: added, modified,
	// deleted, links and submodules, conflicts; sorted.
	Pending []string
}

// Staged compares the index with HEAD by hash; directories whose cached tree
// (the index's TREE extension) equals HEAD's subtree are skipped whole, so the
// work tree is never hashed and a large repository costs little.
func (g *Git) Staged() (*Staged, error) {
	idx, err := g.readIndex()
	if err != nil {
		return nil, err
	}
	head, err := g.headTree()
	if err != nil {
		return nil, err
	}
	s := &Staged{g: g, all: map[string]bool{}, hashes: map[string]plumbing.Hash{}}
	valid := cachedTrees(idx)
	skipped := map[string]bool{}
	headFiles := map[string]plumbing.Hash{}
	if head != nil {
		if err := g.collect(head, "", valid, skipped, headFiles); err != nil {
			return nil, err
		}
	}
	pending := map[string]bool{}
	for _, e := range idx.Entries {
		if e.Stage != 0 {
			// A conflict: not committable yet. (go-git's index.Merged constant is
			// 1, but a merged entry is stage 0 on disk.)
			pending[e.Name] = true
			continue
		}
		s.all[e.Name] = true
		s.hashes[e.Name] = e.Hash
		if underSkipped(e.Name, skipped) {
			continue
		}
		if h, ok := headFiles[e.Name]; ok && h == e.Hash {
			continue
		}
		pending[e.Name] = true
		if e.Mode == filemode.Submodule || e.Mode == filemode.Symlink {
			continue
		}
		s.changed = append(s.changed, e)
	}
	for p := range headFiles {
		if !s.all[p] {
			pending[p] = true // deleted in the index
		}
	}
	for p := range pending {
		s.Pending = append(s.Pending, p)
	}
	sort.Strings(s.Pending)
	return s, nil
}

func (g *Git) readIndex() (*index.Index, error) {
	if p := os.Getenv("GIT_INDEX_FILE"); p != "" {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("GIT_INDEX_FILE: %w", err)
		}
		defer f.Close()
		idx := &index.Index{}
		if err := index.NewDecoder(f).Decode(idx); err != nil {
			return nil, fmt.Errorf("read index %s: %w", p, err)
		}
		return idx, nil
	}
	idx, err := g.Repo.Storer.Index()
	if err != nil {
		return nil, fmt.Errorf("read git index: %w", err)
	}
	return idx, nil
}

// cachedTrees maps directories to their cached tree hash, for the directories
// whose cache entry is valid (git invalidates the ones `git add` touches).
func cachedTrees(idx *index.Index) map[string]plumbing.Hash {
	out := map[string]plumbing.Hash{}
	if idx.Cache == nil || len(idx.Cache.Entries) == 0 {
		return out
	}
	// The extension is a pre-order list: each entry is followed by its Trees
	// subtrees.
	i := 0
	var walk func(prefix string)
	walk = func(prefix string) {
		e := idx.Cache.Entries[i]
		i++
		p := path.Join(prefix, e.Path)
		if e.Entries >= 0 {
			out[p] = e.Hash
		}
		for n := 0; n < e.Trees && i < len(idx.Cache.Entries); n++ {
			walk(p)
		}
	}
	for i < len(idx.Cache.Entries) {
		walk("")
	}
	return out
}

// collect maps HEAD's files to blob hashes, skipping directories whose cached
// index tree matches.
func (g *Git) collect(t *object.Tree, prefix string, valid map[string]plumbing.Hash, skipped map[string]bool, out map[string]plumbing.Hash) error {
	dir := prefix
	if dir == "" {
		dir = "."
	}
	if h, ok := valid[dir]; ok && h == t.Hash {
		skipped[dir] = true
		return nil
	}
	for _, e := range t.Entries {
		p := path.Join(prefix, e.Name)
		if e.Mode == filemode.Dir {
			sub, err := g.tree(e.Hash)
			if err != nil {
				return err
			}
			if err := g.collect(sub, p, valid, skipped, out); err != nil {
				return err
			}
			continue
		}
		out[p] = e.Hash
	}
	return nil
}

func underSkipped(p string, skipped map[string]bool) bool {
	if skipped["."] {
		return true
	}
	for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
		if skipped[d] {
			return true
		}
	}
	return false
}

// Within reports whether the repo-relative path p is one of the paths or
// directories of only (all paths when only is empty).
func Within(p string, only []string) bool {
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		if o == "." || p == o || strings.HasPrefix(p, o+"/") {
			return true
		}
	}
	return false
}

func (s *Staged) Walk(fn func(Entry) error) error {
	for _, e := range s.changed {
		if !Within(e.Name, s.Only) || NotOurs(e.Name) {
			continue
		}
		if err := fn(s.g.blobEntry(e.Name, e.Hash, nil)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Staged) Exists(rel string) bool { return s.all[rel] }

// ReadFile reads the staged version of any file of the index.
func (s *Staged) ReadFile(rel string) ([]byte, error) {
	h, ok := s.hashes[rel]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return s.g.blobEntry(rel, h, nil).Read()
}

// Changed returns how many files the index changes.
func (s *Staged) Changed() int { return len(s.changed) }

// DiffBase resolves `merge-base(rev, HEAD)` and returns a predicate telling
// whether a working-tree file differs from it: git's blob hash of the content,
// compared with the base tree's, so nothing but the files being scanned anyway
// is read.
func (g *Git) DiffBase(rev string) (func(rel string, data []byte) bool, string, error) {
	h, err := g.Repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return nil, "", fmt.Errorf("--diff %s: %w", rev, shallowHint(err))
	}
	other, err := g.Repo.CommitObject(*h)
	if err != nil {
		return nil, "", fmt.Errorf("--diff %s: %w", rev, shallowHint(err))
	}
	headRef, err := g.Repo.Head()
	if err != nil {
		return nil, "", fmt.Errorf("--diff: HEAD: %w", err)
	}
	head, err := g.Repo.CommitObject(headRef.Hash())
	if err != nil {
		return nil, "", fmt.Errorf("--diff: HEAD: %w", shallowHint(err))
	}
	bases, err := head.MergeBase(other)
	if err != nil {
		return nil, "", fmt.Errorf("--diff %s: merge-base: %w", rev, shallowHint(err))
	}
	if len(bases) == 0 {
		return nil, "", fmt.Errorf("--diff %s: no merge-base with HEAD: %w", rev, ErrShallow)
	}
	base := bases[0]
	t, err := g.tree(base.TreeHash)
	if err != nil {
		return nil, "", fmt.Errorf("--diff %s: %w", rev, shallowHint(err))
	}
	files := map[string]plumbing.Hash{}
	if err := g.collect(t, "", nil, map[string]bool{}, files); err != nil {
		return nil, "", fmt.Errorf("--diff %s: %w", rev, shallowHint(err))
	}
	changed := func(rel string, data []byte) bool {
		h, ok := files[rel]
		return !ok || h != plumbing.ComputeHash(plumbing.BlobObject, data)
	}
	return changed, base.Hash.String(), nil
}

func shallowHint(err error) error {
	if errors.Is(err, plumbing.ErrObjectNotFound) || errors.Is(err, plumbing.ErrReferenceNotFound) {
		return fmt.Errorf("%v: %w", err, ErrShallow)
	}
	return err
}

// History is every blob ever committed on any ref, each once, with the commits
// that introduced it and the paths it had.
type History struct {
	g       *Git
	entries []Entry
	// Commits walked, for the summary.
	Commits int
	// Incomplete says what of the history could not be read: a shallow
	// boundary, missing commits or trees. Blobs that cannot be read show as
	// MissingObjectError when their entry is read.
	Incomplete []string
	// binary: the blobs are read through git cat-file (walkBinary), in the
	// order git log first met them (seen).
	binary bool
	seen   map[plumbing.Hash]int
}

// History walks every commit reachable from any ref and diffs each against its
// first parent, skipping subtrees whose hash did not change; trees are decoded
// once and cached. A blob's introductions are the (commit, path) pairs where it
// appeared.
func (g *Git) History() (*History, error) {
	if g.GitBinary != "" {
		if h, err := g.historyFromBinary(); err == nil {
			return h, nil
		}
		// The binary cannot walk it (a missing object, an old git): go-git
		// can, and says what is missing.
	}
	defer func() { g.trees = map[plumbing.Hash]*object.Tree{} }() // only the walk needs them
	refs, err := g.Repo.References()
	if err != nil {
		return nil, err
	}
	var starts []plumbing.Hash
	err = refs.ForEach(func(r *plumbing.Reference) error {
		if r.Type() != plumbing.HashReference {
			return nil
		}
		h := r.Hash()
		if tag, err := g.Repo.TagObject(h); err == nil {
			if c, err := tag.Commit(); err == nil {
				h = c.Hash // an annotated tag: walk the commit it names
			}
		}
		starts = append(starts, h)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if head, err := g.Repo.Head(); err == nil {
		starts = append(starts, head.Hash())
	}
	shallow := map[plumbing.Hash]bool{}
	if hs, err := g.Repo.Storer.Shallow(); err == nil {
		for _, h := range hs {
			shallow[h] = true
		}
	}
	seen := map[plumbing.Hash]bool{}
	intro := map[plumbing.Hash][]Commit{}
	h := &History{g: g}
	var missingCommits, missingTrees []string
	stack := append([]plumbing.Hash(nil), starts...)
	for len(stack) > 0 {
		ch := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[ch] {
			continue
		}
		seen[ch] = true
		c, err := g.Repo.CommitObject(ch)
		switch {
		case errors.Is(err, plumbing.ErrObjectNotFound):
			if g.Repo.Storer.HasEncodedObject(ch) != nil {
				missingCommits = append(missingCommits, ch.String()[:12])
			} // else a ref to a tag of a tree or blob: no commit to walk
			continue
		case err != nil:
			return nil, err
		}
		h.Commits++
		if !shallow[ch] {
			// A shallow boundary's parents are not in the clone, by design.
			stack = append(stack, c.ParentHashes...)
		}
		t, err := g.tree(c.TreeHash)
		if err != nil {
			if errors.Is(err, plumbing.ErrObjectNotFound) {
				missingTrees = append(missingTrees, c.Hash.String()[:12])
				continue
			}
			return nil, err
		}
		var parent *object.Tree
		if len(c.ParentHashes) > 0 && !shallow[ch] {
			if pc, err := g.Repo.CommitObject(c.ParentHashes[0]); err == nil {
				parent, _ = g.tree(pc.TreeHash)
			}
		}
		at := Commit{Hash: c.Hash.String()[:12], Date: c.Committer.When.UTC().Format("2006-01-02")}
		err = g.diffTrees(parent, t, "", func(p string, blob plumbing.Hash) {
			cm := at
			cm.Path = p
			intro[blob] = append(intro[blob], cm)
		})
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			missingTrees = append(missingTrees, c.Hash.String()[:12])
			continue
		}
		if err != nil {
			return nil, err
		}
	}
	if len(shallow) > 0 {
		h.Incomplete = append(h.Incomplete, fmt.Sprintf("this is a shallow clone: the history before %s is not in it (`git fetch --unshallow` fetches it)",
			plural(len(shallow), "boundary commit", "boundary commits")))
	}
	if len(missingCommits) > 0 {
		h.Incomplete = append(h.Incomplete, fmt.Sprintf("%s missing from the object store (%s)",
			plural(len(missingCommits), "commit is", "commits are"), words.Some(missingCommits, 3)))
	}
	if len(missingTrees) > 0 {
		h.Incomplete = append(h.Incomplete, fmt.Sprintf("the trees of %s are missing from the object store (%s)",
			plural(len(missingTrees), "commit", "commits"), words.Some(missingTrees, 3)))
	}
	h.setEntries(intro)
	return h, nil
}

// setEntries makes one entry per blob, named by the path of its first
// introduction, its introductions oldest first, in path order.
func (h *History) setEntries(intro map[plumbing.Hash][]Commit) {
	for blob, all := range intro {
		var commits []Commit
		for _, c := range all {
			if !NotOurs(c.Path) {
				commits = append(commits, c)
			}
		}
		if len(commits) == 0 {
			continue // only ever a lock file or an image: not read
		}
		sort.Slice(commits, func(i, j int) bool {
			if commits[i].Date != commits[j].Date {
				return commits[i].Date < commits[j].Date
			}
			if commits[i].Hash != commits[j].Hash {
				return commits[i].Hash < commits[j].Hash
			}
			return commits[i].Path < commits[j].Path
		})
		h.entries = append(h.entries, h.g.blobEntry(commits[0].Path, blob, commits))
	}
	sort.Slice(h.entries, func(i, j int) bool {
		a, b := h.entries[i], h.entries[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Commits[0].Hash < b.Commits[0].Hash
	})
}

// diffTrees calls fn for every file of b that is new or changed relative to a.
func (g *Git) diffTrees(a, b *object.Tree, prefix string, fn func(path string, blob plumbing.Hash)) error {
	var old map[string]object.TreeEntry
	if a != nil {
		old = make(map[string]object.TreeEntry, len(a.Entries))
		for _, e := range a.Entries {
			old[e.Name] = e
		}
	}
	for _, e := range b.Entries {
		o, had := old[e.Name]
		if had && o.Hash == e.Hash && o.Mode == e.Mode {
			continue
		}
		p := path.Join(prefix, e.Name)
		switch e.Mode {
		case filemode.Dir:
			sub, err := g.tree(e.Hash)
			if err != nil {
				return err
			}
			var osub *object.Tree
			if had && o.Mode == filemode.Dir {
				if osub, err = g.tree(o.Hash); err != nil {
					return err
				}
			}
			if err := g.diffTrees(osub, sub, p, fn); err != nil {
				return err
			}
		case filemode.Submodule, filemode.Symlink:
		default:
			fn(p, e.Hash)
		}
	}
	return nil
}

func (h *History) Walk(fn func(Entry) error) error {
	if h.binary {
		return h.walkBinary(fn)
	}
	for _, e := range h.entries {
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// Exists is false: a history blob's neighbours are of other commits.
func (h *History) Exists(string) bool { return false }

// IncompleteHistory says what of the history could not be read.
func (h *History) IncompleteHistory() []string { return h.Incomplete }

// Blobs is the number of distinct blobs to scan.
func (h *History) Blobs() int { return len(h.entries) }

// Role is the part a signature plays in a commit.
type Role string

const (
	Author    Role = "AUTHOR"
	Committer Role = "COMMITTER"
)

// Signature is the identity git itself would record for role: the
// GIT_AUTHOR_*/GIT_COMMITTER_* variables first, then author.* or
// committer.*, then user.* of the repository's, the user's (~/.gitconfig,
// $XDG_CONFIG_HOME/git/config) and the system configuration, nearest first;
// then $EMAIL. What is still unknown is filled from fallback.
func (g *Git) Signature(role Role, fallback object.Signature) *object.Signature {
	sig := fallback
	name, email := os.Getenv("GIT_"+string(role)+"_NAME"), os.Getenv("GIT_"+string(role)+"_EMAIL")
	if cfg, err := g.Repo.ConfigScoped(gitconfig.SystemScope); err == nil {
		specific := cfg.Author
		if role == Committer {
			specific = cfg.Committer
		}
		name = firstSet(name, specific.Name, cfg.User.Name)
		email = firstSet(email, specific.Email, cfg.User.Email)
	}
	email = firstSet(email, os.Getenv("EMAIL"))
	if name != "" {
		sig.Name = name
	}
	if email != "" {
		sig.Email = email
	}
	return &sig
}

func firstSet(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// HooksDir is where git runs this repository's hooks from: core.hooksPath
// (which husky and lefthook set; relative to the work tree, `~/` expanded) of
// the local, global or system config, else the common git directory's hooks/.
func (g *Git) HooksDir() (dir string, fromConfig bool, err error) {
	cfg, err := g.Repo.ConfigScoped(gitconfig.SystemScope)
	if err != nil {
		return "", false, fmt.Errorf("read git config: %w", err)
	}
	p := cfg.Raw.Section("core").Option("hooksPath")
	if p == "" {
		return filepath.Join(g.Dirs.Common, "hooks"), false, nil
	}
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", true, fmt.Errorf("core.hooksPath %s: %w", p, err)
		}
		p = filepath.Join(home, rest)
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(g.Root, p)
	}
	return filepath.Clean(p), true, nil
}

// plural is "1 commit is" or "3 commits are".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// MissingObjectError is a git object that a source needs and the object store
// does not have (a broken or partial clone). A scan must not pass over it.
type MissingObjectError struct {
	Path, Hash string
	Err        error
}

func (e *MissingObjectError) Error() string {
	return fmt.Sprintf("git object %s of %s cannot be read: %v", e.Hash, e.Path, e.Err)
}

func (e *MissingObjectError) Unwrap() error { return e.Err }

// SignsCommits reports whether git is configured to sign every commit
// (commit.gpgsign in the local, global or system config).
func (g *Git) SignsCommits() bool {
	cfg, err := g.Repo.ConfigScoped(gitconfig.SystemScope)
	if err != nil {
		return false
	}
	switch strings.ToLower(cfg.Raw.Section("commit").Option("gpgsign")) {
	case "true", "yes", "on", "1":
		return true
	}
	return false
}

// FileAt reads a file of a commit's tree (rel repo-relative): ok is false
// when the commit has no such file.
func (g *Git) FileAt(commit, rel string) (data []byte, ok bool, err error) {
	c, err := g.Repo.CommitObject(plumbing.NewHash(commit))
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", commit, shallowHint(err))
	}
	t, err := g.tree(c.TreeHash)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", commit, shallowHint(err))
	}
	f, err := t.File(rel)
	if errors.Is(err, object.ErrFileNotFound) || errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrEntryNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("%s:%s: %w", commit[:12], rel, err)
	}
	s, err := f.Contents()
	if err != nil {
		return nil, false, &MissingObjectError{Path: rel, Hash: f.Hash.String()[:12], Err: err}
	}
	return []byte(s), true, nil
}
