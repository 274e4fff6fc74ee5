// Builds the npm package into pkg/: cargo (wasm32, size profile) → wasm-bindgen →
// wasm-opt -Oz (Debian's binaryen) into target/pkg-modules/ (the glue and js/ as separate
// modules), then each entry bundled by esbuild into one minified module with a source map
// (pkg/node.js, pkg/browser.js): nine modules took Node ~13 ms to import, one takes ~7.
// Then the types, README and package.json.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// The modules before bundling; tests/js/heap.test.mjs loads the glue from here.
const out = join(root, "target/pkg-modules");
const pkgDir = join(root, "pkg");
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

run("cargo", ["build", "-p", "functiongraph-client", "--lib", "--target", "wasm32-unknown-unknown", "--profile", "wasm"]);
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const wasm = join(root, "target/wasm32-unknown-unknown/wasm/functiongraph_client.wasm");
run("wasm-bindgen", [wasm, "--target", "web", "--out-dir", out, "--out-name", "functiongraph_client", "--no-typescript"]);
const bindgenWasm = join(out, "functiongraph_client_bg.wasm");
// Features wasm-bindgen's output uses; binaryen 108 needs them named.
run("wasm-opt", [
  "-Oz", "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue",
  bindgenWasm, "-o", bindgenWasm,
]);

// The JS layer, next to the glue it imports ("../functiongraph_client.js"). The wasm
// imports nothing from JS, so wasm-bindgen writes no snippets.
mkdirSync(join(out, "js"));
for (const f of readdirSync(join(root, "js"))) if (f.endsWith(".js")) cpSync(join(root, "js", f), join(out, "js", f));
// js/version.js is written here, from Cargo.toml (the package.json's version too).
const cargo = readFileSync(join(root, "Cargo.toml"), "utf8");
const version = /\[workspace\.package\][^[]*?version\s*=\s*"([^"]+)"/.exec(cargo)[1];
writeFileSync(
  join(out, "js/version.js"),
  `// Written by scripts/build-pkg.mjs from Cargo.toml.\n/** The package version. */\nexport function version() {\n  return ${JSON.stringify(version)};\n}\n`,
);

// The public API by module. Each function and class is exported under its own name (.name,
// what util.inspect and stack traces show), not the one the minifier gives its binding.
const API = {
  "./js/version.js": ["version"],
  "./js/signer.js": ["signRequest"],
  "./js/client.js": ["FunctionGraphClient"],
  "./js/errors.js": [
    "FunctionGraphError", "ServiceError", "NetworkError", "TimeoutError", "ValidationError", "ResponseError",
    "isFunctionGraphError",
  ],
  "./js/support.js": ["InvokeResult"],
};
const names = Object.values(API).flat().join(", ");
const reexports = `${Object.entries(API).map(([from, list]) => `import { ${list.join(", ")} } from "${from}";`).join("\n")}

for (const [name, value] of Object.entries({ ${names} })) Object.defineProperty(value, "name", { value: name });

export { ${names} };
`;
writeFileSync(
  join(out, "entry-node.js"),
  `// Node entry: the wasm is read from disk and instantiated before the first import returns.
import { readFileSync } from "node:fs";
import { initSync } from "./functiongraph_client.js";

initSync({ module: readFileSync(new URL("./functiongraph_client_bg.wasm", import.meta.url)) });

${reexports}`,
);
writeFileSync(
  join(out, "entry-browser.js"),
  `// Browser and bundler entry: fetches and instantiates the wasm with top-level await.
import init from "./functiongraph_client.js";

await init({ module_or_path: new URL("./functiongraph_client_bg.wasm", import.meta.url) });

${reexports}`,
);

rmSync(pkgDir, { recursive: true, force: true });
mkdirSync(pkgDir);
for (const entry of ["node", "browser"]) {
  await build({
    entryPoints: [join(out, `entry-${entry}.js`)],
    outfile: join(pkgDir, `${entry}.js`),
    bundle: true,
    format: "esm",
    platform: entry === "node" ? "node" : "browser",
    target: "es2022",
    // Minified (a third of the gzip size), with a source map for stack traces and
    // debuggers; the public classes set their own names.
    minify: true,
    sourcemap: true,
    legalComments: "none",
    logLevel: "warning",
  });
}
cpSync(join(out, "functiongraph_client_bg.wasm"), join(pkgDir, "functiongraph_client_bg.wasm"));

const types = join(root, "ts/index.d.ts");
if (existsSync(types)) cpSync(types, join(pkgDir, "index.d.ts"));
const readme = join(root, "pkg-template/README.md");
if (existsSync(readme)) cpSync(readme, join(pkgDir, "README.md"));

const pkg = {
  name: "functiongraph-client",
  version,
  description: "Huawei Cloud FunctionGraph invocation client for Node, browsers and bundlers (Rust → WebAssembly)",
  keywords: ["huaweicloud", "functiongraph", "serverless", "wasm"],
  license: "MIT OR Apache-2.0",
  type: "module",
  // The entries instantiate the wasm when imported: bundlers must keep them.
  sideEffects: ["./node.js", "./browser.js"],
  engines: { node: ">=18" },
  types: "./index.d.ts",
  exports: {
    ".": {
      types: "./index.d.ts",
      node: "./node.js",
      browser: "./browser.js",
      default: "./browser.js",
    },
    "./package.json": "./package.json",
  },
  files: ["functiongraph_client_bg.wasm", "node.js", "browser.js", "node.js.map", "browser.js.map", "index.d.ts", "README.md"],
};
writeFileSync(join(pkgDir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
console.log(`pkg/ built: functiongraph-client ${version}`);
