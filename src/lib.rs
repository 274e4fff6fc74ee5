//! Huawei Cloud FunctionGraph invocation client for JavaScript, in WebAssembly.
//!
//! The wire format comes from `functiongraph-protocol`; this crate is the only Rust
//! that knows JavaScript: options in, promises and typed errors out. Requests are
//! built with gloo-net and sent through the global `fetch`.
#![deny(missing_docs)]

mod client;
mod errors;
mod fetch;
mod js;
mod jsobj;
mod options;
mod response;
mod signer;

pub use client::Client;

use wasm_bindgen::prelude::*;

/// The package version, stamped from Cargo.toml.
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
