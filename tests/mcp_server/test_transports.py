"""``bt-planner mcp --transport http``: streamable HTTP on loopback, bearer token required."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.fake_openai_server import FakeOpenAIServer
from tests.mcp_server.mcp_harness import BT_PLANNER, server_env, structured, write_world

TOKEN = "test-token-0123456789abcdef"
READY = "MCP server (streamable HTTP): "


@pytest.fixture(scope="module")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One HTTP server for the module (each start costs seconds); its planner is never called."""
    with FakeOpenAIServer() as llm:
        yield from _serve(tmp_path_factory.mktemp("mcp_http"), llm)


def _serve(directory: Path, llm: FakeOpenAIServer) -> Iterator[str]:
    env = server_env(llm, http_tokens=json.dumps({"tester": TOKEN}))
    process = subprocess.Popen(
        [BT_PLANNER, "mcp", "--world", str(write_world(directory)), "--transport", "http", "--port", "0"],
        env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url: list[str] = []
    found = threading.Event()

    def read_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith(READY):
                url.append(line[len(READY) :].strip())
                found.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        assert found.wait(60), "the HTTP server did not report its URL"
        yield url[0]
    finally:
        process.terminate()
        process.wait(10)
        reader.join(5)


MESSAGE = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN[:-1]}X"]
)
async def test_a_missing_or_wrong_bearer_token_is_refused(
    http_server: str, authorization: str | None
) -> None:
    headers = dict(HEADERS)
    if authorization is not None:
        headers["Authorization"] = authorization
    async with httpx2.AsyncClient() as http:
        response = await http.post(http_server, json=MESSAGE, headers=headers)
    assert response.status_code == 401, response.text
    assert "tools" not in response.text


async def test_the_right_token_gets_the_tools(http_server: str) -> None:
    assert http_server.startswith("http://127.0.0.1:") and http_server.endswith("/mcp")
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"})
    async with http, Client(streamable_http_client(http_server, http_client=http)) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert {"plan", "verify_plan", "execute", "estop"} <= names
        assert structured(await client.call_tool("robot_state", {}))["estop_engaged"] is False


def test_http_without_a_configured_token_does_not_start(tmp_path: Path, server: FakeOpenAIServer) -> None:
    done = subprocess.run(
        [BT_PLANNER, "mcp", "--world", str(write_world(tmp_path)), "--transport", "http", "--port", "0"],
        env=server_env(server), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2 and "bearer token" in done.stderr


def test_http_refuses_a_non_loopback_host(tmp_path: Path, server: FakeOpenAIServer) -> None:
    done = subprocess.run(
        [BT_PLANNER, "mcp", "--world", str(write_world(tmp_path)), "--transport", "http", "--host", "0.0.0.0"],
        env=server_env(server, http_tokens=json.dumps({"tester": TOKEN})),
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2 and "loopback" in done.stderr
