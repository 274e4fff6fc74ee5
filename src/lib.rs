//! Huawei Cloud FunctionGraph invocation client for JavaScript (WebAssembly).
//!
//! A minimal binding while the client is being built: it exposes the package version
//! so the build, packaging and loading pipeline can be exercised end to end.
#![deny(missing_docs)]

use wasm_bindgen::prelude::*;

/// The package version, stamped from Cargo.toml.
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
