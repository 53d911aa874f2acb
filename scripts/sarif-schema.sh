#!/usr/bin/env bash
# Prints the path of the SARIF 2.1.0 JSON schema (OASIS; the copy that the
# npm package @microsoft/jest-sarif ships, MIT), downloaded with npm into DIR
# ($1, default a temp dir). report's TestSARIFSchema validates our SARIF
# against it (SECRETGUARD_SARIF_SCHEMA); the schema stays out of this
# repository: it is third-party material, taken pinned from its registry.
set -euo pipefail
dir=${1:-$(mktemp -d)}
mkdir -p "$dir"
cd "$dir"
if [ ! -f sarif-2.1.0-rtm.5.json ]; then
  npm pack --silent @microsoft/jest-sarif@1.0.0-beta.0 >/dev/null
  tar -xzf microsoft-jest-sarif-1.0.0-beta.0.tgz --strip-components=3 package/lib/schemas/sarif-2.1.0-rtm.5.json
  rm -f microsoft-jest-sarif-1.0.0-beta.0.tgz
fi
echo "$dir/sarif-2.1.0-rtm.5.json"
