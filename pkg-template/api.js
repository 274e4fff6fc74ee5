// What every entry exports: the wasm-bindgen classes and functions, and the classes of
// js/ that the wasm itself uses (the same module, so `instanceof` holds). The entries
// differ only in how they instantiate the wasm. functiongraph_client.js is wasm-bindgen's
// glue with js/ bundled into it (scripts/build-pkg.mjs).
export {
  FunctionGraphClient, signRequest, version,
  FunctionGraphError, ServiceError, NetworkError, TimeoutError, ValidationError, ResponseError,
  isFunctionGraphError, InvokeResult,
} from "./functiongraph_client.js";
