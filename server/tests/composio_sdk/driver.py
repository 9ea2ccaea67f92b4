"""The official Composio Python SDK (0.30.0, unchanged) against a toolsmith server.

Run by `server/tests/composio_sdk.rs`, which starts the server and a local GitHub-like
API, connects a GitHub account for the user, and passes:

    TOOLSMITH_URL             the server's base URL (http://127.0.0.1:PORT)
    TOOLSMITH_API_KEY         a project key
    TOOLSMITH_USER            the user whose GitHub account is connected
    TOOLSMITH_GITHUB_ACCOUNT  that account's id (ca_...)

One function per SDK call; each asserts on what the SDK hands back to the user. Prints
one JSON line per call, `{"call": NAME, "ok": true|false|"pending", "detail": ...}`,
and exits with the number of failed calls. Calls in `PENDING` are skipped and printed
as "pending" (set TOOLSMITH_RUN_PENDING=1 to run them anyway).
"""

import json
import os
import sys
import traceback
from urllib.parse import urlsplit

from anthropic.types import Message
from composio import Composio
from composio.types import auth_scheme
from composio_anthropic import AnthropicProvider
from composio_openai import OpenAIProvider
from openai.types.chat import ChatCompletion

BASE_URL = os.environ["TOOLSMITH_URL"]
API_KEY = os.environ["TOOLSMITH_API_KEY"]
USER = os.environ["TOOLSMITH_USER"]
GITHUB_ACCOUNT = os.environ["TOOLSMITH_GITHUB_ACCOUNT"]

# Calls whose routes are not served yet (toolkits, auth configs and connected accounts
# come with branch rest14), with the request the SDK sends and what it reads back;
# skipped and printed as "pending". Remove an entry once its route is served.
# Calls whose route the server does not serve yet (none now): name -> what the SDK sends and needs.
PENDING: dict = {}

CALLS = []
STATE = {}


def call(name):
    """Registers an SDK call (run in the order of this file)."""

    def register(function):
        CALLS.append((name, function))
        return function

    return register


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def client(provider=None):
    kwargs = {"api_key": API_KEY, "base_url": BASE_URL, "allow_tracking": False}
    return Composio(provider=provider, **kwargs) if provider else Composio(**kwargs)


OPENAI = client(OpenAIProvider())
ANTHROPIC = client(AnthropicProvider())

SEARCH = {"queries": [{"use_case": "create a github issue"}], "session": {"generate_id": True}}


def multi_execute(title):
    return {
        "tools": [
            {
                "tool_slug": "GITHUB_CREATE_ISSUE",
                "arguments": {"owner": "octo", "repo": "hello", "title": title},
            }
        ],
        "sync_response_to_workbench": False,
    }


def function_names(tools):
    return [t["function"]["name"] for t in tools]


def check_agent_turn(results, title):
    """The two results of a scripted turn: SEARCH_TOOLS, then MULTI_EXECUTE of CREATE_ISSUE."""
    check(len(results) == 2, f"two results, got {results!r}")
    found, ran = results
    check(found["successful"], f"SEARCH_TOOLS failed: {found!r}")
    primary = found["data"]["results"][0]["primary_tool_slugs"]
    check("GITHUB_CREATE_ISSUE" in primary, f"SEARCH_TOOLS primary tools {primary!r}")
    check(ran["successful"], f"MULTI_EXECUTE failed: {ran!r}")
    check(ran["data"]["success_count"] == 1, f"MULTI_EXECUTE counts {ran['data']!r}")
    issue = ran["data"]["results"][0]["response"]["data"]
    check(issue.get("title") == title and issue.get("number") == 42, f"the created issue {issue!r}")
    return {"primary": primary[:3], "issue": issue}


