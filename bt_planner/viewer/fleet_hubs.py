"""One :class:`SnapshotHub` per robot of a fleet, so a single viewer can show any robot's tree.

A viewer of one robot has just the unnamed hub. A fleet viewer has one hub per robot name (its ROS
namespace without the leading ``/``: ``robot1``, ``site_a/robot2``); robots can join while it runs
(namespaces discovered on the ROS graph). The first robot's hub doubles as the default, so clients that
ask for no robot (``bt-planner watch``, an older page) still get a tree.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from bt_planner.viewer.hub import SnapshotHub

ROBOT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(/[A-Za-z][A-Za-z0-9_]*)*$")
"""A robot name: a ROS namespace without its leading slash (letters, digits, ``_``, ``/`` between parts)."""
MAX_ROBOTS = 256


def valid_robot_name(name: str) -> bool:
    """True for names :data:`ROBOT_NAME` accepts, at most 100 characters long."""
    return len(name) <= 100 and ROBOT_NAME.match(name) is not None


class FleetHubs:
    """Thread-safe robot name → hub map, plus the default hub (the first robot's, or an unnamed one)."""

    def __init__(
        self, robots: Iterable[str] = (), *, unnamed: SnapshotHub | None = None, drop_unchanged: bool = True
    ) -> None:
        self._lock = threading.Lock()
        self._drop_unchanged = drop_unchanged
        self._hubs: dict[str, SnapshotHub] = {}
        self._unnamed = unnamed if unnamed is not None else SnapshotHub(drop_unchanged=drop_unchanged)
        self._closed = False
        for name in robots:
            self.add(name)

    @property
    def default(self) -> SnapshotHub:
        """The first robot's hub; the unnamed hub while there are no robots."""
        with self._lock:
            return next(iter(self._hubs.values()), self._unnamed)

    @property
    def names(self) -> list[str]:
        """Robot names in the order they joined."""
        with self._lock:
            return list(self._hubs)

    def add(self, name: str) -> SnapshotHub:
        """The hub of robot ``name``, created on first use; ``ValueError`` for a name that is not a namespace."""
        if not valid_robot_name(name):
            raise ValueError(
                f"robot name {name!r} is not a ROS namespace (a letter, then letters, digits, _ or /)"
            )
        with self._lock:
            hub = self._hubs.get(name)
            if hub is None:
                if len(self._hubs) >= MAX_ROBOTS:
                    raise ValueError(f"a viewer shows at most {MAX_ROBOTS} robots")
                hub = SnapshotHub(drop_unchanged=self._drop_unchanged)
                if self._closed:
                    hub.close()
                self._hubs[name] = hub
            return hub

    def get(self, name: str | None) -> SnapshotHub | None:
        """Robot ``name``'s hub (the default for None); None for a robot this viewer does not show."""
        if name is None:
            return self.default
        with self._lock:
            return self._hubs.get(name)

    def close(self) -> None:
        """Close every hub (ending every event stream)."""
        with self._lock:
            self._closed = True
            hubs = [self._unnamed, *self._hubs.values()]
        for hub in hubs:
            hub.close()
