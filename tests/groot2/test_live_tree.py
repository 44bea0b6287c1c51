"""``LiveTree``: uids follow nodes, a new shape gets a new tree id and document, IDLE keeps the end."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import py_trees
from py_trees.common import Status

from bt_planner.groot2.live_tree import LiveTree


def _tree() -> tuple[py_trees.composites.Sequence, py_trees.behaviour.Behaviour]:
    done = py_trees.behaviours.Success(name="done")
    return py_trees.composites.Sequence(name="root", memory=True, children=[done]), done


def test_a_node_keeps_its_uid_when_the_tree_changes_around_it_and_the_id_changes() -> None:
    root, done = _tree()
    live = LiveTree()
    first = live.observe(root)
    assert (live.uid(root), live.uid(done)) == (1, 2)
    assert live.observe(root).tree_id == first.tree_id  # same shape: same id, same document
    extra = py_trees.behaviours.Failure(name="extra")
    root.add_child(extra)
    second = live.observe(root)
    assert second.tree_id != first.tree_id
    assert (live.uid(root), live.uid(done), live.uid(extra)) == (1, 2, 3)
    assert second.xml is not None
    served = {e.get("name"): e.get("_uid") for e in ET.fromstring(second.xml).iter() if "_uid" in e.attrib}
    assert served == {"root": "1", "done": "2", "extra": "3"}


def test_statuses_and_changes_follow_the_ticks_and_idle_remembers_how_a_node_ended() -> None:
    root, done = _tree()
    live = LiveTree()
    live.observe(root)
    root.tick_once()
    ticked = live.observe(root)
    assert ticked.changes == ((1, 2), (2, 2))
    root.stop(Status.INVALID)
    done.stop(Status.INVALID)
    stopped = live.observe(root)
    assert stopped.statuses == bytes([1, 0, 12, 2, 0, 12])  # IDLE after SUCCESS is 10 + 2
    assert stopped.changes == ((1, 0), (2, 0))
