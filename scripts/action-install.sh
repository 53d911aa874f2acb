#!/usr/bin/env bash
# The GitHub Action's install step: download the released secretguard for the
# runner's OS and architecture and verify it against the release's
# checksums.txt, into $1 (a directory). Exit 0: installed. Exit 3: no release
# to download (a commit was asked for, or none matches): the action builds
# from source instead. Exit 1: a download that does not match its checksum,
# or any other failure — never a silent fallback.
#
# VERSION: the version asked for (v0.1.0); empty: the action's own version,
# from ACTION_REF (the ref the workflow named: v0.1.0; a commit, or none for a
# local `uses: ./`, builds from source) or, for a major tag such as v0, the
# latest entry of the action's CHANGELOG.md.
# SECRETGUARD_DOWNLOAD_BASE overrides the releases URL (tests use a loopback
# server).
set -euo pipefail
dest=${1:?usage: action-install.sh DIR}
base=${SECRETGUARD_DOWNLOAD_BASE:-https://github.com/secretguard/secretguard/releases/download}
version=${VERSION:-}
ref=${ACTION_REF:-}
fallback() { echo "secretguard: $*: building from source" >&2; exit 3; }

if [ -z "$version" ]; then
  if [ -z "$ref" ]; then
    fallback "a local action (uses: ./) runs its own source"
  elif [[ $ref =~ ^[0-9a-f]{40}$ ]]; then
    fallback "the action is pinned to commit $ref"
  elif [[ $ref =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]]; then
    version=$ref
  elif [ -n "${ACTION_PATH:-}" ] && [ -f "$ACTION_PATH/CHANGELOG.md" ]; then
    version=$(sed -n 's/^## \(v[0-9][0-9.]*[^ ]*\).*/\1/p' "$ACTION_PATH/CHANGELOG.md" | head -1)
  fi
fi
[[ $version =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]] || fallback "no release version to download (${version:-none})"

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  MINGW* | MSYS* | CYGWIN* | Windows_NT) os=windows ;;
  *) fallback "no release for $(uname -s)" ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) fallback "no release for $(uname -m)" ;;
esac
ext=tar.gz
[ "$os" = windows ] && ext=zip
archive="secretguard_${version#v}_${os}_${arch}.$ext"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
get() { curl -fsSL --retry 3 --proto '=https,http' -o "$tmp/$1" "$base/$version/$1"; }
if ! get checksums.txt; then
  fallback "no release $version at $base"
fi
get "$archive" || fallback "release $version has no $archive"

want=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$tmp/checksums.txt")
[ -n "$want" ] || { echo "secretguard: $archive is not in the release's checksums.txt" >&2; exit 1; }
if command -v sha256sum >/dev/null; then
  got=$(sha256sum "$tmp/$archive" | awk '{ print $1 }')
else
  got=$(shasum -a 256 "$tmp/$archive" | awk '{ print $1 }')
fi
if [ "$got" != "$want" ]; then
  echo "secretguard: $archive does not match its checksum (got $got, want $want): not installed" >&2
  exit 1
fi

mkdir -p "$tmp/x" "$dest"
if [ "$ext" = zip ]; then
  unzip -q "$tmp/$archive" -d "$tmp/x"
  install -m 0755 "$tmp/x/secretguard.exe" "$dest/secretguard.exe"
else
  tar -xzf "$tmp/$archive" -C "$tmp/x" secretguard
  install -m 0755 "$tmp/x/secretguard" "$dest/secretguard"
fi
echo "secretguard: installed $version ($os/$arch, checksum verified) in $dest" >&2
