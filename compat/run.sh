#!/usr/bin/env bash
# Decrypt secretguard's SealedSecrets with the real kubeseal (v0.36.6), offline.
# Installs kubeseal into $(go env GOPATH)/bin when it is missing (about a minute).
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$PATH:$(go env GOPATH)/bin"
if ! command -v kubeseal >/dev/null 2>&1; then
  echo "installing kubeseal v0.36.6 (about a minute)…"
  go install github.com/bitnami-labs/sealed-secrets/cmd/kubeseal@v0.36.6
fi
kubeseal --version
# Here a missing kubeseal is a failure, not a skip.
export SECRETGUARD_COMPAT_REQUIRE_KUBESEAL=1
go test -count=1 -v ./... | grep -E '^\s*(--- |ok|FAIL|PASS|panic)|_test\.go:[0-9]+:'
