"""Server-sent events, both ways: framing snapshots for the browser and parsing them back for ``watch``.

Each snapshot travels as ``id: <sequence>`` / ``event: snapshot`` / ``data: <one-line JSON>`` and a blank
line. Comment lines (``: keepalive``) keep idle connections alive and notice clients that went away.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

SNAPSHOT_EVENT = "snapshot"
KEEPALIVE = b": keepalive\n\n"


def frame(*, data: str, event: str = SNAPSHOT_EVENT, event_id: int | None = None) -> bytes:
    """One event; multi-line data is split over several ``data:`` lines as the SSE spec requires."""
    lines = [] if event_id is None else [f"id: {event_id}"]
    lines.append(f"event: {event}")
    lines.extend(f"data: {line}" for line in data.split("\n"))
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def retry(milliseconds: int) -> bytes:
    """Tell the browser how soon to reconnect after the stream drops."""
    return f"retry: {milliseconds}\n\n".encode()


@dataclass(frozen=True)
class Event:
    event: str
    data: str
    event_id: str | None = None


def parse(lines: Iterable[str]) -> Iterator[Event]:
    """Events from a stream of decoded lines (line endings optional); comments and retries are skipped."""
    event: str = "message"
    event_id: str | None = None
    data: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data:
                yield Event(event=event, data="\n".join(data), event_id=event_id)
            event, event_id, data = "message", None, []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            data.append(value)
        elif name == "event":
            event = value
        elif name == "id":
            event_id = value
