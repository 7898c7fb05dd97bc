#!/usr/bin/env bash
# `npm test`: every check and every test, on a fresh machine. It installs what it needs (apt tools, npm packages).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-tools.sh
bash scripts/ensure-deps.sh
export NX_DAEMON=false NX_TUI=false NX_NO_CLOUD=true
started=$SECONDS
# The static checks first, side by side: types, lint (incl. import boundaries), formatting.
npx nx run-many -t typecheck lint format-check --output-style=stream
npx nx run nx-fleet:test --output-style=stream
npx nx run nx-fleet-e2e:e2e --output-style=stream
echo "nx-fleet: all tests passed in $((SECONDS - started))s"
