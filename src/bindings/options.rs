//! JavaScript options into the client's Rust settings. Each object is first copied into
//! a plain one by a catching `Object.assign` (so a throwing getter or Proxy trap of the
//! caller's runs, and fails, outside any Rust frame), then read with serde-wasm-bindgen
//! into a struct of its fields, each kept as the JS value it is; each field is then read
//! into its Rust type by [`typed`], so that a bad one is a `ValidationError` naming it. (serde_path_to_error named fields in one pass
//! but cost 24 KB of wasm, a fifth of the client's own code.)

use std::rc::Rc;

use functiongraph_protocol::time::parse_query_time;
use functiongraph_protocol::{ActiveAsyncQuery, AsyncStatus, CancelType, ListAsyncQuery};
use js_sys::{Function, Object, Promise};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

use crate::body::Event;
use crate::config::{
    sendable_header_value, CallOptions, Config, CredentialSource, Credentials, InvokeAsyncOptions,
    InvokeOptions, LogType, RequestVersion, Retry, RetryPolicy, WaitOptions, HEADER_VALUE_RULE,
    INSTANCE_MEMORY_RULE, LIMIT_RULE, MAX_ATTEMPTS_RULE, MAX_ITEMS_RULE, MAX_RESPONSE_BYTES_RULE,
};
use crate::error::{shown, Error};
use crate::signer::RequestToSign;

use super::convert::attempt_hook;

#[wasm_bindgen]
extern "C" {
    // Catching forms of what reads a caller's value: user code may throw from them.
    #[wasm_bindgen(js_namespace = Object, js_name = assign, catch)]
    fn assign(target: &Object, source: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = Array, js_name = from, catch)]
    fn array_from(source: &JsValue) -> Result<JsValue, JsValue>;
    // (Array.isArray throws on a revoked Proxy.)
    #[wasm_bindgen(js_namespace = Array, js_name = isArray, catch)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(js_namespace = ["Object", "prototype", "isPrototypeOf"], js_name = call, catch)]
    fn is_prototype_of(prototype: &JsValue, value: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(js_namespace = ["Date", "prototype", "getTime"], js_name = call, catch)]
    fn date_time(date: &JsValue) -> Result<f64, JsValue>;
    #[wasm_bindgen(thread_local_v2, js_namespace = AbortSignal, js_name = prototype)]
    static ABORT_SIGNAL_PROTOTYPE: JsValue;
}

/// What a refused value is, for the message: its JS type only, never the value (this
/// describes credentials too). `typeof` runs no user code.
fn got(value: &JsValue) -> String {
    let kind = if value.is_null() {
        "null".to_owned()
    } else if is_array(value).unwrap_or(false) {
        "an array".to_owned()
    } else {
        value.js_typeof().as_string().unwrap_or_default()
    };
    format!("got {kind}")
}

/// A refused number, for the message (written by JS: no float formatting in the wasm).
fn got_number(n: f64) -> String {
    let text = js_sys::Number::from(n)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default();
    format!("got {text}")
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
    // `typeof` runs no user code; a Proxy's traps run only in the catching calls below.
    if !value.is_object() || is_array(value).unwrap_or(false) {
        return Err(Error::invalid(field, "must be an object"));
    }
    assign(&Object::new(), value)
        .map(Some)
        .map_err(|cause| Error::unreadable(field, "could not be read", cause))
}

/// A caller's options object read into its struct of fields (every field absent when
/// the object is).
fn options<T: JsFields>(value: &JsValue, field: &str) -> Result<T, Error> {
    field_values(value, T::NAMES, field).map(T::from_values)
}

/// The values of the fields `names` of a caller's object, in order; none when the object
/// is absent (each field then reads as undefined). Not generic: one copy in the wasm.
fn field_values(
    value: &JsValue,
    names: &'static [&'static str],
    field: &str,
) -> Result<Vec<JsValue>, Error> {
    match plain(value, field)? {
        Some(copy) => read_fields(copy, names, field),
        None => Ok(Vec::new()),
    }
}

