"""``MissionReporter``: the mission leaves report status changes here; the ``Mission`` delivers them.

It enforces the one rule callers rely on: a command reaches exactly one terminal state, after
which further reports about it are ignored.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from bt_planner.tree.mission.mission_events import MissionEvent, MissionEventKind
from bt_planner.tree.mission.mission_status import CommandRequest, MissionState, MissionStatus


class MissionReporter:
    """Latest status per command, plus a queue of every change not yet delivered.

    With ``recording`` on (the mission has observers) it also queues ``MissionEvent``s: every
    status change, and what nodes tell it with ``event``, in one order.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._latest: dict[int, MissionStatus] = {}
        self._pending: list[MissionStatus] = []
        self._events: list[MissionEvent] = []
        self.recording = False
        self._last_id = 0
        self._lock = threading.Lock()

    def report(self, request: CommandRequest, state: MissionState, **changes: Any) -> bool:
        """Record ``state`` (and other ``MissionStatus`` fields) for ``request``; False if already terminal."""
        with self._lock:
            previous = self._latest.get(request.id)
            if previous is not None and previous.terminal:
                return False
            base = (
                previous
                if previous is not None
                else MissionStatus(command_id=request.id, command=request.command)
            )
            status = base.model_copy(update={**changes, "state": state, "time_s": self._clock()})
            self._latest[request.id] = status
            self._last_id = max(self._last_id, request.id)
            self._pending.append(status)
            if self.recording:
                self._events.append(
                    MissionEvent(MissionEventKind.STATUS, request.id, status.time_s, {"status": status})
                )
            return True

    def event(self, command_id: int, kind: MissionEventKind, **data: Any) -> None:
        """Queue an event about command ``command_id`` (0: the mission) for the observers, if any.

        An event about a command that already ended is dropped, as a late status would be.
        """
        if not self.recording:
            return
        with self._lock:
            previous = self._latest.get(command_id)
            if previous is not None and previous.terminal:
                return
            self._events.append(MissionEvent(kind, command_id, self._clock(), data))

    def drain_events(self) -> list[MissionEvent]:
        """Events since the last drain, in order."""
        with self._lock:
            events, self._events = self._events, []
            return events

    def note(self, request: CommandRequest, **changes: Any) -> None:
        """Update fields of ``request``'s latest status without announcing a change (e.g. outcomes)."""
        with self._lock:
            previous = self._latest.get(request.id)
            if previous is not None and not previous.terminal:
                self._latest[request.id] = previous.model_copy(update=changes)

    def status_of(self, command_id: int) -> MissionStatus | None:
        with self._lock:
            return self._latest.get(command_id)

    def latest(self) -> MissionStatus:
        """Status of the most recently submitted command (``WAITING`` before any)."""
        with self._lock:
            return self._latest.get(self._last_id, MissionStatus())

    def drain(self) -> list[MissionStatus]:
        """Status changes since the last drain, in order."""
        with self._lock:
            pending, self._pending = self._pending, []
            return pending
