//! A local Huawei Cloud FunctionGraph: the invocation APIs over HTTP, running real
//! Node.js handlers in warm worker processes, with async invocations kept in SQLite.
//!
//! `main.rs` only parses arguments and binds; everything else is here so tests can
//! drive the router directly (`tower::ServiceExt::oneshot`) or over a real socket.
#![deny(missing_docs)]

pub mod api;
pub mod api_error;
pub mod auth;
pub mod browser;
pub mod config;
pub mod dispatcher;
pub mod functions;
pub mod invoke;
pub mod memory;
pub mod output;
pub mod pool;
pub mod serve;
pub mod state;
pub mod store;
pub mod worker;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderName, Method};
use axum::routing::{any, get};
use axum::Router;
use functiongraph_protocol::headers as h;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::config::Config;
use crate::functions::Registry;
use crate::pool::Pools;
use crate::state::AppState;
use crate::store::Store;
use crate::worker::{Launcher, RUNTIME_JS};

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The functions folder is invalid.
    #[error(transparent)]
    Functions(#[from] functions::LoadError),
    /// The data folder or database could not be prepared.
    #[error("data folder {path}: {message}")]
    Data {
        /// The folder.
        path: PathBuf,
        /// What failed.
        message: String,
    },
}

/// Static files served beside the API: a web page at `/` and the npm package at `/pkg/`,
/// so a page served by the emulator calls it from the same origin.
#[derive(Debug, Clone)]
pub struct Site {
    /// Folder served at `/`.
    pub www: PathBuf,
    /// Folder served at `/pkg/`.
    pub pkg: Option<PathBuf>,
}

/// A started emulator: state plus its async dispatcher.
pub struct Emulator {
    /// Shared state (for tests and diagnostics).
    pub state: Arc<AppState>,
    stop: watch::Sender<bool>,
    dispatcher: JoinHandle<()>,
    site: Option<Site>,
}

impl Emulator {
    /// Loads the functions, opens the store in `data_dir`, resumes interrupted async
    /// invocations and starts the dispatcher.
    ///
    /// # Errors
    /// [`StartError`].
    pub async fn start(
        config: Config,
        functions_dir: &Path,
        data_dir: &Path,
    ) -> Result<Emulator, StartError> {
        let registry = Registry::load(functions_dir)?;
        let data_err = |message: String| StartError::Data {
            path: data_dir.to_owned(),
            message,
        };
        std::fs::create_dir_all(data_dir).map_err(|e| data_err(e.to_string()))?;
        let runtime = data_dir.join("runtime.js");
        std::fs::write(&runtime, RUNTIME_JS).map_err(|e| data_err(e.to_string()))?;
        let store =
            Store::open(&data_dir.join("fgs.sqlite3")).map_err(|e| data_err(e.to_string()))?;
        let resumed = store
            .recover_interrupted()
            .await
            .map_err(|e| data_err(e.to_string()))?;
        if resumed > 0 {
            tracing::info!("resuming {resumed} async invocations interrupted by the last shutdown");
        }
        let launcher = Launcher {
            node: config.node.clone(),
            runtime: runtime.canonicalize().unwrap_or(runtime),
            project_id: config.project_id.clone(),
            region: config.region.clone(),
        };
        let state = Arc::new(AppState {
            config,
            registry,
            pools: Pools::new(launcher),
            store,
            wake: Notify::new(),
            running: Default::default(),
        });
        let (stop, stop_rx) = watch::channel(false);
        tokio::spawn(reap_idle_workers(state.clone(), stop_rx.clone()));
        let dispatcher = tokio::spawn(dispatcher::run(state.clone(), stop_rx));
        Ok(Emulator {
            state,
            stop,
            dispatcher,
            site: None,
        })
    }

    /// Also serves `site` (a page at `/`, the package at `/pkg/`).
    pub fn with_site(mut self, site: Site) -> Emulator {
        self.site = Some(site);
        self
    }

