// The size gate of `make test`: what a browser downloads of pkg/, each way it is loaded
// (bundled and minified; gzip -9), must not grow past the figures recorded in
// budget.json: the asset entry (the wasm, and browser.js with what it imports: webpack,
// import maps) and the inline entry (inline.js with the wasm inside: every other bundler). Sizes are deterministic for a pinned
// toolchain, so this is a check, not a timing. When the package shrinks, lower the figures
// (the gate says by how much) so that the next growth is caught.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { packageGzip } from "../../scripts/package-size.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const budget = JSON.parse(readFileSync(join(here, "budget.json"), "utf8"));
const sizes = await packageGzip(esbuild, join(here, "../../pkg"));
const kb = (n) => `${(n / 1024).toFixed(1)} KB (${n} bytes)`;
let failed = 0;
let passed = 0;
for (const [key, label] of [["package", "asset entry (webpack, import maps): wasm + browser.js, gzip"], ["inline", "inline entry (other bundlers): inline.js, gzip"]]) {
  const limit = budget[key];
  const size = sizes[key];
  if (size > limit) {
    failed++;
    console.log(`FAIL ${label}: ${kb(size)} is over the recorded ${kb(limit)} by ${size - limit} bytes`);
  } else {
    passed++;
    const slack = limit - size;
    console.log(`ok   ${label}: ${kb(size)}, budget ${kb(limit)}` +
      (slack > 256 ? ` — ${slack} bytes smaller: lower tests/size/budget.json's "${key}" to ${size}` : ""));
  }
}
console.log(`size: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
