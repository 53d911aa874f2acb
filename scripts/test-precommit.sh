#!/usr/bin/env bash
# Proves the hooks with the real pre-commit framework (Debian's package):
# `pre-commit run` of this repository's hooks, uncommitted changes included,
# in a throw-away git repository. A raw Secret fails the commit, a sealed one
# passes, and the seal and fix hooks rewrite the file and fail so the user
# re-stages.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v pre-commit >/dev/null; then
  echo "installing pre-commit (Debian package)…"
  (apt-get update -qq && apt-get install -y -qq pre-commit) >/dev/null
fi
pre-commit --version
pre-commit validate-manifest "$here/.pre-commit-hooks.yaml"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache" GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com
# One snapshot of this repository, uncommitted changes included, at one rev,
# and a config that names its hooks: pre-commit builds their Go environment
# once in its store (try-repo would build it in a new store at each call).
mkdir "$work/snap"
(cd "$here" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$work/snap"
git -C "$work/snap" init -q -b main
git -C "$work/snap" add -A
git -C "$work/snap" commit -qm snapshot
rev=$(git -C "$work/snap" rev-parse HEAD)
cat > "$work/hooks.yaml" <<YAML
repos:
- repo: $work/snap
  rev: $rev
  hooks:
  - id: secretguard
  - id: secretguard-seal
  - id: secretguard-fix
YAML
try() { pre-commit run --config "$work/hooks.yaml" "$@"; }
cd "$work"
git init -q -b main repo
cd repo
mkdir -p certs apps/prod
cp "$here/testdata/demo/certs/prod.pem" certs/prod.pem
cat > apps/prod/raw.yaml <<'YAML'
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: web
stringData:
  password: PRECOMMIT-MARKER
YAML
cp apps/prod/raw.yaml apps/prod/to-seal.yaml
git add .

fail() { echo "FAIL: $*"; exit 1; }

echo "== secretguard hook on a raw Secret: must fail (at ${SECONDS}s)"
if try secretguard --files apps/prod/raw.yaml >out.txt 2>&1; then
  cat out.txt; fail "raw Secret passed the hook"
fi
grep -q "raw-secret" out.txt || { cat out.txt; fail "no raw-secret finding"; }
! grep -q PRECOMMIT-MARKER out.txt || fail "value printed"

echo "== secretguard-seal hook: seals in place and fails so the user re-stages (at ${SECONDS}s)"
if try secretguard-seal --files apps/prod/to-seal.yaml >out.txt 2>&1; then
  cat out.txt; fail "seal hook passed although it modified a file"
fi
grep -q "kind: SealedSecret" apps/prod/to-seal.yaml || { cat out.txt; fail "file not sealed"; }
! grep -q PRECOMMIT-MARKER apps/prod/to-seal.yaml || fail "value left in the sealed file"
git add apps/prod/to-seal.yaml

echo "== secretguard hook on the sealed file: must pass (at ${SECONDS}s)"
try secretguard --files apps/prod/to-seal.yaml >out.txt 2>&1 || { cat out.txt; fail "sealed file failed the hook"; }
echo "== secretguard-fix hook: moves reflector annotations into the template and fails so the user re-stages (at ${SECONDS}s)"
# The demo's SealedSecret for prod, with reflector's annotations on the
# SealedSecret itself, where reflector never sees them.
cp "$here/testdata/demo/apps/web/overlays/prod/registry.yaml" apps/prod/mirror.yaml
git add apps/prod/mirror.yaml
if try secretguard --files apps/prod/mirror.yaml >out.txt 2>&1; then
  cat out.txt; fail "misplaced reflector annotations passed the hook"
fi
grep -q "reflector-misplaced" out.txt || { cat out.txt; fail "no reflector-misplaced finding"; }
if try secretguard-fix --files apps/prod/mirror.yaml >out.txt 2>&1; then
  cat out.txt; fail "fix hook passed although it modified a file"
fi
grep -q "fixed apps/prod/mirror.yaml" out.txt || { cat out.txt; fail "fix hook did not say what it fixed"; }
git add apps/prod/mirror.yaml
try secretguard --files apps/prod/mirror.yaml >out.txt 2>&1 || { cat out.txt; fail "fixed file failed the hook"; }

echo "== secretguard init: the entry it merges into an existing .pre-commit-config.yaml is valid (at ${SECONDS}s)"
cat > .pre-commit-config.yaml <<'YAML'
# ours
repos:
- repo: local
  hooks:
  - id: nothing
    name: nothing
    entry: "true"
    language: system
YAML
(cd "$here" && go run ./cmd/secretguard init "$work/repo") >/dev/null
grep -q "secretguard/secretguard" .pre-commit-config.yaml || fail "init did not merge the entry"
grep -q "^# ours" .pre-commit-config.yaml || fail "init lost the file's comment"
pre-commit validate-config .pre-commit-config.yaml || fail "the merged .pre-commit-config.yaml is invalid"
echo "pre-commit hooks: 5 passed, 0 failed"
