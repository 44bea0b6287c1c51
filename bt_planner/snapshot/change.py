"""Publish-on-change: tells whether a snapshot shows anything the previous one did not.

Timestamps and the tick counter change every tick, so they are ignored (see
``TreeSnapshot.without_volatile``); any other difference - a status, a feedback message, a blackboard
value, the robot pose, the world - counts as a change.
"""

from __future__ import annotations

import json
import threading

from bt_planner.snapshot.tree_snapshot import TreeSnapshot


def fingerprint(snapshot: TreeSnapshot) -> str:
    """A canonical string of everything that matters in the snapshot; equal strings mean no change."""
    return json.dumps(snapshot.without_volatile(), sort_keys=True, separators=(",", ":"))


def same_content(a: TreeSnapshot, b: TreeSnapshot) -> bool:
    """True when the two snapshots differ at most in timestamps and tick count."""
    return fingerprint(a) == fingerprint(b)


class ChangeDetector:
    """Remembers the last snapshot let through; ``changed()`` is True for the first and for real changes.

    Thread-safe, so a publisher timer and a post-tick hook may share one detector.
    """

    def __init__(self) -> None:
        self._last: str | None = None
        self._lock = threading.Lock()

    def changed(self, snapshot: TreeSnapshot) -> bool:
        """Whether ``snapshot`` differs from the last one seen; remembers it if so."""
        current = fingerprint(snapshot)
        with self._lock:
            if current == self._last:
                return False
            self._last = current
            return True

    def reset(self) -> None:
        """Forget the last snapshot, so the next one counts as changed (e.g. a new subscriber joined)."""
        with self._lock:
            self._last = None
