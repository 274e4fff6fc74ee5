#!/usr/bin/env bash
# schemathesis against a real emulator on a free loopback port: every operation in
# docs/openapi.yaml, a bounded number of generated requests, no 5xx, and every answer
# conforming to the spec (status, content type, body, the headers it requires).
set -euo pipefail
cd "$(dirname "$0")/.."
emulator=${1:-target/debug/fgs-emulator}
data=$(mktemp -d)
out=$(mktemp)
"$emulator" --listen 127.0.0.1:0 --functions examples/functions --data "$data" >"$out" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$data" "$out"' EXIT
for _ in $(seq 100); do
  url=$(head -n1 "$out" | sed -n 's/^listening on //p')
  [[ -n "$url" ]] && break
  sleep 0.1
done
[[ -n "${url:-}" ]] || { echo "api-check: the emulator did not start" >&2; exit 1; }
.venv/bin/schemathesis run docs/openapi.yaml --url "$url" -H "X-Auth-Token: dev-token" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --phases examples,coverage,fuzzing --max-examples "${API_CHECK_EXAMPLES:-30}" \
  --seed 1 --no-color
