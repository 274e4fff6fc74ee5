// Browser and bundler entry: fetches the wasm as an asset (bundlers see the
// `new URL(…, import.meta.url)`) and instantiates it with top-level await, so nothing needs
// an init call. Where neither works (esbuild, Bun, Deno without --allow-read, older
// bundler targets, module workers messaged at once), ./inline.js has the wasm inside and
// no await.
import init from "./functiongraph_client.js";

await init({ module_or_path: new URL("./functiongraph_client_bg.wasm", import.meta.url) });

export * from "./api.js";
