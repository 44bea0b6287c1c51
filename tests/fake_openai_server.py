"""A real HTTP server on loopback that speaks OpenAI chat-completions with scripted replies.

Tests point the real ``openai`` SDK at it (no monkeypatching). Each request pops the next
``Scripted`` reply (or uses ``default``): a plan, an HTTP error with headers, a delay, a garbage
body or a truncated completion. Every request body is recorded for assertions.

Hostile servers: ``dribble_interval_s`` sends the body one byte at a time (the SDK's per-read
timeout never trips), ``never_answer`` sends nothing at all. Both notice when the client hangs up
and count it in ``hang_ups`` (``wait_for_hang_ups`` waits for it), so a test can see a request
really was cancelled.
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Scripted:
    content: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    raw_body: bytes | None = None
    delay_s: float = 0.0
    finish_reason: str = "stop"
    prompt_tokens: int = 100
    completion_tokens: int = 50
    dribble_interval_s: float = 0.0
    never_answer: bool = False


def plan_reply(plan: dict[str, Any] | str, **kwargs: Any) -> Scripted:
    return Scripted(content=plan if isinstance(plan, str) else json.dumps(plan), **kwargs)


Responder = Callable[[dict[str, Any]], Scripted]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # 32 concurrent clients must not find the listen backlog full


class FakeOpenAIServer:
    """``with FakeOpenAIServer() as server: server.push(plan_reply(...)); ... server.url``."""

    def __init__(
        self, *, default: Scripted | Responder | None = None, reject_json_schema: bool = False
    ) -> None:
        self.requests: list[dict[str, Any]] = []
        self.default = default
        self.reject_json_schema = reject_json_schema
        self._script: deque[Scripted] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._hang_ups = 0
        self._hung_up = threading.Condition(self._lock)
        self._received = threading.Condition(self._lock)
        self.request_times: list[float] = []
        """``time.monotonic()`` at the arrival of each request, in step with ``requests``."""
        self._httpd = _Server(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-openai", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def push(self, *replies: Scripted) -> None:
        with self._lock:
            self._script.extend(replies)

    def pending(self) -> int:
        with self._lock:
            return len(self._script)

    @property
    def hang_ups(self) -> int:
        """How many clients closed the connection before their reply was complete."""
        with self._lock:
            return self._hang_ups

    def wait_for_hang_ups(self, count: int, timeout_s: float) -> bool:
        """Wait until ``count`` clients have hung up mid-reply; False if ``timeout_s`` passed first."""
        with self._hung_up:
            return self._hung_up.wait_for(lambda: self._hang_ups >= count, timeout=timeout_s)

    def _record_hang_up(self) -> None:
        with self._hung_up:
            self._hang_ups += 1
            self._hung_up.notify_all()

    def __enter__(self) -> FakeOpenAIServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def wait_for_requests(self, count: int, timeout_s: float) -> bool:
        """Wait until ``count`` requests have arrived; False if ``timeout_s`` passed first."""
        with self._received:
            return self._received.wait_for(lambda: len(self.requests) >= count, timeout=timeout_s)

    def _next(self, body: dict[str, Any]) -> Scripted:
        with self._received:
            self.requests.append(body)
            self.request_times.append(time.monotonic())
            self._received.notify_all()
            if self._script:
                return self._script.popleft()
        if callable(self.default):
            return self.default(body)
        if self.default is not None:
            return self.default
        return Scripted(status=500, raw_body=b'{"error": {"message": "script exhausted"}}')

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # head and body go out as two writes: no 40 ms delayed-ACK stall

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                fmt = (body.get("response_format") or {}).get("type")
                if server.reject_json_schema and fmt == "json_schema":
                    with server._lock:
                        server.requests.append(body)
                        server.request_times.append(time.monotonic())
                    self._send(
                        400, {"error": {"message": "response_format json_schema is not supported"}}, {}
                    )
                    return
                reply = server._next(body)
                if reply.delay_s and server._stopping.wait(reply.delay_s):
                    return
                if reply.never_answer:
                    self._wait_for_hang_up()
                    return
                if reply.dribble_interval_s > 0:
                    data = json.dumps(self._completion(body, reply)).encode()
                    headers = {"content-type": "application/json", **reply.headers}
                    self._dribble(reply.status, data, headers, reply.dribble_interval_s)
                    return
                if reply.raw_body is not None:
                    self._send_raw(reply.status, reply.raw_body, reply.headers)
                elif reply.status != 200:
                    self._send(
                        reply.status, {"error": {"message": f"scripted {reply.status}"}}, reply.headers
                    )
                else:
                    self._send(200, self._completion(body, reply), reply.headers)

            @staticmethod
            def _completion(body: dict[str, Any], reply: Scripted) -> dict[str, Any]:
                return {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body.get("model", "fake-model"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply.content},
                            "finish_reason": reply.finish_reason,
                        }
                    ],
                    "usage": {
                        "prompt_tokens": reply.prompt_tokens,
                        "completion_tokens": reply.completion_tokens,
                        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
                    },
                }

            def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
                self._send_raw(
                    status, json.dumps(payload).encode(), {"content-type": "application/json", **headers}
                )

            def _client_gone(self, wait_s: float) -> bool:
                readable, _, _ = select.select([self.connection], [], [], wait_s)
                if not readable:
                    return False
                try:
                    return self.connection.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    return True

            def _wait_for_hang_up(self) -> None:
                while not server._stopping.is_set():
                    if self._client_gone(0.05):
                        server._record_hang_up()
                        return

            def _dribble(self, status: int, data: bytes, headers: dict[str, str], interval_s: float) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.flush()
                for i in range(len(data)):
                    if server._stopping.is_set():
                        return
                    if self._client_gone(interval_s):
                        server._record_hang_up()
                        return
                    try:
                        self.wfile.write(data[i : i + 1])
                        self.wfile.flush()
                    except OSError:
                        server._record_hang_up()
                        return

            def _send_raw(self, status: int, data: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler
