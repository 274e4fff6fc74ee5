// Browser and bundler entry: fetches and instantiates the wasm with top-level await, so
// nothing needs an init call. scripts/build-pkg.mjs fills in the snippets' folder.
import init from "./functiongraph_client.js";

await init({ module_or_path: new URL("./functiongraph_client_bg.wasm", import.meta.url) });

export { FunctionGraphClient, signRequest, version } from "./functiongraph_client.js";
export {
  FunctionGraphError, ServiceError, NetworkError, TimeoutError, ValidationError, ResponseError,
  isFunctionGraphError,
} from "./snippets/__SNIPPETS__/js/errors.js";
export { InvokeResult } from "./snippets/__SNIPPETS__/js/results.js";
