//! The client: one method per operation, each building its request with the protocol
//! crate, sending it through [`crate::transport`], and reading the answer into a model.

use std::rc::Rc;

use functiongraph_protocol::headers as h;
use functiongraph_protocol::limits::{
    ASYNC_BODY_MAX, LIST_LIMIT_MAX, QUERY_VALUE_MAX, SYNC_BODY_MAX,
};
use functiongraph_protocol::paths::{path, Operation};
use functiongraph_protocol::query::{encode, ACTIVE_REQUESTS_MAX};
use functiongraph_protocol::{
    ActiveAsyncQuery, AsyncInvocation, AsyncInvokeResponse, CancelAsyncInvocationRequest,
    CancelType, FunctionUrn, ListAsyncQuery,
};

use crate::answers::{self, InvokeOutput, Page};
use crate::body::Event;
use crate::config::{
    check_headers, check_millis, check_project_id, sendable_header_value, CallOptions, Config,
    Endpoint, InvokeAsyncOptions, InvokeOptions, LogType, RequestVersion,
};
use crate::error::{shown, Error};
use crate::paging::{Listing, Pager};
use crate::transport::{send, Prepared};

/// What a client shares with its calls (which may outlive a JS handle's `free()`).
pub(crate) struct Inner {
    pub config: Config,
    pub endpoint: Endpoint,
    pub user_agent: String,
}

impl Inner {
    /// The endpoint's own path prefix ("" for most), which the signature covers.
    pub fn endpoint_path(&self) -> &str {
        &self.endpoint.path
    }
}

/// A FunctionGraph invocation client for one project. Cheap to clone (shared inside);
/// every method is `async` and sends through gloo-net (the platform's `fetch`, whose
/// answers are read as JS values), so it runs wherever wasm-bindgen's futures do:
/// browsers, workers, Node.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Rc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// An async invocation's request id, as the service accepts it.
pub(crate) fn check_request_id(id: &str, field: &str) -> Result<(), Error> {
    if !id.is_empty() && id.len() <= QUERY_VALUE_MAX && !id.contains(',') {
        Ok(())
    } else {
        Err(Error::invalid(
            field,
            format!("must be a request id (1 to {QUERY_VALUE_MAX} characters, no commas)"),
        ))
    }
}

/// Checks a listing query's values.
pub(crate) fn check_list_query(q: &ListAsyncQuery) -> Result<(), Error> {
    if q.request_id
        .as_ref()
        .is_some_and(|r| r.len() > QUERY_VALUE_MAX)
    {
        return Err(Error::invalid(
            "query.requestId",
            format!("is longer than {QUERY_VALUE_MAX} characters"),
        ));
    }
    if q.limit.is_some_and(|l| !(1..=LIST_LIMIT_MAX).contains(&l)) {
        return Err(Error::invalid("query.limit", crate::config::LIMIT_RULE));
    }
    if let (Some(b), Some(e)) = (q.begin, q.end) {
        if b > e {
            return Err(Error::invalid("query.begin", "is after query.end"));
        }
    }
    Ok(())
}

/// Checks an active listing's query.
pub(crate) fn check_active_query(q: &ActiveAsyncQuery) -> Result<(), Error> {
    check_list_query(&q.list)?;
    if q.list.request_id.is_some() {
        return Err(Error::invalid(
            "query.requestId",
            "use requestIds (an array) for active invocations",
        ));
    }
    if q.list.status.is_some_and(|s| s.is_terminal()) {
        return Err(Error::invalid(
            "query.status",
            "must be WAIT or RUNNING for active invocations",
        ));
    }
    if q.requests.len() > ACTIVE_REQUESTS_MAX {
        return Err(Error::invalid(
            "query.requestIds",
            format!("may name at most {ACTIVE_REQUESTS_MAX} request ids"),
        ));
    }
    q.requests
        .iter()
        .try_for_each(|id| check_request_id(id, "query.requestIds"))
}

/// `X-Cff-Instance-Memory`, as sent: a whole number of MB above 0.
fn instance_memory(mb: Option<u32>) -> Result<Option<(String, String)>, Error> {
    match mb {
        None => Ok(None),
        Some(0) => Err(Error::invalid(
            "options.instanceMemory",
            crate::config::INSTANCE_MEMORY_RULE,
        )),
        Some(mb) => Ok(Some((h::INSTANCE_MEMORY.to_owned(), mb.to_string()))),
    }
}

