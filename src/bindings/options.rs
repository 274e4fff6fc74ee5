//! JavaScript options into the client's Rust settings. Each object is first copied into
//! a plain one by a catching `Object.assign` (so a throwing getter or Proxy trap of the
//! caller's runs, and fails, outside any Rust frame), then read with serde-wasm-bindgen
//! into a struct; a bad field is a `ValidationError` naming it.

use std::collections::BTreeMap;
use std::rc::Rc;

use functiongraph_protocol::time::parse_query_time;
use functiongraph_protocol::{ActiveAsyncQuery, AsyncStatus, CancelType, ListAsyncQuery};
use js_sys::{Function, Object, Promise};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use crate::config::{
    CallOptions, Config, CredentialSource, Credentials, InvokeAsyncOptions, InvokeOptions, LogType,
    RequestVersion, Retry, RetryPolicy, WaitOptions,
};
use crate::error::Error;
use crate::signer::RequestToSign;

use super::convert::attempt_hook;

#[wasm_bindgen]
extern "C" {
    // Catching forms of what reads a caller's value: user code may throw from them.
    #[wasm_bindgen(js_namespace = Object, js_name = assign, catch)]
    fn assign(target: &Object, source: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = Array, js_name = from, catch)]
    fn array_from(source: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ["Object", "prototype", "isPrototypeOf"], js_name = call, catch)]
    fn is_prototype_of(prototype: &JsValue, value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(js_namespace = ["Date", "prototype", "getTime"], js_name = call, catch)]
    fn date_time(date: &JsValue) -> Result<f64, JsValue>;
    #[wasm_bindgen(thread_local_v2, js_namespace = AbortSignal, js_name = prototype)]
    static ABORT_SIGNAL_PROTOTYPE: JsValue;
}