@call("composio.create")
def create():
    session = OPENAI.create(user_id=USER, toolkits=["github"])
    STATE["session"] = session
    check(session.session_id.startswith("trs_"), f"session id {session.session_id!r}")
    url = urlsplit(session.mcp.url)
    base = urlsplit(BASE_URL)
    check((url.scheme, url.netloc) == (base.scheme, base.netloc), f"mcp.url {session.mcp.url} off origin")
    check(session.mcp.headers.get("x-api-key") == API_KEY, f"mcp.headers {session.mcp.headers!r}")
    return {"session_id": session.session_id, "mcp": session.mcp.url}


@call("session.tools (OpenAI)")
def session_tools_openai():
    tools = STATE["session"].tools()
    names = function_names(tools)
    check(all(t["type"] == "function" for t in tools), "every tool is a function")
    for slug in ("COMPOSIO_SEARCH_TOOLS", "COMPOSIO_MULTI_EXECUTE_TOOL"):
        check(slug in names, f"{slug} among {names}")
    search = tools[names.index("COMPOSIO_SEARCH_TOOLS")]["function"]["parameters"]
    check("queries" in search["properties"], f"SEARCH_TOOLS parameters {search!r}")
    return names


@call("session.tools (Anthropic)")
def session_tools_anthropic():
    session = ANTHROPIC.create(user_id=USER, toolkits=["github"])
    STATE["anthropic_session"] = session
    tools = session.tools()
    names = [t["name"] for t in tools]
    check("COMPOSIO_MULTI_EXECUTE_TOOL" in names, f"MULTI_EXECUTE among {names}")
    check(all(t["input_schema"]["type"] == "object" for t in tools), "input_schema objects")
    return names


@call("provider.handle_tool_calls (OpenAI)")
def handle_tool_calls_openai():
    calls = [("COMPOSIO_SEARCH_TOOLS", SEARCH), ("COMPOSIO_MULTI_EXECUTE_TOOL", multi_execute("From OpenAI"))]
    response = ChatCompletion.model_validate(
        {
            "id": "chatcmpl-scripted",
            "object": "chat.completion",
            "created": 0,
            "model": "gpt-scripted",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "logprobs": None,
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "tool_calls": [
                            {
                                "id": f"call_{i}",
                                "type": "function",
                                "function": {"name": name, "arguments": json.dumps(arguments)},
                            }
                            for i, (name, arguments) in enumerate(calls)
                        ],
                    },
                }
            ],
        }
    )
    results = OPENAI.provider.handle_tool_calls(response=response, session=STATE["session"])
    return check_agent_turn(results, "From OpenAI")


@call("provider.handle_tool_calls (Anthropic)")
def handle_tool_calls_anthropic():
    calls = [("COMPOSIO_SEARCH_TOOLS", SEARCH), ("COMPOSIO_MULTI_EXECUTE_TOOL", multi_execute("From Anthropic"))]
    response = Message.model_validate(
        {
            "id": "msg_scripted",
            "type": "message",
            "role": "assistant",
            "model": "claude-scripted",
            "stop_reason": "tool_use",
            "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 1},
            "content": [
                {"type": "tool_use", "id": f"toolu_{i}", "name": name, "input": arguments}
                for i, (name, arguments) in enumerate(calls)
            ],
        }
    )
    results = ANTHROPIC.provider.handle_tool_calls(response=response, session=STATE["anthropic_session"])
    return check_agent_turn(results, "From Anthropic")


@call("session.authorize")
def session_authorize():
    session = OPENAI.create(user_id=USER, toolkits=["slack"])
    request = session.authorize("slack")
    check(request.id.startswith("ca_"), f"connection request id {request.id!r}")
    check(request.status == "INITIATED", f"status {request.status!r}")
    check(request.redirect_url.startswith(BASE_URL), f"redirect_url {request.redirect_url!r}")
    return {"id": request.id, "redirect_url": request.redirect_url}


@call("session.toolkits")
def session_toolkits():
    details = STATE["session"].toolkits()
    slugs = [t.slug for t in details.items]
    check(slugs == ["github"], f"toolkits {slugs}")
    github = details.items[0]
    check(github.connection is not None and github.connection.is_active, f"github connection {github!r}")
    account = github.connection.connected_account
    check(account is not None and account.id == GITHUB_ACCOUNT, f"connected account {account!r}")
    return {"slugs": slugs, "total_pages": details.total_pages, "account": account.id}


