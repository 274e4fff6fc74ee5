//! The Rust way to set a client up and to time its calls: a builder that takes
//! [`Duration`]s and checks everything once in [`ClientBuilder::build`], and `with_*`
//! methods on the call options that take `Duration` and [`SystemTime`]. They fill the
//! same settings as [`Config`]'s public fields and the options' fields, which mirror the
//! JavaScript options (milliseconds, seconds since the epoch) and stay for code that has
//! such numbers already.

use std::future::Future;
use std::rc::Rc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use web_sys::AbortSignal;

use crate::client::Client;
use crate::config::{
    CallOptions, Config, CredentialSource, Credentials, Retry, RetryPolicy, WaitOptions,
};
use crate::error::Error;
use crate::hooks::{Attempt, Hook};
use functiongraph_protocol::time::unix_secs;

/// Milliseconds of `d`, as the settings hold them.
fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The current time from the platform's clock (`Date.now()`).
///
/// `SystemTime::now()` panics on `wasm32-unknown-unknown`, which has no clock of its own;
/// this one works wherever the client does.
#[must_use]
pub fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(crate::platform::now_ms().max(0.0) as u64)
}

/// Where the client sends its requests.
#[derive(Clone)]
enum Target {
    Endpoint(String),
    Region(String),
}

// An endpoint as errors show it: user info and a query may hold a secret.
impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Endpoint(url) => write!(f, "Endpoint({})", crate::config::endpoint_shown(url)),
            Target::Region(region) => f.debug_tuple("Region").field(region).finish(),
        }
    }
}

/// Builds a [`Client`]: every setting has a default but the project id and where to send
/// (an endpoint or a region), and [`build`](ClientBuilder::build) checks them all at once.
///
/// ```no_run
/// # fn demo() -> Result<(), functiongraph_client::Error> {
/// use std::time::Duration;
/// use functiongraph_client::{Client, Credentials, RetryPolicy};
///
/// let client = Client::builder("0123456789abcdef0123456789abcdef")
///     .region("cn-north-4")
///     .credentials(Credentials::Token("an IAM token".into()))
///     .timeout(Duration::from_secs(10))
///     .retry(RetryPolicy::new(5, Duration::from_millis(50), Duration::from_secs(2)))
///     .header("X-Trace", "admin-console")
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a builder does nothing until build() is called"]
pub struct ClientBuilder {
    project_id: String,
    target: Option<Target>,
    // Every other setting, as Config holds it (its Debug redacts credentials).
    config: Config,
}

