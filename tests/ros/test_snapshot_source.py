"""``RosSnapshotSource`` (the viewer's ROS source) receives the latched snapshot and stops cleanly."""

from __future__ import annotations

import threading
import time

import py_trees
import pytest

pytest.importorskip("rclpy")

from std_msgs.msg import String

from bt_planner.ros import topics
from bt_planner.ros.snapshot_source import RosSnapshotSource
from bt_planner.snapshot.capture import capture
from bt_planner.snapshot.codec import to_json
from bt_planner.viewer.sources import SnapshotSource

pytestmark = pytest.mark.ros


def test_late_reader_gets_the_latched_snapshot_and_skips_malformed_ones(probe):
    root = py_trees.composites.Sequence("Root", memory=False, children=[py_trees.behaviours.Success("Step")])
    root.tick_once()
    first = capture(root, tick=1)
    probe.publish(topics.TREE_SNAPSHOT, String(data=to_json(first)), subscribers=0)  # before anyone listens

    got: list = []
    cond = threading.Condition()

    def on_snapshot(snapshot) -> None:
        with cond:
            got.append(snapshot)
            cond.notify_all()

    source = RosSnapshotSource(topic=topics.TREE_SNAPSHOT.name)
    assert isinstance(source, SnapshotSource)
    source.start(on_snapshot)
    try:
        with cond:
            assert cond.wait_for(lambda: len(got) == 1, timeout=10.0), "the latched snapshot did not arrive"
        assert got[0] == first
        probe.publish(topics.TREE_SNAPSHOT, String(data="{not a snapshot"))
        deadline = (
            time.monotonic() + 10.0
        )  # latched depth 1 keeps only the newest sample: let it arrive first
        while source.malformed == 0:
            assert time.monotonic() < deadline, "the malformed message did not arrive"
            with cond:
                cond.wait(0.02)
        second = capture(root, tick=2)
        probe.publish(topics.TREE_SNAPSHOT, String(data=to_json(second)))
        with cond:
            assert cond.wait_for(lambda: len(got) == 2, timeout=10.0), "the second snapshot did not arrive"
        assert got[1].tick == 2
        assert (source.received, source.malformed) == (2, 1)
        assert "tree_snapshot" in source.description
    finally:
        source.stop()
        source.stop()  # idempotent
