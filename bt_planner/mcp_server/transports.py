"""Serving the MCP server: stdio (the default, for desktop clients) or streamable HTTP on loopback.

HTTP binds only a loopback address and requires a bearer token from ``mcp.http_tokens`` on every
request (the SDK's bearer middleware answers 401 otherwise). The socket is bound before the server
is built, so ``port=0`` works and the URL printed is the real one.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable

import anyio
import uvicorn

from bt_planner.errors import SetupError
from bt_planner.mcp_server.mcp_app import build_mcp_server
from bt_planner.mcp_server.session_protocol import McpSession


def serve_stdio(session: McpSession) -> None:
    """Serve MCP on stdin/stdout until the client closes the stream."""
    try:
        build_mcp_server(session).run("stdio")
    finally:
        session.close()


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_http(session: McpSession, *, on_ready: Callable[[str], None]) -> None:
    """Serve MCP over streamable HTTP at ``http://HOST:PORT/mcp`` (``mcp.http_host``/``http_port``).

    ``on_ready`` gets the endpoint URL once the socket is bound.

    Raises:
        SetupError: the host is not a loopback address, no bearer token is configured, or the port is taken.
    """
    settings = session.settings.mcp
    host = settings.http_host
    if not _loopback(host):
        raise SetupError(
            f"mcp.http_host {host!r} is not a loopback address: the MCP server binds 127.0.0.1 or ::1 only"
        )
    tokens = {client: token.get_secret_value() for client, token in settings.http_tokens.items()}
    if not tokens or not all(tokens.values()):
        raise SetupError(
            "the HTTP transport needs a bearer token: set mcp.http_tokens in the config file, or"
            ' BT_PLANNER_MCP__HTTP_TOKENS=\'{"my-client": "<a long random token>"}\''
        )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, settings.http_port))
    except OSError as error:
        sock.close()
        raise SetupError(f"cannot bind {host}:{settings.http_port}: {error}") from error
    sock.listen(128)  # connections queue from now on, before the URL is announced
    port = sock.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    base = f"http://{shown}:{port}"
    server = build_mcp_server(session, http_base_url=base, tokens=tokens)
    app = server.streamable_http_app(host=host)
    web = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    on_ready(f"{base}/mcp")
    try:
        anyio.run(web.serve, [sock])
    finally:
        sock.close()
        session.close()
