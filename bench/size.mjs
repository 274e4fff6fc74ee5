// 4. Size. The package as a browser loads it (the wasm, and browser.js with the modules it
// imports, bundled and minified by esbuild), every JS file in pkg/, raw, gzip -9 and brotli
// q11 (node:zlib, each file compressed on its own, as a server sends them); where the wasm's
// bytes go (twiggy top 15, of a build that keeps its names); and a one-invoke
// browser program (bench/entries/) bundled with esbuild --bundle --minify --format=esm
// --platform=browser, ours vs @aws-sdk/client-lambda. esbuild takes our inline entry (the
// wasm inside the bundle); had it taken the asset entry, the .wasm would be added. The inline
// entry (functiongraph-client/inline: the wasm inside, as a string) is measured the same
// way, bundled and minified with what it imports, next to the default entry's wasm + JS.
// Deterministic: one measurement. Run alone: node bench/size.mjs
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { bundle as bundleWith } from "../scripts/package-size.mjs";
import { BENCH_DIR, ROOT, emit, figure, log, packageProject } from "./common.mjs";

const KB = 1024;
const sizes = (buf) => ({
  raw: buf.length,
  gzip: gzipSync(buf, { level: 9 }).length,
  brotli: brotliCompressSync(buf, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
  }).length,
});
const sum = (list) => ({
  raw: list.reduce((a, s) => a + s.raw, 0),
  gzip: list.reduce((a, s) => a + s.gzip, 0),
  brotli: list.reduce((a, s) => a + s.brotli, 0),
});

/** The inline entry's copy of the wasm: counted with the inline entry, not as JS. */
const INLINE_WASM = "functiongraph_client_bg.wasm.js";

function jsFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .map((f) => join(dir, f))
    .filter((f) => f.endsWith(".js") && !f.endsWith(INLINE_WASM) && statSync(f).isFile())
    .sort();
}

/** esbuild's minified browser bundle of `entry` (scripts/package-size.mjs, which the size gate uses too). */
const bundle = (entry, nodePaths) => bundleWith(esbuild, entry, { nodePaths, absWorkingDir: BENCH_DIR });

/**
 * twiggy's top 15 of the release wasm built with its names kept (the shipped one is
 * stripped): where the bytes go, before wasm-opt. Empty when twiggy is not installed.
 */