/// The fields `names` of a plain object, each the JS value it is (undefined when absent),
/// read with serde-wasm-bindgen. One reader for every options object: a `Deserialize`
/// derived for each struct was a copy of serde-wasm-bindgen's struct reader in the wasm.
fn read_fields(
    copy: JsValue,
    names: &'static [&'static str],
    field: &str,
) -> Result<Vec<JsValue>, Error> {
    Fields(names)
        .deserialize(serde_wasm_bindgen::Deserializer::from(copy))
        .map_err(|_| Error::invalid(field, "must be an object"))
}

/// A struct of an options object's fields (see [`js_fields!`]).
trait JsFields {
    /// The JS names of its fields, in order.
    const NAMES: &'static [&'static str];
    /// The struct from the values of [`Self::NAMES`], in that order (undefined for any
    /// missing at the end).
    fn from_values(values: Vec<JsValue>) -> Self;
}

/// The next of the values [`JsFields::from_values`] takes, which it reversed (one small
/// function for every field of every struct).
fn next_value(reversed: &mut Vec<JsValue>) -> JsValue {
    reversed.pop().unwrap_or_default()
}

/// Reads the fields it names from an object, visiting only the keys the object has
/// (serde's `deserialize_map`, over `Object.entries`). Not `deserialize_struct`, which looks
/// up every name of the struct in each object (18 for a call's options, ~90 boundary
/// crossings for an object with one key), and whose cache of names was the wasm's only
/// hash map (~1.2 KB of the gzipped package with it).
struct Fields(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for Fields {
    type Value = Vec<JsValue>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Fields {
    type Value = Vec<JsValue>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut values = Vec::new();
        values.resize_with(self.0.len(), JsValue::default);
        while let Some(index) = map.next_key_seed(FieldIndex(self.0))? {
            let value = map.next_value_seed(Preserved)?;
            if let Some(slot) = index.and_then(|i| values.get_mut(i)) {
                *slot = value;
            }
        }
        Ok(values)
    }
}

/// A key as the index of its name (`None`: not one of them).
struct FieldIndex(&'static [&'static str]);

impl<'de> DeserializeSeed<'de> for FieldIndex {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_identifier(self)
    }
}

impl<'de> Visitor<'de> for FieldIndex {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self.0.iter().position(|name| *name == key))
    }
}

/// A value kept as the JS value it is (serde-wasm-bindgen's `preserve`).
struct Preserved;

impl<'de> DeserializeSeed<'de> for Preserved {
    type Value = JsValue;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        serde_wasm_bindgen::preserve::deserialize(deserializer)
    }
}

/// One field read into `T` by `read`; absent is `None`, a value of another JS type is
/// refused with `rule`. Only `typeof`-like checks run on the caller's value: a
/// description of a wrong value would run a caller's Proxy traps in calls that do not
/// catch. (Not one serde read per Rust type: each was a monomorphised copy of the
/// deserializer in the wasm, for what a JS type check says.)
fn typed<T>(
    value: &JsValue,
    field: &str,
    rule: &str,
    read: impl FnOnce(&JsValue) -> Option<T>,
) -> Result<Option<T>, Error> {
    if absent(value) {
        return Ok(None);
    }
    read(value)
        .map(Some)
        .ok_or_else(|| Error::invalid(field, format!("{rule}; {}", got(value))))
}

fn string(value: &JsValue, field: &str) -> Result<Option<String>, Error> {
    typed(value, field, "must be a string", JsValue::as_string)
}

fn number(value: &JsValue, field: &str) -> Result<Option<f64>, Error> {
    typed(value, field, "must be a number", JsValue::as_f64)
}

fn boolean(value: &JsValue, field: &str) -> Result<Option<bool>, Error> {
    typed(value, field, "must be a boolean", JsValue::as_bool)
}

/// The string values of a plain object or array of ours, in order, if all are strings.
fn string_values(value: &JsValue) -> Option<Vec<String>> {
    // A loop, not `collect::<Option<Vec<_>>>()` (a copy of the adapters' code each).
    let mut out = Vec::new();
    for v in js_sys::Object::values(value.unchecked_ref::<Object>()).iter() {
        out.push(v.as_string()?);
    }
    Some(out)
}

