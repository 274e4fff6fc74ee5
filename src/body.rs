//! Bodies kept as JavaScript values. An event is JSON text in a JS string: it is sent as
//! it is, its size is bounded without copying it, and only AK/SK signing reads its bytes
//! (a chunk at a time). An answer is read from the platform's decompressed body stream
//! in JS chunks, counted against the cap as they arrive, and decoded into a JS string:
//! the wasm memory does not grow with what a server sends.

use functiongraph_protocol::sign::PayloadHasher;
use js_sys::{JsString, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{ReadableStreamDefaultReader, Response};

use crate::platform::{get, set, TextDecoder, TextEncoder};

/// UTF-8 of a JS string, in a JS buffer.
fn utf8(text: &JsString) -> Uint8Array {
    TextEncoder::new().encode(text)
}

/// An invocation's event: JSON text, held as a JavaScript string. Text given by a
/// caller is checked to be JSON before anything is sent.
#[derive(Debug, Clone)]
pub struct Event {
    text: JsString,
    /// Made by `JSON.stringify`: JSON by construction, not parsed again.
    json: bool,
}

/// What an event that is not JSON text is told (the JS API stringifies any other value).
pub(crate) const EVENT_JSON_RULE: &str = "must be JSON text: a string event is sent as is; to send a plain string, pass JSON.stringify(text)";

impl Event {
    /// The event's JS string.
    pub fn as_js(&self) -> &JsString {
        &self.text
    }

    /// Any `Serialize` value as the event: made a JS value by serde-wasm-bindgen (maps as
    /// objects, as JSON has them), then `JSON.stringify`'d, so the JSON text never passes
    /// through the wasm memory. For JSON text you already have, use `From<&str>`.
    ///
    /// # Errors
    /// [`crate::Error::Validation`] for `event` when the value cannot be represented as JSON.
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Event, crate::Error> {
        let refused = |why: String| crate::Error::invalid("event", why);
        let js = value
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| refused(format!("cannot be serialised: {e}")))?;
        crate::platform::json_stringify(&js)
            .ok()
            .and_then(|text| text.dyn_into::<JsString>().ok())
            .map(Event::stringified)
            .ok_or_else(|| refused("cannot be represented as JSON".to_owned()))
    }

    /// An event `JSON.stringify` made.
    pub(crate) fn stringified(text: JsString) -> Event {
        Event { text, json: true }
    }

    /// Whether it is JSON text (parsed by the platform unless it was made by `JSON.stringify`).
    pub(crate) fn is_json(&self) -> bool {
        self.json || crate::platform::json_parse(&self.text).is_ok()
    }

    /// Whether its UTF-8 form is at most `limit` bytes. A JS string of `n` UTF-16 units
    /// is `n` to `3n` UTF-8 bytes, so only a length in between is counted, by encoding
    /// it outside the wasm memory. `Err` gives the size when it was counted.
    pub(crate) fn within(&self, limit: usize) -> Result<(), Option<usize>> {
        let units = self.text.length() as usize;
        if units > limit {
            return Err(None);
        }
        if units.saturating_mul(3) <= limit {
            return Ok(());
        }
        let bytes = utf8(&self.text).length() as usize;
        if bytes <= limit {
            Ok(())
        } else {
            Err(Some(bytes))
        }
    }

    /// Hex SHA-256 of its UTF-8 bytes, hashed 64 KB at a time (for AK/SK signing).
    pub(crate) fn sha256_hex(&self) -> String {
        const CHUNK: u32 = 64 * 1024;
        let bytes = utf8(&self.text);
        let mut hasher = PayloadHasher::default();
        let mut buffer = vec![0; (CHUNK as usize).min(bytes.length() as usize)];
        let mut start = 0;
        while start < bytes.length() {
            let end = (start + CHUNK).min(bytes.length());
            let piece = &mut buffer[..(end - start) as usize];
            bytes.subarray(start, end).copy_to(piece);
            hasher.update(piece);
            start = end;
        }
        hasher.finish()
    }
}

impl From<JsString> for Event {
    fn from(text: JsString) -> Event {
        Event { text, json: false }
    }
}

impl From<&JsString> for Event {
    fn from(text: &JsString) -> Event {
        Event::from(text.clone())
    }
}

impl From<&str> for Event {
    fn from(text: &str) -> Event {
        Event::from(JsString::from(text))
    }
}

impl From<&String> for Event {
    fn from(text: &String) -> Event {
        Event::from(text.as_str())
    }
}

impl From<String> for Event {
    fn from(text: String) -> Event {
        Event::from(text.as_str())
    }
}

/// An answer's body as read.
pub(crate) enum Read {
    /// The whole body, as text (invalid UTF-8 replaced, as `Response.text()` does).
    Text(JsString),
    /// Larger than the cap: not read further.
    TooLarge,
}

/// Whether the platform may have decompressed the body, or cannot say: a
/// `Content-Length` then counts the bytes on the wire, not what the body holds. A
/// cross-origin answer hides `Content-Encoding` unless the server exposes it.
fn maybe_encoded(response: &Response) -> bool {
    let headers = response.headers();
    let encoded = headers
        .get("content-encoding")
        .ok()
        .flatten()
        .is_some_and(|e| !e.trim().eq_ignore_ascii_case("identity"));
    encoded || response.type_() == web_sys::ResponseType::Cors
}

/// Reads `response`'s body, at most `cap` bytes of it as the platform hands them over
/// (decompressed: see docs/service.md, "Compressed answers"). A `Content-Length` over the
/// cap refuses the body unread; one within the cap is trusted only when nothing can have
/// been decompressed, for the platform's `text()`. Anything else is read from the stream,
/// chunk by chunk.
pub(crate) async fn read(response: &Response, cap: usize) -> Result<Read, JsValue> {
    let declared = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.trim().parse::<u64>().ok());
    let Some(stream) = response.body() else {
        return Ok(Read::Text(JsString::from("")));
    };
    match declared {
        // On the wire it is over the cap, and a decompressed body is larger still (but
        // for a few bytes of framing, which a cap cannot be that close to anyway).
        Some(n) if n > cap as u64 => {
            let _ = stream.cancel();
            return Ok(Read::TooLarge);
        }
        Some(_) if !maybe_encoded(response) => {
            let text = JsFuture::from(response.text()?).await?;
            return Ok(Read::Text(text.unchecked_into()));
        }
        _ => {}
    }
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let decoder = TextDecoder::new();
    let streaming = js_sys::Object::new();
    set(&streaming, "stream", &JsValue::TRUE);
    let mut text = JsString::from("");
    let mut total = 0usize;
    loop {
        let chunk = JsFuture::from(reader.read()).await?;
        if get(&chunk, "done").is_truthy() {
            break;
        }
        let Ok(bytes) = get(&chunk, "value").dyn_into::<Uint8Array>() else {
            let _ = reader.cancel();
            return Err(
                js_sys::TypeError::new("the body stream gave a chunk that is not bytes").into(),
            );
        };
        total = total.saturating_add(bytes.length() as usize);
        if total > cap {
            let _ = reader.cancel();
            return Ok(Read::TooLarge);
        }
        text = text.concat(&decoder.decode_chunk(&bytes, &streaming));
    }
    Ok(Read::Text(text.concat(&decoder.decode_end())))
}
