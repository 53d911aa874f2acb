package source

import (
	"path"
	"strings"
)

// lockFiles are written by package managers from their registries: they hold
// package names, versions and checksums, never a Secret or a key — and in an
// application monorepo they are most of the history's bytes (skkuding/
// codedang: 352 of 560 MB are versions of pnpm-lock.yaml).
var lockFiles = map[string]bool{"pnpm-lock.yaml": true, "package-lock.json": true, "npm-shrinkwrap.json": true,
	"yarn.lock": true, "bun.lock": true, "go.sum": true, "cargo.lock": true, "poetry.lock": true, "pdm.lock": true,
	"uv.lock": true, "pipfile.lock": true, "composer.lock": true, "gemfile.lock": true, "packages.lock.json": true,
	"pubspec.lock": true, "mix.lock": true, "flake.lock": true}

// mediaExts are formats that are binary by definition — images, audio,
// video, fonts, archives, compiled code — or, for SVG, drawings.
var mediaExts = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".webp": true,
	".bmp": true, ".ico": true, ".tif": true, ".tiff": true, ".avif": true, ".heic": true, ".svg": true,
	".mp3": true, ".mp4": true, ".mov": true, ".avi": true, ".webm": true, ".ogg": true, ".wav": true,
	".flac": true, ".woff": true, ".woff2": true, ".ttf": true, ".otf": true, ".eot": true, ".pdf": true,
	".zip": true, ".gz": true, ".tgz": true, ".bz2": true, ".xz": true, ".7z": true, ".rar": true,
	".jar": true, ".war": true, ".class": true, ".so": true, ".dll": true, ".dylib": true, ".exe": true,
	".wasm": true, ".pyc": true}

// NotOurs reports a file that is not read when a tree or history is walked,
// by its name: a package manager's lock file, or a media, font, archive or
// compiled file. (A file named on the command line is read all the same.)
// gitleaks leaves the same files out by default.
func NotOurs(rel string) bool {
	base := path.Base(rel)
	return lockFiles[strings.ToLower(base)] || mediaExts[strings.ToLower(path.Ext(base))]
}
