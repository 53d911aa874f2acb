//go:build unix

package transform

import (
	"io/fs"
	"syscall"
)

// links is the number of names (hard links) a file has.
func links(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}
