//! Huawei Cloud FunctionGraph's invocation APIs for WebAssembly: a Rust async client
//! that sends through gloo-net, and the `#[wasm_bindgen]` facade the npm package is.
//!
//! Rust apps compiled to wasm (Leptos, Yew, Dioxus admin tools) use [`Client`]
//! directly; JavaScript gets the same client through [`bindings`], whose methods return
//! Promises of the client's futures (wasm-bindgen-futures; see [`bindings`] for why they
//! are not `async fn`s themselves). Requests are built, signed and read with
//! `functiongraph-protocol`, the one place that knows the wire format.
//!
//! ```no_run
//! # async fn demo() -> Result<(), functiongraph_client::Error> {
//! use functiongraph_client::{Client, Config, Credentials, InvokeOptions};
//! let config = Config::new("0123456789abcdef0123456789abcdef", "http://127.0.0.1:8787")
//!     .with_credentials(Credentials::Token("dev-token".into()));
//! let client = Client::new(config)?;
//! let urn = "urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:echo:latest";
//! let out = client.invoke(urn, r#"{"hello":"rust"}"#, &InvokeOptions::default()).await?;
//! assert_eq!(out.status, 200);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod answers;
pub mod bindings;
mod body;
mod client;
mod config;
mod error;
mod hooks;
mod paging;
mod platform;
mod signal;
mod signer;
mod transport;
mod wait;

pub use answers::{FunctionError, InvokeOutput, Page};
pub use body::Event;
pub use client::Client;
pub use config::{
    CallOptions, Config, CredentialProvider, CredentialSource, Credentials, CredentialsFuture,
    InvokeAsyncOptions, InvokeOptions, LogType, RequestVersion, Retry, RetryPolicy, WaitOptions,
    DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS,
};
pub use error::Error;
pub use functiongraph_protocol as protocol;
pub use hooks::{Attempt, Failure, Hook, Outcome};
pub use paging::{Pager, PagerStream};
pub use signer::{sign_request, RequestToSign};

// The npm package's allocator: see the `npm-allocator` feature in Cargo.toml.
#[cfg(all(
    feature = "npm-allocator",
    target_family = "wasm",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
