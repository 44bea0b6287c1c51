"""The viewer's HTTP server: the page, its assets, the latest snapshot and a server-sent event stream.

Standard library only (``ThreadingHTTPServer``), bound to 127.0.0.1. Routes:

* ``/`` - the page; ``/static/<file>`` - its scripts and styles (package data, no CDN)
* ``/api/events`` - ``text/event-stream``: the latest snapshot at once, then every new one
* ``/api/snapshot`` - the latest snapshot JSON (404 before the first)
* ``/api/py_trees_js`` - the latest snapshot in py_trees_js format; ``/api/schema`` - the JSON Schema
* ``/api/robots`` - a fleet viewer's robots (``{"robots": [...], "default": ...}``); the three routes
  above take ``?robot=NAME`` to read that robot's snapshots (404 for a robot the viewer does not show)
* ``/api/approvals`` - plans waiting for approval; ``POST /api/approvals/<id>/approve`` and
  ``POST /api/approvals/<id>/reject`` (JSON ``{"by": ..., "reason": ...}``) answer one
* ``/history`` - the journal's commands; ``/api/journal/commands[/<id>]`` - the same as JSON

Requests whose ``Host`` is not this loopback address are refused (no DNS-rebinding reads). A
state-changing request (``POST``) is accepted only when all hold: the server is bound to a loopback
address, the client is on loopback, ``Host`` is this server, an ``Origin`` (or ``Sec-Fetch-Site``)
header, if sent, is this server's own, the body is JSON, and ``X-BT-Planner-Token`` carries this
run's random token (written into the pages the server serves). No CORS headers are ever sent, so
another site's page can neither read the token nor send a request a browser would let through.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import re
import secrets
import threading
from collections.abc import Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bt_planner.errors import ApprovalError, JournalError
from bt_planner.journal import Journal
from bt_planner.snapshot import TreeSnapshot, json_schema, to_py_trees_js
from bt_planner.tree.mission import ApprovalBroker
from bt_planner.viewer.fleet_hubs import FleetHubs
from bt_planner.viewer.hub import SnapshotHub
from bt_planner.viewer.sse import KEEPALIVE, frame, retry

_log = logging.getLogger(__name__)

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
TOKEN_HEADER = "X-BT-Planner-Token"
_TOKEN_PLACEHOLDER = b"__BT_PLANNER_TOKEN__"
_ANSWER_PATH = re.compile(r"^/api/approvals/([0-9a-f]{1,64})/(approve|reject)$")
_COMMAND_PATH = re.compile(r"^/api/journal/commands/([0-9]{1,18})$")
_MAX_BODY = 64 * 1024
_STATIC_NAME = re.compile(r"^[A-Za-z0-9_-]+\.(html|js|css|svg)$")
_CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
}
_SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'"
    ),
}


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _static(name: str) -> bytes | None:
    if not _STATIC_NAME.match(name):
        return None
    resource = resources.files("bt_planner.viewer") / "static" / name
    return resource.read_bytes() if resource.is_file() else None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "bt-planner-viewer"

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("%s - %s", self.address_string(), format % args)

    def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in _SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, data: Any, status: HTTPStatus = HTTPStatus.OK) -> None:
        body = data.encode("utf-8") if isinstance(data, str) else json.dumps(data).encode("utf-8")
        self._send(status, body, "application/json")

    def _host_allowed(self) -> bool:
        host = (self.headers.get("Host") or "").lower()
        port = self.server.server_address[1]
        names = {HOST, "localhost", str(self.server.server_address[0])}
        return host in names | {f"{name}:{port}" for name in names}

    def _origin_allowed(self) -> bool:
        origin = self.headers.get("Origin")
        port = self.server.server_address[1]
        if origin is not None and origin not in {f"http://{HOST}:{port}", f"http://localhost:{port}"}:
            return False
        return self.headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none")

    def _refuse(self, status: HTTPStatus, message: str) -> None:
        self._send_json({"error": message}, status)

    def do_POST(self) -> None:
        """Approve or reject a pending plan; every check of the module docs first."""
        refusal = self._post_refusal()
        if refusal is not None:
            self._refuse(HTTPStatus.FORBIDDEN, refusal)
            return
        if (self.headers.get("Content-Type") or "").split(";")[0].strip() != "application/json":
            self._refuse(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "send the answer as application/json")
            return
        match = _ANSWER_PATH.match(urlsplit(self.path).path)
        if match is None:
            self._refuse(HTTPStatus.NOT_FOUND, "no such endpoint")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
            body = (
                json.loads(self.rfile.read(min(length, _MAX_BODY)) or b"{}") if length <= _MAX_BODY else None
            )
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            self._refuse(HTTPStatus.BAD_REQUEST, "the body must be a JSON object {by, reason} under 64 KiB")
            return
        request_id, verdict = match.groups()
        by = str(body.get("by") or "viewer")[:100]
        broker = self.server.approvals
        try:
            if verdict == "approve":
                decision = broker.approve(request_id, by=by, via="viewer")
            else:
                decision = broker.reject(
                    request_id, by=by, via="viewer", reason=str(body.get("reason") or "")[:500]
                )
        except ApprovalError as error:
            self._refuse(HTTPStatus.CONFLICT, str(error))
            return
        self._send_json(decision.model_dump_json())

    def _post_refusal(self) -> str | None:
        """Why a state-changing request is refused; None when it may go on."""
        if not is_loopback(str(self.server.server_address[0])):
            return "approvals are accepted only by a viewer bound to a loopback address"
        if not is_loopback(str(self.client_address[0])):
            return "approvals are accepted only from this machine (loopback)"
        if not self._host_allowed():
            return "forbidden host"
        if not self._origin_allowed():
            return "foreign origin: approvals are accepted only from this viewer's own pages"
        token = self.headers.get(TOKEN_HEADER) or ""
        if not hmac.compare_digest(token.encode("utf-8", "replace"), self.server.token.encode()):
            return f"missing or wrong {TOKEN_HEADER} (the token is in the viewer's page)"
        return None

    def _refuse_method(self) -> None:
        self._refuse(HTTPStatus.METHOD_NOT_ALLOWED, "method not allowed (no CORS)")

    do_OPTIONS = do_PUT = do_DELETE = do_PATCH = _refuse_method

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self._host_allowed():
            self._send(HTTPStatus.FORBIDDEN, b"forbidden host\n", "text/plain; charset=utf-8")
            return
        path = urlsplit(self.path).path
        if path in ("/api/events", "/api/snapshot", "/api/py_trees_js"):
            self._serve_snapshots(path)
        elif path in ("/", "/index.html"):
            self._serve_static("index.html")
        elif path == "/history":
            self._serve_static("history.html")
        elif path == "/api/approvals":
            self._send_json([json.loads(r.model_dump_json()) for r in self.server.approvals.pending()])
        elif path.startswith("/api/journal/"):
            self._serve_journal(path)
        elif path.startswith("/static/"):
            self._serve_static(path.removeprefix("/static/"))
        elif path == "/api/robots":
            names = self.server.hubs.names
            self._send_json({"robots": names, "default": names[0] if names else None})
        elif path == "/api/schema":
            self._send_json(json_schema())
        elif path == "/healthz":
            self._send(HTTPStatus.OK, b"ok\n", "text/plain; charset=utf-8")
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")

    def _serve_snapshots(self, path: str) -> None:
        """``/api/events``, ``/api/snapshot`` and ``/api/py_trees_js`` of the robot ``?robot=`` names."""
        robot = parse_qs(urlsplit(self.path).query).get("robot", [None])[0]
        hub = self.server.hubs.get(robot)
        if hub is None:
            shown = ", ".join(self.server.hubs.names) or "none"
            self._send_json(
                {"error": f"this viewer shows no robot {robot!r} (robots: {shown})"}, HTTPStatus.NOT_FOUND
            )
            return
        if path == "/api/events":
            self._stream_events(hub, robot or "")
            return
        latest = hub.latest
        if latest is None:
            self._send_json({"error": "no snapshot yet"}, HTTPStatus.NOT_FOUND)
        elif path == "/api/snapshot":
            self._send_json(latest.json)
        else:
            self._send_json(to_py_trees_js(latest.snapshot))

    def _serve_journal(self, path: str) -> None:
        journal = self.server.journal
        if journal is None:
            self._send_json({"error": "this viewer has no journal"}, HTTPStatus.NOT_FOUND)
            return
        query = parse_qs(urlsplit(self.path).query)
        try:
            match = _COMMAND_PATH.match(path)
            if path == "/api/journal/commands":
                limit = min(int(query.get("limit", ["50"])[0]), 1000)
                since = float(query["since"][0]) if "since" in query else None
                commands = journal.commands(limit=limit, since=since)
                self._send_json([json.loads(c.model_dump_json()) for c in commands])
            elif match is not None:
                command_id = int(match.group(1))
                command = journal.command(command_id)
                events = [json.loads(e.model_dump_json()) for e in journal.events(command_id)]
                self._send_json({"command": json.loads(command.model_dump_json()), "events": events})
            else:
                self._send_json({"error": "not found"}, HTTPStatus.NOT_FOUND)
        except ValueError as error:
            self._send_json({"error": f"bad query: {error}"}, HTTPStatus.BAD_REQUEST)
        except JournalError as error:
            self._send_json({"error": str(error)}, HTTPStatus.NOT_FOUND)

    def _serve_static(self, name: str) -> None:
        body = _static(name)
        if body is not None and name.endswith(".html"):
            body = body.replace(_TOKEN_PLACEHOLDER, self.server.token.encode())
        if body is None:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")
        else:
            self._send(HTTPStatus.OK, body, _CONTENT_TYPES[name.rsplit(".", 1)[1]])

    def _stream_events(self, hub: SnapshotHub, robot: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        for name, value in _SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command == "HEAD":
            return
        self.server.client_joined()
        try:
            self.wfile.write(retry(1000))
            self.wfile.flush()
            sequence = 0
            while not hub.closed:
                update = hub.wait_newer(sequence, timeout=self.server.keepalive_s)
                if update is None:
                    if hub.closed:
                        break
                    self.wfile.write(KEEPALIVE)
                else:
                    self.wfile.write(frame(data=update.json, event_id=update.sequence))
                    sequence = update.sequence
                self.wfile.flush()
                if update is not None:
                    self.server.delivered(sequence, robot=robot)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away
        finally:
            self.server.client_left()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        host: str,
        port: int,
        hubs: FleetHubs,
        keepalive_s: float,
        *,
        approvals: ApprovalBroker,
        journal: Journal | None,
        token: str,
    ) -> None:
        super().__init__((host, port), _Handler)
        self.hubs = hubs
        self.approvals = approvals
        self.journal = journal
        self.token = token
        self.keepalive_s = keepalive_s
        self.clients = 0
        self.last_delivered: dict[str, int] = {}
        self.clients_changed = threading.Condition()

    def client_joined(self) -> None:
        with self.clients_changed:
            self.clients += 1
            self.clients_changed.notify_all()

    def client_left(self) -> None:
        with self.clients_changed:
            self.clients -= 1
            self.clients_changed.notify_all()

    def delivered(self, sequence: int, *, robot: str) -> None:
        with self.clients_changed:
            self.last_delivered[robot] = max(self.last_delivered.get(robot, 0), sequence)
            self.clients_changed.notify_all()


class ViewerServer:
    """Serves the live viewer for one :class:`SnapshotHub` on ``http://127.0.0.1:<port>/``.

    ``port=0`` picks a free port (see :attr:`url` after :meth:`start`). Publish with
    ``server.publish(snapshot)`` (or ``server.hub.publish``) from any thread. Stopping closes the hub.

    A fleet viewer names its robots (``robots=["robot1", "robot2"]``, or :meth:`add_robot` while it
    runs) and publishes each robot's snapshots with ``publish(snapshot, robot="robot1")``; its page
    shows a robot selector. ``hub`` is then the first robot's.

    ``approvals`` is the broker its approve/reject buttons answer (pass the mission's); ``journal``
    feeds the history page. ``host`` must be a loopback address unless ``allow_remote`` (then the
    pages are readable from the network, but approvals are still refused). ``token`` is this
    run's secret for state-changing requests (random, see the module docs).
    """

    def __init__(
        self,
        *,
        hub: SnapshotHub | None = None,
        port: int = DEFAULT_PORT,
        keepalive_s: float = 10.0,
        host: str = HOST,
        approvals: ApprovalBroker | None = None,
        journal: Journal | None = None,
        allow_remote: bool = False,
        robots: Sequence[str] = (),
    ) -> None:
        if not is_loopback(host) and not allow_remote:
            raise ValueError(
                f"the viewer binds to {host!r}, which is not loopback: pass allow_remote=True to serve the "
                "pages to the network (approvals stay loopback-only)"
            )
        self.host = host
        self.approvals = approvals if approvals is not None else ApprovalBroker()
        self.journal = journal
        self.token = secrets.token_urlsafe(32)
        self.hubs = FleetHubs(robots, unnamed=hub)
        self._port = port
        self._keepalive_s = keepalive_s
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def hub(self) -> SnapshotHub:
        """The default hub: the only one of a single-robot viewer, else the first robot's."""
        return self.hubs.default

    @property
    def robots(self) -> list[str]:
        """The robots this viewer shows, in the order they joined (empty for a single-robot viewer)."""
        return self.hubs.names

    def add_robot(self, name: str) -> SnapshotHub:
        """Show one more robot (idempotent); ``ValueError`` if ``name`` is not a ROS namespace."""
        return self.hubs.add(name)

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the viewer server is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def start(self) -> ViewerServer:
        """Bind and serve on a background thread; ``OSError`` if the port is taken."""
        if self._server is not None:
            return self
        self._server = _Server(
            self.host,
            self._port,
            self.hubs,
            self._keepalive_s,
            approvals=self.approvals,
            journal=self.journal,
            token=self.token,
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="viewer-http", daemon=True)
        self._thread.start()
        _log.info("viewer serving on %s", self.url)
        return self

    def publish(self, snapshot: TreeSnapshot, *, robot: str | None = None) -> bool:
        """Hand a snapshot (of ``robot``, added if new) to every open page; False if it showed nothing new."""
        hub = self.hub if robot is None else self.hubs.add(robot)
        return hub.publish(snapshot)

    def wait_for_clients(self, count: int = 1, *, timeout: float | None = None) -> bool:
        """Block until at least ``count`` event streams are open (e.g. a browser finished loading)."""
        if self._server is None:
            raise RuntimeError("the viewer server is not started")
        server = self._server
        with server.clients_changed:
            return server.clients_changed.wait_for(lambda: server.clients >= count, timeout=timeout)

    def wait_delivered(
        self, sequence: int, *, robot: str | None = None, timeout: float | None = None
    ) -> bool:
        """Block until some event stream has sent update ``sequence`` (or later) of ``robot``'s hub.

        ``robot=None`` means the streams opened without ``?robot=`` (the default hub).
        """
        if self._server is None:
            raise RuntimeError("the viewer server is not started")
        server = self._server
        key = robot or ""
        with server.clients_changed:
            return server.clients_changed.wait_for(
                lambda: server.last_delivered.get(key, 0) >= sequence, timeout=timeout
            )

    def stop(self) -> None:
        """Close every hub (ending every event stream), stop serving and free the port."""
        self.hubs.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> ViewerServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
