//! The JavaScript API: a thin `#[wasm_bindgen]` layer over [`crate::Client`]. The methods
//! that send one request, and the iterators, read and check their arguments when they are
//! called (as `fetch` reads its init); the two waits read theirs when they start, a
//! microtask later (reading them first moved them into the wait's state machine: +0.7 KB
//! gzip). Each runs as a Promise through wasm-bindgen-futures. The methods that send one request
//! share one future (`one_request`: prepare, send, read the answer), so the async state
//! machine and its drop code exist once in the wasm; waiting and paging have their own.
//! Options are read with serde-wasm-bindgen (`options.rs`), results and errors made JS
//! values in `convert.rs`.
//!
//! The methods are not `async fn(&self)` themselves: wasm-bindgen 0.2.129 takes such a
//! method's borrow of `self` when the future is first polled, after the call returned,
//! so a `free()` right after a call left the future reading freed memory (seen: a
//! garbled project id, then a trap). Cloning the client's `Rc` before returning keeps
//! every call's state alive for as long as the call runs, whatever happens to the handle.

mod convert;
mod options;

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::answers;
use crate::client::{Client, WaitFor};
use crate::config::{CallOptions, RequestVersion};
use crate::error::Error;
use crate::paging::{Listing, Pager};
use crate::signer::sign_request;
use crate::transport::{Answer, Prepared};

/// A client for one project. Create it once and reuse it; every method returns a Promise.
#[wasm_bindgen(js_name = FunctionGraphClient)]
pub struct JsClient {
    client: Client,
}

/// The function URN argument.
fn urn(value: &JsValue) -> Result<String, Error> {
    options::string_arg(value, "functionUrn")
}

/// A call as a Promise: it rejects with the JS form of the client's error. The future is
/// boxed first, so wasm-bindgen-futures' machinery exists once, not once per method.
fn promise(call: impl Future<Output = Result<JsValue, Error>> + 'static) -> Promise {
    run(Box::pin(call))
}

fn run(call: Pin<Box<dyn Future<Output = Result<JsValue, Error>>>>) -> Promise {
    future_to_promise(async move { call.await.map_err(JsValue::from) })
}

/// What a method that sends one request makes of its answer.
enum Finish {
    Invoke(RequestVersion),
    InvokeAsync,
    Page(Listing),
    Cancel,
}

impl Finish {
    fn read(&self, answer: &Answer) -> Result<JsValue, Error> {
        Ok(match self {
            Finish::Invoke(version) => {
                convert::invoke_result(&answers::invoke_output(answer, *version)?)
            }
            Finish::InvokeAsync => request_id_object(&answers::async_output(answer)?),
            Finish::Page(listing) => convert::page(&listing.read_page(answer)?),
            Finish::Cancel => {
                answers::cancel_output(answer)?;
                JsValue::UNDEFINED
            }
        })
    }
}

/// A request prepared (its arguments read and checked) and what to make of its answer.
type OneRequest = Result<(Prepared, CallOptions, Finish), Error>;

/// The Promise of a method that sends one request: one state machine for all of them
/// (invoke, invokeAsync, the listings, cancel), whose only await is the send.
fn one_request(client: &Client, prepared: OneRequest) -> Promise {
    let client = client.clone();
    promise(async move {
        let (req, call, finish) = prepared?;
        let answer = client.execute(&req, &call).await?;
        finish.read(&answer)
    })
}

