#!/usr/bin/env bash
# The sealing benchmark: secretguard against kubeseal once per Secret, side by
# side on this machine. Prints a Markdown table for docs/performance.md.
#
#   scripts/bench-seal.sh             # 100 and 1,000 Secrets (SECRETS="100 1000")
#   SECRETS=50 RUNS=1 scripts/bench-seal.sh   # what CI runs: the script keeps working
#
# Each Secret is its own file of two values (apps/sN.yaml), sealed with the demo's
# RSA-4096 prod certificate. Rows: `kubeseal --cert prod.pem -o yaml < sN.yaml`
# once per Secret (what a kubeseal script does; needs kubeseal on PATH: go
# install github.com/bitnami-labs/sealed-secrets/cmd/kubeseal@v0.36.6);
# `secretguard seal --check -q` (sealed in memory, nothing written);
# `secretguard seal -q` (every file replaced, durable when it returns). Times are
# medians of RUNS runs (default 5; kubeseal's row runs once, it takes seconds);
# each seal run gets its own fresh copy, made before the first run and synced.
#
# DIR (default: a temp directory) is where the trees go; put it on the file
# system you want to measure. SETTLE=61 waits a minute between runs: on ext4
# without a journal, a new file's inode is searched past every inode freed in
# the last 60 s, so the files the previous run replaced slow the next run down
# (docs/performance.md).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
settle=${SETTLE:-0}
if [ -n "${DIR:-}" ]; then
  work=$DIR
  mkdir -p "$work"
  trap 'rm -rf "$work"/bench-seal.*' EXIT
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
bin=$work/bench-seal.bin
(cd "$here" && go build -o "$bin" ./cmd/secretguard)
cert=$here/testdata/demo/certs/prod.pem

# tree N DIR: N one-Secret files, a certificate for every path, a .git.
tree() {
  mkdir -p "$2/apps" "$2/certs" "$2/.git"
  cp "$cert" "$2/certs/prod.pem"
  for i in $(seq "$1"); do
    printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s%d\n  namespace: app\ndata:\n  password: cGFzc3dvcmQ=\nstringData:\n  token: tok-%d\n' "$i" "$i" >"$2/apps/s$i.yaml"
  done
}

# seconds CMD...: the wall time of one run, in seconds (3 decimals).
seconds() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null
  t1=$(date +%s%N)
  awk -v d=$((t1 - t0)) 'BEGIN{printf "%.3f", d/1e9}'
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

kubeseal=$(command -v kubeseal || true)
[ -n "$kubeseal" ] || echo "kubeseal is not on PATH: its row is left out (go install github.com/bitnami-labs/sealed-secrets/cmd/kubeseal@v0.36.6)"
echo "secretguard $(cd "$here" && git rev-parse --short HEAD 2>/dev/null || echo '?'), $(${kubeseal:-true} --version 2>/dev/null | head -1), $(nproc) cores, $(df -T "$work" | awk 'NR==2{print $2}') at $work"
echo
echo "| Secrets | kubeseal once per Secret | seal --check (no writes) | seal (durable writes) | seal vs kubeseal |"
echo "|---|---|---|---|---|"
for n in ${SECRETS:-100 1000}; do
  base=$work/bench-seal.$n
  tree "$n" "$base.src"
  for r in $(seq "$runs"); do cp -a "$base.src" "$base.run$r"; done
  sync
  ks="-"
  if [ -n "$kubeseal" ]; then
    ks=$(seconds bash -c 'for f in "$1"/apps/*.yaml; do "$2" --cert "$1/certs/prod.pem" -o yaml <"$f"; done' _ "$base.src" "$kubeseal")
  fi
  checks=() seals=()
  for r in $(seq "$runs"); do
    checks+=("$(seconds "$bin" seal --check -q "$base.src" || true)")
  done
  for r in $(seq "$runs"); do
    [ "$settle" = 0 ] || sleep "$settle"
    sync
    seals+=("$(seconds "$bin" seal -q "$base.run$r")")
    left=$(grep -L '^kind: SealedSecret' "$base.run$r"/apps/*.yaml | wc -l)
    if [ "$left" != 0 ]; then
      echo "seal left $left of $n files unsealed in $base.run$r" >&2
      exit 1
    fi
  done
  check=$(median "${checks[@]}") seal=$(median "${seals[@]}")
  ratio="-"
  [ "$ks" = "-" ] || ratio=$(awk -v k="$ks" -v s="$seal" 'BEGIN{printf "%.0f×", k/s}')
  echo "| $n | $ks s | $check s | $seal s | $ratio |"
  rm -rf "$base".*
done
