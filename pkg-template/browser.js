// Production browser entry (the "production" export condition, which browser bundlers set
// for a build: Vite, webpack, Rollup): the wasm is a separate asset, fetched and compiled
// while it streams in (bundlers see the `new URL(…, import.meta.url)` and emit the file),
// instantiated with top-level await, so nothing needs an init call. The smallest download;
// dev servers and tools that copy no asset get inline.js instead (package.json's exports).
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
