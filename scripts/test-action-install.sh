#!/usr/bin/env bash
# The release and the action's install step, offline: goreleaser builds the
# snapshot release (every archive, checksums.txt: what a tag publishes), a
# loopback HTTP server serves it where GitHub serves releases, and
# scripts/action-install.sh must install the right binary, refuse one that
# does not match its checksum, and hand over to the source build (exit 3)
# when there is nothing to download. goreleaser on PATH, or installed here.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:$(go env GOPATH)/bin"
command -v goreleaser >/dev/null || go install github.com/goreleaser/goreleaser/v2@v2.17.0
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work" dist' EXIT
step() { echo "== $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

step "goreleaser snapshot: six archives and their checksums"
goreleaser check >/dev/null 2>&1 || fail "goreleaser check"
goreleaser release --snapshot --clean --skip=docker >"$work/goreleaser.log" 2>&1 || { cat "$work/goreleaser.log"; fail "goreleaser"; }
version=v$(sed -n 's/.*"version":"\([^"]*\)".*/\1/p' dist/metadata.json)
for target in linux_amd64.tar.gz linux_arm64.tar.gz darwin_amd64.tar.gz darwin_arm64.tar.gz windows_amd64.zip windows_arm64.zip; do
  grep -q "  secretguard_${version#v}_$target\$" dist/checksums.txt || fail "checksums.txt lacks $target"
done
mkdir -p "$work/www/$version" "$work/www/v9.9.9"
cp dist/*.tar.gz dist/*.zip dist/checksums.txt "$work/www/$version/"
# v9.9.9: an archive that is not what its checksum says.
cp dist/checksums.txt "$work/www/v9.9.9/"
sed -i "s/${version#v}/9.9.9/" "$work/www/v9.9.9/checksums.txt"
for f in dist/*.tar.gz; do
  b=$(basename "$f"); cp "$f" "$work/www/v9.9.9/${b/${version#v}/9.9.9}"
  printf 'x' >> "$work/www/v9.9.9/${b/${version#v}/9.9.9}"
done

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$work/www" "$port" >/dev/null 2>&1 &
server=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
export SECRETGUARD_DOWNLOAD_BASE="http://127.0.0.1:$port"
install() { # DIR VERSION ACTION_REF: prints the exit code
  local rc=0
  VERSION=$2 ACTION_REF=$3 ACTION_PATH=$PWD bash scripts/action-install.sh "$1" 2>"$work/err" || rc=$?
  echo "$rc"
}

step "a released version: downloaded, verified, installed"
[ "$(install "$work/a" "$version" v0)" = 0 ] || { cat "$work/err"; fail "install $version"; }
"$work/a/secretguard" version | grep -q "secretguard ${version#v}" || fail "installed binary: $("$work/a/secretguard" version)"
grep -q "checksum verified" "$work/err" || fail "no word of the checksum"

step "the action's own version, from a ref vX.Y.Z"
[ "$(install "$work/b" "" "$version")" = 0 ] || { cat "$work/err"; fail "ref $version"; }

step "an archive that does not match its checksum: exit 1, nothing installed"
[ "$(install "$work/c" v9.9.9 v0)" = 1 ] || { cat "$work/err"; fail "tampered archive accepted"; }
grep -q "does not match its checksum" "$work/err" || fail "$(cat "$work/err")"
[ ! -e "$work/c/secretguard" ] || fail "tampered binary installed"

step "nothing to download: exit 3 (the action builds from source)"
[ "$(install "$work/d" v1.2.3 v0)" = 3 ] || fail "missing release"
[ "$(install "$work/d" "" 0123456789abcdef0123456789abcdef01234567)" = 3 ] || fail "a commit"
[ "$(install "$work/d" "" "")" = 3 ] || fail "a local action"
# A major tag: the CHANGELOG's latest entry, not released on this server.
[ "$(install "$work/d" "" v0)" = 3 ] || fail "major tag"
latest=$(sed -n 's/^## \(v[0-9][0-9.]*[^ ]*\).*/\1/p' CHANGELOG.md | head -1)
grep -q "no release $latest" "$work/err" || fail "major tag: $(cat "$work/err")"
[ ! -e "$work/d/secretguard" ] || fail "installed from nowhere"
echo "== action install: all passed"
