"""The viewer's HTTP server: the page, its assets, the latest snapshot and a server-sent event stream.

Standard library only (``ThreadingHTTPServer``), bound to 127.0.0.1. Routes:

* ``/`` - the page; ``/static/<file>`` - its scripts and styles (package data, no CDN)
* ``/api/events`` - ``text/event-stream``: the latest snapshot at once, then every new one
* ``/api/snapshot`` - the latest snapshot JSON (404 before the first)
* ``/api/py_trees_js`` - the latest snapshot in py_trees_js format; ``/api/schema`` - the JSON Schema

Requests whose ``Host`` is not this loopback address are refused (no DNS-rebinding reads).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from bt_planner.snapshot import TreeSnapshot, json_schema, to_py_trees_js
from bt_planner.viewer.hub import SnapshotHub
from bt_planner.viewer.sse import KEEPALIVE, frame, retry

_log = logging.getLogger(__name__)

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
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
        return host in {f"{HOST}:{port}", f"localhost:{port}", HOST, "localhost"}

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if not self._host_allowed():
            self._send(HTTPStatus.FORBIDDEN, b"forbidden host\n", "text/plain; charset=utf-8")
            return
        path = urlsplit(self.path).path
        hub = self.server.hub
        latest = hub.latest
        if path in ("/", "/index.html"):
            self._serve_static("index.html")
        elif path.startswith("/static/"):
            self._serve_static(path.removeprefix("/static/"))
        elif path == "/api/events":
            self._stream_events()
        elif path == "/api/snapshot":
            if latest is None:
                self._send_json({"error": "no snapshot yet"}, HTTPStatus.NOT_FOUND)
            else:
                self._send_json(latest.json)
        elif path == "/api/py_trees_js":
            if latest is None:
                self._send_json({"error": "no snapshot yet"}, HTTPStatus.NOT_FOUND)
            else:
                self._send_json(to_py_trees_js(latest.snapshot))
        elif path == "/api/schema":
            self._send_json(json_schema())
        elif path == "/healthz":
            self._send(HTTPStatus.OK, b"ok\n", "text/plain; charset=utf-8")
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")

    def _serve_static(self, name: str) -> None:
        body = _static(name)
        if body is None:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")
        else:
            self._send(HTTPStatus.OK, body, _CONTENT_TYPES[name.rsplit(".", 1)[1]])

    def _stream_events(self) -> None:
        hub = self.server.hub
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
                    self.server.delivered(sequence)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser went away
        finally:
            self.server.client_left()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, hub: SnapshotHub, keepalive_s: float) -> None:
        super().__init__((HOST, port), _Handler)
        self.hub = hub
        self.keepalive_s = keepalive_s
        self.clients = 0
        self.last_delivered = 0
        self.clients_changed = threading.Condition()

    def client_joined(self) -> None:
        with self.clients_changed:
            self.clients += 1
            self.clients_changed.notify_all()

    def client_left(self) -> None:
        with self.clients_changed:
            self.clients -= 1
            self.clients_changed.notify_all()

    def delivered(self, sequence: int) -> None:
        with self.clients_changed:
            self.last_delivered = max(self.last_delivered, sequence)
            self.clients_changed.notify_all()


class ViewerServer:
    """Serves the live viewer for one :class:`SnapshotHub` on ``http://127.0.0.1:<port>/``.

    ``port=0`` picks a free port (see :attr:`url` after :meth:`start`). Publish with
    ``server.publish(snapshot)`` (or ``server.hub.publish``) from any thread. Stopping closes the hub.
    """

    def __init__(
        self, *, hub: SnapshotHub | None = None, port: int = DEFAULT_PORT, keepalive_s: float = 10.0
    ) -> None:
        self.hub = hub if hub is not None else SnapshotHub()
        self._port = port
        self._keepalive_s = keepalive_s
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

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
        self._server = _Server(self._port, self.hub, self._keepalive_s)
        self._thread = threading.Thread(target=self._server.serve_forever, name="viewer-http", daemon=True)
        self._thread.start()
        _log.info("viewer serving on %s", self.url)
        return self

    def publish(self, snapshot: TreeSnapshot) -> bool:
        """Hand a snapshot to every open page; False if it showed nothing new."""
        return self.hub.publish(snapshot)

    def wait_for_clients(self, count: int = 1, *, timeout: float | None = None) -> bool:
        """Block until at least ``count`` event streams are open (e.g. a browser finished loading)."""
        if self._server is None:
            raise RuntimeError("the viewer server is not started")
        server = self._server
        with server.clients_changed:
            return server.clients_changed.wait_for(lambda: server.clients >= count, timeout=timeout)

    def wait_delivered(self, sequence: int, *, timeout: float | None = None) -> bool:
        """Block until some event stream has sent the update numbered ``sequence`` (or a later one)."""
        if self._server is None:
            raise RuntimeError("the viewer server is not started")
        server = self._server
        with server.clients_changed:
            return server.clients_changed.wait_for(lambda: server.last_delivered >= sequence, timeout=timeout)

    def stop(self) -> None:
        """Close the hub (ending every event stream), stop serving and free the port."""
        self.hub.close()
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
