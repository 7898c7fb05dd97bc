#!/usr/bin/env bash
# `npm run bench`: every benchmark, each on workspaces it generates itself. Figures go to bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-tools.sh >/dev/null
bash scripts/ensure-deps.sh
npx tsc -p bench/tsconfig.json
echo "== build/push: services whose images npm ci their pruned dependencies"
BENCH_BUILD=install node dist/bench/bench/src/build-push.js
echo "== build/push: minimal services (one COPY each)"
BENCH_BUILD=minimal node dist/bench/bench/src/build-push.js
echo "== runtime SDK graph: nx graph with and without nx-fleet (200 services x 15 files)"
node dist/bench/bench/src/sdk-graph.js
echo "== runtime SDK graph, plugins in-process (NX_ISOLATE_PLUGINS=false)"
BENCH_ISOLATE_PLUGINS=false node dist/bench/bench/src/sdk-graph.js
echo "== issue 16: side by side — Nx alone, an empty plugin, @nx/docker 23.2.1, nx-fleet, nx-fleet's answer precomputed (200 and 1,000 services x 15 files)"
node dist/bench/bench/src/side-by-side.js
echo "== issue 16: registry checks at scale — no-op nx affected -t docker-push and release --plan vs nx graph (200 services)"
node dist/bench/bench/src/registry-scale.js
echo "== issue 16: import extraction on this thread vs with a worker thread (needs the built package)"
npx nx run nx-fleet:build --output-style=static >/dev/null
node dist/bench/bench/src/extract-threads.js
