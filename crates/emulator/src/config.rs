//! Emulator configuration: the identity it answers as, the credentials it accepts,
//! browser access (Host names, CORS) and connection limits. Read from a TOML file; every field has the documented local default.

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// A fixed AK/SK pair (with its session token, for temporary credentials).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessKey {
    /// Access key id.
    pub access_key: String,
    /// Secret key.
    pub secret_key: String,
    /// When set, requests signed with this key must send it as `X-Security-Token`.
    #[serde(default)]
    pub security_token: Option<String>,
}

/// Everything the emulator is configured with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Region in URNs.
    pub region: String,
    /// The one project id this emulator serves.
    pub project_id: String,
    /// Accepted `X-Auth-Token` values.
    pub tokens: Vec<String>,
    /// Accepted AK/SK pairs.
    pub access_keys: Vec<AccessKey>,
    /// Skip authentication entirely (quick local use only).
    pub no_auth: bool,
    /// Origins allowed to call from a browser: exact origins, `scheme://host:*` for any
    /// port of a host, or `"*"` for any origin. Default: loopback pages only.
    pub cors_origins: Vec<String>,
    /// Host names (without port) accepted in the `Host` header besides the loopback
    /// names; `"*"` accepts any. Anything else is refused, against DNS rebinding.
    pub allowed_hosts: Vec<String>,
    /// Seconds a connection may take to send a request's head, counted from when the
    /// server starts waiting for it: a half-sent head and an idle keep-alive connection
    /// are closed after this long. Also the longest pause allowed inside a request body.
    pub header_read_timeout_secs: f64,
    /// Connections served at once, 1 to [`MAX_CONNECTIONS_LIMIT`]. At the limit the oldest
    /// connection is asked to close (at once when idle, after its answer when busy)
    /// before the next is served.
    pub max_connections: usize,
    /// The Node.js executable that runs handlers.
    pub node: PathBuf,
    /// Seconds an async invocation waits before it is retried after a failure.
    pub async_retry_delay_secs: f64,
    /// Seconds a warm worker may stay idle before it is stopped (its memory given back).
    pub worker_idle_secs: f64,
    /// Whether the credentials are the documented dev identity: only when no config file
    /// names `tokens` or `access_keys` (not a key of the file).
    #[serde(skip)]
    pub dev_identity: bool,
}

/// The documented local identity (README, "The emulator"): not a secret, like LocalStack's `test`/`test`.
pub const DEV_PROJECT_ID: &str = "0123456789abcdef0123456789abcdef";
/// Default region.
pub const DEV_REGION: &str = "cn-north-4";
/// Default token.
pub const DEV_TOKEN: &str = "dev-token";
/// Default access key.
pub const DEV_ACCESS_KEY: &str = "DEVACCESSKEYEXAMPLE0";
/// Default secret key.
pub const DEV_SECRET_KEY: &str = "dev-secret-key-example";

/// Browser pages allowed by default: loopback origins on any port (as Vite's dev server
/// after CVE-2025-24010), never a page from the web.
pub const DEFAULT_CORS_ORIGINS: [&str; 3] =
    ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"];
/// Default of [`Config::header_read_timeout_secs`].
pub const DEFAULT_HEADER_READ_TIMEOUT_SECS: f64 = 10.0;
/// Default of [`Config::max_connections`]: well under the usual 1,024 descriptors, so
/// workers, the store and logs always have some left.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;
/// Largest [`Config::max_connections`] accepted: far past any descriptor limit, and
/// within what the server's connection slots can count.
pub const MAX_CONNECTIONS_LIMIT: usize = 1_000_000;

impl Default for Config {
    fn default() -> Self {
        Config {
            region: DEV_REGION.into(),
            project_id: DEV_PROJECT_ID.into(),
            tokens: vec![DEV_TOKEN.into()],
            access_keys: vec![AccessKey {
                access_key: DEV_ACCESS_KEY.into(),
                secret_key: DEV_SECRET_KEY.into(),
                security_token: None,
            }],
            no_auth: false,
            cors_origins: DEFAULT_CORS_ORIGINS.iter().map(|&o| o.into()).collect(),
            allowed_hosts: Vec::new(),
            header_read_timeout_secs: DEFAULT_HEADER_READ_TIMEOUT_SECS,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            node: PathBuf::from("node"),
            async_retry_delay_secs: 1.0,
            worker_idle_secs: 300.0,
            dev_identity: true,
        }
    }
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML for [`Config`].
    #[error("invalid config {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong (TOML error; contains no secret values).
        message: String,
    },
}

impl Config {
    /// Loads a TOML file; fields it leaves out keep their defaults, except credentials:
    /// a file that names `tokens` or `access_keys` replaces the dev identity entirely (a
    /// file with only `tokens` must not leave the public dev AK/SK working, nor the reverse).
    ///
    /// # Errors
    /// [`ConfigError`] when the file cannot be read or parsed.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let parse_error = |e: toml::de::Error| ConfigError::Parse {
            path: path.to_owned(),
            message: e.message().to_owned(),
        };
        let table: toml::Table = toml::from_str(&text).map_err(parse_error)?;
        let names_tokens = table.contains_key("tokens");
        let names_keys = table.contains_key("access_keys");
        let mut config: Config = table.try_into().map_err(parse_error)?;
        if !(1..=MAX_CONNECTIONS_LIMIT).contains(&config.max_connections) {
            return Err(ConfigError::Parse {
                path: path.to_owned(),
                message: format!(
                    "max_connections must be from 1 to {MAX_CONNECTIONS_LIMIT}, not {}",
                    config.max_connections
                ),
            });
        }
        if names_tokens || names_keys {
            config.dev_identity = false;
            if !names_tokens {
                config.tokens.clear();
            }
            if !names_keys {
                config.access_keys.clear();
            }
        }
        Ok(config)
    }

    /// The secret key of `access_key`, with the session token it requires.
    pub fn access_key(&self, access_key: &str) -> Option<&AccessKey> {
        self.access_keys.iter().find(|k| k.access_key == access_key)
    }
}