/// Undefined and null: an option not given.
fn absent(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

/// A caller's object copied into a plain one; `None` when absent.
fn plain(value: &JsValue, field: &str) -> Result<Option<JsValue>, Error> {
    if absent(value) {
        return Ok(None);
    }
    if !value.is_object() || js_sys::Array::is_array(value) {
        return Err(Error::invalid(field, "must be an object"));
    }
    assign(&Object::new(), value)
        .map(Some)
        .map_err(|cause| Error::unreadable(field, "could not be read", cause))
}

/// A plain object read into `T`; a bad field is named `{prefix}.{field}`.
fn read<T: DeserializeOwned>(value: JsValue, prefix: &str) -> Result<T, Error> {
    serde_path_to_error::deserialize(serde_wasm_bindgen::Deserializer::from(value)).map_err(|e| {
        let path = e.path().to_string();
        let field = match path.split('.').next() {
            Some(first) if first != "?" && !first.is_empty() => format!("{prefix}.{first}"),
            _ => prefix.to_owned(),
        };
        Error::invalid(field, format!("has the wrong type ({})", e.inner()))
    })
}

/// A caller's options object read into `T` (the default when absent).
fn options<T: DeserializeOwned + Default>(value: &JsValue, field: &str) -> Result<T, Error> {
    match plain(value, field)? {
        Some(copy) => read(copy, field),
        None => Ok(T::default()),
    }
}

/// A whole number in `range`, as `u32`.
fn whole(
    value: f64,
    range: std::ops::RangeInclusive<u32>,
    field: &str,
    rule: &str,
) -> Result<u32, Error> {
    if value.fract() == 0.0
        && value >= f64::from(*range.start())
        && value <= f64::from(*range.end())
    {
        Ok(value as u32)
    } else {
        Err(Error::invalid(field, rule))
    }
}

/// An optional duration in ms: finite, 0 or more.
fn millis(value: Option<f64>, field: &str) -> Result<Option<f64>, Error> {
    value
        .map(|ms| crate::config::check_millis(ms, field))
        .transpose()
}

/// An `AbortSignal`, if given.
fn signal(value: &JsValue, field: &str) -> Result<Option<AbortSignal>, Error> {
    if absent(value) {
        return Ok(None);
    }
    match ABORT_SIGNAL_PROTOTYPE.with(|prototype| is_prototype_of(prototype, value)) {
        Ok(true) => Ok(Some(value.clone().unchecked_into())),
        _ => Err(Error::invalid(field, "must be an AbortSignal")),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct RetryJs {
    max_attempts: Option<f64>,
    base_delay_ms: Option<f64>,
    max_delay_ms: Option<f64>,
    retry_invocations: Option<bool>,
}

/// `retry`: `true`, `false`, or an object overriding fields of `base`.
fn retry(value: &JsValue, base: RetryPolicy, field: &str) -> Result<(Retry, bool), Error> {
    if absent(value) {
        return Ok((Retry::Default, false));
    }
    if let Some(on) = value.as_bool() {
        return Ok((if on { Retry::On } else { Retry::Off }, false));
    }
    if !value.is_object() {
        return Err(Error::invalid(field, "must be a boolean or an object"));
    }
    let r: RetryJs = options(value, field)?;
    let policy = RetryPolicy {
        max_attempts: match r.max_attempts {
            Some(n) => whole(
                n,
                1..=10,
                &format!("{field}.maxAttempts"),
                "must be a whole number from 1 to 10",
            )?,
            None => base.max_attempts,
        },
        base_delay_ms: millis(r.base_delay_ms, &format!("{field}.baseDelayMs"))?
            .unwrap_or(base.base_delay_ms),
        max_delay_ms: millis(r.max_delay_ms, &format!("{field}.maxDelayMs"))?
            .unwrap_or(base.max_delay_ms),
    };
    policy.check(field)?;
    Ok((Retry::Policy(policy), r.retry_invocations.unwrap_or(false)))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct CredentialsJs {
    token: Option<String>,
    access_key: Option<String>,
    secret_key: Option<String>,
    security_token: Option<String>,
}

const CREDENTIALS_SHAPE: &str =
    "must be { token }, { accessKey, secretKey, securityToken? }, or a function returning one";

/// `{token}` or `{accessKey, secretKey, securityToken?}`.
pub(crate) fn credentials(value: &JsValue, field: &str) -> Result<Credentials, Error> {
    if !value.is_object() || value.is_function() {
        return Err(Error::invalid(field, CREDENTIALS_SHAPE));
    }
    let c: CredentialsJs = options(value, field)?;
    if let Some(token) = c.token {
        if token.is_empty() {
            return Err(Error::invalid(field, "token must not be empty"));
        }
        return Ok(Credentials::Token(token));
    }
    match (c.access_key, c.secret_key) {
        (Some(access_key), Some(secret_key))
            if !access_key.is_empty() && !secret_key.is_empty() =>
        {
            Ok(Credentials::AccessKey {
                access_key,
                secret_key,
                security_token: c.security_token.filter(|t| !t.is_empty()),
            })
        }
        _ => Err(Error::invalid(field, CREDENTIALS_SHAPE)),
    }
}

/// A JS function returning credentials (or a promise of them), called before every attempt.
fn provider(function: Function) -> CredentialSource {
    CredentialSource::Provider(Rc::new(move || {
        let function = function.clone();
        Box::pin(async move {
            let field = "options.credentials";
            let failed = |cause| Error::unreadable(field, "the credentials provider failed", cause);
            let value = function.call0(&JsValue::UNDEFINED).map_err(failed)?;
            let value = JsFuture::from(Promise::resolve(&value))
                .await
                .map_err(failed)?;
            credentials(&value, "options.credentials (from the provider)")
        })
    }))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ClientOptionsJs {
    project_id: Option<String>,
    region: Option<String>,
    endpoint: Option<String>,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    credentials: JsValue,
    timeout_ms: Option<f64>,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    retry: JsValue,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    headers: JsValue,
    user_agent: Option<String>,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    on_request: JsValue,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    on_response: JsValue,
    debug: Option<bool>,
}

/// A hook option: a function, or absent.
fn function(value: &JsValue, field: &str) -> Result<Option<Function>, Error> {
    if absent(value) {
        return Ok(None);
    }
    value
        .dyn_ref::<Function>()
        .cloned()
        .map(Some)
        .ok_or_else(|| Error::invalid(field, "must be a function"))
}

/// The constructor's options into the client's settings.
pub(crate) fn client_config(value: &JsValue) -> Result<Config, Error> {
    if absent(value) {
        return Err(Error::invalid(
            "options",
            "are required: { projectId, region | endpoint, credentials }",
        ));
    }
    let o: ClientOptionsJs = options(value, "options")?;
    let project_id = o.project_id.unwrap_or_default();
    crate::config::check_project_id(&project_id)?;
    let mut config = match (o.endpoint, o.region) {
        (Some(endpoint), _) => Config::new(project_id, endpoint),
        (None, Some(region)) => Config::for_region(project_id, &region)?,
        (None, None) => {
            return Err(Error::invalid(
                "options",
                "need a region (e.g. cn-north-4) or an endpoint URL",
            ))
        }
    };
    config.credentials = if absent(&o.credentials) {
        CredentialSource::None
    } else if let Some(f) = o.credentials.dyn_ref::<Function>() {
        provider(f.clone())
    } else {
        CredentialSource::Static(credentials(&o.credentials, "options.credentials")?)
    };
    if let Some(ms) = millis(o.timeout_ms, "options.timeoutMs")? {
        config.timeout_ms = ms;
    }
    let (retry, retry_invocations) = retry(&o.retry, RetryPolicy::DEFAULT, "options.retry")?;
    config.retry = match retry {
        Retry::Off => RetryPolicy::NONE,
        Retry::Policy(p) => p,
        Retry::Default | Retry::On => RetryPolicy::DEFAULT,
    };
    config.retry_invocations = retry_invocations;
    let headers: BTreeMap<String, String> =
        options(&o.headers, "options.headers").map_err(|e| match e {
            Error::Validation { message, cause, .. } => Error::Validation {
                field: "options.headers".into(),
                message,
                cause,
            },
            other => other,
        })?;
    config.headers = headers.into_iter().collect();
    config.user_agent = o.user_agent;
    let debug = o.debug.unwrap_or(false);
    let on_request = function(&o.on_request, "options.onRequest")?;
    let on_response = function(&o.on_response, "options.onResponse")?;
    config.on_request = attempt_hook(on_request, debug, "request");
    config.on_response = attempt_hook(on_response, debug, "response");
    Ok(config)
}

/// Every call's options, and those of each operation (one struct: unknown fields are ignored).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct CallOptionsJs {
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    signal: JsValue,
    timeout_ms: Option<f64>,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    retry: JsValue,
    log_type: Option<String>,
    request_version: Option<String>,
    instance_memory: Option<f64>,
    #[serde(rename = "type")]
    kind: Option<String>,
    interval_ms: Option<f64>,
    max_interval_ms: Option<f64>,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    since: JsValue,
}

fn call_options(o: &CallOptionsJs, config: &Config, field: &str) -> Result<CallOptions, Error> {
    Ok(CallOptions {
        signal: signal(&o.signal, &format!("{field}.signal"))?,
        timeout_ms: millis(o.timeout_ms, &format!("{field}.timeoutMs"))?,
        retry: retry(&o.retry, config.retry, &format!("{field}.retry"))?.0,
    })
}

fn instance_memory(value: Option<f64>) -> Result<Option<u32>, Error> {
    value
        .map(|mb| {
            whole(
                mb,
                1..=u32::MAX,
                "options.instanceMemory",
                "must be a whole number of MB above 0",
            )
        })
        .transpose()
}

/// `invoke`'s options.
pub(crate) fn invoke_options(value: &JsValue, config: &Config) -> Result<InvokeOptions, Error> {
    let o: CallOptionsJs = options(value, "options")?;
    let log_type = match o.log_type.as_deref() {
        None | Some("none") => LogType::None,
        Some("tail") => LogType::Tail,
        Some(_) => {
            return Err(Error::invalid(
                "options.logType",
                "must be \"tail\" or \"none\"",
            ))
        }
    };
    let request_version = match o.request_version.as_deref() {
        None | Some("v1") => RequestVersion::V1,
        Some("v0") => RequestVersion::V0,
        Some(_) => {
            return Err(Error::invalid(
                "options.requestVersion",
                "must be \"v0\" or \"v1\"",
            ))
        }
    };
    Ok(InvokeOptions {
        call: call_options(&o, config, "options")?,
        log_type,
        request_version,
        instance_memory_mb: instance_memory(o.instance_memory)?,
    })
}

/// `invokeAsync`'s options.
pub(crate) fn invoke_async_options(
    value: &JsValue,
    config: &Config,
) -> Result<InvokeAsyncOptions, Error> {
    let o: CallOptionsJs = options(value, "options")?;
    Ok(InvokeAsyncOptions {
        call: call_options(&o, config, "options")?,
        instance_memory_mb: instance_memory(o.instance_memory)?,
    })
}

/// `cancelAsyncInvocation`'s options: the call's, and the cancel type.
pub(crate) fn cancel_options(
    value: &JsValue,
    config: &Config,
) -> Result<(CallOptions, Option<CancelType>), Error> {
    let o: CallOptionsJs = options(value, "options")?;
    let kind = o
        .kind
        .as_deref()
        .map(|k| {
            CancelType::parse(k)
                .ok_or_else(|| Error::invalid("options.type", "must be \"force\" or \"recursive\""))
        })
        .transpose()?;
    Ok((call_options(&o, config, "options")?, kind))
}

/// A listing time: a `Date`, or text in the service's format (or ISO 8601).
fn time(value: &JsValue, field: &str) -> Result<Option<i64>, Error> {
    if absent(value) {
        return Ok(None);
    }
    if let Some(text) = value.as_string() {
        return parse_query_time(&text).map(Some).ok_or_else(|| {
            Error::invalid(
                field,
                "must be a Date or a UTC time \"YYYY-MM-DDTHH:mm:ss\"",
            )
        });
    }
    match date_time(value) {
        Ok(ms) if ms.is_finite() => Ok(Some((ms / 1000.0).floor() as i64)),
        Ok(_) => Err(Error::invalid(field, "is an invalid Date")),
        Err(_) => Err(Error::invalid(
            field,
            "must be a Date or a UTC time \"YYYY-MM-DDTHH:mm:ss\"",
        )),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct QueryJs {
    request_id: Option<String>,
    status: Option<String>,
    limit: Option<f64>,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    marker: JsValue,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    begin: JsValue,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    end: JsValue,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    request_ids: JsValue,
    max_items: Option<f64>,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    signal: JsValue,
    timeout_ms: Option<f64>,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    retry: JsValue,
}

/// A listing's query read: the query, the call's options, and `maxItems`.
pub(crate) struct Query {
    pub list: ListAsyncQuery,
    pub request_ids: Vec<String>,
    pub call: CallOptions,
    pub max_items: Option<u64>,
}

impl Query {
    /// As an active listing's query.
    pub fn active(&self) -> ActiveAsyncQuery {
        ActiveAsyncQuery {
            requests: self.request_ids.clone(),
            list: self.list.clone(),
        }
    }
}

/// A listing's query (which carries the call's options too).
pub(crate) fn query(value: &JsValue, config: &Config, active: bool) -> Result<Query, Error> {
    let q: QueryJs = options(value, "query")?;
    let status = q
        .status
        .map(|s| {
            AsyncStatus::parse(&s).ok_or_else(|| {
                Error::invalid(
                    "query.status",
                    "must be one of WAIT, RUNNING, SUCCESS, FAIL, DISCARD",
                )
            })
        })
        .transpose()?;
    let limit = q
        .limit
        .map(|n| {
            whole(
                n,
                1..=500,
                "query.limit",
                "must be a whole number from 1 to 500",
            )
        })
        .transpose()?;
    let marker = if absent(&q.marker) {
        None
    } else {
        let text = q
            .marker
            .as_string()
            .or_else(|| q.marker.as_f64().map(|n| n.to_string()));
        Some(text.and_then(|t| t.parse::<u64>().ok()).ok_or_else(|| {
            Error::invalid("query.marker", "must be the nextMarker of a previous page")
        })?)
    };
    let request_ids = if active && !absent(&q.request_ids) {
        let field = "query.requestIds";
        if !js_sys::Array::is_array(&q.request_ids) {
            return Err(Error::invalid(field, "must be an array of request ids"));
        }
        let copy = array_from(&q.request_ids)
            .map_err(|cause| Error::unreadable(field, "could not be read", cause))?;
        read::<Vec<String>>(copy, field)?
    } else {
        Vec::new()
    };
    let max_items = q
        .max_items
        .map(|n| {
            if n.fract() == 0.0 && n >= 1.0 {
                Ok(n as u64)
            } else {
                Err(Error::invalid(
                    "query.maxItems",
                    "must be a whole number above 0",
                ))
            }
        })
        .transpose()?;
    let call = CallOptions {
        signal: signal(&q.signal, "query.signal")?,
        timeout_ms: millis(q.timeout_ms, "query.timeoutMs")?,
        retry: retry(&q.retry, config.retry, "query.retry")?.0,
    };
    Ok(Query {
        list: ListAsyncQuery {
            request_id: q.request_id,
            marker,
            limit,
            status,
            begin: time(&q.begin, "query.begin")?,
            end: time(&q.end, "query.end")?,
        },
        request_ids,
        call,
        max_items,
    })
}

/// The options of a wait.
pub(crate) fn wait_options(value: &JsValue) -> Result<WaitOptions, Error> {
    let o: CallOptionsJs = options(value, "options")?;
    let defaults = WaitOptions::default();
    Ok(WaitOptions {
        interval_ms: o.interval_ms.unwrap_or(defaults.interval_ms),
        max_interval_ms: o.max_interval_ms.unwrap_or(defaults.max_interval_ms),
        timeout_ms: o.timeout_ms.unwrap_or(defaults.timeout_ms),
        signal: signal(&o.signal, "options.signal")?,
        since: time(&o.since, "options.since")?,
    })
}

/// The event as JSON text: any JSON value; a string is sent as is and must be JSON text;
/// undefined is `{}`.
pub(crate) fn event(value: &JsValue) -> Result<String, Error> {
    let field = "event";
    if value.is_undefined() {
        return Ok("{}".to_owned());
    }
    if let Some(text) = value.as_string() {
        if js_sys::JSON::parse(&text).is_err() {
            return Err(Error::invalid(
                field,
                "a string event is sent as is and must be JSON text; to send a plain string, pass JSON.stringify(text)",
            ));
        }
        return Ok(text);
    }
    match js_sys::JSON::stringify(value) {
        Ok(text) => text
            .as_string()
            .ok_or_else(|| Error::invalid(field, "cannot be represented as JSON")),
        Err(cause) => Err(Error::unreadable(
            field,
            "cannot be serialised as JSON",
            cause,
        )),
    }
}

/// A required string argument.
pub(crate) fn string_arg(value: &JsValue, field: &str) -> Result<String, Error> {
    value
        .as_string()
        .ok_or_else(|| Error::invalid(field, "must be a string"))
}

#[derive(Deserialize, Default)]
struct SignableJs {
    method: Option<String>,
    url: Option<String>,
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    headers: JsValue,
    body: Option<String>,
}

#[derive(Deserialize, Default)]
struct SignOptionsJs {
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    date: JsValue,
}

/// What `signRequest` signs: the request, the keys, and the time (whole seconds).
pub(crate) type SignArguments = (RequestToSign, String, String, Option<String>, i64);

/// `signRequest`'s arguments.
pub(crate) fn sign_arguments(
    request: &JsValue,
    credentials: &JsValue,
    options_value: &JsValue,
) -> Result<SignArguments, Error> {
    if absent(request) {
        return Err(Error::invalid("request", "is required"));
    }
    let r: SignableJs = options(request, "request")?;
    let required = |v: Option<String>, field: &str| {
        v.filter(|s| !s.is_empty())
            .ok_or_else(|| Error::invalid(field, "is required (a non-empty string)"))
    };
    let method = required(r.method, "request.method")?;
    let url = required(r.url, "request.url")?;
    let headers: Vec<(String, String)> = match plain(&r.headers, "request.headers")? {
        Some(copy) => {
            let map: BTreeMap<String, String> = read(copy, "request.headers")
                .map_err(|_| Error::invalid("request.headers", "every value must be a string"))?;
            map.into_iter().collect()
        }
        None => Vec::new(),
    };
    let c: CredentialsJs = options(credentials, "credentials")?;
    let access_key = required(c.access_key, "credentials.accessKey")?;
    let secret_key = required(c.secret_key, "credentials.secretKey")?;
    let o: SignOptionsJs = options(options_value, "options")?;
    let ms = if absent(&o.date) {
        crate::platform::now_ms()
    } else {
        match date_time(&o.date) {
            Ok(ms) if ms.is_finite() => ms,
            Ok(_) => return Err(Error::invalid("options.date", "is an invalid Date")),
            Err(_) => return Err(Error::invalid("options.date", "must be a Date")),
        }
    };
    let request = RequestToSign {
        method,
        url,
        headers,
        body: r.body.unwrap_or_default(),
    };
    Ok((
        request,
        access_key,
        secret_key,
        c.security_token,
        (ms / 1000.0).floor() as i64,
    ))
}
