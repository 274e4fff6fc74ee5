// Browser entry with the wasm as a separate asset, for webpack (the "webpack" export
// condition: it emits the file it sees in `new URL(…, import.meta.url)` and bundles
// top-level await) and for import maps: fetched and compiled while it streams in, then
// instantiated with top-level await, so nothing needs an init call. The smallest download
// (6% under inline.js), where a tool can handle both; every other bundler gets inline.js,
// which needs neither (package.json's exports).
import init from "./functiongraph_client.js";

const url = new URL("./functiongraph_client_bg.wasm", import.meta.url);
try {
  await init({ module_or_path: url });
} catch (cause) {
  // A bundler that copied no asset leaves a 404 (or a dev server's HTML page) at `url`, and
  // the platform's words would be a wasm "magic word" error: say what to do instead.
  throw new Error(
    `functiongraph-client could not load its WebAssembly from ${url} (${cause?.message ?? cause}). ` +
      `The bundler did not emit the .wasm file beside this module: import "functiongraph-client/inline" ` +
      `(the wasm inside, nothing to copy), or copy functiongraph_client_bg.wasm there.`,
    { cause },
  );
}

export * from "./api.js";
