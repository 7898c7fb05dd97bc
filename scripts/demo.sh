#!/usr/bin/env bash
# `npm run demo`: the main job on a fresh machine. Installs what it needs, then runs bench/src/demo.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-tools.sh
bash scripts/ensure-deps.sh
npx tsc -p bench/tsconfig.json
node dist/bench/bench/src/demo.js "$@"
