use gloo_utils::errors::JsError;
use thiserror::Error as ThisError;

/// All the errors returned by this crate.
#[derive(Debug, ThisError)]
pub enum Error {
    /// Error returned by JavaScript.
    #[error("{0}")]
    JsError(JsError),
    /// Error returned by `serde` during deserialization.
    #[cfg(feature = "json")]
    #[cfg_attr(docsrs, doc(cfg(feature = "json")))]
    #[error("{0}")]
    SerdeError(
        #[source]
        #[from]
        serde_json::Error,
    ),
    /// Error returned by this crate
    #[error("{0}")]
    GlooError(String),
}

#[cfg(any(feature = "http", feature = "websocket", feature = "eventsource"))]
pub(crate) use conversion::*;
#[cfg(any(feature = "http", feature = "websocket", feature = "eventsource"))]
mod conversion {
    use gloo_utils::errors::JsError;
    use wasm_bindgen::JsValue;

    #[cfg(feature = "http")]
    pub(crate) fn js_to_error(js_value: JsValue) -> super::Error {
        super::Error::JsError(js_to_js_error(js_value))
    }

    pub(crate) fn js_to_js_error(js_value: JsValue) -> JsError {
        use wasm_bindgen::JsCast;
        // Not `JsError::try_from`, whose refusal reads the value as a string: a rejection
        // or throw with another value (a string, an object, an `Error` of another realm)
        // is described in a new `Error` instead of reaching `unreachable!`.
        match js_value.dyn_into::<js_sys::Error>() {
            Ok(error) => JsError::from(error),
            Err(other) => JsError::from(js_sys::Error::new(&format!("{:?}", other))),
        }
    }
}