impl ClientBuilder {
    pub(crate) fn new(project_id: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            project_id: project_id.into(),
            target: None,
            config: Config::new("", ""),
        }
    }

    /// Sends to this base URL (`http://127.0.0.1:8787` for the local emulator).
    pub fn endpoint(mut self, url: impl Into<String>) -> ClientBuilder {
        self.target = Some(Target::Endpoint(url.into()));
        self
    }

    /// Sends to `https://functiongraph.{region}.myhuaweicloud.com`.
    pub fn region(mut self, region: impl Into<String>) -> ClientBuilder {
        self.target = Some(Target::Region(region.into()));
        self
    }

    /// The same credentials for every request.
    pub fn credentials(mut self, credentials: Credentials) -> ClientBuilder {
        self.config.credentials = CredentialSource::Static(credentials);
        self
    }

    /// Fresh credentials before every attempt (temporary keys that expire, say).
    pub fn credentials_provider<F, Fut>(mut self, provider: F) -> ClientBuilder
    where
        F: Fn() -> Fut + 'static,
        Fut: Future<Output = Result<Credentials, Error>> + 'static,
    {
        self.config.credentials = CredentialSource::Provider(Rc::new(move || Box::pin(provider())));
        self
    }

    /// Time limit of each call, retries included (default 60 s).
    pub fn timeout(mut self, limit: Duration) -> ClientBuilder {
        self.config.timeout_ms = millis(limit);
        self
    }

    /// No time limit on calls (a call can still be aborted with its signal).
    pub fn no_timeout(mut self) -> ClientBuilder {
        self.config.timeout_ms = 0.0;
        self
    }

    /// Retries of listings, and of invocations with [`retry_invocations`](Self::retry_invocations).
    pub fn retry(mut self, policy: RetryPolicy) -> ClientBuilder {
        self.config.retry = policy;
        self
    }

    /// Also retry invocations and cancels, which are not idempotent (default: no).
    pub fn retry_invocations(mut self, retry: bool) -> ClientBuilder {
        self.config.retry_invocations = retry;
        self
    }

    /// Adds a header to every request (signed with AK/SK).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> ClientBuilder {
        self.config.headers.push((name.into(), value.into()));
        self
    }

    /// Appended to the `User-Agent` where the platform lets a script set it.
    pub fn user_agent(mut self, product: impl Into<String>) -> ClientBuilder {
        self.config.user_agent = Some(product.into());
        self
    }

    /// Largest answer read, in bytes, counted after decompression (default 16 MiB).
    pub fn max_response_bytes(mut self, limit: usize) -> ClientBuilder {
        self.config.max_response_bytes = limit;
        self
    }

    /// Called before every attempt, secrets redacted.
    pub fn on_request(mut self, hook: impl Fn(&Attempt) + 'static) -> ClientBuilder {
        self.config.on_request = Some(Rc::new(hook) as Hook);
        self
    }

    /// Called after every attempt, secrets redacted.
    pub fn on_response(mut self, hook: impl Fn(&Attempt) + 'static) -> ClientBuilder {
        self.config.on_response = Some(Rc::new(hook) as Hook);
        self
    }

    /// Checks every setting and makes the client. No request is sent.
    ///
    /// # Errors
    /// [`Error::Validation`] naming the first bad setting (as the JavaScript constructor
    /// names it: `options.endpoint`, `options.timeoutMs`, ...).
    pub fn build(self) -> Result<Client, Error> {
        let ClientBuilder {
            project_id,
            target,
            config,
        } = self;
        crate::config::check_project_id(&project_id)?;
        let base = match target {
            Some(Target::Endpoint(url)) => Config::new(project_id, url),
            Some(Target::Region(region)) => Config::for_region(project_id, &region)?,
            None => {
                return Err(Error::invalid(
                    "options.endpoint",
                    "is required, or options.region",
                ))
            }
        };
        Client::new(Config {
            project_id: base.project_id,
            endpoint: base.endpoint,
            ..config
        })
    }
}

impl Client {
    /// A [`ClientBuilder`] for `project_id`.
    pub fn builder(project_id: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(project_id)
    }
}

impl RetryPolicy {
    /// `max_attempts` in all (1 to 10), full-jitter backoff from `base_delay`, each delay at
    /// most `max_delay` (a longer `Retry-After` is still honoured). Checked when the client
    /// or the call is made.
    #[must_use]
    pub fn new(max_attempts: u32, base_delay: Duration, max_delay: Duration) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            base_delay_ms: millis(base_delay),
            max_delay_ms: millis(max_delay),
        }
    }
}

impl CallOptions {
    /// This call's time limit, instead of the client's.
    #[must_use]
    pub fn with_timeout(mut self, limit: Duration) -> CallOptions {
        self.timeout_ms = Some(millis(limit));
        self
    }

    /// No time limit on this call.
    #[must_use]
    pub fn with_no_timeout(mut self) -> CallOptions {
        self.timeout_ms = Some(0.0);
        self
    }

    /// Aborts the call when `signal` does.
    #[must_use]
    pub fn with_signal(mut self, signal: AbortSignal) -> CallOptions {
        self.signal = Some(signal);
        self
    }

    /// This call's retries.
    #[must_use]
    pub fn with_retry(mut self, retry: Retry) -> CallOptions {
        self.retry = retry;
        self
    }
}

impl WaitOptions {
    /// First polling interval (default 500 ms); it grows ×1.5 up to the longest one.
    #[must_use]
    pub fn with_interval(mut self, interval: Duration) -> WaitOptions {
        self.interval_ms = millis(interval);
        self
    }

    /// Longest polling interval (default 5 s).
    #[must_use]
    pub fn with_max_interval(mut self, interval: Duration) -> WaitOptions {
        self.max_interval_ms = millis(interval);
        self
    }

    /// Gives up after this long (default 16 minutes).
    #[must_use]
    pub fn with_timeout(mut self, limit: Duration) -> WaitOptions {
        self.timeout_ms = millis(limit);
        self
    }

