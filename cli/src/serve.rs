//! `toolsmith serve`: the REST API and MCP endpoints over the home's SQLite store or a
//! PostgreSQL database shared with other servers (`--database`); and the
//! address and server state that `accounts connect` reuses to serve a Connect Link page.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use miette::{miette, IntoDiagnostic};
use toolsmith::store::{ApiKey, ApiKeySecret, DEFAULT_PROJECT};
use toolsmith::{ApiKeyId, ToolSearch};
use toolsmith_server::{AppState, ServerOptions};

use crate::catalog::{registry, CatalogArgs};
use crate::home::{home, runtime, Database, Deployment};
use crate::out::outln;

/// Where a server listens, and the URL clients reach it at.
#[derive(clap::Args, Clone)]
pub(crate) struct Listen {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787", env = "TOOLSMITH_ADDR")]
    pub(crate) addr: SocketAddr,
    /// The URL clients reach the server at (Connect Links use it); `http://ADDR` by default.
    #[arg(long, env = "TOOLSMITH_PUBLIC_URL")]
    pub(crate) public_url: Option<url::Url>,
}

impl Listen {
    /// The public URL as given: `--public-url`, else `http://ADDR`.
    pub(crate) fn url(&self) -> miette::Result<url::Url> {
        match &self.public_url {
            Some(url) => Ok(url.clone()),
            None => format!("http://{}", self.addr).parse().into_diagnostic(),
        }
    }

    /// Listens on `--addr`; the listener and the public URL (`http://ADDR` by default,
    /// with the port chosen when `--addr` asks for port 0).
    pub(crate) async fn bind(&self) -> miette::Result<(tokio::net::TcpListener, url::Url)> {
        let listener = tokio::net::TcpListener::bind(self.addr)
            .await
            .map_err(|e| miette!(help = "choose another address with --addr", "cannot listen on {}: {e}", self.addr))?;
        let addr = listener.local_addr().into_diagnostic()?;
        let public_url = match &self.public_url {
            Some(url) => url.clone(),
            None => format!("http://{addr}").parse().into_diagnostic()?,
        };
        Ok((listener, public_url))
    }
}

/// The server over the deployment's projects.
pub(crate) async fn app_state(
    deployment: &Deployment,
    search: Arc<ToolSearch>,
    options: ServerOptions,
) -> miette::Result<AppState> {
    Ok(AppState::new(search, deployment.projects().await?, options))
}

/// `toolsmith serve`
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    listen: Listen,
    /// Another host name MCP requests may carry (repeatable); loopback names are allowed.
    #[arg(long = "allowed-host")]
    allowed_hosts: Vec<String>,
    /// Log lines as text or JSON.
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
    /// The workbench's folder (sessions' sandboxes and their `/mnt/files`);
    /// `<home>/workbench` by default.
    #[arg(long, env = "TOOLSMITH_WORKBENCH_DIR")]
    workbench_dir: Option<std::path::PathBuf>,
    /// Run without the workbench: sessions offer no COMPOSIO_REMOTE_WORKBENCH /
    /// COMPOSIO_REMOTE_BASH_TOOL and offload nothing.
    #[arg(long)]
    no_workbench: bool,
    /// Disk quota of each session's workbench files (`/mnt/files` and `/home/user`
    /// together), in MiB: a cell that passes it is stopped, uploads past it are refused.
    #[arg(long, env = "TOOLSMITH_WORKBENCH_DISK_QUOTA_MIB", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..=1 << 30))]
    workbench_disk_quota: u64,
    /// How long this server reserves the trigger deliveries it claims, in seconds: after a
    /// crash, the deliveries it had in flight are sent again once this has passed. More
    /// than the 15 s an app may take to answer.
    #[arg(long, env = "TOOLSMITH_DELIVERY_LEASE_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(16..=3600))]
    delivery_lease: u64,
    #[command(flatten)]
    catalog: CatalogArgs,
    #[command(flatten)]
    db: Database,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

