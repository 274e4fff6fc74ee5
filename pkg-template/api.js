// What every entry exports: the wasm-bindgen classes and functions, and the classes of
// js/ that the wasm itself uses (the same modules, so `instanceof` holds). The entries
// differ only in how they instantiate the wasm. scripts/build-pkg.mjs fills in the
// snippets' folder.
export { FunctionGraphClient, signRequest, version } from "./functiongraph_client.js";
export {
  FunctionGraphError, ServiceError, NetworkError, TimeoutError, ValidationError, ResponseError,
  isFunctionGraphError,
} from "./snippets/__SNIPPETS__/js/errors.js";
export { InvokeResult } from "./snippets/__SNIPPETS__/js/results.js";