/// The fields of a JS options object, each kept as the JS value it is (see [`typed`]),
/// with the JS name of each.
macro_rules! js_fields {
    ($(#[$meta:meta])* struct $name:ident { $($field:ident: $js:literal),* $(,)? }) => {
        $(#[$meta])*
        struct $name {
            $($field: JsValue,)*
        }

        impl JsFields for $name {
            const NAMES: &'static [&'static str] = &[$($js),*];

            fn from_values(mut values: Vec<JsValue>) -> Self {
                values.reverse();
                $name {
                    $($field: next_value(&mut values),)*
                }
            }
        }
    };
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
        Err(Error::invalid(
            field,
            format!("{rule}; {}", got_number(value)),
        ))
    }
}

/// A string option that must be one of `names`: its index, `None` when absent; refused
/// with `rule` and the value otherwise. (One function for every such option: each
/// `match` on the text, with its own `format!`, was a copy of the same code.)
fn choice(
    value: &JsValue,
    field: &str,
    names: &[&str],
    rule: &str,
) -> Result<Option<usize>, Error> {
    let Some(text) = string(value, field)? else {
        return Ok(None);
    };
    match names.iter().position(|name| *name == text) {
        Some(i) => Ok(Some(i)),
        None => Err(Error::invalid(
            field,
            format!("{rule}; got {}", shown(&text)),
        )),
    }
}

/// An optional duration in ms: finite, 0 or more.
fn millis(value: &JsValue, field: &str) -> Result<Option<f64>, Error> {
    const RULE: &str = "must be a finite number of milliseconds, 0 or more";
    number(value, field)
        .map_err(|_| Error::invalid(field, RULE))?
        .map(|ms| crate::config::check_millis(ms, field))
        .transpose()
}

/// Header names to values, from an object (copied first: it is the caller's).
fn header_map(value: &JsValue, field: &str) -> Result<Vec<(String, String)>, Error> {
    let Some(copy) = plain(value, field)? else {
        return Ok(Vec::new());
    };
    let names = js_sys::Object::keys(copy.unchecked_ref::<Object>());
    let values = typed(
        &copy,
        field,
        "every header value must be a single-line string",
        string_values,
    )?
    .unwrap_or_default();
    // Sorted by name, as a header map is (and as the tests of what is sent expect).
    let mut pairs = Vec::with_capacity(values.len());
    for (name, value) in names.iter().zip(values) {
        pairs.extend(name.as_string().map(|name| (name, value)));
    }
    functiongraph_protocol::sign::sort_pairs(&mut pairs);
    Ok(pairs)
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
    let r: SetupJs = options(value, field)?;
    // A whole number: the range is the core's (`policy.check` below).
    let attempts_field = format!("{field}.maxAttempts");
    let policy = RetryPolicy {
        max_attempts: match number(&r.max_attempts, &attempts_field)
            .map_err(|_| Error::invalid(&attempts_field, MAX_ATTEMPTS_RULE))?
        {
            Some(n) => whole(n, 0..=u32::MAX, &attempts_field, MAX_ATTEMPTS_RULE)?,
            None => base.max_attempts,
        },
        base_delay_ms: millis(&r.base_delay_ms, &format!("{field}.baseDelayMs"))?
            .unwrap_or(base.base_delay_ms),
        max_delay_ms: millis(&r.max_delay_ms, &format!("{field}.maxDelayMs"))?
            .unwrap_or(base.max_delay_ms),
    };
    policy.check(field)?;
    let invocations = boolean(&r.retry_invocations, &format!("{field}.retryInvocations"))?;
    Ok((Retry::Policy(policy), invocations.unwrap_or(false)))
}

const CREDENTIALS_SHAPE: &str =
    "must be { token }, { accessKey, secretKey, securityToken? }, or a function returning one";

