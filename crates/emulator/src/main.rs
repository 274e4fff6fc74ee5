//! `fgs-emulator`: parses arguments, binds, prints the URL, serves until SIGTERM/Ctrl-C.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use functiongraph_emulator::config::{Config, DEV_ACCESS_KEY, DEV_SECRET_KEY, DEV_TOKEN};
use functiongraph_emulator::{Emulator, Site};

/// A local Huawei Cloud FunctionGraph that runs real Node.js handlers.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Folder with one sub-folder per function (function.json + code).
    #[arg(long, default_value = "examples/functions")]
    functions: PathBuf,
    /// Folder for the SQLite store of async invocations.
    #[arg(long, default_value = ".fgs-data")]
    data: PathBuf,
    /// TOML configuration (identity, credentials, CORS, hosts, limits); defaults to the
    /// local dev identity.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Accept requests without credentials.
    #[arg(long)]
    no_auth: bool,
    /// Also answer this host name in the Host header (repeatable; "*" for any). Loopback
    /// names and IP addresses are always answered.
    #[arg(long = "allowed-host", value_name = "NAME")]
    allowed_hosts: Vec<String>,
    /// Connections served at once (default 256, or the config's max_connections).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: Option<u32>,
    /// Seconds a request's head may take, and an idle keep-alive connection may stay
    /// (default 10, or the config's header_read_timeout_secs).
    #[arg(long, value_name = "SECS")]
    header_read_timeout: Option<f64>,
    /// Serve this folder at / (the demo page), beside the API.
    #[arg(long)]
    www: Option<PathBuf>,
    /// Serve this folder at /pkg/ (the built npm package), for pages served with --www.
    #[arg(long, requires = "www")]
    pkg: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FGS_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fgs-emulator: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = match &args.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    config.no_auth |= args.no_auth;
    config
        .allowed_hosts
        .extend(args.allowed_hosts.iter().cloned());
    if let Some(n) = args.max_connections {
        config.max_connections = n as usize;
    }
    if let Some(secs) = args.header_read_timeout {
        if !(secs.is_finite() && secs > 0.0) {
            return Err("--header-read-timeout must be a positive number of seconds".into());
        }
        config.header_read_timeout_secs = secs;
    }
    let summary = (
        config.region.clone(),
        config.project_id.clone(),
        config.no_auth,
    );
    // Said before `config` moves into the emulator; printed in the banner below.
    let auth = if config.no_auth {
        "auth: off (--no-auth)".to_owned()
    } else if config.dev_identity {
        // The documented local dev identity, not a secret (README).
        format!("auth: X-Auth-Token {DEV_TOKEN}, or AK {DEV_ACCESS_KEY} / SK {DEV_SECRET_KEY} (the dev identity)")
    } else {
        format!(
            "auth: {} token(s) and {} access key(s) from {}; the dev identity is off",
            config.tokens.len(),
            config.access_keys.len(),
            args.config
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        )
    };
    let mut emulator = Emulator::start(config, &args.functions, &args.data).await?;
    if let Some(www) = &args.www {
        emulator = emulator.with_site(Site {
            www: www.clone(),
            pkg: args.pkg.clone(),
        });
    }
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    let addr = listener.local_addr()?;
    let functions: Vec<String> = emulator
        .state
        .registry
        .all()
        .iter()
        .map(|s| s.key())
        .collect();

    // The first line is a contract: scripts and tests read the URL from it. A closed
    // stdout (say, piped through `head -1`) must not stop the server, so write errors
    // are ignored here.
    let mut banner = format!(
        "listening on http://{addr}\nregion {}, project id {}\nfunctions: {}\n{auth}\n",
        summary.0,
        summary.1,
        functions.join(", ")
    );
    if args.www.is_some() {
        banner.push_str(&format!("demo page: http://{addr}/\n"));
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
    drop(out);

    emulator.serve(listener, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
