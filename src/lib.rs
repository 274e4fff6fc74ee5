//! Huawei Cloud FunctionGraph's invocation APIs for WebAssembly: a Rust async client
//! that sends through gloo-net, and the `#[wasm_bindgen]` facade the npm package is.
//!
//! Rust apps compiled to wasm (Leptos, Yew, Dioxus admin tools) use [`Client`]
//! directly, made with [`Client::builder`] (times as [`Duration`](std::time::Duration)s,
//! windows as [`SystemTime`](std::time::SystemTime)s; [`Config`]'s public fields hold the
//! same settings in the JavaScript options' units); JavaScript gets the same client through [`bindings`], whose methods return
//! Promises of the client's futures (wasm-bindgen-futures; see [`bindings`] for why they
//! are not `async fn`s themselves). Requests are built, signed and read with
//! `functiongraph-protocol`, the one place that knows the wire format.
//!
//! The examples compile with the crate's doctests; they need a JS engine to run, so the
//! same calls run in `tests/wasm` (Node and Chromium) against the local emulator.
//!
//! # Invoke
//!
//! ```no_run
//! # async fn demo() -> Result<(), functiongraph_client::Error> {
//! use std::time::Duration;
//! use functiongraph_client::{Client, Credentials, Event, InvokeOptions, LogType};
//! // Checked once, in build(): a bad setting is an Error::Validation naming it.
//! let client = Client::builder("0123456789abcdef0123456789abcdef")
//!     .endpoint("http://127.0.0.1:8787")
//!     .credentials(Credentials::Token("dev-token".into()))
//!     .timeout(Duration::from_secs(30))
//!     .build()?;
//! let urn = "urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:echo:latest";
//! // JSON text you have, or any Serialize value with Event::json.
//! let out = client.invoke(urn, r#"{"hello":"rust"}"#, &InvokeOptions::default()).await?;
//! assert_eq!(out.status, 200);
//! let tail = InvokeOptions { log_type: LogType::Tail, ..InvokeOptions::default() };
//! let out = client.invoke(urn, Event::json(&[1, 2, 3])?, &tail).await?;
//! if let Some(failed) = &out.function_error {
//!     println!("the function failed: {} {}", failed.code, failed.kind);
//! }
//! # Ok(()) }
//! ```
//!
//! # Invoke asynchronously, and wait
//!
//! ```no_run
//! # async fn demo(client: functiongraph_client::Client, urn: &str) -> Result<(), functiongraph_client::Error> {
//! use std::time::Duration;
//! use functiongraph_client::{InvokeAsyncOptions, WaitOptions};
//! let accepted = client.invoke_async(urn, "{}", &InvokeAsyncOptions::default()).await?;
//! let patient = WaitOptions::default()
//!     .with_interval(Duration::from_millis(200))
//!     .with_timeout(Duration::from_secs(120));
//! let record = client
//!     .wait_for_async_invocation(urn, &accepted.request_id, &patient)
//!     .await?;
//! println!("{} ended {}", record.request_id, record.status);
//! // Or both in one call:
//! let record = client.invoke_async_and_wait(urn, "{}", &WaitOptions::default()).await?;
//! # Ok(()) }
//! ```
//!
//! # Every page of a listing
//!
//! ```no_run
//! # async fn demo(client: functiongraph_client::Client, urn: &str) -> Result<(), functiongraph_client::Error> {
//! use std::time::Duration;
//! use functiongraph_client::protocol::{AsyncStatus, ListAsyncQuery};
//! use functiongraph_client::{now, CallOptions};
//! // The last day's failures. (`now()` reads the platform's clock: `SystemTime::now()`
//! // panics on wasm32-unknown-unknown.)
//! let failed = ListAsyncQuery { status: Some(AsyncStatus::Fail), ..ListAsyncQuery::default() }
//!     .with_begin(now() - Duration::from_secs(86_400));
//! let each = CallOptions::default().with_timeout(Duration::from_secs(10));
//! let mut pager = client.async_invocations(urn, failed, each);
//! while let Some(record) = pager.next().await? {
//!     println!("{} {}", record.request_id, record.error_message);
//! }
//! // pager.into_stream() is the same walk as a futures_core::Stream.
//! # Ok(()) }
//! ```
//!
//! # Access keys, and errors
//!
//! With an access key pair, every request is signed (`SDK-HMAC-SHA256`, as the official
//! SDKs sign); the secret key is never sent. Each failure is one [`Error`] variant with its
//! fields; a refused argument is [`Error::Validation`] before anything is sent.
//!
//! ```no_run
//! # async fn demo() {
//! use functiongraph_client::{Client, Credentials, Error, InvokeOptions};
//! let keys = Credentials::AccessKey {
//!     access_key: "DEVACCESSKEYEXAMPLE0".into(),
//!     secret_key: "dev-secret-key-example".into(),
//!     security_token: None,
//! };
//! let client = Client::builder("0123456789abcdef0123456789abcdef")
//!     .region("cn-north-4")
//!     .credentials(keys)
//!     .build()
//!     .expect("valid settings");
//! let urn = "urn:fss:cn-north-4:0123456789abcdef0123456789abcdef:function:default:hello:latest";
//! match client.invoke(urn, "{}", &InvokeOptions::default()).await {
//!     Ok(out) => println!("{}", String::from(&out.result)),
//!     Err(Error::Service { status: 404, error_code, .. }) => println!("no such function: {error_code}"),
//!     Err(Error::Timeout { timeout_ms, .. }) => println!("gave up after {timeout_ms} ms"),
//!     Err(e) => println!("{e}"),
//! }
//! # }
//! ```
#![deny(missing_docs)]

mod answers;
pub mod bindings;
mod body;
mod builder;
mod client;
mod config;
mod error;
mod hooks;
mod id_set;
mod paging;
mod panic;
mod platform;
mod signal;
mod signer;
mod transport;
mod wait;

pub use answers::{FunctionError, InvokeOutput, Page};
pub use body::Event;
pub use builder::{now, ClientBuilder};
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
pub use panic::set_panic_hook;
pub use signer::{sign_request, RequestToSign};

// The crate's README (docs/rust-crate.md, its page on crates.io) as doctests, so that its
// example compiles.
#[cfg(doctest)]
#[doc = include_str!("../docs/rust-crate.md")]
struct ReadmeDoctests;

/// The repository README's Rust example, compiled as written (tests/types/run.mjs checks that
/// the lines not hidden here are the README's).
///
/// ```no_run
/// # async fn demo(project_id: &str, urn: String) -> Result<(), functiongraph_client::Error> {
/// use std::time::Duration;
/// use functiongraph_client::{Client, Credentials, Event, InvokeOptions, WaitOptions};
/// let client = Client::builder(project_id)
///     .endpoint("http://127.0.0.1:8787")
///     .credentials(Credentials::Token("dev-token".into()))
///     .timeout(Duration::from_secs(30))
///     .build()?; // every setting checked here, once
/// let out = client.invoke(&urn, Event::json(&serde_json::json!({ "name": "rust" }))?, &InvokeOptions::default()).await?;
/// let wait = WaitOptions::default().with_timeout(Duration::from_secs(120));
/// let record = client.invoke_async_and_wait(&urn, r#"{"job":1}"#, &wait).await?;
/// # let _ = (out, record);
/// # Ok(()) }
/// ```
#[cfg(doctest)]
struct RepositoryReadmeExample;

// The npm package's allocator: see the `npm-allocator` feature in Cargo.toml.
#[cfg(all(
    feature = "npm-allocator",
    target_family = "wasm",
    not(target_feature = "atomics")
))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
