package source

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
)

// The git binary, where there is one, reads history faster than go-git can:
// `git log --raw` lists what each commit introduced (tree diffs in C), and
// `git cat-file --batch` processes inflate the blobs in parallel, streamed
// to the scan instead of held. The result is the same History — the same
// blobs, introductions and gaps (TestHistoryGitBinaryIsGoGit) — and go-git
// stays the reader everywhere else, and the fallback whenever the binary is
// missing, too old or refuses the repository.

// catFileReaders is how many `git cat-file --batch` processes read blobs at
// once: inflating is most of the work, and it runs in them.
var catFileReaders = 2

// historyFromBinary builds the History's introductions with `git log`. An
// error means "use go-git": the binary could not walk this repository (a
// missing commit or tree, an old git without --diff-merges).
func (g *Git) historyFromBinary() (*History, error) {
	cmd := g.gitCommand("log", "-z", "--all", "--no-renames", "--raw", "--no-abbrev",
		"--diff-merges=first-parent", "--format=C %H %cd", "--date=format-local:%Y-%m-%d")
	cmd.Env = append(cmd.Env, "TZ=UTC")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	h := &History{g: g, binary: true, seen: map[plumbing.Hash]int{}}
	intro := map[plumbing.Hash][]Commit{}
	rd := bufio.NewReaderSize(out, 1<<16)
	var at Commit
	var pending plumbing.Hash // the blob of a raw line whose path comes next
	wantPath := false
	var perr error
	for {
		tok, err := rd.ReadString(0)
		if err == io.EOF {
			break
		}
		if err != nil {
			perr = err
			break
		}
		tok = strings.TrimSuffix(tok, "\x00")
		if wantPath {
			wantPath = false
			if !pending.IsZero() {
				cm := at
				cm.Path = tok
				if _, ok := intro[pending]; !ok {
					h.seen[pending] = len(h.seen)
				}
				intro[pending] = append(intro[pending], cm)
			}
			continue
		}
		tok = strings.TrimPrefix(tok, "\n")
		switch {
		case strings.HasPrefix(tok, "C "):
			f := strings.Fields(tok)
			if len(f) != 3 || len(f[1]) < 12 {
				perr = fmt.Errorf("git log: unexpected line %q", tok)
				break
			}
			at = Commit{Hash: f[1][:12], Date: f[2]}
			h.Commits++
		case strings.HasPrefix(tok, ":"):
			// :OLDMODE NEWMODE OLDHASH NEWHASH STATUS, then the path.
			f := strings.Fields(tok[1:])
			if len(f) != 5 {
				perr = fmt.Errorf("git log: unexpected raw line %q", tok)
				break
			}
			wantPath = true
			pending = plumbing.ZeroHash
			mode, status := f[1], f[4]
			if status == "D" || mode == "160000" || mode == "120000" || mode == "000000" {
				continue // deleted; a submodule; a symbolic link
			}
			pending = plumbing.NewHash(f[3])
		case tok == "":
		default:
			perr = fmt.Errorf("git log: unexpected output %q", tok)
		}
		if perr != nil {
			break
		}
	}
	if perr != nil {
		_ = cmd.Process.Kill()
	}
	if err := cmd.Wait(); err != nil || perr != nil {
		return nil, errors.Join(perr, fmt.Errorf("git log: %v: %s", err, strings.TrimSpace(stderr.String())))
	}
	if hs, err := g.Repo.Storer.Shallow(); err == nil && len(hs) > 0 {
		h.Incomplete = append(h.Incomplete, fmt.Sprintf("this is a shallow clone: the history before %s is not in it (`git fetch --unshallow` fetches it)",
			plural(len(hs), "boundary commit", "boundary commits")))
	}
	h.setEntries(intro)
	return h, nil
}