    /// The HTTP router.
    pub fn router(&self) -> Router {
        router(self.state.clone(), self.site.as_ref())
    }

    /// Serves on `listener` until `shutdown` completes; in-flight calls finish first.
    /// Async invocations still running are left to resume at the next start.
    ///
    /// # Errors
    /// The server's I/O error.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let config = &self.state.config;
        let limits = serve::Limits {
            header_read_timeout: read_timeout(config),
            max_connections: config.max_connections,
        };
        let result = serve::serve(listener, self.router(), limits, shutdown).await;
        self.stop().await;
        result
    }

    /// Stops the dispatcher and the idle workers.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = tokio::time::timeout(Duration::from_secs(5), self.dispatcher).await;
        self.state.pools.stop_all();
    }
}

/// The header-read timeout, also the longest pause allowed inside a request body.
fn read_timeout(config: &Config) -> Duration {
    let secs = config.header_read_timeout_secs;
    let secs = if secs.is_finite() {
        secs.clamp(0.05, 86_400.0)
    } else {
        config::DEFAULT_HEADER_READ_TIMEOUT_SECS
    };
    Duration::from_secs_f64(secs)
}

/// Stops workers idle longer than `worker_idle_secs`, checking a few times per period
/// and at least every second, so an idle worker that exited by itself has what it
/// started ended soon after.
async fn reap_idle_workers(state: Arc<AppState>, mut stop: watch::Receiver<bool>) {
    let max_idle = Duration::from_secs_f64(state.config.worker_idle_secs.max(0.1));
    let every = (max_idle / 4).clamp(Duration::from_millis(50), Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
        let stopped = state.pools.reap(max_idle);
        if stopped > 0 {
            tracing::debug!("stopped {stopped} idle workers");
        }
    }
}

/// The router: the API ([`api::handle`] routes it with the protocol crate's parser)
/// and with a [`Site`] its static files, behind CORS; `/_emulator/info` outside it (no
/// other origin may read it); all behind the `Host` check.
pub fn router(state: Arc<AppState>, site: Option<&Site>) -> Router {
    let cors = cors_layer(&state.config.cors_origins);
    let body_timeout = RequestBodyTimeoutLayer::new(read_timeout(&state.config));
    let routes = match site {
        None => Router::new().fallback(api::handle),
        Some(site) => {
            let mut r = Router::new().route("/v2/{*rest}", any(api::handle));
            if let Some(pkg) = &site.pkg {
                r = r.nest_service("/pkg", ServeDir::new(pkg));
            }
            r.fallback_service(ServeDir::new(&site.www))
        }
    };
    routes
        .layer(cors)
        .route("/_emulator/info", get(api::info))
        .layer(body_timeout)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            browser::check_host,
        ))
        .with_state(state)
}

fn cors_layer(origins: &[String]) -> CorsLayer {
    let allow_origin = browser::allow_origin(origins);
    let names = |list: &[&'static str]| {
        list.iter()
            .map(|n| HeaderName::from_static(n))
            .collect::<Vec<_>>()
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers(names(&[
            "content-type",
            h::AUTH_TOKEN,
            h::AUTHORIZATION,
            h::SDK_DATE,
            h::SDK_CONTENT_SHA256,
            h::PROJECT_ID,
            h::SECURITY_TOKEN,
            h::LOG_TYPE,
            h::REQUEST_VERSION,
            h::INSTANCE_MEMORY,
        ]))
        .expose_headers(names(&[
            h::CFF_REQUEST_ID,
            h::INVOKE_SUMMARY,
            h::FUNCTION_LOG,
            h::BILLING_DURATION,
            h::RESPONSE_VERSION,
            h::FUNC_ERR_CODE,
            h::IS_FUNC_ERR,
            h::REQUEST_ID,
            h::RETRY_AFTER,
        ]))
        .max_age(Duration::from_secs(600))
}
