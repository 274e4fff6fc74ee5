// Cloudflare Workers (workerd) entry: a Worker cannot fetch or compile wasm at run time,
// only import it as a module, which its bundlers (wrangler's esbuild, and others that
// resolve the "workerd" condition) turn into a compiled WebAssembly.Module. Instantiated
// synchronously while this module is evaluated: nothing to await, no init call.
import module from "./functiongraph_client_bg.wasm";
import { initSync } from "./functiongraph_client.js";

initSync({ module });

export * from "./api.js";
