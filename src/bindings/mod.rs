//! The JavaScript API: a thin `#[wasm_bindgen]` layer over [`crate::Client`]. Its methods
//! are `async fn`s that wasm-bindgen-futures turns into Promises; options are read with
//! serde-wasm-bindgen ([`options`]), results and errors made JS values in [`convert`].

mod convert;
mod options;

use functiongraph_protocol::AsyncInvocation;
use wasm_bindgen::prelude::*;

use crate::client::Client;
use crate::config::{InvokeAsyncOptions, WaitOptions};
use crate::error::Error;
use crate::paging::Pager;
use crate::platform::now_ms;
use crate::signer::sign_request;

/// A client for one project. Create it once and reuse it; every method returns a Promise.
#[wasm_bindgen(js_name = FunctionGraphClient)]
pub struct JsClient {
    client: Client,
}

/// The function URN argument.
fn urn(value: &JsValue) -> Result<String, Error> {
    options::string_arg(value, "functionUrn")
}

#[wasm_bindgen(js_class = FunctionGraphClient)]
impl JsClient {
    /// Checks the options; throws `ValidationError` naming a bad one. No request is sent.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsClient, JsValue> {
        let config = options::client_config(&options)?;
        Ok(JsClient {
            client: Client::new(config)?,
        })
    }

    /// Runs a function and waits for its result: an `InvokeResult`.
    pub async fn invoke(
        &self,
        function_urn: JsValue,
        event: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let urn = urn(&function_urn)?;
        let event = options::event(&event)?;
        let options = options::invoke_options(&options, self.client.config())?;
        let out = self.client.invoke(&urn, &event, &options).await?;
        Ok(convert::invoke_result(&out))
    }

    /// Queues a function run; resolves with `{requestId}` once the service has accepted it.
    #[wasm_bindgen(js_name = invokeAsync)]
    pub async fn invoke_async(
        &self,
        function_urn: JsValue,
        event: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let urn = urn(&function_urn)?;
        let event = options::event(&event)?;
        let options = options::invoke_async_options(&options, self.client.config())?;
        let out = self.client.invoke_async(&urn, &event, &options).await?;
        Ok(request_id_object(&out.request_id))
    }

    /// One page of a function's async invocations, newest first.
    #[wasm_bindgen(js_name = listAsyncInvocations)]
    pub async fn list_async_invocations(
        &self,
        function_urn: JsValue,
        query: JsValue,
    ) -> Result<JsValue, JsValue> {
        let urn = urn(&function_urn)?;
        let q = options::query(&query, self.client.config(), false)?;
        let page = self
            .client
            .list_async_invocations(&urn, &q.list, &q.call)
            .await?;
        Ok(convert::page(&page))
    }

    /// One page of a function's WAIT and RUNNING async invocations, newest first.
    #[wasm_bindgen(js_name = listActiveAsyncInvocations)]
    pub async fn list_active_async_invocations(
        &self,
        function_urn: JsValue,
        query: JsValue,
    ) -> Result<JsValue, JsValue> {
        let urn = urn(&function_urn)?;
        let q = options::query(&query, self.client.config(), true)?;
        let page = self
            .client
            .list_active_async_invocations(&urn, &q.active(), &q.call)
            .await?;
        Ok(convert::page(&page))
    }

    /// Stops a WAIT or RUNNING async invocation (it ends as DISCARD).
    #[wasm_bindgen(js_name = cancelAsyncInvocation)]
    pub async fn cancel_async_invocation(
        &self,
        function_urn: JsValue,
        request_id: JsValue,
        options: JsValue,
    ) -> Result<(), JsValue> {
        let urn = urn(&function_urn)?;
        let (call, kind) = options::cancel_options(&options, self.client.config())?;
        // Not a string: checked as an empty id, refused with the rule for ids.
        let id = request_id.as_string().unwrap_or_default();
        self.client
            .cancel_async_invocation(&urn, &id, kind, &call)
            .await?;
        Ok(())
    }

    /// Every async invocation matching `query`, across pages (`for await`).
    #[wasm_bindgen(js_name = asyncInvocations)]
    pub fn async_invocations(&self, function_urn: JsValue, query: JsValue) -> JsValue {
        self.iterate(function_urn, query, false)
    }

    /// Every WAIT and RUNNING async invocation matching `query`, across pages (`for await`).
    #[wasm_bindgen(js_name = activeAsyncInvocations)]
    pub fn active_async_invocations(&self, function_urn: JsValue, query: JsValue) -> JsValue {
        self.iterate(function_urn, query, true)
    }

    /// Polls until the async invocation is SUCCESS, FAIL or DISCARD; resolves with that record.
    #[wasm_bindgen(js_name = waitForAsyncInvocation)]
    pub async fn wait_for_async_invocation(
        &self,
        function_urn: JsValue,
        request_id: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let urn = urn(&function_urn)?;
        let id = request_id
            .as_string()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| Error::invalid("requestId", "must be a non-empty string"))?;
        let options = options::wait_options(&options)?;
        let record = self
            .client
            .wait_for_async_invocation(&urn, &id, &options)
            .await?;
        Ok(convert::invocation(&record))
    }

    /// Starts an async invocation and waits for its terminal record.
    #[wasm_bindgen(js_name = invokeAsyncAndWait)]
    pub async fn invoke_async_and_wait(
        &self,
        function_urn: JsValue,
        event: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let urn = urn(&function_urn)?;
        let event = options::event(&event)?;
        let mut wait: WaitOptions = options::wait_options(&options)?;
        // Look the record up from a little before it was accepted (clocks differ).
        wait.since
            .get_or_insert((now_ms() / 1000.0).floor() as i64 - 300);
        let invoke = InvokeAsyncOptions {
            call: crate::config::CallOptions {
                signal: wait.signal.clone(),
                ..Default::default()
            },
            instance_memory_mb: None,
        };
        let accepted = self.client.invoke_async(&urn, &event, &invoke).await?;
        let record: AsyncInvocation = self
            .client
            .wait_for_async_invocation(&urn, &accepted.request_id, &wait)
            .await?;
        Ok(convert::invocation(&record))
    }

    fn iterate(&self, function_urn: JsValue, query: JsValue, active: bool) -> JsValue {
        let urn_text = function_urn.as_string().unwrap_or_default();
        let read =
            urn(&function_urn).and_then(|_| options::query(&query, self.client.config(), active));
        let pager = match read {
            Ok(q) => {
                let pager = if active {
                    self.client
                        .active_async_invocations(&urn_text, q.active(), q.call)
                } else {
                    self.client.async_invocations(&urn_text, q.list, q.call)
                };
                match q.max_items {
                    Some(n) => pager.max_items(n),
                    None => pager,
                }
            }
            Err(e) => self
                .client
                .async_invocations(&urn_text, Default::default(), Default::default())
                .failing(e),
        };
        convert::async_iterable(JsPager { pager }.into())
    }
}

