//! Checks of triggers.

use super::context::{check_description, check_slug, Context};
use super::schema::{self, Use};
use crate::{Code, NodeRef, ToolkitSlug, Trigger};

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
    for (key, value) in [("config", &trigger.config), ("payload", &trigger.payload)] {
        if let Some(value) = value {
            schema::check(value, &at.child(key), Use::Other, &mut cx.shared, &mut cx.out);
        }
    }
}