pub(crate) fn run(args: Args) -> miette::Result<ExitCode> {
    let subscriber = tracing_subscriber::fmt().with_writer(std::io::stderr).with_target(false);
    match args.log_format {
        LogFormat::Json => subscriber.json().init(),
        LogFormat::Text => subscriber.init(),
    }
    let registry = registry(&args.catalog)?;
    let search = Arc::new(ToolSearch::new(&registry));
    let rt = runtime()?;
    rt.block_on(async move {
        let (listener, public_url) = args.listen.bind().await?;
        let addr = listener.local_addr().into_diagnostic()?;
        let mut options = ServerOptions::new(public_url.clone());
        options.allowed_hosts.extend(args.allowed_hosts);
        let lease = std::time::Duration::from_secs(args.delivery_lease);
        options.deliveries = Some(toolsmith_triggers::delivery::DeliveryOptions { lease, ..Default::default() });
        if !args.no_workbench {
            options.workbench = workbench(args.workbench_dir, args.workbench_disk_quota << 20)?;
        }
        // Migrates a PostgreSQL database first (servers starting together migrate it once).
        let deployment = args.db.open().await?;
        deployment.check_keys().await?;
        let main = deployment.store();
        let project = deployment.ensure_project(DEFAULT_PROJECT).await?;
        if main.api_keys(None).await.map_err(|e| miette!("{e}"))?.is_empty() {
            let secret = ApiKeySecret::generate();
            let key = ApiKey {
                id: ApiKeyId::generate(),
                project: project.id.clone(),
                name: Some("development".into()),
                key_hash: secret.hash(),
                prefix: secret.prefix(),
                created_at: std::time::SystemTime::now(),
                revoked_at: None,
            };
            main.put_api_key(&key).await.map_err(|e| miette!("{e}"))?;
            outln!("No API key yet: created a development key for project `default` (shown once; revoke it with `toolsmith api-keys revoke {}`):", key.id);
            outln!();
            outln!("  export COMPOSIO_API_KEY={} COMPOSIO_BASE_URL={}", secret.expose(), public_url.as_str().trim_end_matches('/'));
            outln!("  python -c 'from composio import Composio; print(Composio(allow_tracking=False).create(user_id=\"ada\").mcp.url)'");
            outln!("  curl -H \"x-api-key: $COMPOSIO_API_KEY\" \"$COMPOSIO_BASE_URL/api/v3.1/tools?toolkit_slug=github&limit=3\"");
            outln!();
        }
        let state = app_state(&deployment, search, options).await?;
        // Signal handlers first: a SIGTERM right after "listening" must stop cleanly.
        let shutdown = shutdown()?;
        tracing::info!(%addr, tools = registry.tools().count(), "toolsmith serve listening");
        outln!("listening on http://{addr} ({} tools); Ctrl-C stops", registry.tools().count());
        toolsmith_server::serve(listener, state, shutdown).await.into_diagnostic()?;
        tracing::info!("stopped");
        Ok(ExitCode::SUCCESS)
    })
}

/// The workbench under `dir` (`<home>/workbench` by default), each session's files
/// capped at `disk_bytes`, its idle sandboxes stopped
/// in the background; `None`, with a note, when bubblewrap is missing.
fn workbench(
    dir: Option<std::path::PathBuf>,
    disk_bytes: u64,
) -> miette::Result<Option<Arc<toolsmith_workbench::Workbench>>> {
    let dir = match dir {
        Some(dir) => dir,
        None => home()?.join("workbench"),
    };
    let mut config = toolsmith_workbench::SandboxConfig::new(&dir);
    config.limits.disk_bytes = disk_bytes;
    match toolsmith_workbench::Workbench::new(config) {
        Ok(workbench) => {
            let workbench = Arc::new(workbench);
            workbench.spawn_idle_reaper();
            tracing::info!(dir = %dir.display(), "workbench ready");
            Ok(Some(workbench))
        }
        Err(e @ toolsmith_workbench::Error::BwrapMissing { .. }) => {
            tracing::warn!(error = %e, "serving without the workbench");
            outln!("note: {e}; sessions get no workbench (pass --no-workbench to silence this)");
            Ok(None)
        }
        Err(e) => {
            Err(miette!(help = "pass --no-workbench to serve without it", "the workbench in {}: {e}", dir.display()))
        }
    }
}

/// Ctrl-C or SIGTERM, listening from now on.
fn shutdown() -> miette::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| miette!("cannot listen for SIGTERM: {e}"))?;
    Ok(async move {
        #[cfg(unix)]
        let term = async move {
            term.recv().await;
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = term => {}
        }
        tracing::info!("shutting down: finishing requests in flight");
    })
}
