"""Drives a toolsmith session's MCP endpoint with the official Python `mcp` client (2.3.0).

    python client.py URL KEY MODE        MODE: legacy (initialize, 2025-11-25) | 2026-07-28 | auto

Prints one JSON object on stdout: the negotiated protocol version, the tools (name,
annotations, whether an output schema is declared), the structured answer of
COMPOSIO_SEARCH_TOOLS for "create a github issue", and the error of an unknown tool.
When the client cannot connect or list (a wrong key, another project's session) it prints
{"error": "..."} and exits with 1. server/tests/mcp.rs runs it and asserts on the JSON.
"""

import asyncio
import json
import sys

from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client


def describe(error: BaseException) -> str:
    """The messages of an error and of any errors grouped in it or chained to it."""
    parts = [f"{type(error).__name__}: {error}"]
    for inner in getattr(error, "exceptions", ()):
        parts.append(describe(inner))
    if error.__cause__ is not None:
        parts.append(describe(error.__cause__))
    return " | ".join(parts)


async def run(url: str, key: str, mode: str) -> dict:
    http = create_mcp_http_client(headers={"x-api-key": key})
    async with http, Client(streamable_http_client(url, http_client=http), mode=mode) as client:
        tools = (await client.list_tools()).tools
        search = await client.call_tool(
            "COMPOSIO_SEARCH_TOOLS", {"queries": [{"use_case": "create a github issue"}]}
        )
        try:
            await client.call_tool("NO_SUCH_TOOL", {})
            unknown = None
        except Exception as error:  # the server answers a JSON-RPC error
            unknown = describe(error)
        return {
            "protocol_version": str(client.protocol_version),
            "tools": [
                {
                    "name": tool.name,
                    "annotations": tool.annotations.model_dump(by_alias=True, exclude_none=True)
                    if tool.annotations
                    else None,
                    "has_output_schema": tool.output_schema is not None,
                }
                for tool in tools
            ],
            "search": {"is_error": search.is_error, "structured": search.structured_content},
            "unknown_tool_error": unknown,
        }


def main() -> int:
    url, key, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    try:
        print(json.dumps(asyncio.run(run(url, key, mode))))
        return 0
    except BaseException as error:  # noqa: BLE001 - reported to the Rust test as JSON
        print(json.dumps({"error": describe(error)}))
        return 1


if __name__ == "__main__":
    sys.exit(main())
