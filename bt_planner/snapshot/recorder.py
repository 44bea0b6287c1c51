"""Hook a py_trees ``BehaviourTree`` so every tick yields a snapshot, handed on only when it changed.

This is what publishers use: the ROS node publishes what it is handed, ``bt-planner run --view`` hands
it to the viewer's hub. The mission, robot and world come from a ``context`` callable, read after each
tick in the ticking thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import py_trees

from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.snapshot.capture import capture
from bt_planner.snapshot.change import ChangeDetector
from bt_planner.snapshot.tree_snapshot import MissionContext, TreeSnapshot


@dataclass(frozen=True)
class SnapshotContext:
    """What surrounds the tree at the moment of a snapshot; every part optional."""

    mission: MissionContext | None = None
    robot: RobotState | None = None
    world: World | None = None


class TreeSnapshotter:
    """Adds a ``SnapshotVisitor`` and a post-tick handler to ``tree``; calls ``publish`` after ticks.

    With ``on_change_only`` (the default) a tick that changed nothing but the tick counter publishes
    nothing; call :meth:`snapshot` for a periodic re-publish regardless of change.
    """

    def __init__(
        self,
        tree: py_trees.trees.BehaviourTree,
        *,
        publish: Callable[[TreeSnapshot], None],
        context: Callable[[], SnapshotContext] | None = None,
        on_change_only: bool = True,
        blackboard_values: bool = True,
    ) -> None:
        self._tree = tree
        self._publish = publish
        self._context = context or SnapshotContext
        self._on_change_only = on_change_only
        self._blackboard_values = blackboard_values
        self._visitor = py_trees.visitors.SnapshotVisitor()
        self.detector = ChangeDetector()
        tree.add_visitor(self._visitor)
        tree.add_post_tick_handler(self._after_tick)

    def snapshot(self, *, tick: int | None = None) -> TreeSnapshot:
        """The tree as it stands now, with the current context."""
        context = self._context()
        return capture(
            self._tree.root,
            tick=self._tree.count if tick is None else tick,
            visited=self._visitor.visited,
            mission=context.mission,
            robot=context.robot,
            world=context.world,
            blackboard_values=self._blackboard_values,
        )

    def _after_tick(self, tree: py_trees.trees.BehaviourTree) -> None:
        # py_trees runs post-tick handlers before it increments ``count``, so this tick is count + 1.
        snapshot = self.snapshot(tick=tree.count + 1)
        if not self._on_change_only or self.detector.changed(snapshot):
            self._publish(snapshot)

    def detach(self) -> None:
        """Stop snapshotting this tree (removes the visitor and the handler)."""
        if self._visitor in self._tree.visitors:
            self._tree.visitors.remove(self._visitor)
        if self._after_tick in self._tree.post_tick_handlers:
            self._tree.post_tick_handlers.remove(self._after_tick)
