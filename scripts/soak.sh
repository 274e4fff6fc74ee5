#!/usr/bin/env bash
# make soak: bounded load on loopback against the release emulator, with wrk (Debian).
#   1. sync invokes of echo at concurrency 64, three runs: only 200s, no socket errors,
#      and resident memory flat from run 2 to run 3 (run 1 warms the workers);
#   2. sync invokes of sleep (concurrency 2) at 8 connections: only 200s and 429 FSS.0429;
#   3. an async burst at concurrency 64: only 202s, and every accepted invocation
#      reaches SUCCESS.
# Talks only to 127.0.0.1 and stops by itself. SOAK_SECONDS sets each run's length.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${SOAK_SECONDS:-10}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p functiongraph-emulator

work=$(mktemp -d)
./target/release/fgs-emulator --listen 127.0.0.1:0 --functions examples/functions --data "$work/data" >"$work/out" 2>"$work/err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do url=$(head -n1 "$work/out" | sed -n 's/^listening on //p'); [[ -n "$url" ]] && break; sleep 0.1; done
[[ -n "${url:-}" ]] || { echo "soak: the emulator did not start" >&2; exit 1; }
P=0123456789abcdef0123456789abcdef
fn() { echo "$url/v2/$P/fgs/functions/urn:fss:cn-north-4:$P:function:default:$1:latest/$2"; }

passed=0 failed=0
check() { if eval "$2"; then echo "ok - $1"; passed=$((passed + 1)); else echo "not ok - $1"; failed=$((failed + 1)); fi; }
# bench/wrk-post.lua POSTs $BENCH_BODY and prints one line: BENCH {requests, errors,
# duration_us, p50_us, p99_us, statuses}. run() keeps that JSON; the helpers read it.
run() { BENCH_BODY=$3 wrk -t1 -c"$2" -d"${secs}s" --timeout 10s -s bench/wrk-post.lua "$1" | sed -n 's/^BENCH //p'; }
json() { node -e 'const o = JSON.parse(process.argv[1]); const [k, s] = process.argv[2].split(":");
  const v = { count: () => o.statuses[s] ?? 0, rps: () => Math.round(o.requests / (o.duration_us / 1e6)),
    p50_ms: () => (o.p50_us / 1000).toFixed(3), p99_ms: () => (o.p99_us / 1000).toFixed(3) }[k];
  console.log(v ? v() : o[k]);' "$1" "$2"; }
count() { json "$1" "count:$2"; }
field() { json "$1" "$2"; }
# Resident memory of the emulator itself, and of its Node workers (bounded by their
# number, at most each function's concurrency, and each one's heap cap).
rss_kb() { ps -o rss= -p "$pid" | tr -d ' '; }
workers_kb() { ps -o rss= --ppid "$pid" | awk '{s += $1; n++} END {printf "%d KB in %d workers", s, n}'; }

echo "# 1. sync echo, 64 connections, ${secs}s x 3"
rss=()
for i in 1 2 3; do
  out=$(run "$(fn echo invocations)" 64 '{"soak":true}')
  total=$(field "$out" requests); ok=$(count "$out" 200); errs=$(field "$out" errors)
  rss+=("$(rss_kb)")
  echo "run $i: $total requests, ${ok:-0} x 200, $errs socket errors, $(field "$out" rps) req/s, p50 $(field "$out" p50_ms) ms, p99 $(field "$out" p99_ms) ms; emulator RSS ${rss[-1]} KB, $(workers_kb)"
  check "run $i: every answer 200" "[[ '${ok:-0}' == '$total' && '$errs' == 0 ]]"
done
check "emulator memory flat from run 2 to run 3 (${rss[1]} -> ${rss[2]} KB, under +10%)" "(( ${rss[2]} * 10 <= ${rss[1]} * 11 ))"

echo "# 2. sync sleep (concurrency 2), 8 connections, ${secs}s"
out=$(run "$(fn sleep invocations)" 8 '{"ms":20}')
total=$(field "$out" requests); ok=$(count "$out" 200); throttled=$(count "$out" 429)
echo "$total requests: ${ok:-0} x 200, ${throttled:-0} x 429"
check "only 200 and 429 at the concurrency limit" "(( ${ok:-0} + ${throttled:-0} == total && ${ok:-0} > 0 && ${throttled:-0} > 0 ))"

echo "# 3. async burst, 64 connections, ${secs}s"
count_of() { curl -s -H 'X-Auth-Token: dev-token' "$(fn echo async-invocations)?limit=1$1" | sed -n 's/.*"count":\([0-9]*\).*/\1/p'; }
out=$(run "$(fn echo invocations-async)" 64 '{"burst":true}')
total=$(field "$out" requests); accepted=$(count "$out" 202)
echo "$total requests: ${accepted:-0} x 202, $(field "$out" rps) accepts/s, p99 $(field "$out" p99_ms) ms"
check "every async request accepted (202)" "[[ '${accepted:-0}' == '$total' ]]"
# wrk stops with up to 64 requests in flight, which the emulator may still accept:
# the store can hold a few more than wrk counted, never fewer, and all must finish.
deadline=$((SECONDS + 180)); started=$SECONDS
while ((SECONDS < deadline)); do
  stored=$(count_of ""); succeeded=$(count_of "&status=SUCCESS")
  ((stored == succeeded)) && break
  sleep 1
done
echo "$stored stored (wrk saw $accepted accepted), $succeeded reached SUCCESS, drained in $((SECONDS - started)) s"
check "nothing accepted was lost, and every one reached SUCCESS" "(( stored >= accepted && succeeded == stored ))"
echo "$passed passed, $failed failed"
((failed == 0))
