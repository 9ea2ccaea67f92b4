//! What the unit tests share: a small toolkit with a webhook and a poll trigger.
#![allow(clippy::unwrap_used)]

use toolsmith_spec::Toolkit;

/// `demo`: a signed webhook trigger with a strict config schema, and a poll trigger.
pub(crate) fn demo() -> Toolkit {
    serde_yaml::from_str(
        r#"
slug: demo
name: Demo
description: A demonstration toolkit.
version: 20261122_00
base_url: https://api.example.com
logo_url: https://example.com/logo.png
auth: [{ scheme: none }]
tools:
  - slug: DEMO_LIST_THINGS
    name: List things
    description: Lists things.
    http: { method: GET, path: /things }
    input: { type: object, properties: {} }
triggers:
  - slug: DEMO_THING_CREATED
    name: Thing created
    description: Fires when a thing is created.
    webhook:
      events: [thing]
      signature: { header: X-Sig, algorithm: hmac_sha256, secret_field: signing_secret }
    config:
      type: object
      required: [signing_secret, project]
      properties:
        signing_secret: { type: string }
        project: { type: string, minLength: 2 }
        labels: { type: array, items: { type: string } }
      additionalProperties: false
  - slug: DEMO_NEW_THING
    name: New thing
    description: A thing appeared.
    poll: { tool: DEMO_LIST_THINGS, interval_seconds: 60, dedupe_key: "$.id" }
"#,
    )
    .unwrap()
}
