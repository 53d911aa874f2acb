package transform

import (
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// batchSync: on Linux a Batch stages temp files without an fsync each and
// makes them durable together at Commit.
const batchSync = true

// syncfsFrom is the batch size from which one syncfs(2) per file system
// replaces an fsync per file. syncfs also writes what other programs left
// dirty on that file system, so the few files of a pre-commit run keep their
// own fsyncs.
const syncfsFrom = 16

// syncFiles makes the temp files durable, reporting each that could not be
// to failed.
func syncFiles(temps []string, failed func(tmp string, err error)) {
	if len(temps) >= syncfsFrom {
		// One directory per file system: syncfs writes back that whole
		// file system (and, since Linux 5.8, reports its write errors).
		seen := map[uint64]bool{}
		ok := true
		for _, t := range temps {
			dir := filepath.Dir(t)
			fi, err := os.Stat(dir)
			if err != nil {
				ok = false
				break
			}
			st, isUnix := fi.Sys().(*syscall.Stat_t)
			if !isUnix {
				ok = false
				break
			}
			if seen[st.Dev] {
				continue
			}
			seen[st.Dev] = true
			d, err := os.Open(dir)
			if err != nil {
				ok = false
				break
			}
			err = unix.Syncfs(int(d.Fd()))
			d.Close()
			if err != nil {
				ok = false
				break
			}
		}
		if ok {
			return
		}
	}
	for _, t := range temps {
		if err := fsyncPath(t); err != nil {
			failed(t, err)
		}
	}
}

// fsyncPath makes one closed file durable (Linux flushes a file through a
// read-only descriptor too).
func fsyncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