/// The event's JSON text within the operation's limit of UTF-8 bytes.
fn check_event(event: &Event, limit: usize, kind: &str) -> Result<(), Error> {
    if !event.is_json() {
        return Err(Error::invalid("event", crate::body::EVENT_JSON_RULE));
    }
    event.within(limit).map_err(|counted| {
        let size = match counted {
            Some(bytes) => format!("is {bytes} bytes as JSON"),
            None => format!("is more than {limit} bytes as JSON"),
        };
        Error::invalid(
            "event",
            format!("{size}; a {kind} invocation takes at most {limit} bytes"),
        )
    })
}

impl Client {
    /// Checks `config` and makes a client. No request is sent.
    ///
    /// # Errors
    /// [`Error::Validation`] naming the bad setting.
    pub fn new(mut config: Config) -> Result<Client, Error> {
        check_project_id(&config.project_id)?;
        let endpoint = Endpoint::parse(&config.endpoint)?;
        check_millis(config.timeout_ms, "options.timeoutMs")?;
        config.retry.check("options.retry")?;
        if config.max_response_bytes == 0 {
            return Err(Error::invalid(
                "options.maxResponseBytes",
                crate::config::MAX_RESPONSE_BYTES_RULE,
            ));
        }
        config.headers = check_headers(&config.headers)?;
        let base = concat!("functiongraph-client/", env!("CARGO_PKG_VERSION"));
        let user_agent = match config.user_agent.as_deref() {
            // One that fetch would not send is left out, as a line break always was.
            Some(extra) if !extra.is_empty() && sendable_header_value(extra) => {
                format!("{base} {extra}")
            }
            _ => base.to_owned(),
        };
        Ok(Client {
            inner: Rc::new(Inner {
                config,
                endpoint,
                user_agent,
            }),
        })
    }

    /// The client's settings.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The wire path of `op` on `function_urn`, which must be in the client's project.
    fn path(&self, function_urn: &str, op: Operation) -> Result<String, Error> {
        let field = "functionUrn";
        let urn = FunctionUrn::parse(function_urn)
            .map_err(|e| Error::invalid(field, format!("{e}; got {}", shown(function_urn))))?;
        let project = &self.inner.config.project_id;
        if &urn.project_id != project {
            return Err(Error::invalid(
                field,
                format!(
                    "belongs to project {}, but the client is for project {project}",
                    urn.project_id
                ),
            ));
        }
        Ok(path(project, &urn.to_string(), op))
    }

    /// Runs a function and waits for its result. `event` is JSON text (a `&str`, a
    /// `String` or a JS string), at most 6 MB. A function that fails still succeeds
    /// here, with `function_error` set.
    ///
    /// # Errors
    /// Validation of the URN and event; then the service's, the network's, the timeout's.
    pub async fn invoke(
        &self,
        function_urn: &str,
        event: impl Into<Event>,
        options: &InvokeOptions,
    ) -> Result<InvokeOutput, Error> {
        self.invoke_event(function_urn, event.into(), options).await
    }

    async fn invoke_event(
        &self,
        function_urn: &str,
        event: Event,
        options: &InvokeOptions,
    ) -> Result<InvokeOutput, Error> {
        let req = self.prepare_invoke(function_urn, event, options)?;
        let answer = self.execute(&req, &options.call).await?;
        answers::invoke_output(&answer, options.request_version)
    }

    /// The request of [`Client::invoke`], checked; nothing is sent.
    pub(crate) fn prepare_invoke(
        &self,
        function_urn: &str,
        event: Event,
        options: &InvokeOptions,
    ) -> Result<Prepared, Error> {
        let path = self.path(function_urn, Operation::Invoke)?;
        check_event(&event, SYNC_BODY_MAX, "sync")?;
        let version = match options.request_version {
            RequestVersion::V0 => "v0",
            RequestVersion::V1 => "v1",
        };
        let mut headers = vec![(h::REQUEST_VERSION.to_owned(), version.to_owned())];
        if options.log_type == LogType::Tail {
            headers.push((h::LOG_TYPE.to_owned(), "tail".to_owned()));
        }
        headers.extend(instance_memory(options.instance_memory_mb)?);
        Ok(Prepared {
            method: "POST",
            path,
            headers,
            body: Some(event),
            idempotent: false,
        })
    }

