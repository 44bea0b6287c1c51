"""The monitor wire format: headers, statuses and transitions, byte for byte."""

from __future__ import annotations

import struct

import pytest
from py_trees.common import Status

from bt_planner.errors import MonitorProtocolError
from bt_planner.groot2.monitor_protocol import (
    NodeStatus,
    RequestHeader,
    decode_reply_header,
    decode_request_header,
    decode_statuses,
    encode_statuses,
    encode_transitions,
    error_reply,
    reply_to,
    wire_status,
)


def test_a_request_header_is_protocol_type_then_little_endian_id() -> None:
    frame = RequestHeader(type=b"S", unique_id=0x01020304).encode()
    assert frame == bytes([2, ord("S"), 4, 3, 2, 1])
    assert decode_request_header(frame) == RequestHeader(type=b"S", unique_id=0x01020304)


def test_a_reply_echoes_the_request_with_protocol_2_and_the_tree_id() -> None:
    tree_id = bytes(range(16))
    reply = decode_reply_header(reply_to(RequestHeader(type=b"T", unique_id=7, protocol=9), tree_id))
    assert (reply.request.protocol, reply.request.type, reply.request.unique_id) == (2, b"T", 7)
    assert reply.tree_id == tree_id


@pytest.mark.parametrize("frame", [b"", b"abc", bytes(7)])
def test_a_header_of_the_wrong_size_is_refused_with_the_size(frame: bytes) -> None:
    with pytest.raises(MonitorProtocolError, match=f"{len(frame)} bytes, expected 6"):
        decode_request_header(frame)


def test_idle_after_a_status_is_sent_as_ten_plus_that_status() -> None:
    assert wire_status(Status.RUNNING, NodeStatus.IDLE) == 1
    assert wire_status(Status.INVALID, NodeStatus.IDLE) == 0
    assert wire_status(Status.INVALID, NodeStatus.SUCCESS) == 12
    assert wire_status(Status.INVALID, NodeStatus.RUNNING) == 11


def test_statuses_are_uint16_uid_and_uint8_status_and_a_torn_buffer_is_refused() -> None:
    payload = encode_statuses([(1, 1), (300, 12)])
    assert payload == struct.pack("<HBHB", 1, 1, 300, 12)
    assert decode_statuses(payload) == {1: 1, 300: 12}
    with pytest.raises(MonitorProtocolError, match="3-byte"):
        decode_statuses(payload[:-1])


def test_a_transition_is_six_bytes_of_microseconds_then_uid_and_status() -> None:
    assert encode_transitions([(0x0102030405, 9, 2)]) == bytes([5, 4, 3, 2, 1, 0]) + struct.pack("<HB", 9, 2)


def test_an_error_reply_is_two_frames_without_a_header() -> None:
    assert error_reply("no") == [b"error", b"no"]
