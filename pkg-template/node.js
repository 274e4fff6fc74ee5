// Node entry: the wasm is read from disk and instantiated before the first import returns,
// so nothing needs an init call. scripts/build-pkg.mjs fills in the snippets' folder.
import { readFileSync } from "node:fs";
import { initSync } from "./functiongraph_client.js";

initSync({ module: readFileSync(new URL("./functiongraph_client_bg.wasm", import.meta.url)) });

export { FunctionGraphClient, signRequest, version } from "./functiongraph_client.js";
export {
  FunctionGraphError, ServiceError, NetworkError, TimeoutError, ValidationError, ResponseError,
  isFunctionGraphError,
} from "./snippets/__SNIPPETS__/js/errors.js";
export { InvokeResult } from "./snippets/__SNIPPETS__/js/results.js";
