//! Huawei Cloud FunctionGraph invocation client for JavaScript, in WebAssembly.
//!
//! The wasm holds what must match the service byte for byte: function URNs, request
//! paths and query strings (with their limits), the listings' time format, the cancel
//! body, and the SDK-HMAC-SHA256 signer, all from `functiongraph-protocol`. The JS
//! layer in `js/` does the rest (options, `fetch`, retries, result objects): every
//! call crosses the boundary a few times, synchronously, and no Rust future, closure
//! or formatting machinery ends up in the binary.
#![deny(missing_docs)]

mod errors;
mod jsobj;
mod signer;
mod wire;

pub use signer::sign_request;
pub use wire::{body_limits, cancel_body, parse_time, request_path};

use wasm_bindgen::prelude::*;

/// The package version, stamped from Cargo.toml.
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
