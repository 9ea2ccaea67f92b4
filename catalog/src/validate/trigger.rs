//! Checks of triggers.

use super::context::{check_description, check_slug, Context};
use super::schema::{self, Use};
use crate::{Code, NodeRef, ToolkitSlug, Trigger, Webhook};

pub(crate) fn check(trigger: &Trigger, toolkit: &ToolkitSlug, at: &NodeRef, cx: &mut Context<'_>) {
    check_slug(trigger.slug.as_str(), toolkit, "trigger", at.child("slug"), &mut cx.out);
    check_description(
        &trigger.description,
        &format!("trigger `{}`", trigger.slug),
        at.child("description"),
        &mut cx.out,
    );
    match (&trigger.webhook, &trigger.poll) {
        (Some(_), Some(_)) => {
            cx.out.push(at.child("poll").diag_key(Code::TriggerSource, "a trigger has both `webhook` and `poll`").help(
                "keep one: `webhook` when the service pushes events, `poll` when a tool must be called periodically",
            ))
        }
        (None, None) => cx.out.push(
            at.diag(Code::TriggerSource, "a trigger needs `webhook` or `poll`").label("neither webhook nor poll").help(
                "add `webhook: { events: [...] }` or `poll: { tool: ..., interval_seconds: 60, dedupe_key: \"$.id\" }`",
            ),
        ),
        _ => {}
    }
    if let Some(poll) = &trigger.poll {
        if !cx.tools.contains(poll.tool.as_str()) {
            cx.out.push(
                at.child("poll")
                    .child("tool")
                    .diag(Code::UnknownTool, format!("polled tool `{}` does not exist", poll.tool))
                    .help("name a tool of the catalog that lists the items"),
            );
        }
        if poll.interval_seconds == 0 {
            cx.out.push(
                at.child("poll")
                    .child("interval_seconds")
                    .diag(Code::InvalidValue, "poll interval must be at least 1 second")
                    .help("60 is a common choice"),
            );
        }
    }
    if let Some(signature) = trigger.webhook.as_ref().and_then(|w| w.signature.as_ref()) {
        let declared = trigger
            .config
            .as_ref()
            .and_then(|c| c.pointer(&format!("/properties/{}", signature.secret_field)))
            .is_some();
        if !declared {
            cx.out.push(
                at.child("webhook").child("signature").child("secret_field")
                    .diag(Code::TriggerSource, format!("signature secret `{}` is not a property of the trigger's `config`", signature.secret_field))
                    .help(format!("add `config: {{ type: object, required: [{0}], properties: {{ {0}: {{ type: string, description: ... }} }} }}`", signature.secret_field)),
            );
        }
    }
    if let Some(webhook) = &trigger.webhook {
        check_webhook(webhook, &at.child("webhook"), cx);
    }
    for (key, value) in [("config", &trigger.config), ("payload", &trigger.payload)] {
        if let Some(value) = value {
            schema::check(value, &at.child(key), Use::Other, &mut cx.shared, &mut cx.out);
        }
    }
}

/// A webhook's signature is there (or `unsigned: true` says why not) and its parts fit
/// together; its challenge reads the body by a JSON path.
fn check_webhook(webhook: &Webhook, at: &NodeRef, cx: &mut Context<'_>) {
    match (&webhook.signature, webhook.unsigned) {
        (None, false) => cx.out.push(
            at.diag(Code::TriggerSource, "a webhook trigger without `signature` would take forged events")
                .label("no signature")
                .help("describe how the provider signs deliveries (`signature: { header: ..., algorithm: hmac_sha256, secret_field: ... }`), or write `unsigned: true` if it signs nothing (the instance's URL is then the only guard)"),
        ),
        (Some(_), true) => cx.out.push(
            at.child("unsigned")
                .diag(Code::TriggerSource, "`unsigned: true` contradicts the trigger's `signature`")
                .help("remove `unsigned: true`: a signed trigger never takes unsigned deliveries"),
        ),
        _ => {}
    }
    if let Some(signature) = &webhook.signature {
        let at = at.child("signature");
        if let Some(format) = &signature.header_format {
            if !format.split(',').any(|item| item.trim().ends_with("={signature}")) {
                cx.out.push(
                    at.child("header_format")
                        .diag(Code::InvalidValue, "`header_format` has no `key={signature}` item")
                        .help("write the header's items with placeholders, as Stripe's `t={timestamp},v1={signature}`"),
                );
            }
            for (key, set) in
                [("prefix", signature.prefix.is_some()), ("timestamp_header", signature.timestamp_header.is_some())]
            {
                if set {
                    cx.out.push(
                        at.child(key)
                            .diag_key(Code::InvalidValue, format!("`{key}` is not used with `header_format`"))
                            .help("remove it: the header's items give the signature and the timestamp"),
                    );
                }
            }
        }
        let has_timestamp = signature.timestamp_header.is_some()
            || signature.header_format.as_deref().is_some_and(|f| f.contains("{timestamp}"));
        if signature.signed_payload.as_deref().is_some_and(|p| p.contains("{timestamp}")) && !has_timestamp {
            cx.out.push(
                at.child("signed_payload")
                    .diag(
                        Code::InvalidValue,
                        "`signed_payload` uses {timestamp} but the signature says where no timestamp comes from",
                    )
                    .help(
                        "add `timestamp_header: <the header carrying it>` (or a `{timestamp}` item in `header_format`)",
                    ),
            );
        }
    }
    if let Some(challenge) = webhook.challenge.as_ref().filter(|c| !c.when.path.starts_with('$')) {
        cx.out.push(
            at.child("challenge")
                .child("when")
                .child("path")
                .diag(Code::InvalidValue, format!("`{}` is not a JSON path", challenge.when.path))
                .help("write a JSON path into the body, starting with `$.` (`$.type`)"),
        );
    }
}
