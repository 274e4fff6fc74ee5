#!/usr/bin/env bash
# make bench: installs what the benchmarks need, builds the package and the release emulator,
# then runs bench/run.mjs, which writes bench/results.json, bench/chart.svg and bench/table.md
# (BENCH_QUICK=1: a smoke run with small N, written to bench/quick/ instead).
# Every benchmark talks to 127.0.0.1 only and stops by itself (bounded counts and durations).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

# twiggy: where the wasm's bytes go (bench/size.mjs).
command -v twiggy >/dev/null || cargo install twiggy --version 0.8.0 --locked

# bench/node_modules: npm ci when it is missing or older than the lock.
stamp=bench/node_modules/.package-lock.json
if [[ ! -f $stamp || bench/package-lock.json -nt $stamp || bench/package.json -nt $stamp ]]; then
  (cd bench && npm ci --no-audit --no-fund)
fi

cargo build --release -q -p functiongraph-emulator
node scripts/build-pkg.mjs

node bench/run.mjs