@call("tools.get (slugs)")
def tools_get_slugs():
    tools = OPENAI.tools.get(user_id=USER, tools=["GITHUB_CREATE_ISSUE", "GITHUB_GET_REPO"])
    names = function_names(tools)
    check(sorted(names) == ["GITHUB_CREATE_ISSUE", "GITHUB_GET_REPO"], f"tools {names}")
    issue = tools[names.index("GITHUB_CREATE_ISSUE")]["function"]["parameters"]
    check({"owner", "repo", "title"} <= set(issue["required"]), f"CREATE_ISSUE required {issue['required']}")
    return names


@call("tools.get (toolkit, limit)")
def tools_get_toolkit():
    tools = OPENAI.tools.get(user_id=USER, toolkits=["github"], limit=5)
    names = function_names(tools)
    check(len(names) == 5 and all(n.startswith("GITHUB_") for n in names), f"tools {names}")
    return names


@call("tools.get (search)")
def tools_get_search():
    tools = OPENAI.tools.get(user_id=USER, search="create a github issue")
    names = function_names(tools)
    check("GITHUB_CREATE_ISSUE" in names[:3], f"tools {names}")
    return names[:5]


@call("tools.execute")
def tools_execute():
    result = OPENAI.tools.execute(
        "GITHUB_GET_REPO",
        user_id=USER,
        arguments={"owner": "octo", "repo": "hello"},
        dangerously_skip_version_check=True,
    )
    check(result["successful"] is True and result["error"] is None, f"result {result!r}")
    check(result["data"].get("full_name") == "octo/hello", f"data {result['data']!r}")
    return result["data"]


@call("tools.proxy")
def tools_proxy():
    response = OPENAI.tools.proxy(endpoint="/user", method="GET", connected_account_id=GITHUB_ACCOUNT)
    check(response.status == 200, f"status {response.status}")
    check(response.data.get("login") == "ada-gh", f"data {response.data!r}")
    return {"status": response.status, "data": response.data}


@call("toolkits.get (list)")
def toolkits_list():
    items = OPENAI.toolkits.get()
    slugs = [t.slug for t in items]
    check("github" in slugs and "stripe" in slugs, f"toolkits {slugs}")
    return slugs


@call("toolkits.get (slug)")
def toolkits_get():
    toolkit = OPENAI.toolkits.get("github")
    check(toolkit.slug == "github" and toolkit.name == "GitHub", f"toolkit {toolkit.slug} {toolkit.name}")
    return {"slug": toolkit.slug, "name": toolkit.name}


@call("auth_configs.create")
def auth_configs_create():
    config = OPENAI.auth_configs.create(
        "stripe", {"type": "use_custom_auth", "authScheme": "API_KEY", "credentials": {}}
    )
    STATE["auth_config"] = config.id
    check(config.id.startswith("ac_"), f"auth config id {config.id!r}")
    check(config.auth_scheme == "API_KEY", f"auth_scheme {config.auth_scheme!r}")
    return {"id": config.id, "auth_scheme": config.auth_scheme}


@call("connected_accounts.initiate")
def connected_accounts_initiate():
    request = OPENAI.connected_accounts.initiate(
        user_id=USER,
        auth_config_id=STATE["auth_config"],
        config=auth_scheme.api_key({"api_key": "sk_test_sdk"}),
    )
    STATE["stripe_account"] = request.id
    check(request.id.startswith("ca_"), f"connection request id {request.id!r}")
    check(request.status == "ACTIVE", f"status {request.status!r}")
    return {"id": request.id, "status": request.status}


@call("connected_accounts.list")
def connected_accounts_list():
    listed = OPENAI.connected_accounts.list(user_ids=[USER], toolkit_slugs=["stripe"])
    ids = [a.id for a in listed.items]
    check(ids == [STATE["stripe_account"]], f"accounts {ids}")
    check(listed.items[0].status == "ACTIVE", f"status {listed.items[0].status!r}")
    return ids


