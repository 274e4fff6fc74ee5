//! `FunctionGraphClient`: the three invocation operations as promise-returning methods.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use functiongraph_protocol::limits::{
    ASYNC_BODY_MAX, LIST_LIMIT_MAX, QUERY_VALUE_MAX, SYNC_BODY_MAX,
};
use functiongraph_protocol::paths::{path, Operation};
use functiongraph_protocol::query::ACTIVE_REQUESTS_MAX;
use functiongraph_protocol::time::parse_query_time;
use functiongraph_protocol::{
    headers as h, ActiveAsyncQuery, AsyncStatus, FunctionUrn, ListAsyncQuery,
};
use js_sys::{Promise, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::errors::ClientError;
use crate::fetch::{send, Method, Outgoing};
use crate::jsobj::{absent, get, opt_string, options_object};
use crate::options::{CallOptions, ClientConfig};
use crate::response::{async_result, invoke_result, list_page, service_error};

/// A client for one project. Create it once and reuse it.
#[wasm_bindgen(js_name = FunctionGraphClient)]
pub struct Client {
    config: Rc<ClientConfig>,
}

/// A method's work, boxed so `future_to_promise` is instantiated once for all methods
/// (each instance costs several KB of wasm).
type Work = Pin<Box<dyn Future<Output = Result<JsValue, ClientError>>>>;

/// Runs `work` as a Promise; every failure rejects (never throws synchronously).
fn promise(work: Work) -> Promise {
    future_to_promise(async move { work.await.map_err(JsValue::from) })
}

/// Checks a URN, and that it belongs to the client's project; returns it canonical.
fn checked_urn(config: &ClientConfig, v: &JsValue) -> Result<String, ClientError> {
    let field = "functionUrn";
    let s = v
        .as_string()
        .ok_or_else(|| ClientError::invalid(field, "must be a string"))?;
    let urn = FunctionUrn::parse(&s).map_err(|e| ClientError::invalid(field, e.to_string()))?;
    if urn.project_id != config.project_id {
        return Err(ClientError::invalid(
            field,
            format!(
                "belongs to project {}, but the client is for project {}",
                urn.project_id, config.project_id
            ),
        ));
    }
    Ok(urn.to_string())
}

/// The event as JSON text within `limit` bytes. A string must already be JSON text;
/// `undefined` is the empty object.
fn event_body(event: &JsValue, limit: usize, kind: &str) -> Result<String, ClientError> {
    let field = "event";
    let text = if event.is_undefined() {
        "{}".to_owned()
    } else if let Some(s) = event.as_string() {
        if JSON::parse(&s).is_err() {
            return Err(ClientError::invalid(
                field,
                "a string event is sent as is and must be JSON text; to send a plain string, pass JSON.stringify(text)",
            ));
        }
        s
    } else {
        match JSON::stringify(event) {
            Ok(s) => s
                .as_string()
                .ok_or_else(|| ClientError::invalid(field, "cannot be represented as JSON"))?,
            Err(cause) => {
                return Err(ClientError::Validation {
                    field: field.into(),
                    message: "cannot be serialised as JSON".into(),
                    cause,
                })
            }
        }
    };
    if text.len() > limit {
        return Err(ClientError::invalid(
            field,
            format!(
                "is {} bytes as JSON; a {kind} invocation takes at most {limit} bytes",
                text.len()
            ),
        ));
    }
    Ok(text)
}

/// `logType` and `requestVersion` of `invoke` as headers; `true` when v0 was asked.
fn invoke_headers(options: &Option<JsValue>) -> Result<(Vec<(String, String)>, bool), ClientError> {
    let Some(o) = options else {
        return Ok((Vec::new(), false));
    };
    let mut headers = Vec::new();
    match opt_string(o, "logType", "options.logType")?.as_deref() {
        None | Some("none") => {}
        Some("tail") => headers.push((h::LOG_TYPE.to_owned(), "tail".to_owned())),
        Some(_) => {
            return Err(ClientError::invalid(
                "options.logType",
                "must be \"tail\" or \"none\"",
            ))
        }
    }
    let v0 = match opt_string(o, "requestVersion", "options.requestVersion")?.as_deref() {
        None | Some("v1") => false,
        Some("v0") => true,
        Some(_) => {
            return Err(ClientError::invalid(
                "options.requestVersion",
                "must be \"v0\" or \"v1\"",
            ))
        }
    };
    headers.push((
        h::REQUEST_VERSION.to_owned(),
        if v0 { "v0" } else { "v1" }.to_owned(),
    ));
    Ok((headers, v0))
}

/// A listing time: a valid `Date` or a string in the service's format (or ISO 8601).
fn query_time(v: &JsValue, field: &str) -> Result<Option<i64>, ClientError> {
    if absent(v) {
        return Ok(None);
    }
    if let Some(d) = v.dyn_ref::<js_sys::Date>() {
        let ms = d.get_time();
        return if ms.is_finite() {
            Ok(Some((ms / 1000.0).floor() as i64))
        } else {
            Err(ClientError::invalid(field, "is an invalid Date"))
        };
    }
    v.as_string()
        .as_deref()
        .and_then(parse_query_time)
        .map(Some)
        .ok_or_else(|| {
            ClientError::invalid(
                field,
                "must be a Date or a UTC time \"YYYY-MM-DDTHH:mm:ss\"",
            )
        })
}

/// An async invocation's request id, as the service accepts it.
fn request_id(v: &JsValue, field: &str) -> Result<String, ClientError> {
    match v.as_string() {
        Some(s) if !s.is_empty() && s.len() <= QUERY_VALUE_MAX && !s.contains(',') => Ok(s),
        _ => Err(ClientError::invalid(
            field,
            format!("must be a request id (1 to {QUERY_VALUE_MAX} characters, no commas)"),
        )),
    }
}

/// The active-invocations query: `requestIds` (at most 10) and the listing fields.
fn active_query(q: &Option<JsValue>) -> Result<ActiveAsyncQuery, ClientError> {
    let mut list = list_query(q)?;
    let Some(q) = q else {
        return Ok(ActiveAsyncQuery::default());
    };
    if list.request_id.is_some() {
        return Err(ClientError::invalid(
            "query.requestId",
            "use requestIds (an array) for active invocations",
        ));
    }
    if list.status.is_some_and(|s| s.is_terminal()) {
        return Err(ClientError::invalid(
            "query.status",
            "must be WAIT or RUNNING for active invocations",
        ));
    }
    let ids = get(q, "requestIds");
    let requests = if absent(&ids) {
        Vec::new()
    } else if js_sys::Array::is_array(&ids) {
        let arr = js_sys::Array::from(&ids);
        if arr.length() as usize > ACTIVE_REQUESTS_MAX {
            return Err(ClientError::invalid(
                "query.requestIds",
                format!("may name at most {ACTIVE_REQUESTS_MAX} request ids"),
            ));
        }
        arr.iter()
            .map(|v| request_id(&v, "query.requestIds"))
            .collect::<Result<_, _>>()?
    } else {
        return Err(ClientError::invalid(
            "query.requestIds",
            "must be an array of request ids",
        ));
    };
    list.request_id = None;
    Ok(ActiveAsyncQuery { requests, list })
}

/// The listing query, validated.
fn list_query(q: &Option<JsValue>) -> Result<ListAsyncQuery, ClientError> {
    let Some(q) = q else {
        return Ok(ListAsyncQuery::default());
    };
    let request_id = opt_string(q, "requestId", "query.requestId")?;
    if request_id
        .as_ref()
        .is_some_and(|r| r.len() > QUERY_VALUE_MAX)
    {
        return Err(ClientError::invalid(
            "query.requestId",
            format!("is longer than {QUERY_VALUE_MAX} characters"),
        ));
    }
    let status = match opt_string(q, "status", "query.status")? {
        None => None,
        Some(s) => Some(AsyncStatus::parse(&s).ok_or_else(|| {
            ClientError::invalid(
                "query.status",
                "must be one of WAIT, RUNNING, SUCCESS, FAIL, DISCARD",
            )
        })?),
    };
    let limit = get(q, "limit");
    let limit = if absent(&limit) {
        None
    } else {
        match limit.as_f64() {
            Some(n) if n.fract() == 0.0 && (1.0..=f64::from(LIST_LIMIT_MAX)).contains(&n) => {
                Some(n as u32)
            }
            _ => {
                return Err(ClientError::invalid(
                    "query.limit",
                    format!("must be a whole number from 1 to {LIST_LIMIT_MAX}"),
                ))
            }
        }
    };
    let marker = get(q, "marker");
    let marker = if absent(&marker) {
        None
    } else {
        let m = marker
            .as_f64()
            .filter(|n| n.fract() == 0.0 && *n >= 0.0)
            .map(|n| n as u64)
            .or_else(|| marker.as_string().and_then(|s| s.parse::<u64>().ok()))
            .ok_or_else(|| {
                ClientError::invalid("query.marker", "must be the nextMarker of a previous page")
            })?;
        Some(m)
    };
    let begin = query_time(&get(q, "begin"), "query.begin")?;
    let end = query_time(&get(q, "end"), "query.end")?;
    if let (Some(b), Some(e)) = (begin, end) {
        if b > e {
            return Err(ClientError::invalid("query.begin", "is after query.end"));
        }
    }
    Ok(ListAsyncQuery {
        request_id,
        marker,
        limit,
        status,
        begin,
        end,
    })
}

#[wasm_bindgen(js_class = FunctionGraphClient)]
impl Client {
    /// Creates a client; throws `ValidationError` for bad options.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Client, JsValue> {
        Ok(Client {
            config: Rc::new(ClientConfig::parse(options)?),
        })
    }

    /// Runs a function and waits for its result.
    pub fn invoke(&self, function_urn: JsValue, event: JsValue, options: JsValue) -> Promise {
        let config = self.config.clone();
        promise(Box::pin(async move {
            let urn = checked_urn(&config, &function_urn)?;
            let body = event_body(&event, SYNC_BODY_MAX, "sync")?;
            let options = options_object(options, "options")?;
            let call = CallOptions::parse(&options, &config, "options", false)?;
            let (headers, v0) = invoke_headers(&options)?;
            let out = Outgoing {
                method: Method::Post,
                path: path(&config.project_id, &urn, Operation::Invoke),
                query: Vec::new(),
                headers,
                body: Some(body),
            };
            invoke_result(send(&config, out, &call).await?, v0)
        }))
    }

    /// Queues a function run; resolves with its request id.
    #[wasm_bindgen(js_name = invokeAsync)]
    pub fn invoke_async(&self, function_urn: JsValue, event: JsValue, options: JsValue) -> Promise {
        let config = self.config.clone();
        promise(Box::pin(async move {
            let urn = checked_urn(&config, &function_urn)?;
            let body = event_body(&event, ASYNC_BODY_MAX, "async")?;
            let options = options_object(options, "options")?;
            let call = CallOptions::parse(&options, &config, "options", false)?;
            let out = Outgoing {
                method: Method::Post,
                path: path(&config.project_id, &urn, Operation::InvokeAsync),
                query: Vec::new(),
                headers: Vec::new(),
                body: Some(body),
            };
            async_result(send(&config, out, &call).await?)
        }))
    }

    /// One page of a function's async invocations, newest first.
    #[wasm_bindgen(js_name = listAsyncInvocations)]
    pub fn list_async_invocations(&self, function_urn: JsValue, query: JsValue) -> Promise {
        let config = self.config.clone();
        promise(Box::pin(async move {
            let urn = checked_urn(&config, &function_urn)?;
            let query = options_object(query, "query")?;
            let call = CallOptions::parse(&query, &config, "query", true)?;
            let q = list_query(&query)?;
            let out = Outgoing {
                method: Method::Get,
                path: path(&config.project_id, &urn, Operation::ListAsyncInvocations),
                query: q.to_pairs(),
                headers: Vec::new(),
                body: None,
            };
            list_page(send(&config, out, &call).await?)
        }))
    }

    /// Stops a WAIT or RUNNING async invocation (it ends as DISCARD).
    #[wasm_bindgen(js_name = cancelAsyncInvocation)]
    pub fn cancel_async_invocation(
        &self,
        function_urn: JsValue,
        request: JsValue,
        options: JsValue,
    ) -> Promise {
        let config = self.config.clone();
        promise(Box::pin(async move {
            let urn = checked_urn(&config, &function_urn)?;
            let id = request_id(&request, "requestId")?;
            let options = options_object(options, "options")?;
            let call = CallOptions::parse(&options, &config, "options", false)?;
            let kind = match options
                .as_ref()
                .map(|o| opt_string(o, "type", "options.type"))
                .transpose()?
                .flatten()
                .as_deref()
            {
                None => None,
                Some(k @ ("force" | "recursive")) => Some(k.to_owned()),
                Some(_) => {
                    return Err(ClientError::invalid(
                        "options.type",
                        "must be \"force\" or \"recursive\"",
                    ))
                }
            };
            let body = js_sys::Object::new();
            crate::jsobj::set(&body, "request_id", &JsValue::from_str(&id));
            if let Some(k) = kind {
                crate::jsobj::set(&body, "type", &JsValue::from_str(&k));
            }
            let out = Outgoing {
                method: Method::Post,
                path: path(&config.project_id, &urn, Operation::CancelAsyncInvocation),
                query: Vec::new(),
                headers: Vec::new(),
                body: JSON::stringify(&body).ok().and_then(|s| s.as_string()),
            };
            let inc = send(&config, out, &call).await?;
            if inc.status >= 400 {
                return Err(service_error(&inc));
            }
            Ok(JsValue::UNDEFINED)
        }))
    }

    /// One page of a function's WAIT and RUNNING async invocations, newest first.
    #[wasm_bindgen(js_name = listActiveAsyncInvocations)]
    pub fn list_active_async_invocations(&self, function_urn: JsValue, query: JsValue) -> Promise {
        let config = self.config.clone();
        promise(Box::pin(async move {
            let urn = checked_urn(&config, &function_urn)?;
            let query = options_object(query, "query")?;
            let call = CallOptions::parse(&query, &config, "query", true)?;
            let q = active_query(&query)?;
            let out = Outgoing {
                method: Method::Get,
                path: path(
                    &config.project_id,
                    &urn,
                    Operation::ListActiveAsyncInvocations,
                ),
                query: q.to_pairs(),
                headers: Vec::new(),
                body: None,
            };
            list_page(send(&config, out, &call).await?)
        }))
    }
}
