//! `toolsmith triggers listen --forward-to URL`: local development against real
//! trigger events, like `stripe listen`. Every event the project records from now on
//! (a webhook received, a poll's new item, a trigger disabled) is POSTed to the URL
//! with Composio's envelope and signature, so the app's verification code runs
//! unchanged, and one line per event says what the app answered.

use std::time::{Duration, Instant, SystemTime};

use miette::{miette, IntoDiagnostic};
use secrecy::SecretString;
use toolsmith::store::{TriggerEvent, TriggerEventType};
use toolsmith_triggers::signature::sign_delivery;

use crate::home::Database;
use crate::out::{flush, outln};

/// The environment variable holding the secret forwarded events are signed with.
const SECRET_ENV: &str = "TOOLSMITH_WEBHOOK_SECRET";

/// How often the store is asked for new events.
const POLL: Duration = Duration::from_millis(200);

/// `toolsmith triggers listen` arguments.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Where to POST each event (`http://localhost:3000/webhooks/composio`).
    #[arg(long)]
    forward_to: url::Url,
    /// Only these event types (repeatable, or comma-separated; all by default).
    #[arg(long, value_delimiter = ',')]
    events: Vec<String>,
    /// The project (`default` unless given).
    #[arg(long, default_value = toolsmith::store::DEFAULT_PROJECT)]
    project: String,
    /// Forward this many events, then stop (scripts and tests); forever by default.
    #[arg(long)]
    count: Option<usize>,
    #[command(flatten)]
    db: Database,
}

pub(crate) async fn run(args: Args) -> miette::Result<()> {
    if !matches!(args.forward_to.scheme(), "http" | "https") {
        return Err(miette!(
            help = "give an http(s) URL, e.g. --forward-to http://localhost:3000/webhook",
            "--forward-to: `{}` is not an http or https URL",
            args.forward_to
        ));
    }
    let kinds = args
        .events
        .iter()
        .map(|e| e.parse::<TriggerEventType>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| miette!("--events: {e}"))?;
    let store = args.db.project_store(&args.project).await?;
    let secret = match std::env::var(SECRET_ENV) {
        Ok(secret) if !secret.is_empty() => SecretString::from(secret),
        _ => {
            let subscriptions = store.webhook_subscriptions().await.map_err(|e| miette!("{e}"))?;
            match subscriptions.into_iter().next() {
                Some(subscription) => subscription.secret,
                None => {
                    return Err(miette!(
                        help = format!(
                            "set {SECRET_ENV} to the secret your app verifies with, or create the project's webhook subscription (POST /api/v3/webhook_subscriptions) and its secret is used"
                        ),
                        "no secret to sign forwarded events with"
                    ))
                }
            }
        }
    };
    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().into_diagnostic()?;
    // Only what is recorded from now on: skip to the last event.
    let mut after = None;
    loop {
        let page = store.trigger_events_after(after, 1_000).await.map_err(|e| miette!("{e}"))?;
        match page.last() {
            Some(last) => after = Some(last.seq),
            None => break,
        }
    }
    outln!("Ready: forwarding project {}'s trigger events to {} (Ctrl-C stops)", args.project, args.forward_to);
    flush();
    let mut forwarded = 0;
    loop {
        let page = store.trigger_events_after(after, 100).await.map_err(|e| miette!("{e}"))?;
        if page.is_empty() {
            tokio::time::sleep(POLL).await;
            continue;
        }
        for event in page {
            after = Some(event.seq);
            if !kinds.is_empty() && !kinds.contains(&event.kind) {
                continue;
            }
            outln!("{}", forward(&client, &args.forward_to, &secret, &event).await);
            flush();
            forwarded += 1;
            if args.count.is_some_and(|count| forwarded >= count) {
                return Ok(());
            }
        }
    }
}

/// POSTs one event and says how it went: `<time> <type> <trigger> <id> → 200 (3 ms)`.
async fn forward(client: &reqwest::Client, url: &url::Url, secret: &SecretString, event: &TriggerEvent) -> String {
    let body = event.envelope.to_string().into_bytes();
    let headers = sign_delivery(secret, event.id.as_str(), SystemTime::now(), &body);
    let mut request = client.post(url.clone()).header("content-type", "application/json");
    for (name, value) in headers.pairs() {
        request = request.header(name, value);
    }
    let started = Instant::now();
    let answer = match request.body(body).send().await {
        Ok(response) => response.status().as_u16().to_string(),
        // reqwest's message names the URL and the cause, never a header.
        Err(error) => format!("failed: {}", cause(&error)),
    };
    let trigger = event.envelope["metadata"]["trigger_slug"].as_str().unwrap_or("-");
    format!(
        "{}  {:<34} {:<28} {}  -> {answer} ({} ms)",
        humantime::format_rfc3339_seconds(SystemTime::now()),
        event.kind.as_str(),
        trigger,
        event.id,
        started.elapsed().as_millis()
    )
}

/// The innermost cause of a failed request (refused, timed out), which says why.
fn cause(error: &reqwest::Error) -> String {
    let mut text = if error.is_timeout() { "timed out".to_owned() } else { "no answer".to_owned() };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text = cause.to_string();
        source = cause.source();
    }
    text
}
