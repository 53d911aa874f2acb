package transform

import (
	"os"
	"path/filepath"

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
	if len(temps) < syncfsFrom || !syncfsAll(temps) {
		for _, t := range temps {
			if err := fsyncPath(t); err != nil {
				failed(t, err)
			}
		}
	}
}

// syncfsAll runs syncfs once on each file system the temp files are on (it
// writes back that whole file system and, since Linux 5.8, reports its write
// errors); false when it could not, so each file gets its fsync instead.
func syncfsAll(temps []string) bool {
	dirs := map[string]bool{}
	devs := map[uint64]bool{}
	for _, t := range temps {
		dir := filepath.Dir(t)
		if dirs[dir] {
			continue
		}
		dirs[dir] = true
		d, err := os.Open(dir)
		if err != nil {
			return false
		}
		var st unix.Stat_t
		err = unix.Fstat(int(d.Fd()), &st)
		if err == nil && !devs[uint64(st.Dev)] {
			devs[uint64(st.Dev)] = true
			err = unix.Syncfs(int(d.Fd()))
		}
		d.Close()
		if err != nil {
			return false
		}
	}
	return true
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