@call("connected_accounts.get")
def connected_accounts_get():
    account = OPENAI.connected_accounts.get(STATE["stripe_account"])
    check(account.id == STATE["stripe_account"], f"id {account.id!r}")
    check(account.status == "ACTIVE" and account.toolkit.slug == "stripe", f"account {account!r}")
    check("sk_test_sdk" not in json.dumps(account.model_dump(), default=str), "the API key is not shown")
    return {"id": account.id, "status": account.status, "auth_config": account.auth_config.id}


@call("connected_accounts.delete")
def connected_accounts_delete():
    OPENAI.connected_accounts.delete(STATE["stripe_account"])
    listed = OPENAI.connected_accounts.list(user_ids=[USER], toolkit_slugs=["stripe"])
    check(listed.items == [], f"accounts after delete {[a.id for a in listed.items]}")
    return "deleted"


@call("auth_configs.list")
def auth_configs_list():
    listed = OPENAI.auth_configs.list(toolkit_slug="stripe")
    ids = [c.id for c in listed.items]
    check(STATE["auth_config"] in ids, f"auth configs {ids}")
    return ids


@call("auth_configs.get")
def auth_configs_get():
    config = OPENAI.auth_configs.get(STATE["auth_config"])
    check(config.id == STATE["auth_config"] and config.toolkit.slug == "stripe", f"auth config {config!r}")
    return {"id": config.id, "status": config.status}


@call("auth_configs.delete")
def auth_configs_delete():
    OPENAI.auth_configs.delete(STATE["auth_config"])
    listed = OPENAI.auth_configs.list(toolkit_slug="stripe")
    ids = [c.id for c in listed.items]
    check(STATE["auth_config"] not in ids, f"auth configs after delete {ids}")
    return "deleted"


# Further SDK calls on the sessions and tools routes (beyond the issue's list).


@call("composio.use")
def use():
    session = OPENAI.use(STATE["session"].session_id)
    check(session.session_id == STATE["session"].session_id, f"session {session.session_id!r}")
    check("COMPOSIO_SEARCH_TOOLS" in function_names(session.tools()), "the used session's tools")
    return session.session_id


@call("composio.use (unknown session)")
def use_unknown():
    try:
        OPENAI.use("trs_doesnotexist0000000")
    except Exception as error:  # the SDK's NotFoundError, with Composio's envelope parsed
        check(getattr(error, "status_code", None) == 404, f"status of {error!r}")
        details = getattr(error, "details", None)
        check(details is not None and details.get("slug") == "ToolRouter_SessionNotFound", f"details {details!r}")
        return {"error": str(error), "slug": details["slug"]}
    raise AssertionError("an unknown session was found")


@call("session.search")
def session_search():
    found = STATE["session"].search(query="create a github issue")
    primary = found.results[0].primary_tool_slugs
    check("GITHUB_CREATE_ISSUE" in primary, f"primary tools {primary}")
    check("GITHUB_CREATE_ISSUE" in found.tool_schemas, f"tool_schemas {list(found.tool_schemas)}")
    return primary[:3]


@call("session.execute")
def session_execute():
    result = STATE["session"].execute("GITHUB_GET_REPO", arguments={"owner": "octo", "repo": "hello"})
    check(result.result_type == "completed" and result.error is None, f"result {result!r}")
    check(result.data.get("full_name") == "octo/hello", f"data {result.data!r}")
    check(result.log_id, "a log id")
    return {"result_type": result.result_type, "log_id": result.log_id}


@call("session.execute_meta")
def session_execute_meta():
    result = STATE["session"].execute_meta(
        "COMPOSIO_GET_TOOL_SCHEMAS", arguments={"tool_slugs": ["GITHUB_CREATE_ISSUE"]}
    )
    check(result.result_type == "completed", f"result {result!r}")
    schema = result.data["tool_schemas"]["GITHUB_CREATE_ISSUE"]
    check("title" in schema["input_schema"]["properties"], f"schema {schema!r}")
    return list(result.data["tool_schemas"])


