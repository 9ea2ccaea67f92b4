//! Checks of triggers.

use super::context::{check_description, check_slug, Context};
use super::schema::{self, Use};
use crate::{Code, CursorFrom, NodeRef, Poll, Toolkit, Trigger};

pub(crate) fn check(trigger: &Trigger, toolkit: &Toolkit, at: &NodeRef, cx: &mut Context<'_>) {
    check_slug(trigger.slug.as_str(), &toolkit.slug, "trigger", at.child("slug"), &mut cx.out);
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
        check_poll(poll, toolkit, &at.child("poll"), cx);
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
    for (key, value) in [("config", &trigger.config), ("payload", &trigger.payload)] {
        if let Some(value) = value {
            schema::check(value, &at.child(key), Use::Other, &mut cx.shared, &mut cx.out);
        }
    }
}

/// A poll's JSON paths are of the subset the poller reads, and its cursor fills a
/// parameter of the polled tool from exactly one source.
fn check_poll(poll: &Poll, toolkit: &Toolkit, at: &NodeRef, cx: &mut Context<'_>) {
    let mut path = |value: &str, node: NodeRef| {
        if let Err(problem) = crate::json_path::check(value) {
            cx.out.push(node.diag(Code::InvalidValue, problem).help("write a JSON path like `$.items` or `$.id`"));
        }
    };
    path(&poll.dedupe_key, at.child("dedupe_key"));
    if let Some(items) = &poll.items_path {
        path(items, at.child("items_path"));
    }
    let Some(cursor) = &poll.cursor else { return };
    let at = at.child("cursor");
    for (i, from) in cursor.from.paths().iter().enumerate() {
        let node = match cursor.from {
            CursorFrom::Many(_) => at.child("from").child(i),
            _ => at.child("from"),
        };
        path(from, node);
    }
    if let Some(from_items) = &cursor.from_items {
        path(from_items, at.child("from_items"));
    }
    if cursor.from.is_empty() == cursor.from_items.is_none() {
        cx.out.push(
            at.diag_key(Code::InvalidValue, "a cursor needs exactly one of `from` and `from_items`")
                .help("`from: \"$.nextPageToken\"` takes a token from the response; `from_items: \"$.updated\"` the largest value of an item field"),
        );
    }
    if let Some(initial) = &cursor.initial {
        let rest = initial.replace("{now}", "");
        if rest.contains(['{', '}']) {
            cx.out.push(
                at.child("initial")
                    .diag(Code::InvalidValue, format!("`{initial}` has a placeholder other than `{{now}}`"))
                    .help("use `{now}` (the first poll's time, RFC 3339) or a fixed value"),
            );
        }
    }
    // The polled tool of this toolkit must take the argument (a tool of another toolkit
    // is checked where it is defined: E021 names a missing one).
    let Some(tool) = toolkit.tools.iter().find(|t| t.slug == poll.tool) else { return };
    let properties = &tool.input.properties;
    if !properties.contains_key(&cursor.argument) {
        let mut known: Vec<&str> = properties.keys().map(String::as_str).collect();
        known.sort_unstable();
        cx.out.push(
            at.child("argument")
                .diag(Code::InvalidValue, format!("`{}` is not a parameter of {}", cursor.argument, poll.tool))
                .help(format!("name one of its parameters: {}", known.join(", "))),
        );
    }
}
