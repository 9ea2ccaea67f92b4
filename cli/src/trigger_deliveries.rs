//! `toolsmith triggers deliveries`: where each trigger event's delivery to the app
//! stands, and with `--event`, every attempt at it.

use std::time::SystemTime;

use miette::{miette, IntoDiagnostic};
use serde_json::{json, Value};
use toolsmith::store::{DeliveryAttempt, DeliveryFilter, DeliveryRecord, DeliveryStatus};
use toolsmith::{TriggerEventId, TriggerInstanceId};

use crate::home::Database;
use crate::out::outln;

/// `toolsmith triggers deliveries` arguments.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Only this event's delivery, with every attempt (`msg_…`).
    #[arg(long)]
    event: Option<TriggerEventId>,
    /// Only the deliveries of these trigger instances' events (repeatable, or comma-separated).
    #[arg(long, value_delimiter = ',')]
    instance: Vec<TriggerInstanceId>,
    /// Only deliveries in this state (repeatable, or comma-separated).
    #[arg(long, value_delimiter = ',', value_enum)]
    status: Vec<Status>,
    /// At most this many, newest first.
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// The project (`default` unless given).
    #[arg(long, default_value = toolsmith::store::DEFAULT_PROJECT)]
    project: String,
    #[command(flatten)]
    db: Database,
}

/// A delivery's state, as `--status` takes it.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Status {
    /// Waiting for its turn or its next attempt.
    Pending,
    /// The app answered 2xx.
    Delivered,
    /// Given up after the retry period.
    Failed,
}

impl From<Status> for DeliveryStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Pending => DeliveryStatus::Pending,
            Status::Delivered => DeliveryStatus::Delivered,
            Status::Failed => DeliveryStatus::Failed,
        }
    }
}

pub(crate) async fn run(args: Args) -> miette::Result<()> {
    let store = args.db.project_store(&args.project).await?;
    let filter = DeliveryFilter {
        events: args.event.iter().cloned().collect(),
        instances: args.instance,
        statuses: args.status.into_iter().map(DeliveryStatus::from).collect(),
        limit: Some(args.limit),
    };
    let records = store.deliveries(&filter).await.map_err(|e| miette!("{e}"))?;
    let attempts = match &args.event {
        Some(event) => store.delivery_attempts(event).await.map_err(|e| miette!("{e}"))?,
        None => Vec::new(),
    };
    if args.json {
        let mut shown: Vec<Value> = records.iter().map(record_json).collect();
        if args.event.is_some() {
            for record in &mut shown {
                record["attempt_log"] = attempts.iter().map(attempt_json).collect();
            }
        }
        outln!("{}", serde_json::to_string_pretty(&shown).into_diagnostic()?);
        return Ok(());
    }
    if records.is_empty() {
        return match &args.event {
            Some(event) => Err(miette!(
                help = "list recent deliveries with `toolsmith triggers deliveries`; an event has one only when a webhook subscription took its type",
                "no delivery of event {event}"
            )),
            None => {
                outln!("no deliveries");
                Ok(())
            }
        };
    }
    let now = SystemTime::now();
    outln!("{:<26} {:<34} {:<26} {:<9} {:>8}  LAST ATTEMPT", "EVENT", "TYPE", "INSTANCE", "STATUS", "ATTEMPTS");
    for record in &records {
        let instance = record.instance.as_ref().map_or("-", |i| i.as_str());
        let last = record.last_attempt.as_ref().map_or_else(|| "-".to_owned(), |a| outcome(a, now));
        let next = match (record.status, record.next_attempt_at) {
            (DeliveryStatus::Pending, Some(at)) => format!("; next {}", relative(at, now)),
            _ => String::new(),
        };
        outln!(
            "{:<26} {:<34} {:<26} {:<9} {:>8}  {last}{next}",
            record.event.as_str(),
            record.kind.as_str(),
            instance,
            record.status.as_str(),
            record.attempts
        );
    }
    for (n, attempt) in attempts.iter().enumerate() {
        outln!("  attempt {}: {}", n + 1, outcome(attempt, now));
    }
    Ok(())
}

/// `200 in 12 ms, 3 s ago` or `connection refused, 5 min ago`.
fn outcome(attempt: &DeliveryAttempt, now: SystemTime) -> String {
    let result = match (attempt.status, &attempt.error) {
        (Some(status), Some(error)) => format!("{status} ({error})"),
        (Some(status), None) => status.to_string(),
        (None, Some(error)) => error.clone(),
        (None, None) => "no answer".to_owned(),
    };
    format!("{result} in {} ms, {}", attempt.duration.as_millis(), relative(attempt.at, now))
}

/// `in 5s`, `3m 2s ago`, whole seconds.
fn relative(at: SystemTime, now: SystemTime) -> String {
    let round = |d: std::time::Duration| humantime::format_duration(std::time::Duration::from_secs(d.as_secs()));
    match at.duration_since(now) {
        Ok(ahead) => format!("in {}", round(ahead)),
        Err(behind) => format!("{} ago", round(behind.duration())),
    }
}

fn time(at: SystemTime) -> String {
    humantime::format_rfc3339_millis(at).to_string()
}

fn record_json(record: &DeliveryRecord) -> Value {
    json!({
        "event_id": record.event.as_str(),
        "type": record.kind.as_str(),
        "trigger_id": record.instance.as_ref().map(|i| i.as_str()),
        "webhook_subscription_id": record.subscription.as_str(),
        "status": record.status.as_str(),
        "attempts": record.attempts,
        "last_attempt": record.last_attempt.as_ref().map(attempt_json),
        "next_attempt_at": record.next_attempt_at.filter(|_| record.status == DeliveryStatus::Pending).map(time),
        "created_at": time(record.created_at),
    })
}

fn attempt_json(attempt: &DeliveryAttempt) -> Value {
    json!({
        "at": time(attempt.at),
        "status": attempt.status,
        "error": attempt.error,
        "duration_ms": attempt.duration.as_millis() as u64,
    })
}