/// `{requestId}`.
fn request_id_object(id: &str) -> JsValue {
    let out = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &out,
        &JsValue::from_str("requestId"),
        &JsValue::from_str(id),
    );
    out.into()
}

/// A pager for `js/results.js`'s `asyncIterable`, which queues its calls.
#[wasm_bindgen]
pub struct JsPager {
    pager: Pager,
}

#[wasm_bindgen]
impl JsPager {
    /// The next record, or undefined after the last.
    pub async fn next(&mut self) -> Result<JsValue, JsValue> {
        Ok(match self.pager.next().await? {
            Some(record) => convert::invocation(&record),
            None => JsValue::UNDEFINED,
        })
    }
}

/// Signs any Huawei Cloud API request with SDK-HMAC-SHA256 and returns the headers to send.
#[wasm_bindgen(js_name = signRequest)]
pub fn sign_request_js(
    request: JsValue,
    credentials: JsValue,
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let (req, access_key, secret_key, security_token, secs) =
        options::sign_arguments(&request, &credentials, &options)?;
    let headers = sign_request(
        &req,
        &access_key,
        &secret_key,
        security_token.as_deref(),
        secs,
    )?;
    let out = js_sys::Object::new();
    for (name, value) in headers {
        let _ = js_sys::Reflect::set(&out, &JsValue::from_str(&name), &JsValue::from_str(&value));
    }
    Ok(out.into())
}

/// The package version, e.g. `"0.1.0"`.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
