#!/usr/bin/env bash
# Runs the official Huawei Cloud SDKs (Python and Node) against a real emulator on a
# free loopback port, with the documented local dev identity.
set -euo pipefail
cd "$(dirname "$0")/.."
emulator=${1:-target/debug/fgs-emulator}

data=$(mktemp -d)
out=$(mktemp)
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data" "$out"; }
"$emulator" --listen 127.0.0.1:0 --functions examples/functions --data "$data" >"$out" &
pid=$!
trap cleanup EXIT
for _ in $(seq 100); do
  url=$(head -n1 "$out" | sed -n 's/^listening on //p')
  [[ -n "$url" ]] && break
  sleep 0.1
done
[[ -n "${url:-}" ]] || { echo "compat: the emulator did not start" >&2; exit 1; }

export FGS_ENDPOINT=$url FGS_REGION=cn-north-4 FGS_PROJECT_ID=0123456789abcdef0123456789abcdef
export FGS_AK=DEVACCESSKEYEXAMPLE0 FGS_SK=dev-secret-key-example
# Cancel and active-async-invocations too (the neighbouring operations).
export FGS_COMPAT_EXTENDED=1
# An invocation accepted "two hours ago", for the hour-window check.
FGS_OLD_REQUEST_ID=$(.venv/bin/python tests/compat/old_invocation.py "$url" "$data")
export FGS_OLD_REQUEST_ID
echo "compat: official Python SDK against $url"
.venv/bin/python tests/compat/official_python.py
echo "compat: official Node SDK against $url"
node tests/compat/official_node.mjs
