"""The viewer's mailbox: producers ``publish`` snapshots, each consumer waits for the newest one.

Consumers only ever see the latest snapshot (a slow browser skips intermediate ones rather than lag
behind), which is what a live view wants. Snapshots that show nothing new are dropped at the door.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from bt_planner.snapshot import ChangeDetector, TreeSnapshot, to_json


@dataclass(frozen=True)
class Update:
    """One accepted snapshot, its wire JSON (encoded once for every client) and its sequence number."""

    sequence: int
    snapshot: TreeSnapshot
    json: str


class SnapshotHub:
    """Thread-safe latest-value store with blocking waits; ``close()`` releases every waiter."""

    def __init__(self, *, drop_unchanged: bool = True) -> None:
        self._condition = threading.Condition()
        self._latest: Update | None = None
        self._closed = False
        self._drop_unchanged = drop_unchanged
        self._detector = ChangeDetector()

    def publish(self, snapshot: TreeSnapshot) -> bool:
        """Offer a snapshot; returns False if it was dropped (no change, or the hub is closed)."""
        if self._drop_unchanged and not self._detector.changed(snapshot):
            return False
        encoded = to_json(snapshot)
        with self._condition:
            if self._closed:
                return False
            sequence = 1 if self._latest is None else self._latest.sequence + 1
            self._latest = Update(sequence=sequence, snapshot=snapshot, json=encoded)
            self._condition.notify_all()
        return True

    @property
    def latest(self) -> Update | None:
        with self._condition:
            return self._latest

    @property
    def closed(self) -> bool:
        with self._condition:
            return self._closed

    def wait_newer(self, after: int, *, timeout: float | None = None) -> Update | None:
        """The latest update with a sequence above ``after``; None on timeout or when the hub closes."""
        with self._condition:
            self._condition.wait_for(
                lambda: self._closed or (self._latest is not None and self._latest.sequence > after),
                timeout=timeout,
            )
            if self._closed or self._latest is None or self._latest.sequence <= after:
                return None
            return self._latest

    def close(self) -> None:
        """Stop accepting snapshots and wake every waiter (they get None)."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()
