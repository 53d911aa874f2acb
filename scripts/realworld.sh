#!/usr/bin/env bash
# Scan real GitOps repositories and print every finding, for reading one by one
# (docs/realworld.md records what each one is). Arguments are checkouts or git
# directories (a bare clone, or what `fetch` brings): a git directory is cloned
# into a temporary work tree first. Nothing is written into the repositories.
#
#   scripts/realworld.sh ~/src/home-ops /path/to/other.git ...
#   make realworld REPOS="~/src/home-ops /path/to/other.git"
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo "usage: $0 REPO..." >&2; exit 2; }
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/secretguard" ./cmd/secretguard
total=0
for repo in "$@"; do
  dir=$repo
  if [ ! -e "$repo/.git" ] && git --git-dir="$repo" rev-parse --git-dir >/dev/null 2>&1; then
    dir="$bin/$(basename "$(dirname "$repo")")-$(basename "$repo")"
    git clone -q "$repo" "$dir"
  fi
  commit=$(git -C "$dir" rev-parse --short=8 HEAD 2>/dev/null || echo "-")
  out=$("$bin/secretguard" scan --quiet --no-color --fail-on never "$dir" 2>&1 || true)
  n=$(printf '%s' "$out" | grep -c ': \(error\|warning\) ' || true)
  total=$((total + n))
  echo "== $repo ($commit): $n finding(s)"
  [ -z "$out" ] || printf '%s\n' "$out"
done
echo "== $total finding(s) in $# repositories"
