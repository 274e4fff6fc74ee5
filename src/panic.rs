//! A readable last word for a panic. The client is written not to panic, but if a bug
//! makes it, a panic in wasm ends in a trap (the npm package is built with
//! `panic = "abort"`, and wasm32-unknown-unknown cannot unwind), which JavaScript sees as
//! a bare `RuntimeError: unreachable` with no message: the hook writes what panicked, and
//! where, to `console.error` first.

#[cfg(target_family = "wasm")]
use std::sync::Once;

#[cfg_attr(not(target_family = "wasm"), allow(dead_code))]
/// What the hook writes: the panic's own words and place, then what it means for the caller.
fn message(what: &str, place: Option<&std::panic::Location<'_>>) -> String {
    let place = place.map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
    format!(
        "functiongraph-client: internal error (a bug: please report it with this message): {what}{place}\n\
         The WebAssembly module stops at this panic: the call in progress will not settle, and \
         this copy of the module cannot be used again (reload the page or restart the process)."
    )
}

/// Installs a panic hook that writes the panic's message and location to `console.error`.
/// In wasm only: elsewhere it does nothing, and std's hook keeps printing to stderr. It replaces the hook installed before it: std's default
/// hook writes to a stderr that wasm32-unknown-unknown does not have, and keeping it would
/// link its backtrace machinery (2.5 KB gzip). The JavaScript API installs it when it is
/// first used (a client made, a request signed); a Rust app may call it at its start.
/// Calls after the first do nothing.
pub fn set_panic_hook() {
    #[cfg(target_family = "wasm")]
    install();
}

#[cfg(target_family = "wasm")]
fn install() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            // (`PanicHookInfo::payload_as_str` is newer than the crate's minimum Rust.)
            let payload = info.payload();
            let what = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("a panic");
            let text = message(what, info.location());
            web_sys::console::error_1(&text.into());
        }))
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_message_says_what_where_and_what_it_means() {
        let here = std::panic::Location::caller();
        let text = super::message("index out of bounds", Some(here));
        assert!(text.starts_with(
            "functiongraph-client: internal error (a bug: please report it with this message): index out of bounds at src/panic.rs:"
        ));
        assert!(text.ends_with("(reload the page or restart the process)."));
        assert!(super::message("x", None).contains("message): x\n"));
    }
}
