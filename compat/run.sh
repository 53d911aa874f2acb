#!/usr/bin/env bash
# Decrypt secretguard's SealedSecrets with the real kubeseal (v0.36.6), offline.
# Installs kubeseal into $(go env GOPATH)/bin when it is missing (about a minute).
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$PATH:$(go env GOPATH)/bin"
if ! command -v kubeseal >/dev/null; then
  echo "installing kubeseal v0.36.6…"
  go install github.com/bitnami-labs/sealed-secrets/cmd/kubeseal@v0.36.6
fi
kubeseal --version
go test -count=1 -v ./... 2>&1 | grep -E '^(=== RUN|--- |PASS|FAIL|ok|\s+compat_test)' || true
go test -count=1 ./...
