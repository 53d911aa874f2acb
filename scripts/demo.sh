#!/usr/bin/env bash
# The main job on the bundled demo repository: set it up (init, which leaves
# its configuration as it is, and certs fetch of the stage controller's
# certificate from a file, as a cluster would serve it), scan (fails on raw
# Secrets and two other mistakes), seal one file, show a base shared by two
# clusters sealed into each overlay, then fix the rest in place
# (each raw Secret sealed for its environment's certificate, reflector
# annotations moved, an ExternalSecret moved to v1), add a value with set,
# reseal a SealedSecret copied from prod into stage, scan again (clean).
# Works on a copy in a temp dir: testdata/demo itself is a test fixture.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${SECRETGUARD:-$here/bin/secretguard}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$here/testdata/demo/." "$work/"
cd "$work"
git init -q . 2>/dev/null || mkdir .git   # a GitOps repository is a git work tree: its root is here
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; echo "(exit $?)"; }
mv certs/stage.pem "$work.stage-controller.pem"   # as if the stage cluster still had it
trap 'rm -rf "$work" "$work.stage-controller.pem"' EXIT
step "$bin" init .
step "$bin" certs fetch --env stage --from "$work.stage-controller.pem" .
step "$bin" scan .
step "$bin" certs list
step "$bin" seal --diff apps/web/overlays/prod/session-secret.yaml
# A base that the prod and the stage overlays build: one SealedSecret per
# cluster, into each overlay; --env for one of them alone is refused.
step "$bin" seal --env prod apps/api/base/db-credentials.yaml
step "$bin" seal --dry-run apps/api/base/db-credentials.yaml
step "$bin" fix --diff apps/web/overlays/prod/registry.yaml
step "$bin" fix .
step "$bin" fix --check .
# A value to add: from a pipe (never an argument), sealed in place, one line added.
printf '\n\033[1m$ %s\033[0m\n' "printf %s demo-api-token | secretguard set apps/web/overlays/prod/session-secret.yaml API_TOKEN"
printf %s demo-api-token | "$bin" set apps/web/overlays/prod/session-secret.yaml API_TOKEN; echo "(exit $?)"
# A prod SealedSecret copied into the stage overlay: stage's controller cannot
# decrypt it. reseal moves it with prod's private key (a backup kept outside
# the repository, readable by you alone).
mkdir -p "$work.keys" && cp "$here/testdata/keys/prod.key" "$work.keys/prod.key" && chmod 600 "$work.keys/prod.key"
trap 'rm -rf "$work" "$work.stage-controller.pem" "$work.keys"' EXIT
cp apps/web/overlays/prod/session-secret.yaml apps/web/overlays/stage/copied-from-prod.yaml
step "$bin" reseal --check .
step "$bin" reseal --key "$work.keys/prod.key" .
step "$bin" reseal --check .
step "$bin" scan .
echo
echo "(the sealed copy in $work is removed now; set KEEP=1 to keep it)"
[ -n "${KEEP:-}" ] && trap - EXIT
exit 0