// gitCommand runs the git binary on this repository's git directory, with
// none of the caller's GIT_* variables (a hook's GIT_DIR or GIT_INDEX_FILE)
// pointing it elsewhere.
func (g *Git) gitCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(g.GitBinary, append([]string{"--git-dir=" + g.Dirs.Git, "-c", "core.quotePath=false"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") || strings.HasPrefix(kv, "GIT_CONFIG_NOSYSTEM=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}

// walkBinary streams the History's blobs through `git cat-file --batch`
// processes, each reading a share of them, and calls fn (never twice at
// once) with each as it arrives: a blob is read once and held only while it
// is scanned.
func (h *History) walkBinary(fn func(Entry) error) error {
	n := min(catFileReaders, max(1, len(h.entries)))
	// git reads blobs fastest in the order git log met them, newest first:
	// the order a pack keeps its deltas in (hash or path order was 3×
	// slower on a fast-import repository).
	entries := append([]Entry(nil), h.entries...)
	sort.SliceStable(entries, func(i, j int) bool { return h.seen[entries[i].hash] < h.seen[entries[j].hash] })
	var mu sync.Mutex // fn is called by one reader at a time
	var stop bool
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		// Contiguous shares, each in that order.
		share := entries[i*len(entries)/n : (i+1)*len(entries)/n]
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = h.catFile(share, func(e Entry) error {
				mu.Lock()
				defer mu.Unlock()
				if stop {
					return errStop
				}
				if err := fn(e); err != nil {
					stop = true
					return err
				}
				return nil
			})
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, errStop) {
			return err
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

var errStop = errors.New("walk stopped")

// HoldsContent says the entries that Walk hands out carry their content
// (read by git cat-file), so a consumer should not queue many of them.
func (h *History) HoldsContent() bool { return h.binary }

// catFile reads the blobs of entries, in order, through one `git cat-file
// --batch` and calls fn with each, its content already read.
func (h *History) catFile(entries []Entry, fn func(Entry) error) error {
	g := h.g
	// Smaller pack windows and delta cache than git's defaults keep each
	// reader's memory near 100 MB instead of the pack's size (measured on
	// codedang: 241 -> 115 MB, no slower).
	cmd := g.gitCommand("-c", "core.packedGitWindowSize=16m", "-c", "core.packedGitLimit=64m",
		"-c", "core.deltaBaseCacheLimit=32m", "cat-file", "--batch", "--buffer")
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("git cat-file: %w", err)
	}
	go func() {
		w := bufio.NewWriterSize(in, 1<<16)
		for _, e := range entries {
			w.WriteString(e.hash.String())
			w.WriteByte('\n')
		}
		w.Flush()
		in.Close()
	}()
	rd := bufio.NewReaderSize(out, 1<<20)
	var ferr error
	for _, e := range entries {
		header, err := rd.ReadString('\n')
		if err != nil {
			ferr = fmt.Errorf("git cat-file: %w: %s", err, strings.TrimSpace(stderr.String()))
			break
		}
		f := strings.Fields(header)
		if len(f) == 2 && f[1] == "missing" {
			e.Read = func() ([]byte, error) {
				return nil, &MissingObjectError{Path: e.Path, Hash: e.hash.String()[:12], Err: plumbing.ErrObjectNotFound}
			}
		} else {
			if len(f) != 3 || f[0] != e.hash.String() {
				ferr = fmt.Errorf("git cat-file: unexpected header %q for %s", strings.TrimSpace(header), e.hash)
				break
			}
			size, err := strconv.ParseInt(f[2], 10, 64)
			if err != nil {
				ferr = fmt.Errorf("git cat-file: unexpected header %q", strings.TrimSpace(header))
				break
			}
			if g.MaxSize > 0 && size > g.MaxSize {
				// Over the cap: not held, only its head sniffed for a NUL.
				head := make([]byte, min(size, BinarySniff))
				_, err = io.ReadFull(rd, head)
				if err == nil {
					_, err = io.CopyN(io.Discard, rd, size-int64(len(head))+1)
				}
				tl := &TooLargeError{Size: size, Limit: g.MaxSize, Binary: bytes.IndexByte(head, 0) >= 0}
				e.Size, e.Read = size, func() ([]byte, error) { return nil, tl }
			} else {
				data := make([]byte, size+1) // and the newline after it
				_, err = io.ReadFull(rd, data)
				data = data[:size]
				e.Size, e.Read = size, func() ([]byte, error) { return data, nil }
			}
			if err != nil {
				ferr = fmt.Errorf("git cat-file: %w", err)
				break
			}
		}
		if err := fn(e); err != nil {
			ferr = err
			break
		}
	}
	if ferr != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return ferr
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git cat-file: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
