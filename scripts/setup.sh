#!/usr/bin/env bash
# Installs what `make demo` and `make test` need, from the package registries only.
# Idempotent: every step checks first, so a warm machine goes straight through.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*" >&2; }

# System packages: Node.js (the handlers' runtime and the JS tests), Debian's Chromium
# and ChromeDriver (browser tests: browser downloads are not possible here), binaryen
# (wasm-opt; wasm-pack's own download of it would fail).
apt_missing=()
command -v node >/dev/null || apt_missing+=(nodejs npm)
command -v chromium >/dev/null || apt_missing+=(chromium)
command -v chromedriver >/dev/null || apt_missing+=(chromium-driver)
command -v wasm-opt >/dev/null || apt_missing+=(binaryen)
if ((${#apt_missing[@]})); then
  log "installing ${apt_missing[*]} (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi

# Rust: the wasm target and wasm-bindgen-cli at exactly the version in Cargo.lock
# (the CLI must match the library it post-processes).
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [[ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wb_version" ]]; then
  log "installing wasm-bindgen-cli $wb_version (cargo, a few minutes)"
  cargo install wasm-bindgen-cli --version "$wb_version" --locked
fi

# wasm-pack builds the package (scripts/build-pkg.mjs turns its own downloads off).
wasm_pack_version=0.15.1
if [[ "$(wasm-pack --version 2>/dev/null)" != "wasm-pack $wasm_pack_version" ]]; then
  log "installing wasm-pack $wasm_pack_version (cargo, a few minutes)"
  cargo install wasm-pack --version "$wasm_pack_version" --locked
fi

# npm projects with a committed lock file: reinstall only when the lock changed.
npm_ci() {
  local dir=$1 stamp="$1/node_modules/.setup-lock-sha"
  local sha
  sha=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$sha" ]]; then
    log "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$sha" >"$stamp"
  fi
}
for lock in package-lock.json tests/compat/package-lock.json tests/consumers/package-lock.json; do
  [[ -f "$lock" ]] && npm_ci "$(dirname "$lock")"
done

# Python venv: the official Python SDK (compatibility tests) and schemathesis (API checks).
reqs=(tests/compat/requirements.txt tests/api/requirements.txt)
stamp=.venv/.setup-req-sha
sha=$(cat "${reqs[@]}" | sha256sum | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$sha" ]]; then
  log "creating .venv with ${reqs[*]}"
  python3 -m venv .venv
  for r in "${reqs[@]}"; do .venv/bin/pip install --quiet --disable-pip-version-check -r "$r"; done
  echo "$sha" >"$stamp"
fi
log "ready"
