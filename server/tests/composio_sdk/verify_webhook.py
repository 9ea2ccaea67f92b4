"""The official Composio Python SDK (0.30.0, unchanged) checks a delivery toolsmith signed.

Run by `server/tests/webhook_signature.rs`. The environment holds the delivery:
WEBHOOK_ID, WEBHOOK_TIMESTAMP, WEBHOOK_SIGNATURE (the three headers toolsmith sent),
WEBHOOK_SECRET, WEBHOOK_BODY (what was signed) and WEBHOOK_TAMPERED (the same body
altered); WEBHOOK_TRIGGER_SLUG, when set, is the `trigger_slug` the SDK is expected to
read (a `composio.trigger.message` names the trigger type; the SDK gives other events
their `type` there). Prints one JSON line per check, `{"call", "ok", "detail"}`; the exit code is
the number of failed checks.
"""

import json
import os
import sys

from composio import Composio
from composio.exceptions import WebhookSignatureVerificationError

COMPOSIO = Composio(api_key="unused", allow_tracking=False)
ENV = os.environ
SLUG = ENV.get("WEBHOOK_TRIGGER_SLUG", "GITHUB_ISSUES_EVENT")
FAILED = 0


def report(call, ok, detail):
    global FAILED
    FAILED += 0 if ok else 1
    print(json.dumps({"call": call, "ok": ok, "detail": detail}), flush=True)


def verify(payload):
    return COMPOSIO.triggers.verify_webhook(
        id=ENV["WEBHOOK_ID"],
        payload=payload,
        secret=ENV["WEBHOOK_SECRET"],
        signature=ENV["WEBHOOK_SIGNATURE"],
        timestamp=ENV["WEBHOOK_TIMESTAMP"],
    )


try:
    result = verify(ENV["WEBHOOK_BODY"])
    event = result["payload"]
    report(
        "verify_webhook(signed body)",
        str(result["version"]).endswith("V3") and event["trigger_slug"] == SLUG,
        {"version": str(result["version"]), "trigger_slug": event["trigger_slug"], "id": event["id"]},
    )
except Exception as error:  # noqa: BLE001 - the report names it
    report("verify_webhook(signed body)", False, f"{type(error).__name__}: {error}")

try:
    verify(ENV["WEBHOOK_TAMPERED"])
    report("verify_webhook(tampered body)", False, "accepted")
except WebhookSignatureVerificationError as error:
    report("verify_webhook(tampered body)", True, f"{type(error).__name__}: {error}")
except Exception as error:  # noqa: BLE001 - the report names it
    report("verify_webhook(tampered body)", False, f"{type(error).__name__}: {error}")

sys.exit(FAILED)
