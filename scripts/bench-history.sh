#!/usr/bin/env bash
# The history benchmark: one repository, every tool side by side, on this
# machine. Prints a Markdown table for docs/performance.md.
#
#   scripts/bench-history.sh REPO   # a real checkout; the figures recorded come from
#                                   #   git clone https://github.com/skkuding/codedang /tmp/codedang
#   scripts/bench-history.sh        # no REPO: a generated repository of that shape
#                                   # (BENCH_FILES source files, BENCH_COMMITS commits)
#
# Rows: secretguard scan --history reading through the git binary, and through
# go-git alone (SECRETGUARD_GIT=go-git); gitleaks git when it is on PATH or in
# $GITLEAKS; `git rev-list --all --objects | git cat-file --batch`, every object
# read once (the floor). Time is the median of RUNS runs (default 3); memory is
# the peak RSS of the largest process of the run (/usr/bin/time %M).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$here" && go build -o "$work/secretguard" ./cmd/secretguard)
sg=$work/secretguard

repo=${1:-}
expect=""
if [ -z "$repo" ]; then
  echo "no REPO given: using a generated repository of codedang's shape."
  echo "(for the real one: git clone https://github.com/skkuding/codedang /tmp/codedang && $0 /tmp/codedang)"
  out=$(cd "$here" && go test ./cmd/secretguard -run '^TestWriteAppRepo$' -count=1 -v \
    -app-repo-dir "$work/repo" -app-files "${BENCH_FILES:-4000}" -app-commits "${BENCH_COMMITS:-4930}")
  expect=$(printf '%s\n' "$out" | sed -n 's/^raw-secrets \([0-9]*\)$/\1/p')
  repo=$work/repo
fi
[ -d "$repo" ] || { echo "$repo: no such directory" >&2; exit 2; }
commits=$(git -C "$repo" rev-list --all | wc -l)
blobs=$(git -C "$repo" rev-list --all --objects --missing=allow-any | cut -d' ' -f1 |
  git -C "$repo" cat-file --batch-check 2>/dev/null | awk '$2=="blob"{n++; s+=$3} END{printf "%d blobs, %.0f MB", n, s/1e6}')
echo "repository: $repo ($commits commits, $blobs)"

# measure NAME CMD...: the median time and the largest peak RSS of RUNS runs.
measure() {
  local name=$1; shift
  local times=() mem=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$work/t" "$@" >"$work/out" 2>"$work/err" || true
    read -r t m < <(tail -1 "$work/t")
    times+=("$t"); [ "$m" -gt "$mem" ] && mem=$m
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  printf '| %s | %s s | %d MB |\n' "$name" "$median" $((mem / 1024))
}

echo
echo "| tool | time (median of $runs) | peak RSS |"
echo "|---|---|---|"
measure "secretguard scan --history (git binary)" "$sg" scan --history -q --no-color --fail-on never "$repo"
found=$(grep -c ': error raw-secret' "$work/out" || true)
measure "secretguard scan --history (go-git alone)" env SECRETGUARD_GIT=go-git "$sg" scan --history -q --no-color --fail-on never "$repo"
found_gogit=$(grep -c ': error raw-secret' "$work/out" || true)
gitleaks=${GITLEAKS:-$(command -v gitleaks || true)}
if [ -n "$gitleaks" ]; then
  measure "gitleaks git ($("$gitleaks" version 2>/dev/null || echo '?'))" "$gitleaks" git --no-banner --exit-code 0 "$repo"
else
  echo "| gitleaks git | (not on PATH; set GITLEAKS=…) | |"
fi
measure 'git rev-list --all --objects \| git cat-file --batch (the floor)' \
  sh -c "git -C '$repo' rev-list --all --objects --missing=allow-any | cut -d' ' -f1 | git -C '$repo' cat-file --batch --buffer"
echo
echo "raw-secret findings: $found (git binary), $found_gogit (go-git)"
if [ "$found" != "$found_gogit" ]; then
  echo "FAIL: the two readers found different raw Secrets" >&2; exit 1
fi
if [ -n "$expect" ] && [ "$found" -lt "$expect" ]; then
  echo "FAIL: $expect raw Secrets were committed, $found found" >&2; exit 1
fi