    /// Queues a function run; resolves once the service has accepted it. `event` is
    /// JSON text, at most 256 KB.
    ///
    /// # Errors
    /// As [`Client::invoke`].
    pub async fn invoke_async(
        &self,
        function_urn: &str,
        event: impl Into<Event>,
        options: &InvokeAsyncOptions,
    ) -> Result<AsyncInvokeResponse, Error> {
        self.invoke_async_event(function_urn, event.into(), options)
            .await
    }

    async fn invoke_async_event(
        &self,
        function_urn: &str,
        event: Event,
        options: &InvokeAsyncOptions,
    ) -> Result<AsyncInvokeResponse, Error> {
        let req = self.prepare_invoke_async(function_urn, event, options)?;
        let answer = self.execute(&req, &options.call).await?;
        let request_id = answers::async_output(&answer)?;
        Ok(AsyncInvokeResponse { request_id })
    }

    /// The request of [`Client::invoke_async`], checked; nothing is sent.
    pub(crate) fn prepare_invoke_async(
        &self,
        function_urn: &str,
        event: Event,
        options: &InvokeAsyncOptions,
    ) -> Result<Prepared, Error> {
        let path = self.path(function_urn, Operation::InvokeAsync)?;
        check_event(&event, ASYNC_BODY_MAX, "async")?;
        let headers = Vec::from_iter(instance_memory(options.instance_memory_mb)?);
        Ok(Prepared {
            method: "POST",
            path,
            headers,
            body: Some(event),
            idempotent: false,
        })
    }

    /// One page of a listing (`query` already checked).
    pub(crate) async fn list_page(
        &self,
        function_urn: &str,
        listing: &Listing,
        options: &CallOptions,
    ) -> Result<Page, Error> {
        let req = self.prepare_list(function_urn, listing)?;
        let answer = self.execute(&req, options).await?;
        listing.read_page(&answer)
    }

    /// The request of one page of a listing (`query` already checked); nothing is sent.
    pub(crate) fn prepare_list(
        &self,
        function_urn: &str,
        listing: &Listing,
    ) -> Result<Prepared, Error> {
        let (op, pairs) = match listing {
            Listing::All(q) => (Operation::ListAsyncInvocations, q.to_pairs()),
            Listing::Active(q) => (Operation::ListActiveAsyncInvocations, q.to_pairs()),
        };
        let mut path = self.path(function_urn, op)?;
        if !pairs.is_empty() {
            path.push('?');
            path.push_str(&encode(&pairs));
        }
        Ok(Prepared {
            method: "GET",
            path,
            headers: Vec::new(),
            body: None,
            idempotent: true,
        })
    }

    /// One page of a function's async invocations, newest first (retried by default).
    ///
    /// # Errors
    /// Validation of the URN and query; then as [`Client::invoke`].
    pub async fn list_async_invocations(
        &self,
        function_urn: &str,
        query: &ListAsyncQuery,
        options: &CallOptions,
    ) -> Result<Page, Error> {
        check_list_query(query)?;
        self.list_page(function_urn, &Listing::All(query.clone()), options)
            .await
    }

    /// One page of a function's WAIT and RUNNING async invocations (retried by default).
    ///
    /// # Errors
    /// As [`Client::list_async_invocations`].
    pub async fn list_active_async_invocations(
        &self,
        function_urn: &str,
        query: &ActiveAsyncQuery,
        options: &CallOptions,
    ) -> Result<Page, Error> {
        check_active_query(query)?;
        self.list_page(function_urn, &Listing::Active(query.clone()), options)
            .await
    }

    /// Stops a WAIT or RUNNING async invocation (it ends as DISCARD).
    ///
    /// # Errors
    /// Validation of the URN and id; then as [`Client::invoke`].
    pub async fn cancel_async_invocation(
        &self,
        function_urn: &str,
        request_id: &str,
        kind: Option<CancelType>,
        options: &CallOptions,
    ) -> Result<(), Error> {
        let req = self.prepare_cancel(function_urn, request_id, kind)?;
        let answer = self.execute(&req, options).await?;
        answers::cancel_output(&answer)
    }

