"""Read snapshots from a viewer server's event stream (``/api/events``), reconnecting when it drops.

Lets ``bt-planner watch`` (or a second viewer) follow an in-process ``run --view`` or a ROS-attached
viewer without ROS on this machine. Standard library only.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

from pydantic import ValidationError

from bt_planner.snapshot import from_json
from bt_planner.viewer.sources.protocol import SnapshotCallback
from bt_planner.viewer.sse import SNAPSHOT_EVENT, parse

_log = logging.getLogger(__name__)

EVENTS_PATH = "/api/events"


class SseSource:
    """Follows ``url`` (a server root or its ``/api/events``); retries every ``reconnect_s`` after a drop.

    A query is kept: ``http://127.0.0.1:8765/?robot=robot2`` follows that robot of a fleet viewer.
    """

    def __init__(self, url: str, *, reconnect_s: float = 1.0, read_timeout_s: float = 60.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        self._parts = parts
        path = parts.path if parts.path not in ("", "/") else EVENTS_PATH
        self._path = f"{path}?{parts.query}" if parts.query else path  # ?robot=NAME: one fleet robot
        self._reconnect_s = reconnect_s
        self._read_timeout_s = read_timeout_s
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()
        """Set while a stream is open (cleared when it drops)."""

    @property
    def description(self) -> str:
        return f"event stream {self._parts.scheme}://{self._parts.netloc}{self._path}"

    def start(self, on_snapshot: SnapshotCallback) -> None:
        self._thread = threading.Thread(
            target=self._run, args=(on_snapshot,), name="snapshot-sse", daemon=True
        )
        self._thread.start()

    def _connect(self) -> http.client.HTTPConnection:
        kind = http.client.HTTPSConnection if self._parts.scheme == "https" else http.client.HTTPConnection
        return kind(self._parts.hostname or "", self._parts.port, timeout=self._read_timeout_s)

    def _lines(self, response: http.client.HTTPResponse) -> Iterator[str]:
        for raw in iter(response.readline, b""):
            yield raw.decode("utf-8", errors="replace")

    def _follow(self, on_snapshot: SnapshotCallback) -> None:
        connection = self._connect()
        try:
            connection.connect()
            with self._lock:  # http.client drops its socket reference once streaming; keep our own
                if self._stop.is_set():
                    return
                self._socket = connection.sock
            connection.request("GET", self._path, headers={"Accept": "text/event-stream"})
            response = connection.getresponse()
            if response.status != 200:
                raise ConnectionError(f"{self.description} answered HTTP {response.status}")
            self.connected.set()
            for event in parse(self._lines(response)):
                if event.event != SNAPSHOT_EVENT:
                    continue
                try:
                    snapshot = from_json(event.data)
                except ValidationError as error:
                    _log.warning("skipping an invalid snapshot: %s", error.errors()[0]["msg"])
                    continue
                on_snapshot(snapshot)
        finally:
            self.connected.clear()
            with self._lock:
                self._socket = None
            connection.close()

    def _run(self, on_snapshot: SnapshotCallback) -> None:
        while not self._stop.is_set():
            try:
                self._follow(on_snapshot)
            except (OSError, http.client.HTTPException) as error:
                if not self._stop.is_set():
                    _log.info("%s: %s; reconnecting", self.description, error)
            self._stop.wait(self._reconnect_s)

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            stream = self._socket
        if stream is not None:
            with contextlib.suppress(OSError):  # unblock a read waiting on the stream
                stream.shutdown(socket.SHUT_RDWR)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