/// `{token}` or `{accessKey, secretKey, securityToken?}`.
pub(crate) fn credentials(value: &JsValue, field: &str) -> Result<Credentials, Error> {
    if !value.is_object() || value.is_function() {
        return Err(Error::invalid(field, CREDENTIALS_SHAPE));
    }
    let c: CredentialsJs = options(value, field)?;
    // What goes into a header must be sendable: fetch would throw, read as a NetworkError.
    let sendable = |name: &str, value: &str| {
        if sendable_header_value(value) {
            Ok(())
        } else {
            Err(Error::invalid(
                field,
                format!("{name} {HEADER_VALUE_RULE} (it is sent in a header)"),
            ))
        }
    };
    if let Some(token) = string(&c.token, field)? {
        if token.is_empty() {
            return Err(Error::invalid(field, "token must not be empty"));
        }
        sendable("token", &token)?;
        return Ok(Credentials::Token(token));
    }
    let security_token = string(&c.security_token, field)?;
    match (string(&c.access_key, field)?, string(&c.secret_key, field)?) {
        (Some(access_key), Some(secret_key))
            if !access_key.is_empty() && !secret_key.is_empty() =>
        {
            sendable("accessKey", &access_key)?;
            if let Some(t) = &security_token {
                sendable("securityToken", t)?;
            }
            Ok(Credentials::AccessKey {
                access_key,
                secret_key,
                security_token: security_token.filter(|t| !t.is_empty()),
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

js_fields! {
    /// The client's options and a retry policy object (the client's, or a call's). (One
    /// struct for both: each struct adds its own code. One struct for every object would
    /// save only 35 bytes of the gzipped package: these say which object has which names.)
    struct SetupJs {
        project_id: "projectId", region: "region", endpoint: "endpoint",
        credentials: "credentials", timeout_ms: "timeoutMs", retry: "retry",
        headers: "headers", user_agent: "userAgent", on_request: "onRequest",
        on_response: "onResponse", debug: "debug", max_response_bytes: "maxResponseBytes",
        max_attempts: "maxAttempts", base_delay_ms: "baseDelayMs", max_delay_ms: "maxDelayMs",
        retry_invocations: "retryInvocations",
    }
}

js_fields! {
    /// Credentials (read on every attempt when a provider gives them).
    struct CredentialsJs {
        token: "token", access_key: "accessKey", secret_key: "secretKey",
        security_token: "securityToken",
    }
}

js_fields! {
    /// `signRequest`'s request and its options.
    struct SignJs { method: "method", url: "url", headers: "headers", body: "body", date: "date" }
}

/// A hook option: a function, or absent.
fn function(value: &JsValue, field: &str) -> Result<Option<Function>, Error> {
    if absent(value) {
        return Ok(None);
    }
    if value.is_function() {
        Ok(Some(value.clone().unchecked_into()))
    } else {
        Err(Error::invalid(field, "must be a function"))
    }
}

/// The constructor's options into the client's settings.
pub(crate) fn client_config(value: &JsValue) -> Result<Config, Error> {
    if absent(value) {
        return Err(Error::invalid(
            "options",
            "are required: { projectId, region | endpoint, credentials }",
        ));
    }
    let o: SetupJs = options(value, "options")?;
    let project_id = string(&o.project_id, "options.projectId")?.unwrap_or_default();
    crate::config::check_project_id(&project_id)?;
    let endpoint = string(&o.endpoint, "options.endpoint")?;
    let region = string(&o.region, "options.region")?;
    let mut config = match (endpoint, region) {
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
    } else if o.credentials.is_function() {
        // `typeof`, not `instanceof` (which runs a Proxy's getPrototypeOf trap).
        provider(o.credentials.clone().unchecked_into())
    } else {
        CredentialSource::Static(credentials(&o.credentials, "options.credentials")?)
    };
    if let Some(ms) = millis(&o.timeout_ms, "options.timeoutMs")? {
        config.timeout_ms = ms;
    }
    let (retry, retry_invocations) = retry(&o.retry, RetryPolicy::DEFAULT, "options.retry")?;
    config.retry = match retry {
        Retry::Off => RetryPolicy::NONE,
        Retry::Policy(p) => p,
        Retry::Default | Retry::On => RetryPolicy::DEFAULT,
    };
    config.retry_invocations = retry_invocations;
    config.headers = header_map(&o.headers, "options.headers")?;
    config.user_agent = string(&o.user_agent, "options.userAgent")?;
    // A whole number (the core refuses 0).
    let cap_field = "options.maxResponseBytes";
    let cap_rule = MAX_RESPONSE_BYTES_RULE;
    if let Some(n) =
        number(&o.max_response_bytes, cap_field).map_err(|_| Error::invalid(cap_field, cap_rule))?
    {
        config.max_response_bytes = whole(n, 0..=u32::MAX, cap_field, cap_rule)? as usize;
    }
    let debug = boolean(&o.debug, "options.debug")?.unwrap_or(false);
    let on_request = function(&o.on_request, "options.onRequest")?;
    let on_response = function(&o.on_response, "options.onResponse")?;
    config.on_request = attempt_hook(on_request, debug, "request");
    config.on_response = attempt_hook(on_response, debug, "response");
    Ok(config)
}

js_fields! {
    /// Every call's options and listing query, and those of each operation (one struct:
    /// unknown fields are ignored).
    struct CallOptionsJs {
        signal: "signal", timeout_ms: "timeoutMs", retry: "retry", log_type: "logType",
        request_version: "requestVersion", instance_memory: "instanceMemory", kind: "type",
        interval_ms: "intervalMs", max_interval_ms: "maxIntervalMs", since: "since",
        request_id: "requestId", status: "status", limit: "limit", marker: "marker",
        begin: "begin", end: "end", request_ids: "requestIds", max_items: "maxItems",
    }
}

fn call_options(o: &CallOptionsJs, config: &Config, field: &str) -> Result<CallOptions, Error> {
    Ok(CallOptions {
        signal: signal(&o.signal, &format!("{field}.signal"))?,
        timeout_ms: millis(&o.timeout_ms, &format!("{field}.timeoutMs"))?,
        retry: retry(&o.retry, config.retry, &format!("{field}.retry"))?.0,
    })
}

/// `instanceMemory` as a whole number (the core refuses 0).
fn instance_memory(value: &JsValue) -> Result<Option<u32>, Error> {
    let field = "options.instanceMemory";
    number(value, field)?
        .map(|mb| whole(mb, 0..=u32::MAX, field, INSTANCE_MEMORY_RULE))
        .transpose()
}

/// `invoke`'s options.
pub(crate) fn invoke_options(value: &JsValue, config: &Config) -> Result<InvokeOptions, Error> {
    let o: CallOptionsJs = options(value, "options")?;
    let log_type = match choice(
        &o.log_type,
        "options.logType",
        &["none", "tail"],
        "must be \"tail\" or \"none\"",
    )? {
        Some(1) => LogType::Tail,
        _ => LogType::None,
    };
    let request_version = match choice(
        &o.request_version,
        "options.requestVersion",
        &["v1", "v0"],
        "must be \"v0\" or \"v1\"",
    )? {
        Some(1) => RequestVersion::V0,
        _ => RequestVersion::V1,
    };
    Ok(InvokeOptions {
        call: call_options(&o, config, "options")?,
        log_type,
        request_version,
        instance_memory_mb: instance_memory(&o.instance_memory)?,
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
        instance_memory_mb: instance_memory(&o.instance_memory)?,
    })
}

/// `cancelAsyncInvocation`'s options: the call's, and the cancel type.
pub(crate) fn cancel_options(
    value: &JsValue,
    config: &Config,
) -> Result<(CallOptions, Option<CancelType>), Error> {
    let o: CallOptionsJs = options(value, "options")?;
    const KINDS: [CancelType; 2] = [CancelType::Force, CancelType::Recursive];
    let kind = choice(
        &o.kind,
        "options.type",
        &KINDS.map(CancelType::as_str),
        "must be \"force\" or \"recursive\"",
    )?
    .and_then(|i| KINDS.get(i).copied());
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
                format!(
                    "must be a Date or a UTC time \"YYYY-MM-DDTHH:mm:ss\"; got {}",
                    shown(&text)
                ),
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
    let q: CallOptionsJs = options(value, "query")?;
    let status = choice(
        &q.status,
        "query.status",
        &AsyncStatus::ALL.map(AsyncStatus::as_str),
        "must be one of WAIT, RUNNING, SUCCESS, FAIL, DISCARD",
    )?
    .and_then(|i| AsyncStatus::ALL.get(i).copied());
    // A whole number: the range is the core's (`check_list_query`).
    let limit = number(&q.limit, "query.limit")
        .map_err(|_| Error::invalid("query.limit", LIMIT_RULE))?
        .map(|n| whole(n, 0..=u32::MAX, "query.limit", LIMIT_RULE))
        .transpose()?;
    let marker = if absent(&q.marker) {
        None
    } else {
        // A whole number is written as one (no float formatting in the wasm).
        let text = q.marker.as_string().or_else(|| {
            q.marker
                .as_f64()
                .filter(|n| n.fract() == 0.0 && (0.0..9e15).contains(n))
                .map(|n| (n as u64).to_string())
        });
        Some(text.and_then(|t| t.parse::<u64>().ok()).ok_or_else(|| {
            Error::invalid("query.marker", "must be the nextMarker of a previous page")
        })?)
    };
    let request_ids = if active && !absent(&q.request_ids) {
        let field = "query.requestIds";
        if !is_array(&q.request_ids).unwrap_or(false) {
            return Err(Error::invalid(field, "must be an array of request ids"));
        }
        let copy = array_from(&q.request_ids)
            .map_err(|cause| Error::unreadable(field, "could not be read", cause))?;
        typed(
            &copy,
            field,
            "must be an array of request ids",
            string_values,
        )?
        .unwrap_or_default()
    } else {
        Vec::new()
    };
    // A whole number (the pager refuses 0).
    let max_items = number(&q.max_items, "query.maxItems")?
        .map(|n| {
            if n.fract() == 0.0 && n >= 0.0 {
                Ok(n as u64)
            } else {
                Err(Error::invalid("query.maxItems", MAX_ITEMS_RULE))
            }
        })
        .transpose()?;
    let call = CallOptions {
        signal: signal(&q.signal, "query.signal")?,
        timeout_ms: millis(&q.timeout_ms, "query.timeoutMs")?,
        retry: retry(&q.retry, config.retry, "query.retry")?.0,
    };
    Ok(Query {
        list: ListAsyncQuery {
            request_id: string(&q.request_id, "query.requestId")?,
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
        interval_ms: number(&o.interval_ms, "options.intervalMs")?.unwrap_or(defaults.interval_ms),
        max_interval_ms: number(&o.max_interval_ms, "options.maxIntervalMs")?
            .unwrap_or(defaults.max_interval_ms),
        timeout_ms: number(&o.timeout_ms, "options.timeoutMs")?.unwrap_or(defaults.timeout_ms),
        signal: signal(&o.signal, "options.signal")?,
        since: time(&o.since, "options.since")?,
    })
}

/// The event, a JS string that stays one: a string as is (the core checks it is JSON text,
/// as for a Rust caller); undefined is `{}`; any other value is `JSON.stringify`'d.
pub(crate) fn event(value: &JsValue) -> Result<Event, Error> {
    let field = "event";
    if value.is_undefined() {
        return Ok(Event::stringified(js_sys::JsString::from("{}")));
    }
    if let Some(text) = value.dyn_ref::<js_sys::JsString>() {
        return Ok(Event::from(text));
    }
    match crate::platform::json_stringify(value) {
        Ok(text) => text
            .dyn_into::<js_sys::JsString>()
            .map(Event::stringified)
            .map_err(|_| Error::invalid(field, "cannot be represented as JSON")),
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
        .ok_or_else(|| Error::invalid(field, format!("must be a string; {}", got(value))))
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
    let r: SignJs = options(request, "request")?;
    let required = |v: &JsValue, field: &str| {
        string(v, field)?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::invalid(field, "is required (a non-empty string)"))
    };
    let method = required(&r.method, "request.method")?;
    let url = required(&r.url, "request.url")?;
    let headers = header_map(&r.headers, "request.headers")?;
    let c: CredentialsJs = options(credentials, "credentials")?;
    let access_key = required(&c.access_key, "credentials.accessKey")?;
    let secret_key = required(&c.secret_key, "credentials.secretKey")?;
    let o: SignJs = options(options_value, "options")?;
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
        body: string(&r.body, "request.body")?.unwrap_or_default(),
    };
    Ok((
        request,
        access_key,
        secret_key,
        string(&c.security_token, "credentials.securityToken")?,
        (ms / 1000.0).floor() as i64,
    ))
}
