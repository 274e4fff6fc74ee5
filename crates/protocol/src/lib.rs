//! The wire format of Huawei Cloud FunctionGraph's invocation APIs, with no I/O.
//!
//! This crate is the one place that knows the wire, for both sides of it: the Rust
//! client checks, builds and signs requests with it and parses the answers into its
//! models, and the local emulator parses requests and builds answers with it, so the
//! two cannot drift apart. It covers function URNs, request paths and query strings,
//! the JSON models, the service's error codes and limits, UTC time formats, and the
//! `SDK-HMAC-SHA256` signer and verifier used by the official Huawei Cloud SDKs.
//!
//! The models write exactly what the service writes, and read what the service and
//! the gateways in front of it are seen to send, which varies: see each model for the
//! fields it reads leniently (a missing field, `null`, or a number sent as a string).
#![deny(missing_docs)]

pub mod encoding;
pub mod error;
pub mod fields;
pub mod headers;
pub mod lenient;
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
