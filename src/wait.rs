//! Waiting for an async invocation: poll its record until it is SUCCESS, FAIL or DISCARD.

use functiongraph_protocol::limits::{ASYNC_EVENT_AGE_RANGE, LIST_DEFAULT_WINDOW_SECS};
use functiongraph_protocol::{AsyncInvocation, ListAsyncQuery};

use crate::client::{check_request_id, Client};
use crate::config::{CallOptions, WaitOptions};
use crate::error::Error;
use crate::platform::now_ms;
use crate::signal::{sleep, CallSignal};

fn positive(value: f64, field: &str) -> Result<f64, Error> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Error::invalid(field, "must be a number above 0"))
    }
}

pub(crate) async fn wait(
    client: &Client,
    function_urn: &str,
    request_id: &str,
    options: &WaitOptions,
) -> Result<AsyncInvocation, Error> {
    check_request_id(request_id, "requestId")?;
    let mut interval = positive(options.interval_ms, "options.intervalMs")?;
    let max_interval = positive(options.max_interval_ms, "options.maxIntervalMs")?;
    crate::config::check_millis(options.timeout_ms, "options.timeoutMs")?;
    if let Some(signal) = &options.signal {
        if signal.aborted() {
            return Err(Error::Aborted(signal.reason()));
        }
    }
    // The service lists the last hour unless asked otherwise, even by request id.
    let oldest_runnable = i64::from(*ASYNC_EVENT_AGE_RANGE.end()) + LIST_DEFAULT_WINDOW_SECS;
    let since = options
        .since
        .unwrap_or((now_ms() / 1000.0).floor() as i64 - oldest_runnable);
    let guard = CallSignal::new(options.signal.as_ref(), options.timeout_ms);
    let query = ListAsyncQuery {
        request_id: Some(request_id.to_owned()),
        begin: Some(since),
        ..ListAsyncQuery::default()
    };
    loop {
        let call = CallOptions {
            signal: guard.signal(),
            ..CallOptions::default()
        };
        match client
            .list_async_invocations(function_urn, &query, &call)
            .await
        {
            Ok(page) => {
                let done = page
                    .invocations
                    .into_iter()
                    .find(|i| i.request_id == request_id && i.status.is_terminal());
                if let Some(record) = done {
                    return Ok(record);
                }
            }
            Err(e) => return Err(guard.failure().unwrap_or(e)),
        }
        if sleep(interval, guard.signal().as_ref()).await.is_err() {
            return Err(guard
                .failure()
                .unwrap_or_else(|| Error::invalid("options.signal", "aborted")));
        }
        interval = (interval * 1.5).min(max_interval);
    }
}
