#!/usr/bin/env bash
# Installs the workspace's npm dependencies exactly as locked, unless they already are.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "nx-fleet: installing npm dependencies (npm ci)"
  npm ci --no-fund --no-audit
fi