function twiggyTop() {
  const out = mkdtempSync(join(tmpdir(), "fgs-twiggy-"));
  try {
    execFileSync("cargo", ["build", "-q", "-p", "functiongraph-client", "--lib", "--target", "wasm32-unknown-unknown", "--profile", "wasm", "--features", "npm-allocator"], {
      cwd: ROOT, env: { ...process.env, CARGO_PROFILE_WASM_STRIP: "false" }, stdio: "inherit",
    });
    execFileSync("wasm-bindgen", [join(ROOT, "target/wasm32-unknown-unknown/wasm/functiongraph_client.wasm"), "--target", "web", "--out-dir", out, "--no-typescript"]);
    const rows = JSON.parse(execFileSync("twiggy", ["top", "-n", "16", "--format", "json", join(out, "functiongraph_client_bg.wasm")], { encoding: "utf8" }));
    return rows
      .filter((r) => !r.name.includes("function names"))
      .slice(0, 15)
      .map((r) => ({ name: r.name, bytes: r.shallow_size, percent: r.shallow_size_percent }));
  } catch (e) {
    log(`size: no twiggy figures (${e.message.split("\n")[0]})`);
    return [];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

export async function run() {
  const pkgDir = join(ROOT, "pkg");
  const wasm = sizes(readFileSync(join(pkgDir, "functiongraph_client_bg.wasm")));
  const files = Object.fromEntries(jsFiles(pkgDir).map((f) => [relative(pkgDir, f), sizes(readFileSync(f))]));
  const js = sum(Object.values(files));
  // What a page loads: browser.js and the modules it imports, minified into one.
  const entryName = "browser.js, bundled and minified";
  const entry = sizes((await bundle(join(pkgDir, "browser.js"), [])).buf);
  const total = sum([wasm, entry]);
  // The inline entry as a page loads it: one script, the wasm inside.
  const inline = sizes((await bundle(join(pkgDir, "inline.js"), [])).buf);
  const top = twiggyTop();

  const project = packageProject();
  let ours;
  let aws;
  try {
    ours = await bundle(join(BENCH_DIR, "entries/ours-invoke.mjs"), [join(project.dir, "node_modules")]);
    aws = await bundle(join(BENCH_DIR, "entries/aws-invoke.mjs"), [join(BENCH_DIR, "node_modules")]);
  } finally {
    project.cleanup();
  }
  const oursJs = sizes(ours.buf);
  // esbuild resolves the package to its inline entry (the wasm inside the bundle); were it
  // the asset entry, the .wasm it fetches would be counted in.
  const wasmInside = ours.inputFiles.some((f) => f.endsWith(INLINE_WASM));
  const oursTotal = wasmInside ? oursJs : sum([oursJs, wasm]);
  const awsJs = sizes(aws.buf);
  log(`size: package ${(total.gzip / KB).toFixed(1)} KB gzip (wasm ${(wasm.gzip / KB).toFixed(1)}, ${entryName} ${(entry.gzip / KB).toFixed(1)}; every JS file ${(js.gzip / KB).toFixed(1)}); ` +
    `inline entry ${(inline.gzip / KB).toFixed(1)} KB gzip; ` +
    `bundle ours ${(oursTotal.gzip / KB).toFixed(1)} KB gzip (${wasmInside ? "JS, the wasm inside" : `JS ${(oursJs.gzip / KB).toFixed(1)} + wasm`}), aws ${(awsJs.gzip / KB).toFixed(1)} KB gzip`);

  const section = "Size";
  const one = (id, label, bytes, extra = {}) => figure({ id, section, label, unit: "bytes", better: "lower", runs: [bytes], ...extra });
  const figures = [];
  for (const [k, s, what] of [
    ["wasm", wasm, "functiongraph_client_bg.wasm"],
    ["entry", entry, `JS of one entry (${entryName}, the larger)`],
    ["js", js, `JS, every file in pkg/ (${Object.keys(files).join(", ")})`],
    ["package", total, `package as one platform loads it: wasm + ${entryName}`],
    ["inline", inline, "package through functiongraph-client/inline: inline.js (wasm inside, a string of one character per byte), bundled and minified"],
  ]) {
    for (const c of ["raw", "gzip", "brotli"]) {
      const extra = {};
      if (k === "package" && c === "gzip") {
        extra.target = { op: "<=", value: 64 * KB, text: "≤ 64 KB gzip" };
        extra.chart = { panel: "Size: KB gzip -9, lower is better", bar: "package (wasm + browser.js, minified)", kind: "ours", target: 64 * KB };
      }
      if (k === "inline" && c === "gzip") extra.target = { op: "<=", value: 84 * KB, text: "≤ 84 KB gzip" };
      figures.push(one(`size.${k}.${c}`, `${what}, ${c}`, s[c], extra));
    }
  }
  for (const c of ["raw", "gzip", "brotli"]) {
    figures.push(one(`size.bundle.ours.${c}`, `one-invoke browser bundle, functiongraph-client: JS + wasm, ${c}`, oursTotal[c], c === "gzip" ? {
      target: { op: "<", value: awsJs.gzip, text: `< AWS's (${(awsJs.gzip / KB).toFixed(1)} KB)` },
      chart: { panel: "Size: KB gzip -9, lower is better", bar: "one-invoke bundle, ours (JS + wasm)", kind: "ours", target: awsJs.gzip },
    } : {}));
    figures.push(one(`size.bundle.ours_js.${c}`, `one-invoke browser bundle, functiongraph-client: JS only, ${c}`, oursJs[c]));
    figures.push(one(`size.bundle.aws.${c}`, `one-invoke browser bundle, @aws-sdk/client-lambda, ${c}`, awsJs[c], c === "gzip" ? {
      chart: { panel: "Size: KB gzip -9, lower is better", bar: "one-invoke bundle, @aws-sdk/client-lambda", kind: "peer" },
    } : {}));
  }
  figures.push(figure({
    id: "size.bundle.ratio_ours_vs_aws", section, label: "one-invoke bundle gzip: functiongraph-client (JS + wasm) / @aws-sdk/client-lambda",
    unit: "×", better: "lower", runs: [oursTotal.gzip / awsJs.gzip], target: { op: "<", value: 1, text: "< 1.00×" },
  }));
  return {
    figures,
    details: {
      method: "node:zlib gzip level 9 and brotli quality 11, each file compressed on its own. Package = pkg/functiongraph_client_bg.wasm + " +
        "pkg/browser.js with what it imports (the wasm-bindgen glue, js/ snippets), bundled by esbuild --bundle --minify --format=esm; the inline entry is pkg/inline.js bundled the same way (the wasm inside it as a string of one character per byte). Bundles: esbuild --bundle --minify --format=esm --platform=browser " +
        "of bench/entries/*.mjs; ours resolved from the npm-packed tarball (esbuild takes the inline entry, the wasm inside; an asset .wasm would be counted in). KB = 1,024 bytes.",
      files: { "functiongraph_client_bg.wasm": wasm, ...files },
      twiggyTop15: top,
      bundles: {
        ours: { js: oursJs, wasm, inputs: ours.inputs, warnings: ours.warnings },
        aws: { js: awsJs, inputs: aws.inputs, warnings: aws.warnings },
      },
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) emit(await run());
