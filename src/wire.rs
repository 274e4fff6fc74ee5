//! The wire format of each call, from `functiongraph-protocol`: the checked request
//! path with its query string, the cancel body, the listings' times, and the body
//! limits. Each export is synchronous and throws a `ValidationError` naming the bad
//! argument.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use functiongraph_protocol::limits::{
    ASYNC_BODY_MAX, LIST_LIMIT_MAX, QUERY_VALUE_MAX, SYNC_BODY_MAX,
};
use functiongraph_protocol::paths::{path, Operation};
use functiongraph_protocol::query::{encode, ACTIVE_REQUESTS_MAX};
use functiongraph_protocol::time::parse_query_time;
use functiongraph_protocol::{ActiveAsyncQuery, AsyncStatus, FunctionUrn, ListAsyncQuery};
use js_sys::{Array, Object, JSON};
use wasm_bindgen::prelude::*;

use crate::errors::Invalid;
use crate::jsobj::{absent, get, opt_string, options_object, set};

// The messages below spell these limits out: literal text keeps core::fmt (KB of wasm)
// out of the binary, and these assertions keep the text true.
const _: () = assert!(QUERY_VALUE_MAX == 64 && LIST_LIMIT_MAX == 500 && ACTIVE_REQUESTS_MAX == 10);

/// Whether `n` is a whole number (`f64::fract` needs std).
fn whole(n: f64) -> bool {
    n == (n as i64) as f64
}

/// `floor(ms / 1000)`: seconds of a finite time in milliseconds.
fn floor_div_1000(ms: f64) -> i64 {
    let secs = ms / 1000.0;
    let truncated = secs as i64;
    if (truncated as f64) > secs {
        truncated - 1
    } else {
        truncated
    }
}

/// Checks a URN, and that it belongs to the client's project; returns it canonical.
fn checked_urn(project_id: &str, v: &JsValue) -> Result<String, Invalid> {
    let field = "functionUrn";
    let s = v
        .as_string()
        .ok_or_else(|| Invalid::new(field, "must be a string"))?;
    let urn = FunctionUrn::parse(&s).map_err(|e| Invalid::new(field, e.describe()))?;
    if urn.project_id != project_id {
        let mut message = String::from("belongs to project ");
        for part in [
            &urn.project_id,
            ", but the client is for project ",
            project_id,
        ] {
            message.push_str(part);
        }
        return Err(Invalid::new(field, message));
    }
    Ok(urn.canonical())
}

/// A listing time: a valid `Date` or a string in the service's format (or ISO 8601).
fn query_time(v: &JsValue, field: &str) -> Result<Option<i64>, Invalid> {
    if absent(v) {
        return Ok(None);
    }
    if let Some(d) = v.dyn_ref::<js_sys::Date>() {
        let ms = d.get_time();
        return if ms.is_finite() {
            Ok(Some(floor_div_1000(ms)))
        } else {
            Err(Invalid::new(field, "is an invalid Date"))
        };
    }
    v.as_string()
        .as_deref()
        .and_then(parse_query_time)
        .map(Some)
        .ok_or_else(|| {
            Invalid::new(
                field,
                "must be a Date or a UTC time \"YYYY-MM-DDTHH:mm:ss\"",
            )
        })
}

/// An async invocation's request id, as the service accepts it.
fn request_id(v: &JsValue, field: &str) -> Result<String, Invalid> {
    match v.as_string() {
        Some(s) if !s.is_empty() && s.len() <= QUERY_VALUE_MAX && !s.contains(',') => Ok(s),
        _ => Err(Invalid::new(
            field,
            "must be a request id (1 to 64 characters, no commas)",
        )),
    }
}

