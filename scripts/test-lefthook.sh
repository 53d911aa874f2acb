#!/usr/bin/env bash
# Proves the README's lefthook entry with the real lefthook: the lefthook.yml
# block of the README, copied as it is into a throw-away repository, blocks a
# commit of a raw Secret (also `git commit -a`, which runs the hook against a
# temporary index) and lets a sealed one through.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOBIN="$work/bin" PATH="$work/bin:$PATH"
go install github.com/evilmartians/lefthook@v1.13.6
(cd "$here" && go build -o "$work/bin/secretguard" ./cmd/secretguard)
lefthook version
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
git init -q -b main "$work/repo"
cd "$work/repo"
# The README's block, between "# lefthook.yml" and the end of its code fence.
awk '/^# lefthook.yml$/{on=1; next} on && /^```/{exit} on' "$here/README.md" > lefthook.yml
grep -q 'secretguard scan --staged' lefthook.yml || { echo "FAIL: no lefthook block in the README"; exit 1; }
lefthook install
mkdir -p certs apps/prod
cp "$here/testdata/demo/certs/prod.pem" certs/prod.pem
git add . && git commit -q -m init
fail() { echo "FAIL: $*"; exit 1; }
cat > "$work/raw.yaml" <<'YAML'
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: web}
stringData:
  password: LEFTHOOK-MARKER
YAML
cp "$work/raw.yaml" apps/prod/db.yaml

echo "== a staged raw Secret: the commit must fail"
git add apps/prod/db.yaml
if git commit -q -m raw >out.txt 2>&1; then cat out.txt; fail "raw Secret committed"; fi
grep -q raw-secret out.txt || { cat out.txt; fail "no raw-secret finding"; }
! grep -q LEFTHOOK-MARKER out.txt || fail "value printed"

echo "== sealed and staged: the commit passes"
secretguard seal apps/prod/db.yaml >/dev/null
git add apps/prod/db.yaml
git commit -q -m sealed >out.txt 2>&1 || { cat out.txt; fail "sealed file blocked"; }

echo "== git commit -a of a raw Secret (a temporary index): must fail"
cp "$work/raw.yaml" apps/prod/db.yaml
if git commit -q -a -m raw-again >out.txt 2>&1; then cat out.txt; fail "commit -a let a raw Secret through"; fi
grep -q raw-secret out.txt || { cat out.txt; fail "no raw-secret finding"; }
echo "lefthook: 3 passed, 0 failed"