    /// The request of [`Client::cancel_async_invocation`], checked; nothing is sent.
    pub(crate) fn prepare_cancel(
        &self,
        function_urn: &str,
        request_id: &str,
        kind: Option<CancelType>,
    ) -> Result<Prepared, Error> {
        let path = self.path(function_urn, Operation::CancelAsyncInvocation)?;
        check_request_id(request_id, "requestId")?;
        let body = CancelAsyncInvocationRequest {
            request_id: request_id.to_owned(),
            kind,
        };
        Ok(Prepared {
            method: "POST",
            path,
            headers: Vec::new(),
            body: Some(Event::from(body.to_json().as_str())),
            idempotent: false,
        })
    }

    /// Sends a prepared request as `options` say (retries, timeout, signal) and reads the
    /// whole answer: the one send of every operation, and the one await of the JS methods
    /// that send one request.
    pub(crate) fn execute<'a>(
        &'a self,
        req: &'a Prepared,
        options: &'a CallOptions,
    ) -> impl std::future::Future<Output = Result<crate::transport::Answer, Error>> + 'a {
        // transport::send's own future, not one wrapping it: no extra state machine.
        send(&self.inner, req, options)
    }

    /// Every async invocation matching `query`, across pages, newest first.
    pub fn async_invocations(
        &self,
        function_urn: &str,
        query: ListAsyncQuery,
        options: CallOptions,
    ) -> Pager {
        Pager::new(self.clone(), function_urn, Listing::All(query), options)
    }

    /// Every WAIT and RUNNING async invocation matching `query`, across pages.
    pub fn active_async_invocations(
        &self,
        function_urn: &str,
        query: ActiveAsyncQuery,
        options: CallOptions,
    ) -> Pager {
        Pager::new(self.clone(), function_urn, Listing::Active(query), options)
    }

    /// Starts an async invocation and waits for its record to be SUCCESS, FAIL or DISCARD.
    /// The record is looked up from five minutes before it was accepted (clocks differ)
    /// unless `options.since` says otherwise; `options.signal` stops both steps.
    ///
    /// # Errors
    /// As [`Client::invoke_async`], then as [`Client::wait_for_async_invocation`].
    pub async fn invoke_async_and_wait(
        &self,
        function_urn: &str,
        event: impl Into<Event>,
        options: &crate::config::WaitOptions,
    ) -> Result<AsyncInvocation, Error> {
        self.wait_for(function_urn, WaitFor::Queued(event.into()), options.clone())
            .await
    }

    /// The record of an async invocation, once it is SUCCESS, FAIL or DISCARD.
    ///
    /// # Errors
    /// [`Error::Timeout`] after `options.timeout_ms`; [`Error::Aborted`]; a listing's errors.
    pub async fn wait_for_async_invocation(
        &self,
        function_urn: &str,
        request_id: &str,
        options: &crate::config::WaitOptions,
    ) -> Result<AsyncInvocation, Error> {
        crate::wait::wait(self, function_urn, request_id, options).await
    }

    /// Both waits: for an invocation given by its id, or for one queued first. (One
    /// future, which the JS API's two waits share: a state machine each was ~1.4 KB of wasm.)
    pub(crate) async fn wait_for(
        &self,
        function_urn: &str,
        start: WaitFor,
        mut wait: crate::config::WaitOptions,
    ) -> Result<AsyncInvocation, Error> {
        /// How far before the accept the record is looked up from, s.
        const CLOCK_SLACK_SECS: i64 = 300;
        let request_id = match start {
            WaitFor::Id(id) => id,
            WaitFor::Queued(event) => {
                wait.since.get_or_insert(
                    (crate::platform::now_ms() / 1000.0).floor() as i64 - CLOCK_SLACK_SECS,
                );
                let invoke = InvokeAsyncOptions {
                    call: CallOptions {
                        signal: wait.signal.clone(),
                        ..CallOptions::default()
                    },
                    instance_memory_mb: None,
                };
                self.invoke_async_event(function_urn, event, &invoke)
                    .await?
                    .request_id
            }
        };
        crate::wait::wait(self, function_urn, &request_id, &wait).await
    }
}

/// What a wait waits for.
pub(crate) enum WaitFor {
    /// The async invocation with this request id.
    Id(String),
    /// One of this event, queued first.
    Queued(Event),
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROJECT: &str = "0123456789abcdef0123456789abcdef";