/// The listing query, validated.
fn list_query(q: &Option<JsValue>) -> Result<ListAsyncQuery, Invalid> {
    let Some(q) = q else {
        return Ok(ListAsyncQuery::default());
    };
    let request_id = opt_string(q, "requestId", "query.requestId")?;
    if request_id
        .as_ref()
        .is_some_and(|r| r.len() > QUERY_VALUE_MAX)
    {
        return Err(Invalid::new(
            "query.requestId",
            "is longer than 64 characters",
        ));
    }
    let status = match opt_string(q, "status", "query.status")? {
        None => None,
        Some(s) => Some(AsyncStatus::parse(&s).ok_or_else(|| {
            Invalid::new(
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
            Some(n) if whole(n) && (1.0..=f64::from(LIST_LIMIT_MAX)).contains(&n) => Some(n as u32),
            _ => {
                return Err(Invalid::new(
                    "query.limit",
                    "must be a whole number from 1 to 500",
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
            .filter(|n| whole(*n) && *n >= 0.0)
            .map(|n| n as u64)
            .or_else(|| marker.as_string().and_then(|s| s.parse::<u64>().ok()))
            .ok_or_else(|| {
                Invalid::new("query.marker", "must be the nextMarker of a previous page")
            })?;
        Some(m)
    };
    let begin = query_time(&get(q, "begin"), "query.begin")?;
    let end = query_time(&get(q, "end"), "query.end")?;
    if let (Some(b), Some(e)) = (begin, end) {
        if b > e {
            return Err(Invalid::new("query.begin", "is after query.end"));
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

/// The active-invocations query: `requestIds` (at most 10) and the listing fields.
fn active_query(q: &Option<JsValue>) -> Result<ActiveAsyncQuery, Invalid> {
    let mut list = list_query(q)?;
    let Some(q) = q else {
        return Ok(ActiveAsyncQuery::default());
    };
    if list.request_id.is_some() {
        return Err(Invalid::new(
            "query.requestId",
            "use requestIds (an array) for active invocations",
        ));
    }
    if list.status.is_some_and(|s| s.is_terminal()) {
        return Err(Invalid::new(
            "query.status",
            "must be WAIT or RUNNING for active invocations",
        ));
    }
    let ids = get(q, "requestIds");
    let requests = if absent(&ids) {
        Vec::new()
    } else if Array::is_array(&ids) {
        let arr = Array::from(&ids);
        if arr.length() as usize > ACTIVE_REQUESTS_MAX {
            return Err(Invalid::new(
                "query.requestIds",
                "may name at most 10 request ids",
            ));
        }
        arr.iter()
            .map(|v| request_id(&v, "query.requestIds"))
            .collect::<Result<_, _>>()?
    } else {
        return Err(Invalid::new(
            "query.requestIds",
            "must be an array of request ids",
        ));
    };
    list.request_id = None;
    Ok(ActiveAsyncQuery { requests, list })
}

/// The operations, numbered as `js/client.js` names them.
fn operation(op: u8) -> Operation {
    match op {
        0 => Operation::Invoke,
        1 => Operation::InvokeAsync,
        2 => Operation::ListAsyncInvocations,
        3 => Operation::ListActiveAsyncInvocations,
        _ => Operation::CancelAsyncInvocation,
    }
}

/// The path of operation `op` on `function_urn` (which must be in `project_id`), with
/// the listings' `query` checked and appended as the query string. The endpoint's own
/// path prefix is not included.
#[wasm_bindgen(js_name = requestPath)]
pub fn request_path(
    project_id: &str,
    function_urn: JsValue,
    op: u8,
    query: JsValue,
) -> Result<String, JsValue> {
    let urn = checked_urn(project_id, &function_urn)?;
    let operation = operation(op);
    let mut out = path(project_id, &urn, operation);
    let pairs = match operation {
        Operation::ListAsyncInvocations => list_query(&options_object(query, "query")?)?.to_pairs(),
        Operation::ListActiveAsyncInvocations => {
            active_query(&options_object(query, "query")?)?.to_pairs()
        }
        _ => Vec::new(),
    };
    if !pairs.is_empty() {
        out.push('?');
        out.push_str(&encode(&pairs));
    }
    Ok(out)
}

/// The JSON body of a cancel: `{"request_id": …, "type"?: "force" | "recursive"}`.
#[wasm_bindgen(js_name = cancelBody)]
pub fn cancel_body(request: JsValue, kind: Option<String>) -> Result<String, JsValue> {
    let id = request_id(&request, "requestId")?;
    let body = Object::new();
    set(&body, "request_id", &JsValue::from_str(&id));
    match kind.as_deref() {
        None => {}
        Some(k @ ("force" | "recursive")) => set(&body, "type", &JsValue::from_str(k)),
        Some(_) => {
            return Err(Invalid::new("options.type", "must be \"force\" or \"recursive\"").into())
        }
    }
    Ok(JSON::stringify(&body)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default())
}

/// A time of a listing's record (`start_time`, `end_time`) as seconds since the epoch,
/// or NaN when it is not one.
#[wasm_bindgen(js_name = parseTime)]
pub fn parse_time(text: &str) -> f64 {
    parse_query_time(text).map_or(f64::NAN, |secs| secs as f64)
}

/// The largest events, in UTF-8 bytes: `[sync, async]`.
#[wasm_bindgen(js_name = bodyLimits)]
pub fn body_limits() -> Vec<u32> {
    vec![SYNC_BODY_MAX as u32, ASYNC_BODY_MAX as u32]
}
