// Node entry: the wasm is read from disk and instantiated synchronously while this module
// is evaluated, so nothing needs an init call and there is no top-level await (which also
// lets Node ≥ 20.19 `require()` it).
import { readFileSync } from "node:fs";
import { initSync } from "./functiongraph_client.js";

initSync({ module: readFileSync(new URL("./functiongraph_client_bg.wasm", import.meta.url)) });

export * from "./api.js";
