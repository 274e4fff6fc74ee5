#!/usr/bin/env bash
# Fuzzes the protocol crate (fuzz/, a cargo-fuzz project) for a bounded time.
#
#   scripts/fuzz.sh                      # every target, FUZZ_SECONDS (60) each
#   FUZZ_SECONDS=600 scripts/fuzz.sh urn_parse
#
# Environment:
#   FUZZ_SECONDS        seconds per target (default 60)
#   FUZZ_SANITIZER      address (default) or none: 3 to 6 times the executions per
#                       second and ~35 MB instead of ~500 MB per target
#
# cargo-fuzz needs nightly-only rustc flags (-Zsanitizer, sancov). On a stable toolchain
# RUSTC_BOOTSTRAP=1 unlocks them; a nightly toolchain does not need it.
#
# Exits non-zero when a target crashes; the input is in fuzz/artifacts/<target>/, and
# `cargo fuzz tmin <target> <file>` / `cargo fuzz fmt <target> <file>` minimise and
# print it. New corpus entries stay in fuzz/corpus/<target>/ (not tracked).
set -euo pipefail

CARGO_FUZZ_VERSION=0.13.2
seconds=${FUZZ_SECONDS:-60}
sanitizer=${FUZZ_SANITIZER:-address}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root/fuzz"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
fi

if ! rustc --version | grep -q nightly; then
  export RUSTC_BOOTSTRAP=1
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list)
fi

echo "fuzz: building ${targets[*]} (sanitizer: $sanitizer)"
cargo fuzz build -s "$sanitizer"

failed=()
for target in "${targets[@]}"; do
  corpus="corpus/$target"
  mkdir -p "$corpus"
  dirs=("$corpus")
  [ -d "seeds/$target" ] && dirs+=("seeds/$target")
  args=(-max_total_time="$seconds" -timeout=10 -print_final_stats=1)
  [ -f "dict/$target.dict" ] && args+=(-dict="dict/$target.dict")
  log="artifacts/$target.log"
  mkdir -p artifacts
  echo "fuzz: $target for ${seconds}s"
  status=0
  timeout --kill-after=30 $((seconds + 120)) \
    cargo fuzz run -s "$sanitizer" "$target" "${dirs[@]}" -- "${args[@]}" >"$log" 2>&1 || status=$?
  # libFuzzer's last status line: executions, coverage (edges), features, corpus.
  grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 | sed "s/^/fuzz: $target: /" || true
  grep -E '^stat::average_exec_per_sec' "$log" | sed "s/^/fuzz: $target: /" || true
  if [ "$status" -ne 0 ]; then
    echo "fuzz: $target FAILED (exit $status); log: fuzz/$log" >&2
    grep -E -A8 'panicked at|ERROR: (libFuzzer|AddressSanitizer)' "$log" | head -n 30 >&2 || true
    grep -E 'Test unit written to' "$log" >&2 || true
    failed+=("$target")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: crashes in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no crashes in ${targets[*]} (${seconds}s each)"
