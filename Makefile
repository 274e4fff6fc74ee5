# The README's two commands are `make demo` and `make test`; each installs what is
# missing first (scripts/setup.sh is idempotent).
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PORT ?= 8787
EMULATOR_RELEASE := target/release/fgs-emulator
EMULATOR_DEBUG := target/debug/fgs-emulator

.PHONY: help setup build emulator pkg demo soak fuzz bench test lint test-rust test-runtime test-compat test-js test-wasm test-browser test-api test-types test-demo test-consumers test-size test-crates test-rust-app

help:
	@echo "make demo   - install what is missing, build, start the emulator with the sample functions and the demo page (PORT=$(PORT))"
	@echo "make test   - install what is missing, build, run every test"
	@echo "make build  - build the emulator (release) and the npm package in pkg/"
	@echo "make soak   - bounded load test of the emulator on loopback (wrk)"
	@echo "make fuzz   - cargo fuzz over the protocol crate (FUZZ_SECONDS per target)"
	@echo "make bench  - side-by-side benchmarks: bench/results.json, bench/chart.svg, bench/table.md"
	@echo "single suites: test-rust test-runtime test-compat test-js test-wasm test-browser test-api test-types test-demo test-consumers test-size test-crates test-rust-app lint"

setup:
	@bash scripts/setup.sh

emulator:
	cargo build --release -p functiongraph-emulator

pkg:
	node scripts/build-pkg.mjs

build: setup emulator pkg

demo: build
	@echo "starting the emulator with examples/functions (Ctrl-C stops it)"
	$(EMULATOR_RELEASE) --listen 127.0.0.1:$(PORT) --functions examples/functions --data .fgs-data --www www --pkg pkg

# Bounded load on loopback (wrk): not part of make test, whose timings must not matter.
soak: setup
	bash scripts/soak.sh

# Side-by-side benchmarks (loopback only, bounded): bench/results.json, chart.svg, table.md.
# BENCH_QUICK=1 for a short smoke run (written to bench/quick/).
bench: setup
	bash scripts/bench.sh

# cargo fuzz over the protocol crate (URN parser, response parsers, signature verifier),
# each target for FUZZ_SECONDS (default 60); exits non-zero on a crash.
fuzz:
	bash scripts/fuzz.sh

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets --workspace -- -D warnings
	# The client as it runs: in wasm, with its wasm tests.
	cargo clippy --target wasm32-unknown-unknown -p functiongraph-client --all-targets -- -D warnings

test-rust:
	cargo test --workspace

test-runtime:
	node --test crates/emulator/runtime/

test-compat:
	cargo build -p functiongraph-emulator
	bash scripts/compat.sh $(EMULATOR_DEBUG)

test-js: pkg
	cargo build -p functiongraph-emulator
	node --test tests/js/

# The Rust client itself (wasm-bindgen-test) in Node, then Debian's headless Chromium,
# against a real emulator and a stub that pages as the real service does.
test-wasm:
	cargo build -p functiongraph-emulator
	node tests/wasm/run.mjs

# The package in headless Chromium: a plain ES-module page and a Vite-bundled page,
# served from another loopback origin than the emulator (cross-origin, CORS).
test-browser: pkg
	cargo build -p functiongraph-emulator
	node tests/browser/run.mjs

# docs/openapi.yaml against a real emulator with schemathesis: no 5xx, answers conform.
test-api:
	cargo build -p functiongraph-emulator
	bash scripts/api-check.sh $(EMULATOR_DEBUG)

# The TypeScript definitions: a strict typed consumer, with @ts-expect-error for wrong usage.
test-types: pkg
	node tests/types/run.mjs

# The demo page (www/), served by the emulator itself, driven in headless Chromium at
# desktop and phone widths; screenshots of every state in test-output/demo/.
test-demo: pkg
	cargo build -p functiongraph-emulator
	node tests/demo/run.mjs

# The npm-packed package as users take it: Next.js 15, Vite 5-8, webpack 5, Rollup 4,
# Parcel 2, esbuild, bun, workers, workerd, Jest 30, Node 18-22, Deno; each built with the
# real tool (tests/consumers' pinned devDependencies) and run in headless Chromium or a
# runtime against the emulator.
test-consumers: pkg
	cargo build -p functiongraph-emulator
	node tests/consumers/run.mjs

# The size gate: what a browser downloads of pkg/ (wasm + browser.js bundled and minified,
# gzip), and the inline entry, against the figures in tests/size/budget.json.
test-size: pkg
	node tests/size/run.mjs

# The library crates as crates.io would take them: docs without a warning, and
# `cargo package` of the protocol and client crates together (it builds what it packed).
# The emulator is not published (publish = false in its Cargo.toml).
# cargo package verifies the client against the protocol crate just packaged, served from a
# temporary registry. Cargo takes a registry crate of a given version to be immutable, so
# what an earlier run of this checkout built and extracted of it (same name, version and
# registry path) would be used as it is (seen: the client verified against a protocol crate
# without its newer modules). Both are removed first: cargo's extraction of our own crates
# under $CARGO_HOME/registry/src/-<hash>/, and the protocol crate's artifacts in target/.
test-crates:
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p functiongraph-protocol -p functiongraph-client
	rm -rf "$${CARGO_HOME:-$$HOME/.cargo}"/registry/src/-*/functiongraph-protocol-* "$${CARGO_HOME:-$$HOME/.cargo}"/registry/src/-*/functiongraph-client-*
	cargo clean -p functiongraph-protocol
	cargo package -p functiongraph-protocol -p functiongraph-client --allow-dirty

# examples/rust-web-app (a page whose logic is Rust using the crate directly), built with
# cargo and wasm-bindgen and driven in headless Chromium against the emulator.
test-rust-app:
	cargo build -p functiongraph-emulator
	node --test tests/rust-app/run.mjs

test: setup lint test-rust test-runtime test-compat test-js test-wasm test-browser test-api test-types test-demo test-consumers test-size test-crates test-rust-app
	@echo "make test: all suites passed"
