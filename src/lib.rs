//! Huawei Cloud FunctionGraph invocation client for JavaScript, in WebAssembly.
//!
//! The wasm holds what must match the service byte for byte: function URNs, request
//! paths and query strings (with their limits), the listings' time format, the cancel
//! body, and the SDK-HMAC-SHA256 signer, all from `functiongraph-protocol`. The JS
//! layer in `js/` does the rest (options, `fetch`, retries, result objects): every
//! call crosses the boundary a few times, synchronously, and no Rust future, closure
//! or formatting machinery ends up in the binary.
//!
//! Only strings and numbers cross the boundary, and a refusal comes back as a string
//! too (see `errors`): the wasm imports nothing from JS and never holds a JS object, so
//! no user code (a getter, a Proxy trap) can run, or throw, while it is on the stack.
//! Such a throw would skip its frees and stack restores, and enough of them would trap
//! the instance.
#![deny(missing_docs)]
// In the wasm, no std: its panic machinery would bring formatting code and Unicode
// tables along. Tests (feature `std`) link std and keep its panic handler.
#![cfg_attr(target_arch = "wasm32", no_std)]

extern crate alloc;

mod errors;
#[cfg(target_arch = "wasm32")]
mod heap;
mod signer;
mod wire;

pub use signer::sign_packed;
pub use wire::{body_limit, cancel_body, listing_query, parse_time, request_path};

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static HEAP: heap::Bump = heap::Bump::new();

/// A panic is a bug (every input has a typed error instead): stop the instance, as
/// `panic = "abort"` did, without formatting a message nobody can see.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
