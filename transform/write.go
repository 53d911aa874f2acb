package transform

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
)

// WriteFile replaces path with data atomically: a temp file in the same
// directory, fsync, the old file's mode, rename, then fsync of the directory. A
// crash leaves either the old file or the new one, never half of each.
//
// It refuses a symbolic link (the rename would replace the link with the
// sealed file while its target kept the plaintext) and a file with several
// names (hard links: the other names would keep the plaintext).
func WriteFile(path string, data []byte) (err error) {
	perm, err := checkReplace(path)
	if err != nil {
		return err
	}
	return writeAtomic(path, data, perm)
}

// checkReplace refuses what WriteFile refuses, and gives the mode the new
// content keeps.
func checkReplace(path string) (fs.FileMode, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return 0, fmt.Errorf("write %s: it is a symbolic link: seal the file it points to instead", path)
	}
	if n := links(fi); n > 1 {
		return 0, fmt.Errorf("write %s: the file has %d names (hard links), and sealing one would leave the plaintext under the others: make it a file of its own (cp, then rm the other names)", path, n)
	}
	return fi.Mode().Perm(), nil
}

// RemoveFile deletes a file whose content now lives elsewhere (a shared
// base's Secret, sealed into each overlay), on the terms of WriteFile: never
// a symbolic link, never one name of several (the others would keep it).
func RemoveFile(path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("remove %s: not a regular file (a symbolic link?): remove it by hand", path)
	}
	if n := links(fi); n > 1 {
		return fmt.Errorf("remove %s: the file has %d names (hard links), and the others would keep it: remove them all by hand", path, n)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	syncDirs(map[string]bool{filepath.Dir(path): true})
	return nil
}

// CreateFile writes a new file atomically (mode 0644), refusing any that is
// there already, a symbolic link included.
func CreateFile(path string, data []byte) error {
	if err := checkCreate(path); err != nil {
		return err
	}
	return writeAtomic(path, data, 0o644)
}

// checkCreate refuses a path where something is already, a symbolic link
// included.
func checkCreate(path string) error {
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		if err == nil {
			return fmt.Errorf("create %s: it exists already", path)
		}
		return fmt.Errorf("create %s: %w", path, err)
	}
	return nil
}

// WriteOutput writes a file the tool makes (a report, a hook): created with
// perm when missing, else replaced atomically (keeping its mode), and never
// through a symbolic link: a pull request may commit
// `secretguard.sarif -> ~/.bashrc` where a CI job writes its report.
func WriteOutput(path string, data []byte, perm fs.FileMode) error {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return fmt.Errorf("write %s: %w", path, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("write %s: it is a symbolic link, and secretguard never writes through one (remove it first)", path)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("write %s: not a regular file", path)
	default:
		perm = fi.Mode().Perm()
	}
	return writeAtomic(path, data, perm)
}

func writeAtomic(path string, data []byte, perm fs.FileMode) error {
	tmp, err := writeTemp(path, data, perm, true)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	syncDirs(map[string]bool{filepath.Dir(path): true})
	return nil
}

// writeTemp writes what path becomes to a temp file beside it, with perm, and
// with durable made durable; it returns the temp file's name.
func writeTemp(path string, data []byte, perm fs.FileMode, durable bool) (name string, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+tempMarker+"*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if err = tmp.Chmod(perm); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	if durable {
		if err = tmp.Sync(); err != nil {
			return "", fmt.Errorf("write %s: %w", path, err)
		}
	}
	if err = tmp.Close(); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return tmp.Name(), nil
}

// tempMarker is in the name of every temp file WriteFile creates.
const tempMarker = ".secretguard-"

var tempName = regexp.MustCompile(`^\..+\.secretguard-[0-9]+$`)

// IsTempFile reports a temp file that WriteFile left behind when the process
// was killed between create and rename; the next run removes it.
func IsTempFile(path string) bool { return tempName.MatchString(filepath.Base(path)) }