@call("session.proxy_execute")
def session_proxy_execute():
    answer = STATE["session"].proxy_execute(
        toolkit="github",
        endpoint="/user",
        method="GET",
        parameters=[{"name": "per_page", "type": "query", "value": "1"}],
    )
    check(answer["status"] == 200 and answer["result_type"] == "completed", f"answer {answer!r}")
    check(answer["data"].get("login") == "ada-gh", f"data {answer['data']!r}")
    return {"status": answer["status"], "data": answer["data"]}


@call("provider.handle_tool_calls (user_id)")
def handle_tool_calls_direct():
    provider = client(OpenAIProvider())
    arguments = json.dumps({"owner": "octo", "repo": "hello"})
    response = ChatCompletion.model_validate(
        {
            "id": "chatcmpl-direct",
            "object": "chat.completion",
            "created": 0,
            "model": "gpt-scripted",
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "tool_calls",
                    "message": {
                        "role": "assistant",
                        "tool_calls": [
                            {"id": "call_0", "type": "function", "function": {"name": "GITHUB_GET_REPO", "arguments": arguments}}
                        ],
                    },
                }
            ],
        }
    )
    (result,) = provider.provider.handle_tool_calls(user_id=USER, response=response)
    check(result["successful"] and result["data"].get("full_name") == "octo/hello", f"result {result!r}")
    return result["data"]


@call("tools.execute (version)")
def tools_execute_version():
    version = OPENAI.tools.get_raw_composio_tool_by_slug("GITHUB_GET_REPO").version
    result = OPENAI.tools.execute(
        "GITHUB_GET_REPO", user_id=USER, arguments={"owner": "octo", "repo": "hello"}, version=version
    )
    check(result["successful"] is True, f"result {result!r}")
    return {"version": version}


@call("tools.execute (meta tool outside a session)")
def tools_execute_meta_tool():
    try:
        OPENAI.tools.execute(
            "COMPOSIO_SEARCH_TOOLS", user_id=USER, arguments=SEARCH, dangerously_skip_version_check=True
        )
    except Exception as error:
        check("can only be called inside a tool-router session" in str(error), f"error {error}")
        return str(error)
    raise AssertionError("a meta tool ran outside a session")


@call("sessions.delete")
def sessions_delete():
    session_id = STATE["session"].session_id
    answer = OPENAI.sessions.delete(session_id)
    check(answer == {"session_id": session_id, "deleted": True}, f"answer {answer!r}")
    return answer


def failure(error):
    """What went wrong, with the HTTP request the SDK sent when the server refused it."""
    detail = {"error": f"{type(error).__name__}: {error}"}
    response = getattr(error, "response", None)
    request = getattr(response, "request", None)
    if request is not None:
        detail["request"] = f"{request.method} {request.url}"
        if request.content:
            detail["body"] = request.content.decode("utf-8", "replace")
        detail["status"] = response.status_code
    if isinstance(error, (AssertionError, KeyError, AttributeError, TypeError)):
        frame = traceback.extract_tb(error.__traceback__)[-1]
        detail["at"] = f"{os.path.basename(frame.filename)}:{frame.lineno} {frame.line}"
    return detail


def main():
    run_pending = os.environ.get("TOOLSMITH_RUN_PENDING") == "1"
    failures = 0
    for name, function in CALLS:
        if name in PENDING and not run_pending:
            line = {"call": name, "ok": "pending", "detail": PENDING[name]}
        else:
            try:
                line = {"call": name, "ok": True, "detail": function()}
            except Exception as error:  # every failure is reported, then the next call runs
                failures += 1
                line = {"call": name, "ok": False, "detail": failure(error)}
        print(json.dumps(line, default=str), flush=True)
    return failures


if __name__ == "__main__":
    sys.exit(main())
