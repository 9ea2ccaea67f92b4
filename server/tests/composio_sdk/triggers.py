"""The official Composio Python SDK (0.30.0, unchanged): triggers against a toolsmith server.

Run by `server/tests/composio_sdk.rs` with the environment of `driver.py`, whose harness
it reuses (its own calls only): each call prints one JSON line, `{"call", "ok", "detail"}`;
the exit code is the number of failed calls.
"""

import sys

from composio import Composio
from composio.exceptions import TriggerTypeNotFound
from composio_client import BadRequestError

import driver
from driver import API_KEY, BASE_URL, GITHUB_ACCOUNT, USER, call, check

# driver.py's calls registered themselves when it was imported: run only these.
driver.CALLS.clear()

COMPOSIO = Composio(api_key=API_KEY, base_url=BASE_URL, allow_tracking=False)
SLUG = "GITHUB_ISSUES_EVENT"
STATE = {}


@call("triggers.list(toolkit_slugs=['github'])")
def list_types():
    page = COMPOSIO.triggers.list(toolkit_slugs=["github"])
    slugs = [item.slug for item in page.items]
    check(SLUG in slugs and all(s.startswith("GITHUB_") for s in slugs), f"slugs {slugs}")
    item = page.items[slugs.index(SLUG)]
    check(item.type == "webhook" and item.toolkit.slug == "github", f"item {item!r}")
    check("webhook_secret" in item.config["properties"], f"config {item.config!r}")
    return {"slugs": slugs, "total_items": page.total_items}


@call("triggers.list_enum")
def list_enum():
    slugs = COMPOSIO.triggers.list_enum()
    check(SLUG in slugs and all(isinstance(s, str) for s in slugs), f"slugs {slugs!r}")
    return len(slugs)


@call("triggers.get_type")
def get_type():
    found = COMPOSIO.triggers.get_type(slug=SLUG)
    check(found.slug == SLUG and found.instructions, f"type {found!r}")
    return {"slug": found.slug, "type": found.type}


@call("triggers.create(connected_account_id=...)")
def create():
    made = COMPOSIO.triggers.create(
        slug=SLUG, connected_account_id=GITHUB_ACCOUNT, trigger_config={"webhook_secret": "whsec-sdk"}
    )
    check(made.trigger_id.startswith("ti_"), f"trigger_id {made.trigger_id!r}")
    STATE["id"] = made.trigger_id
    again = COMPOSIO.triggers.create(slug=SLUG, user_id=USER, trigger_config={"webhook_secret": "whsec-sdk-2"})
    check(again.trigger_id == made.trigger_id, f"the same instance again, got {again.trigger_id!r}")
    return made.trigger_id


@call("triggers.create (a config that breaks the schema)")
def create_bad_config():
    try:
        COMPOSIO.triggers.create(slug=SLUG, connected_account_id=GITHUB_ACCOUNT, trigger_config={"webhook_secret": 7})
    except BadRequestError as error:
        message = str(error)
        check(message.startswith("400 ") and "trigger_config/webhook_secret" in message, f"message {message!r}")
        details = error.details or {}
        check(details.get("slug") == "Trigger_InvalidConfig", f"details {details!r}")
        return {"message": message, "errors": details.get("errors")}
    raise AssertionError("a config that breaks the schema was accepted")


@call("triggers.create (an unknown trigger type)")
def create_unknown():
    try:
        COMPOSIO.triggers.create(slug="GITHUB_NOPE", user_id=USER, trigger_config={})
    except TriggerTypeNotFound as error:
        return str(error)
    raise AssertionError("an unknown trigger type was accepted")


@call("triggers.list_active")
def list_active():
    page = COMPOSIO.triggers.list_active(trigger_ids=[STATE["id"]], connected_account_ids=[GITHUB_ACCOUNT])
    check(len(page.items) == 1, f"items {page.items!r}")
    item = page.items[0]
    check(item.id == STATE["id"] and item.trigger_name == SLUG, f"item {item!r}")
    check(item.connected_account_id == GITHUB_ACCOUNT and item.user_id == USER, f"item {item!r}")
    check(item.trigger_config == {"webhook_secret": "[REDACTED]"}, f"config {item.trigger_config!r}")
    return {"id": item.id, "triggerName": item.trigger_name}


@call("triggers.disable")
def disable():
    answer = COMPOSIO.triggers.disable(STATE["id"])
    check(answer.status == "success", f"answer {answer!r}")
    active = COMPOSIO.triggers.list_active(trigger_ids=[STATE["id"]])
    check(active.items == [], f"a disabled trigger is not active: {active.items!r}")
    every = COMPOSIO.triggers.list_active(trigger_ids=[STATE["id"]], show_disabled=True)
    check(len(every.items) == 1 and every.items[0].disabled_at, f"show_disabled: {every.items!r}")
    return answer.status


@call("triggers.enable")
def enable():
    answer = COMPOSIO.triggers.enable(STATE["id"])
    check(answer.status == "success", f"answer {answer!r}")
    check(len(COMPOSIO.triggers.list_active(trigger_ids=[STATE["id"]]).items) == 1, "active again")
    return answer.status


@call("triggers.delete")
def delete():
    answer = COMPOSIO.triggers.delete(STATE["id"])
    check(answer.trigger_id == STATE["id"], f"answer {answer!r}")
    every = COMPOSIO.triggers.list_active(show_disabled=True)
    check(every.items == [], f"nothing left: {every.items!r}")
    return answer.trigger_id


if __name__ == "__main__":
    sys.exit(driver.main())
