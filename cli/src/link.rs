//! Connecting through a Connect Link from the command line (`accounts connect` for an
//! OAuth 2.0 toolkit, `accounts reconnect`), like `gh auth login`: make the link, print
//! it, serve its page unless a `toolsmith serve` of the same home already does, and wait
//! until the user has finished (or the link expires).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use miette::{miette, IntoDiagnostic};
use toolsmith::auth::{Initiated, LinkRequest};
use toolsmith::store::{AccountStatus, ConnectedAccount, Store};
use toolsmith::{ConnectedAccountId, Registry, ToolSearch};
use toolsmith_catalog::Toolkit;
use toolsmith_server::ServerOptions;

use crate::home::{time, Deployment};
use crate::out::{flush, outln};
use crate::serve::{app_state, Listen};

/// How often the store is read while waiting (a server in another process writes to it).
const POLL: Duration = Duration::from_millis(500);

/// What happened to the link's account.
pub(crate) enum Outcome {
    /// The user finished: the account left `INITIATED` (ACTIVE, or FAILED with a reason).
    Done(Box<ConnectedAccount>),
    /// The link expired first.
    Expired(ConnectedAccountId),
}

/// Starts `request` for `toolkit`, prints the link, serves its page when no server of
/// this home answers at the public URL, and waits for the account to leave `INITIATED`.
pub(crate) fn connect(
    rt: &tokio::runtime::Runtime,
    deployment: &Deployment,
    registry: &Registry,
    toolkit: &Toolkit,
    request: LinkRequest,
    listen: &Listen,
) -> miette::Result<Outcome> {
    let main = deployment.store();
    let store = main.as_ref();
    rt.block_on(async {
        let user = request.user_id.clone();
        // Bound before the link is made: with `--addr HOST:0` the port is only known now.
        let own = match &listen.public_url {
            None if listen.addr.port() == 0 => Some(listen.bind().await?),
            _ => None,
        };
        let public_url = match &own {
            Some((_, url)) => url.clone(),
            None => listen.url()?,
        };
        let started = toolsmith::auth::initiate(store, toolkit, request).await.map_err(|e| miette!("{e}"))?;
        let url = toolsmith::session::link_url(&public_url, &started.token);
        let own = match own {
            Some(bound) => Some(bound),
            None => match answers(&url).await {
                Answer::Ours => None,
                Answer::Nobody => Some(listen.bind().await?),
                Answer::Other(status) => {
                    fail(store, &started.account.id, "no server could show the Connect Link").await?;
                    return Err(miette!(
                        help = "stop that server, run this command with the TOOLSMITH_HOME it uses, or pass a free --addr",
                        "a server answers at {public_url} but does not know this link (HTTP {status}): it uses another TOOLSMITH_HOME"
                    ));
                }
            },
        };
        announce(toolkit, &user, &url, &started);
        let outcome = match own {
            Some((listener, public_url)) => {
                let search = Arc::new(ToolSearch::new(registry));
                let state = app_state(deployment, search, ServerOptions::new(public_url)).await?;
                let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
                let server = tokio::spawn(toolsmith_server::serve(listener, state, async move {
                    let _ = stopped.await;
                }));
                let outcome = wait(store, &started).await;
                // The page of the callback is sent before the server stops.
                let _ = stop.send(());
                server.await.into_diagnostic()?.into_diagnostic()?;
                outcome?
            }
            None => wait(store, &started).await?,
        };
        if let Outcome::Expired(id) = &outcome {
            fail(store, id, "the Connect Link expired before the user finished it").await?;
        }
        Ok(outcome)
    })
}

/// What answers `GET` of the link's page.
enum Answer {
    /// A toolsmith server that knows the link (it redirects to the provider or shows the form).
    Ours,
    /// Nothing listens there.
    Nobody,
    /// Something else, with this status.
    Other(u16),
}

async fn answers(url: &str) -> Answer {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap_or_default();
    match http.get(url).send().await {
        Ok(r) if r.status().as_u16() == 303 || r.status().is_success() => Answer::Ours,
        Ok(r) => Answer::Other(r.status().as_u16()),
        Err(_) => Answer::Nobody,
    }
}

/// Prints the link and what to do with it.
fn announce(toolkit: &Toolkit, user: &toolsmith::UserId, url: &str, started: &Initiated) {
    outln!("To connect {} for user `{user}`, open this link in a browser and authorize:", toolkit.name);
    outln!();
    outln!("  {url}");
    outln!();
    outln!(
        "Waiting for the user to finish (the link works once, until {}; Ctrl-C stops waiting)...",
        time(started.expires_at)
    );
    flush();
}

/// Waits until the account leaves `INITIATED`, or the link expires.
async fn wait(store: &dyn Store, started: &Initiated) -> miette::Result<Outcome> {
    let id = &started.account.id;
    let mut changes = store.account_changes();
    loop {
        let account = store.account(id).await.map_err(|e| miette!("{e}"))?.ok_or_else(|| {
            miette!("connected account {id} was removed while waiting for its Connect Link; run the command again")
        })?;
        if account.status != AccountStatus::Initiated {
            return Ok(Outcome::Done(Box::new(account)));
        }
        let Ok(left) = started.expires_at.duration_since(SystemTime::now()) else {
            return Ok(Outcome::Expired(id.clone()));
        };
        tokio::select! {
            _ = changes.changed() => {}
            () = tokio::time::sleep(left.min(POLL)) => {}
        }
    }
}

/// Marks the account `FAILED` with `reason` (when it is still waiting for its link).
async fn fail(store: &dyn Store, id: &ConnectedAccountId, reason: &str) -> miette::Result<()> {
    let Some(mut account) = store.account(id).await.map_err(|e| miette!("{e}"))? else { return Ok(()) };
    if account.status == AccountStatus::Initiated {
        account.status = AccountStatus::Failed;
        account.status_reason = Some(reason.to_owned());
        account.updated_at = SystemTime::now();
        store.put_account(&account).await.map_err(|e| miette!("{e}"))?;
    }
    Ok(())
}

/// Prints how the wait ended: the ACTIVE account (status 0), or why not (status 1).
pub(crate) fn report(
    outcome: Outcome,
    timeout: Duration,
    describe: impl Fn(&ConnectedAccount) -> serde_json::Value,
) -> miette::Result<ExitCode> {
    match outcome {
        Outcome::Done(account) if account.status == AccountStatus::Active => {
            outln!("{}", serde_json::to_string_pretty(&describe(&account)).into_diagnostic()?);
            Ok(ExitCode::SUCCESS)
        }
        Outcome::Done(account) => {
            let reason = account.status_reason.as_deref().unwrap_or("no reason given");
            eprintln!("error: connecting {} failed ({}): {reason}", account.id, account.status);
            eprintln!("(run the command again for a new link)");
            Ok(ExitCode::from(1))
        }
        Outcome::Expired(id) => {
            eprintln!(
                "error: the Connect Link of {id} expired after {} without the user finishing it; the account is FAILED",
                humantime::format_duration(timeout)
            );
            eprintln!("(run the command again for a new link, or give the user more time with --timeout)");
            Ok(ExitCode::from(1))
        }
    }
}
