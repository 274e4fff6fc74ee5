//! The wire format of each call, from `functiongraph-protocol`: the checked request
//! path, the listings' query strings (with their limits), the cancel body, and the
//! listings' times. The JS side (`js/wire.js`) checks the arguments' types and passes
//! strings and numbers; these check their values.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use functiongraph_protocol::limits::{
    ASYNC_BODY_MAX, LIST_LIMIT_MAX, QUERY_VALUE_MAX, SYNC_BODY_MAX,
};
use functiongraph_protocol::paths::{path, Operation};
use functiongraph_protocol::query::{encode, ACTIVE_REQUESTS_MAX};
use functiongraph_protocol::time::parse_query_time;
use functiongraph_protocol::{
    ActiveAsyncQuery, AsyncStatus, CancelAsyncInvocationRequest, CancelType, FunctionUrn,
    ListAsyncQuery,
};
use wasm_bindgen::prelude::*;

use crate::errors::{answer, Invalid};

// The messages below spell these limits out: literal text keeps core::fmt (KB of wasm)
// out of the binary, and these assertions keep the text true.
const _: () = assert!(QUERY_VALUE_MAX == 64 && LIST_LIMIT_MAX == 500 && ACTIVE_REQUESTS_MAX == 10);

const REQUEST_ID_RULE: &str = "must be a request id (1 to 64 characters, no commas)";

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
fn checked_urn(project_id: &str, text: &str) -> Result<String, Invalid> {
    let field = "functionUrn";
    let urn = FunctionUrn::parse(text).map_err(|e| Invalid::new(field, e.describe()))?;
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

/// An async invocation's request id, as the service accepts it.
fn request_id(id: &str, field: &'static str) -> Result<String, Invalid> {
    if !id.is_empty() && id.len() <= QUERY_VALUE_MAX && !id.contains(',') {
        Ok(id.to_owned())
    } else {
        Err(Invalid::new(field, REQUEST_ID_RULE))
    }
}

/// A listing time: a `Date`'s milliseconds (`date_ms`), or text in the service's
/// format (or ISO 8601).
fn query_time(
    text: Option<String>,
    date_ms: Option<f64>,
    field: &'static str,
) -> Result<Option<i64>, Invalid> {
    if let Some(ms) = date_ms {
        return if ms.is_finite() {
            Ok(Some(floor_div_1000(ms)))
        } else {
            Err(Invalid::new(field, "is an invalid Date"))
        };
    }
    let Some(text) = text else {
        return Ok(None);
    };
    parse_query_time(&text).map(Some).ok_or_else(|| {
        Invalid::new(
            field,
            "must be a Date or a UTC time \"YYYY-MM-DDTHH:mm:ss\"",
        )
    })
}

/// The fields of a listing query, as `js/wire.js` passes them.
struct QueryArgs {
    request_id: Option<String>,
    status: Option<String>,
    limit: Option<f64>,
    marker: Option<String>,
    begin: Option<String>,
    begin_ms: Option<f64>,
    end: Option<String>,
    end_ms: Option<f64>,
}

/// The listing query, validated.
fn list_query(q: QueryArgs) -> Result<ListAsyncQuery, Invalid> {
    if q.request_id
        .as_ref()
        .is_some_and(|r| r.len() > QUERY_VALUE_MAX)
    {
        return Err(Invalid::new(
            "query.requestId",
            "is longer than 64 characters",
        ));
    }
    let status = match q.status {
        None => None,
        Some(s) => Some(AsyncStatus::parse(&s).ok_or_else(|| {
            Invalid::new(
                "query.status",
                "must be one of WAIT, RUNNING, SUCCESS, FAIL, DISCARD",
            )
        })?),
    };
    let limit = match q.limit {
        None => None,
        Some(n) if whole(n) && (1.0..=f64::from(LIST_LIMIT_MAX)).contains(&n) => Some(n as u32),
        Some(_) => {
            return Err(Invalid::new(
                "query.limit",
                "must be a whole number from 1 to 500",
            ))
        }
    };
    let marker = match q.marker {
        None => None,
        Some(m) => Some(m.parse::<u64>().map_err(|_| {
            Invalid::new("query.marker", "must be the nextMarker of a previous page")
        })?),
    };
    let begin = query_time(q.begin, q.begin_ms, "query.begin")?;
    let end = query_time(q.end, q.end_ms, "query.end")?;
    if let (Some(b), Some(e)) = (begin, end) {
        if b > e {
            return Err(Invalid::new("query.begin", "is after query.end"));
        }
    }
    Ok(ListAsyncQuery {
        request_id: q.request_id,
        marker,
        limit,
        status,
        begin,
        end,
    })
}

/// The request ids of an active listing: `count` ids joined with commas, as on the
/// wire, so an id with a comma in it shows as a piece too many.
fn requests(joined: Option<String>, count: u32) -> Result<Vec<String>, Invalid> {
    let field = "query.requestIds";
    let Some(joined) = joined else {
        return Ok(Vec::new());
    };
    if count as usize > ACTIVE_REQUESTS_MAX {
        return Err(Invalid::new(field, "may name at most 10 request ids"));
    }
    if count == 0 {
        return Ok(Vec::new());
    }
    let ids = joined
        .split(',')
        .map(|id| request_id(id, field))
        .collect::<Result<Vec<_>, _>>()?;
    if ids.len() != count as usize {
        return Err(Invalid::new(field, REQUEST_ID_RULE));
    }
    Ok(ids)
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

/// The path of operation `op` on `function_urn` (which must be in `project_id`),
/// without the endpoint's own path prefix or a query string.
#[wasm_bindgen(js_name = requestPath)]
pub fn request_path(project_id: &str, function_urn: &str, op: u8) -> String {
    answer(checked_urn(project_id, function_urn).map(|urn| path(project_id, &urn, operation(op))))
}

/// The query string (without `?`, empty when there is none) of a listing, or of an
/// active listing when `active`, from its fields (see `js/wire.js`).
#[wasm_bindgen(js_name = listingQuery)]
#[allow(clippy::too_many_arguments)] // one crossing with plain values, not an object
pub fn listing_query(
    active: bool,
    request_id: Option<String>,
    status: Option<String>,
    limit: Option<f64>,
    marker: Option<String>,
    begin: Option<String>,
    begin_ms: Option<f64>,
    end: Option<String>,
    end_ms: Option<f64>,
    request_ids: Option<String>,
    request_id_count: u32,
) -> String {
    let args = QueryArgs {
        request_id,
        status,
        limit,
        marker,
        begin,
        begin_ms,
        end,
        end_ms,
    };
    answer((|| {
        let pairs = if active {
            let list = list_query(args)?;
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
            let requests = requests(request_ids, request_id_count)?;
            ActiveAsyncQuery { requests, list }.to_pairs()
        } else {
            list_query(args)?.to_pairs()
        };
        Ok(encode(&pairs))
    })())
}

/// The JSON body of a cancel: `{"request_id": …, "type"?: "force" | "recursive"}`.
#[wasm_bindgen(js_name = cancelBody)]
pub fn cancel_body(request: &str, kind: Option<String>) -> String {
    answer((|| {
        let request_id = request_id(request, "requestId")?;
        let kind = match kind {
            None => None,
            Some(k) => Some(CancelType::parse(&k).ok_or_else(|| {
                Invalid::new("options.type", "must be \"force\" or \"recursive\"")
            })?),
        };
        Ok(CancelAsyncInvocationRequest { request_id, kind }.to_json())
    })())
}

/// A time of a listing's record (`start_time`, `end_time`) as seconds since the epoch,
/// or NaN when it is not one.
#[wasm_bindgen(js_name = parseTime)]
pub fn parse_time(text: &str) -> f64 {
    parse_query_time(text).map_or(f64::NAN, |secs| secs as f64)
}

/// The largest event of a sync (or, with `is_async`, an async) invocation, in UTF-8
/// bytes. (A number, not an array: an array return needs more glue.)
#[wasm_bindgen(js_name = bodyLimit)]
pub fn body_limit(is_async: bool) -> u32 {
    (if is_async {
        ASYNC_BODY_MAX
    } else {
        SYNC_BODY_MAX
    }) as u32
}
