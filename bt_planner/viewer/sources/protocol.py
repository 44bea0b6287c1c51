"""The protocol every snapshot source implements: deliver snapshots to a callback until stopped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from bt_planner.snapshot import TreeSnapshot

SnapshotCallback = Callable[[TreeSnapshot], object]
RobotSnapshotCallback = Callable[[str, TreeSnapshot], object]
"""A fleet source's callback: the robot's name (its namespace without the leading ``/``), its snapshot."""


@runtime_checkable
class SnapshotSource(Protocol):
    """Delivers snapshots to a callback from its own thread until stopped.

    ``start`` returns promptly; ``on_snapshot`` is called once per snapshot received (from any thread);
    ``stop`` ends delivery and releases resources, and may be called more than once.
    """

    @property
    def description(self) -> str:
        """Where the snapshots come from, for the user (e.g. ``ROS topic /tree_snapshot``)."""
        ...

    def start(self, on_snapshot: SnapshotCallback) -> None: ...

    def stop(self) -> None: ...


@runtime_checkable
class FleetSource(Protocol):
    """Like :class:`SnapshotSource`, for several robots: each snapshot comes with its robot's name.

    ``on_robot`` (if given) hears of every robot once, before its first snapshot, including robots
    found while running.
    """

    @property
    def description(self) -> str: ...

    def start(
        self, on_snapshot: RobotSnapshotCallback, on_robot: Callable[[str], object] | None = None
    ) -> None: ...

    def stop(self) -> None: ...
