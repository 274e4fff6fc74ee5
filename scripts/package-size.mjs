// What a browser downloads of the package, measured one way for `make bench`
// (bench/size.mjs) and the size gate of `make test` (tests/size/run.mjs): the wasm, and an
// entry with the modules it imports bundled and minified by esbuild; each compressed on
// its own with gzip -9, as a server sends it. Deterministic for a given pkg/.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";

/** esbuild's minified ESM bundle of `entry` for browsers, as a Buffer. */
export async function bundle(esbuild, entry, { nodePaths = [], absWorkingDir } = {}) {
  const r = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
    nodePaths,
    absWorkingDir,
    outdir: "out", // not written
    metafile: true,
  });
  const js = r.outputFiles.filter((f) => f.path.endsWith(".js"));
  if (js.length !== 1) throw new Error(`esbuild produced ${r.outputFiles.length} files for ${entry}`);
  const inputs = Object.keys(r.metafile.inputs);
  return { buf: Buffer.from(js[0].contents), warnings: r.warnings.map((w) => w.text), inputs: inputs.length, inputFiles: inputs };
}

export const gzipBytes = (buf) => gzipSync(buf, { level: 9 }).length;

/**
 * gzip bytes of pkg/: `wasm`, `entry` (browser.js bundled), `package` (the two: what the
 * default import downloads) and `inline` (inline.js bundled, the wasm inside).
 */
export async function packageGzip(esbuild, pkgDir) {
  pkgDir = resolve(pkgDir);
  const wasm = gzipBytes(readFileSync(join(pkgDir, "functiongraph_client_bg.wasm")));
  const entry = gzipBytes((await bundle(esbuild, join(pkgDir, "browser.js"), { absWorkingDir: pkgDir })).buf);
  const inline = gzipBytes((await bundle(esbuild, join(pkgDir, "inline.js"), { absWorkingDir: pkgDir })).buf);
  return { wasm, entry, package: wasm + entry, inline };
}