    fn field_of(e: Error) -> String {
        e.refused_field()
    }

    /// What `new FunctionGraphClient(...)` refuses, the Rust API refuses: same field, same words.
    #[test]
    fn the_rust_api_refuses_what_the_js_api_refuses() {
        let config = || Config::new(PROJECT, "http://127.0.0.1:8787");
        assert!(Client::new(config()).is_ok());
        let mut c = config();
        c.max_response_bytes = 0;
        let e = Client::new(c).err().unwrap();
        assert_eq!(
            e.to_string(),
            format!(
                "options.maxResponseBytes: {}",
                crate::config::MAX_RESPONSE_BYTES_RULE
            )
        );
        let mut c = config();
        c.timeout_ms = -1.0;
        assert_eq!(field_of(Client::new(c).err().unwrap()), "options.timeoutMs");
        let mut c = config();
        c.retry.max_attempts = 0;
        assert_eq!(
            field_of(Client::new(c).err().unwrap()),
            "options.retry.maxAttempts"
        );
        let mut c = config();
        c.headers = vec![("Content-Type".into(), "text/plain".into())];
        assert_eq!(field_of(Client::new(c).err().unwrap()), "options.headers");
        assert_eq!(
            field_of(Client::new(Config::new("", "http://h")).err().unwrap()),
            "options.projectId"
        );
        assert_eq!(
            field_of(Client::new(Config::new(PROJECT, "h")).err().unwrap()),
            "options.endpoint"
        );
    }

    #[test]
    fn instance_memory_is_a_whole_number_of_mb_above_0() {
        assert_eq!(instance_memory(None).unwrap(), None);
        assert_eq!(
            instance_memory(Some(256)).unwrap(),
            Some(("x-cff-instance-memory".to_owned(), "256".to_owned()))
        );
        let e = instance_memory(Some(0)).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "options.instanceMemory: {}",
                crate::config::INSTANCE_MEMORY_RULE
            )
        );
    }

    #[test]
    fn the_limit_rule_says_the_services_limit() {
        assert!(crate::config::LIMIT_RULE.ends_with(&format!(" {LIST_LIMIT_MAX}")));
    }

    #[test]
    fn listing_queries_and_request_ids() {
        assert!(check_list_query(&ListAsyncQuery::default()).is_ok());
        let q = ListAsyncQuery {
            limit: Some(501),
            ..ListAsyncQuery::default()
        };
        assert_eq!(field_of(check_list_query(&q).unwrap_err()), "query.limit");
        let q = ListAsyncQuery {
            begin: Some(10),
            end: Some(5),
            ..ListAsyncQuery::default()
        };
        assert_eq!(field_of(check_list_query(&q).unwrap_err()), "query.begin");
        let q = ActiveAsyncQuery {
            requests: vec!["a,b".into()],
            list: ListAsyncQuery::default(),
        };
        assert_eq!(
            field_of(check_active_query(&q).unwrap_err()),
            "query.requestIds"
        );
        assert!(check_request_id("r-1", "requestId").is_ok());
        for bad in ["", "a,b", &"x".repeat(65)] {
            assert_eq!(
                field_of(check_request_id(bad, "requestId").unwrap_err()),
                "requestId"
            );
        }
    }

    #[test]
    fn urns_must_be_in_the_clients_project_and_the_endpoint_prefix_is_kept() {
        let c = Client::new(Config::new(PROJECT, "https://gw.example.com/fgs/")).unwrap();
        assert_eq!(c.inner.endpoint_path(), "/fgs");
        let urn = format!("urn:fss:cn-north-4:{PROJECT}:function:default:echo:latest");
        let path = c.path(&urn, Operation::Invoke).unwrap();
        assert!(
            path.starts_with(&format!("/v2/{PROJECT}/fgs/functions/")),
            "{path}"
        );
        let other =
            "urn:fss:cn-north-4:ffffffffffffffffffffffffffffffff:function:default:echo:latest";
        assert_eq!(
            field_of(c.path(other, Operation::Invoke).unwrap_err()),
            "functionUrn"
        );
        assert_eq!(
            field_of(c.path("urn:fss:oops", Operation::Invoke).unwrap_err()),
            "functionUrn"
        );
    }
}