#[wasm_bindgen(js_class = FunctionGraphClient)]
impl JsClient {
    /// Checks the options; throws `ValidationError` naming a bad one. No request is sent.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsClient, JsValue> {
        crate::set_panic_hook();
        let config = options::client_config(&options)?;
        Ok(JsClient {
            client: Client::new(config)?,
        })
    }

    /// Runs a function and waits for its result: an `InvokeResult`.
    pub fn invoke(&self, function_urn: JsValue, event: JsValue, options: JsValue) -> Promise {
        let client = &self.client;
        let prepared = (|| {
            let urn = urn(&function_urn)?;
            let event = options::event(&event)?;
            let options = options::invoke_options(&options, client.config())?;
            let req = client.prepare_invoke(&urn, event, &options)?;
            Ok((req, options.call, Finish::Invoke(options.request_version)))
        })();
        one_request(client, prepared)
    }

    /// Queues a function run; resolves with `{requestId}` once the service has accepted it.
    #[wasm_bindgen(js_name = invokeAsync)]
    pub fn invoke_async(&self, function_urn: JsValue, event: JsValue, options: JsValue) -> Promise {
        let client = &self.client;
        let prepared = (|| {
            let urn = urn(&function_urn)?;
            let event = options::event(&event)?;
            let options = options::invoke_async_options(&options, client.config())?;
            let req = client.prepare_invoke_async(&urn, event, &options)?;
            Ok((req, options.call, Finish::InvokeAsync))
        })();
        one_request(client, prepared)
    }

    /// One page of a function's async invocations, newest first.
    #[wasm_bindgen(js_name = listAsyncInvocations)]
    pub fn list_async_invocations(&self, function_urn: JsValue, query: JsValue) -> Promise {
        self.list(function_urn, query, false)
    }

    /// One page of a function's WAIT and RUNNING async invocations, newest first.
    #[wasm_bindgen(js_name = listActiveAsyncInvocations)]
    pub fn list_active_async_invocations(&self, function_urn: JsValue, query: JsValue) -> Promise {
        self.list(function_urn, query, true)
    }

    /// Stops a WAIT or RUNNING async invocation (it ends as DISCARD); resolves with undefined.
    #[wasm_bindgen(js_name = cancelAsyncInvocation)]
    pub fn cancel_async_invocation(
        &self,
        function_urn: JsValue,
        request_id: JsValue,
        options: JsValue,
    ) -> Promise {
        let client = &self.client;
        let prepared = (|| {
            let urn = urn(&function_urn)?;
            let (call, kind) = options::cancel_options(&options, client.config())?;
            // Not a string: checked as an empty id, refused with the rule for ids.
            let id = request_id.as_string().unwrap_or_default();
            let req = client.prepare_cancel(&urn, &id, kind)?;
            Ok((req, call, Finish::Cancel))
        })();
        one_request(client, prepared)
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
    pub fn wait_for_async_invocation(
        &self,
        function_urn: JsValue,
        request_id: JsValue,
        options: JsValue,
    ) -> Promise {
        self.wait(function_urn, request_id, false, options)
    }

    /// Starts an async invocation and waits for its terminal record.
    #[wasm_bindgen(js_name = invokeAsyncAndWait)]
    pub fn invoke_async_and_wait(
        &self,
        function_urn: JsValue,
        event: JsValue,
        options: JsValue,
    ) -> Promise {
        self.wait(function_urn, event, true, options)
    }

    /// Both waits: `start` is the request id, or the event to queue first (`queue`).
    fn wait(
        &self,
        function_urn: JsValue,
        start: JsValue,
        queue: bool,
        options: JsValue,
    ) -> Promise {
        let client = self.client.clone();
        promise(async move {
            let urn = urn(&function_urn)?;
            let start = if queue {
                WaitFor::Queued(options::event(&start)?)
            } else {
                WaitFor::Id(
                    start
                        .as_string()
                        .filter(|id| !id.is_empty())
                        .ok_or_else(|| Error::invalid("requestId", "must be a non-empty string"))?,
                )
            };
            let options = options::wait_options(&options)?;
            let record = client.wait_for(&urn, start, options).await?;
            Ok(convert::invocation(&record))
        })
    }

    fn list(&self, function_urn: JsValue, query: JsValue, active: bool) -> Promise {
        let client = &self.client;
        let prepared = (|| {
            let urn = urn(&function_urn)?;
            let q = options::query(&query, client.config(), active)?;
            let listing = if active {
                Listing::Active(q.active())
            } else {
                Listing::All(q.list)
            };
            listing.check()?;
            let req = client.prepare_list(&urn, &listing)?;
            Ok((req, q.call, Finish::Page(listing)))
        })();
        one_request(client, prepared)
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
            Err(e) => Pager::failed(self.client.clone(), e),
        };
        convert::async_iterable(
            JsPager {
                pager: Rc::new(RefCell::new(pager)),
            }
            .into(),
        )
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
    pager: Rc<RefCell<Pager>>,
}

#[wasm_bindgen]
impl JsPager {
    /// The next record, or undefined after the last.
    // The borrow spans the page fetch on purpose: a second call meanwhile is refused.
    #[allow(clippy::await_holding_refcell_ref)]
    pub fn next(&self) -> Promise {
        let pager = self.pager.clone();
        promise(async move {
            // asyncIterable queues calls; a second one at once would be a bug there, not a trap here.
            let mut pager = pager.try_borrow_mut().map_err(|_| {
                Error::invalid("iterator", "next() called before the previous call settled")
            })?;
            Ok(match pager.next().await? {
                Some(record) => convert::invocation(&record),
                None => JsValue::UNDEFINED,
            })
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
    crate::set_panic_hook();
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
