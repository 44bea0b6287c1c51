"""Mission events: what the mission tree tells an observer (a journal, an audit log) besides statuses.

The tree layer knows nothing about storage. ``Mission.add_observer`` takes anything shaped like
:class:`MissionObserver`; the mission calls ``command_received`` on the submitting thread before a
command is queued, and ``mission_events`` on the ticking thread after every tick with that tick's
events in the order they happened. Event ``data`` values may be pydantic models: an observer that
stores them serialises them itself, off the tick thread if it cares about tick cost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from bt_planner.tree.mission.mission_status import CommandRequest


class MissionEventKind(str, Enum):
    """What happened. ``STATUS`` carries a ``MissionStatus`` change (``data["status"]``)."""

    STATUS = "status"
    PLAN_ANSWERED = "plan_answered"
    VERIFIED = "verified"
    APPROVAL_REQUESTED = "approval_requested"
    APPROVAL_DECIDED = "approval_decided"
    EXECUTING = "executing"
    ACTION = "action"
    ESTOP = "estop"
    HALTED = "halted"


@dataclass(frozen=True, slots=True)
class MissionEvent:
    """One event. ``command_id`` is the mission's command id (0: about the mission, not a command).

    ``time_s`` is the robot clock when it happened.
    """

    kind: MissionEventKind
    command_id: int
    time_s: float
    data: Mapping[str, Any] = field(default_factory=dict)


class MissionObserver(Protocol):
    """Receives every command and every event of a ``Mission``."""

    def command_received(self, request: CommandRequest) -> None:
        """Called on the submitting thread before ``request`` is queued.

        Raising a ``BtPlannerError`` refuses the command: it is reported REJECTED with the message.
        """

    def mission_events(self, events: Sequence[MissionEvent]) -> None:
        """Called on the ticking thread with one tick's events, in order. Must not block."""
