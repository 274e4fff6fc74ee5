// Source of the CommonJS entry, node.cjs (scripts/build-pkg.mjs bundles it with the glue
// and js/ into one CommonJS file; this file itself is not in the package). As node.js,
// but the .wasm is found from __dirname, which CommonJS has.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { initSync } from "./functiongraph_client.js";

initSync({ module: readFileSync(join(__dirname, "functiongraph_client_bg.wasm")) });

export * from "./api.js";
