"""The protocol every snapshot source implements: deliver snapshots to a callback until stopped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from bt_planner.snapshot import TreeSnapshot

SnapshotCallback = Callable[[TreeSnapshot], object]


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
