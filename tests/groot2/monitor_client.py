"""A small Groot2-like client of the monitor protocol, written from the protocol's description.

It is used unchanged against BehaviorTree.CPP's own ``Groot2Publisher`` (``behaviortreepy``) and
against bt_planner's: it fetches the tree, polls statuses, and fetches the tree again when the
reply's tree id changes, as a monitor must. Every wait is bounded.
"""

from __future__ import annotations

import random
import socket
import struct
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import pytest

zmq = pytest.importorskip("zmq", reason="pyzmq is not installed: pip install -e '.[dev]'")

REPLY_TIMEOUT_MS = 5000
STATUS_NAMES = {0: "IDLE", 1: "RUNNING", 2: "SUCCESS", 3: "FAILURE", 4: "SKIPPED"}


def free_port_pair() -> int:
    """A port p on 127.0.0.1 with p and p + 1 both free right now (the publisher binds both)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port >= 65534:
            continue
        try:
            with socket.socket() as first, socket.socket() as second:
                first.bind(("127.0.0.1", port))
                second.bind(("127.0.0.1", port + 1))
        except OSError:
            continue
        return port
    raise RuntimeError("no pair of free ports on 127.0.0.1")


class MonitorError(Exception):
    """The server answered with an error reply."""


@dataclass
class Reply:
    protocol: int
    type: str
    unique_id: int
    tree_id: bytes
    payload: list[bytes]


@dataclass
class MonitorClient:
    """Talks to a publisher on 127.0.0.1:port over a REQ socket."""

    port: int
    tree_id: bytes | None = None
    xml: str | None = None
    names: dict[int, str] = field(default_factory=dict)
    """uid -> the node's name (``ID`` for a SubTree), from the last fetched tree."""
    tree_fetches: int = 0

    def __post_init__(self) -> None:
        self.context = zmq.Context()
        self.socket = self.context.socket(zmq.REQ)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.connect(f"tcp://127.0.0.1:{self.port}")

    def close(self) -> None:
        self.socket.close(linger=0)
        self.context.term()

    def request(self, kind: str, *frames: bytes, header: bytes | None = None) -> Reply:
        """Send one request; raise ``MonitorError`` for an error reply, ``TimeoutError`` if none comes."""
        unique_id = random.getrandbits(32)
        first = header if header is not None else struct.pack("<BBI", 2, ord(kind), unique_id)
        self.socket.send_multipart([first, *frames])
        if not self.socket.poll(REPLY_TIMEOUT_MS):
            raise TimeoutError(f"no reply to {kind!r} within {REPLY_TIMEOUT_MS} ms")
        parts = self.socket.recv_multipart()
        if parts[0] == b"error":
            raise MonitorError(parts[1].decode() if len(parts) > 1 else "")
        head = parts[0]
        assert len(head) == 22, f"reply header of {len(head)} bytes"
        protocol, letter, echoed = struct.unpack("<BBI", head[:6])
        if header is None:
            assert (chr(letter), echoed) == (kind, unique_id), "the reply does not echo the request"
        return Reply(
            protocol=protocol, type=chr(letter), unique_id=echoed, tree_id=head[6:], payload=parts[1:]
        )

    def fetch_tree(self) -> str:
        reply = self.request("T")
        self.tree_id, self.xml = reply.tree_id, reply.payload[0].decode("utf-8")
        self.tree_fetches += 1
        document = ET.fromstring(self.xml)
        self.names = {
            int(e.attrib["_uid"]): e.get("name") or e.get("ID") or ""
            for e in document.iter()
            if "_uid" in e.attrib
        }
        return self.xml

    def statuses(self) -> dict[int, int]:
        """uid -> wire status now; fetches the tree first whenever its id changed."""
        if self.tree_id is None:
            self.fetch_tree()
        reply = self.request("S")
        if reply.tree_id != self.tree_id:
            self.fetch_tree()
            reply = self.request("S")
        payload = reply.payload[0]
        assert len(payload) % 3 == 0
        return {uid: status for uid, status in struct.iter_unpack("<HB", payload)}

    def by_name(self) -> dict[str, str]:
        """The node name -> status name now (``IDLE_FROM_x`` for a node back at IDLE after x)."""
        named: dict[str, str] = {}
        for uid, status in self.statuses().items():
            text = STATUS_NAMES[status] if status < 10 else f"IDLE_FROM_{STATUS_NAMES[status - 10]}"
            named[self.names[uid]] = text
        return named


def ended_as(status: str) -> str:
    """``SUCCESS`` for ``SUCCESS`` or ``IDLE_FROM_SUCCESS`` (BT.CPP resets finished children to IDLE)."""
    return status.removeprefix("IDLE_FROM_")