    /// Waits for as long as it takes (it can still be aborted with its signal).
    #[must_use]
    pub fn with_no_timeout(mut self) -> WaitOptions {
        self.timeout_ms = 0.0;
        self
    }

    /// Looks the record up from `since` on (default: a day and an hour before the wait).
    #[must_use]
    pub fn with_since(mut self, since: SystemTime) -> WaitOptions {
        self.since = Some(unix_secs(since));
        self
    }

    /// Stops waiting when `signal` aborts.
    #[must_use]
    pub fn with_signal(mut self, signal: AbortSignal) -> WaitOptions {
        self.signal = Some(signal);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROJECT: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn debug_output_keeps_secrets_in_an_endpoint_out() {
        for url in [
            "https://user:pw-secret@example.com",
            "https://example.com/?token=qs-secret",
        ] {
            let builder = Client::builder(PROJECT).endpoint(url);
            let config = Config::new(PROJECT, url);
            for dump in [format!("{builder:?}"), format!("{config:?}")] {
                assert!(!dump.contains("secret"), "{dump}");
            }
        }
        let shown = format!("{:?}", Config::new(PROJECT, "http://127.0.0.1:8787"));
        assert!(
            shown.contains("endpoint: \"http://127.0.0.1:8787\""),
            "{shown}"
        );
    }

    #[test]
    fn durations_and_times_become_the_settings_the_js_options_give() {
        let p = RetryPolicy::new(4, Duration::from_millis(250), Duration::from_secs(3));
        assert_eq!(
            (p.max_attempts, p.base_delay_ms, p.max_delay_ms),
            (4, 250.0, 3_000.0)
        );
        let call = CallOptions::default().with_timeout(Duration::from_micros(1_500));
        assert_eq!(call.timeout_ms, Some(1.5));
        assert_eq!(
            CallOptions::default().with_no_timeout().timeout_ms,
            Some(0.0)
        );
        let w = WaitOptions::default()
            .with_interval(Duration::from_millis(100))
            .with_max_interval(Duration::from_secs(1))
            .with_timeout(Duration::from_secs(90))
            .with_since(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
        assert_eq!(
            (w.interval_ms, w.max_interval_ms, w.timeout_ms, w.since),
            (100.0, 1_000.0, 90_000.0, Some(1_700_000_000))
        );
        assert_eq!(unix_secs(UNIX_EPOCH - Duration::from_secs(5)), -5);
    }

    #[test]
    fn the_builder_checks_once_and_names_the_setting_as_the_js_constructor_does() {
        let ok = Client::builder(PROJECT)
            .endpoint("http://127.0.0.1:8787/fgs/")
            .credentials(Credentials::Token("t".into()))
            .timeout(Duration::from_secs(5))
            .header("X-Trace", "t")
            .build()
            .unwrap();
        assert_eq!(ok.config().timeout_ms, 5_000.0);
        // Names are kept lower-case, as they are sent.
        assert_eq!(ok.config().headers, vec![("x-trace".into(), "t".into())]);
        let region = Client::builder(PROJECT)
            .region("cn-north-4")
            .build()
            .unwrap();
        assert_eq!(
            region.config().endpoint,
            "https://functiongraph.cn-north-4.myhuaweicloud.com"
        );
        let field = |b: ClientBuilder| b.build().unwrap_err().refused_field();
        assert_eq!(field(Client::builder(PROJECT)), "options.endpoint");
        assert_eq!(field(Client::builder("").region("r")), "options.projectId");
        assert_eq!(
            field(Client::builder(PROJECT).region("CN North")),
            "options.region"
        );
        assert_eq!(
            field(Client::builder(PROJECT).endpoint("ftp://x")),
            "options.endpoint"
        );
        let no_attempts = RetryPolicy::new(0, Duration::ZERO, Duration::ZERO);
        assert_eq!(
            field(Client::builder(PROJECT).region("r-1").retry(no_attempts)),
            "options.retry.maxAttempts"
        );
        assert_eq!(
            field(Client::builder(PROJECT).region("r-1").max_response_bytes(0)),
            "options.maxResponseBytes"
        );
        assert_eq!(
            field(Client::builder(PROJECT).region("r-1").header("", "v")),
            "options.headers"
        );
    }
}
