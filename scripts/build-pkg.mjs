// Builds the npm package into pkg/ with wasm-pack, offline: its own downloads are off
// (Cargo.toml's [package.metadata.wasm-pack] turns wasm-opt off; the wasm-bindgen it
// runs is the pinned CLI that scripts/setup.sh installs). Then Debian's wasm-opt -Oz,
// and what pkg-template/ adds: the Node and browser entries, the types, the README and
// package.json (its version is the crate's).
import { execFileSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkgDir = join(root, "pkg");
const template = join(root, "pkg-template");
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

rmSync(pkgDir, { recursive: true, force: true });
// --target web: one ES module glue for Node, browsers and bundlers; --weak-refs: a client
// that is never free()d is still collected; the `wasm` profile is size-first.
run("wasm-pack", [
  "build", "--target", "web", "--out-dir", pkgDir, "--out-name", "functiongraph_client",
  "--no-typescript", "--no-pack", "--weak-refs", "--profile", "wasm", "--mode", "no-install",
]);
const wasm = join(pkgDir, "functiongraph_client_bg.wasm");
// The features wasm-bindgen's output uses; binaryen 108 needs them named.
run("wasm-opt", [
  "-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
  wasm, "-o", wasm,
]);

// wasm-bindgen puts js/errors.js and js/results.js (imported by the Rust) under a hashed
// folder; the entries re-export the classes from the same modules the wasm uses.
const snippets = readdirSync(join(pkgDir, "snippets"));
if (snippets.length !== 1) throw new Error(`expected one snippets folder, found ${snippets.join(", ")}`);
for (const entry of ["node.js", "browser.js"]) {
  const text = readFileSync(join(template, entry), "utf8").replaceAll("__SNIPPETS__", snippets[0]);
  writeFileSync(join(pkgDir, entry), text);
}
for (const file of ["index.d.ts", "README.md"]) cpSync(join(template, file), join(pkgDir, file));

const cargo = readFileSync(join(root, "Cargo.toml"), "utf8");
const pkg = JSON.parse(readFileSync(join(template, "package.json"), "utf8"));
pkg.version = /\[workspace\.package\][^[]*?version\s*=\s*"([^"]+)"/.exec(cargo)[1];
writeFileSync(join(pkgDir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
rmSync(join(pkgDir, ".gitignore"), { force: true });
console.log(`pkg/ built: functiongraph-client ${pkg.version}`);
