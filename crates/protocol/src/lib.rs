//! The wire format of Huawei Cloud FunctionGraph's invocation APIs, with no I/O.
//!
//! This crate is the one place in Rust that knows the wire: the WebAssembly client
//! checks, builds and signs requests with it, and the local emulator parses requests
//! and builds answers with it, so the two cannot drift apart. (The client reads
//! answers in JavaScript by these models' field names; its tests against the emulator
//! keep the two in step.) It covers function URNs,
//! request paths and query strings, the JSON models, the service's error codes and
//! limits, UTC time formats, and the `SDK-HMAC-SHA256` signer and verifier used by
//! the official Huawei Cloud SDKs.
#![deny(missing_docs)]
// No std: the wasm client is built without it (its panics must not pull in std's
// formatting machinery). Only `alloc` is needed.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

/// What std's prelude would give every module (`alloc` only).
mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::format;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec::Vec;
}

pub mod encoding;
pub mod error;
pub mod headers;
pub mod limits;
pub mod models;
pub mod paths;
pub mod query;
pub mod sign;
pub mod time;
pub mod urn;

pub use error::{ErrorBody, FssError};
pub use models::{
    AsyncInvocation, AsyncInvokeResponse, AsyncStatus, CancelAsyncInvocationRequest, CancelType,
    InvokeResponseBody, InvokeSummary, ListAsyncInvocationsResponse,
};
pub use paths::{Operation, ParsedPath};
pub use query::{ActiveAsyncQuery, ListAsyncQuery};
pub use urn::{FunctionUrn, Qualifier};
