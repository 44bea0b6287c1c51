"""The wire format Groot2 speaks to a running tree (BehaviorTree.CPP's ``BT::Monitor`` protocol, version 2).

Every exchange is a multipart ZMQ request/reply on a REP socket (Groot2's default port 1667; a
PUB socket on the next port carries breakpoint notifications). The first frame of a request is a
6-byte header, little-endian::

    protocol: uint8 (2)   type: uint8 (an ASCII letter, ``RequestType``)   unique_id: uint32

A reply's first frame echoes the header (protocol set to 2) and appends the 16 bytes of the tree's
id, a random UUID that changes whenever the published tree does, so a client knows to fetch it
again. The payload frames follow: the tree's XML (``FULLTREE``), the status buffer (``STATUS``: per
node a uint16 uid and a uint8 status), ... A request the server cannot answer gets the two frames
``b"error"`` and a message instead, with no header.

Statuses are BT.CPP's ``NodeStatus`` numbers; a node that went back to IDLE is sent as 10 plus the
status it had, so Groot2 can show how it ended (``idle_from``).
"""

from __future__ import annotations

import enum
import struct
import uuid
from dataclasses import dataclass

from py_trees.common import Status

from bt_planner.errors import MonitorProtocolError

PROTOCOL_VERSION = 2
DEFAULT_PORT = 1667
"""Groot2's default server port; the publisher socket is the next one."""
REQUEST_HEADER_SIZE = 6
REPLY_HEADER_SIZE = REQUEST_HEADER_SIZE + 16
ERROR_FRAME = b"error"

_HEADER = struct.Struct("<BBI")
_NODE_STATUS = struct.Struct("<HB")
MAX_UID = 0xFFFF
"""Node uids are uint16 on the wire."""


class RequestType(bytes, enum.Enum):
    """What a request asks for: the letter in the header's ``type`` byte."""

    FULLTREE = b"T"
    STATUS = b"S"
    BLACKBOARD = b"B"
    HOOK_INSERT = b"I"
    HOOK_REMOVE = b"R"
    BREAKPOINT_REACHED = b"N"
    BREAKPOINT_UNLOCK = b"U"
    HOOKS_DUMP = b"D"
    REMOVE_ALL_HOOKS = b"A"
    DISABLE_ALL_HOOKS = b"X"
    TOGGLE_RECORDING = b"r"
    GET_TRANSITIONS = b"t"


class NodeStatus(enum.IntEnum):
    """BT.CPP's node statuses as numbered on the wire."""

    IDLE = 0
    RUNNING = 1
    SUCCESS = 2
    FAILURE = 3
    SKIPPED = 4


IDLE_OFFSET = 10
"""A node back at IDLE is sent as ``IDLE_OFFSET`` + the status it had before."""

_FROM_PY_TREES = {
    Status.RUNNING: NodeStatus.RUNNING,
    Status.SUCCESS: NodeStatus.SUCCESS,
    Status.FAILURE: NodeStatus.FAILURE,
    Status.INVALID: NodeStatus.IDLE,
}


@dataclass(frozen=True)
class RequestHeader:
    """The first frame of every request (and the start of every reply)."""

    type: bytes
    """One ASCII letter; a ``RequestType`` value when the server knows it."""
    unique_id: int
    protocol: int = PROTOCOL_VERSION

    def encode(self) -> bytes:
        """The 6-byte frame."""
        return _HEADER.pack(self.protocol, self.type[0], self.unique_id)


@dataclass(frozen=True)
class ReplyHeader:
    """The first frame of a reply: the request's header and the id of the tree being served."""

    request: RequestHeader
    tree_id: bytes
    """16 bytes (a UUID); a new one means the tree changed."""

    def encode(self) -> bytes:
        """The 22-byte frame."""
        return self.request.encode() + self.tree_id


def decode_request_header(frame: bytes) -> RequestHeader:
    """Parse a request's first frame. Raises ``MonitorProtocolError`` unless it is exactly 6 bytes."""
    if len(frame) != REQUEST_HEADER_SIZE:
        raise MonitorProtocolError(
            f"wrong request header: {len(frame)} bytes, expected {REQUEST_HEADER_SIZE}"
        )
    protocol, kind, unique_id = _HEADER.unpack(frame)
    return RequestHeader(type=bytes([kind]), unique_id=unique_id, protocol=protocol)


def decode_reply_header(frame: bytes) -> ReplyHeader:
    """Parse a reply's first frame. Raises ``MonitorProtocolError`` unless it is exactly 22 bytes."""
    if len(frame) != REPLY_HEADER_SIZE:
        raise MonitorProtocolError(f"wrong reply header: {len(frame)} bytes, expected {REPLY_HEADER_SIZE}")
    return ReplyHeader(
        request=decode_request_header(frame[:REQUEST_HEADER_SIZE]), tree_id=frame[REQUEST_HEADER_SIZE:]
    )


def reply_to(request: RequestHeader, tree_id: bytes) -> bytes:
    """The reply header answering ``request`` for the tree ``tree_id``."""
    echoed = RequestHeader(type=request.type, unique_id=request.unique_id, protocol=PROTOCOL_VERSION)
    return ReplyHeader(request=echoed, tree_id=tree_id).encode()


def error_reply(message: str) -> list[bytes]:
    """The two frames of an error answer (no header, as BT.CPP sends them)."""
    return [ERROR_FRAME, message.encode("utf-8")]


def new_tree_id() -> bytes:
    """A fresh random tree id (UUID version 4)."""
    return uuid.uuid4().bytes


def wire_status(status: Status, previous: NodeStatus) -> int:
    """The wire value of a py_trees ``status``; ``previous``: the node's last non-IDLE status."""
    current = _FROM_PY_TREES[status]
    if current is NodeStatus.IDLE and previous is not NodeStatus.IDLE:
        return IDLE_OFFSET + int(previous)
    return int(current)


def encode_statuses(statuses: list[tuple[int, int]]) -> bytes:
    """The ``STATUS`` payload: each ``(uid, wire status)`` as uint16 + uint8."""
    return b"".join(_NODE_STATUS.pack(uid, status) for uid, status in statuses)


def decode_statuses(payload: bytes) -> dict[int, int]:
    """A ``STATUS`` payload as uid -> wire status. Raises ``MonitorProtocolError`` on a torn buffer."""
    if len(payload) % _NODE_STATUS.size:
        raise MonitorProtocolError(
            f"status buffer of {len(payload)} bytes is not a whole number of 3-byte entries"
        )
    return {uid: status for uid, status in _NODE_STATUS.iter_unpack(payload)}


def encode_transitions(transitions: list[tuple[int, int, int]]) -> bytes:
    """The ``GET_TRANSITIONS`` payload: each ``(microseconds since recording started, uid, status)``
    as the low 6 bytes of a uint64, a uint16 and a uint8."""
    return b"".join(
        (stamp & 0xFFFFFFFFFFFF).to_bytes(6, "little") + _NODE_STATUS.pack(uid, status)
        for stamp, uid, status in transitions
    )
