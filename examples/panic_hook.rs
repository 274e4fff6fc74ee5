//! A Rust wasm app that installs the client's panic hook, then panics on request. It shows
//! what a panic in wasm looks like with the hook (a message on `console.error` before the
//! trap), and `tests/wasm/run.mjs` runs it in Node to check exactly that:
//!
//! ```sh
//! cargo build --example panic_hook --target wasm32-unknown-unknown
//! wasm-bindgen --target nodejs --out-dir target/panic-hook \
//!   target/wasm32-unknown-unknown/debug/examples/panic_hook.wasm
//! node -e 'require("./target/panic-hook/panic_hook.js").panic_with("a test")'
//! ```

use wasm_bindgen::prelude::*;

/// Installs the hook (as an app would at its start), then panics with `message`.
#[wasm_bindgen]
pub fn panic_with(message: &str) {
    functiongraph_client::set_panic_hook();
    panic!("deliberate panic: {message}");
}
