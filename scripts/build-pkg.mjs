// Builds the npm package into pkg/: cargo (wasm32, size profile) → wasm-bindgen →
// wasm-opt -Oz (Debian's binaryen), then package.json stamped from Cargo.toml.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "pkg");
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

run("cargo", ["build", "-p", "functiongraph-client", "--lib", "--target", "wasm32-unknown-unknown", "--profile", "wasm"]);
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
const wasm = join(root, "target/wasm32-unknown-unknown/wasm/functiongraph_client.wasm");
run("wasm-bindgen", [wasm, "--target", "web", "--out-dir", out, "--out-name", "functiongraph_client"]);
const bindgenWasm = join(out, "functiongraph_client_bg.wasm");
// Features wasm-bindgen's output uses; binaryen 108 needs them named.
run("wasm-opt", [
  "-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
  bindgenWasm, "-o", bindgenWasm,
]);

const cargo = readFileSync(join(root, "Cargo.toml"), "utf8");
const version = /\[workspace\.package\][^[]*?version\s*=\s*"([^"]+)"/.exec(cargo)[1];
const pkg = {
  name: "functiongraph-client",
  version,
  description: "Huawei Cloud FunctionGraph invocation client for Node and browsers (Rust → WebAssembly)",
  license: "MIT OR Apache-2.0",
  type: "module",
  sideEffects: false,
  main: "functiongraph_client.js",
  types: "functiongraph_client.d.ts",
  files: ["functiongraph_client.js", "functiongraph_client.d.ts", "functiongraph_client_bg.wasm"],
};
writeFileSync(join(out, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
console.log(`pkg/ built: functiongraph-client ${version}`);
