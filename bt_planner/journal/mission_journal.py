"""``MissionJournal``: writes a ``Mission``'s commands and events into a ``Journal``.

Attach it once, wherever a mission is built (``MissionRunner``, the ROS planner node, the MCP
server)::

    journal = Journal.open(settings.journal.path, settings=settings.journal)
    MissionJournal(journal).attach(mission)      # before the first submit
    mission.submit("say hello", source="ros-topic")

Each submitted command gets its row (durably) before it is queued; a journal that cannot write
refuses it (REJECTED with the reason). The mission's events are then queued on the tick thread
without blocking. If the journal fails (disk full, queue overflow) the mission is halted: the
robot's goal is cancelled, the running command ends with the reason and new ones are rejected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bt_planner.errors import JournalUnavailable
from bt_planner.journal.entries import CommandOutcome
from bt_planner.journal.journal_file import Journal
from bt_planner.tree.action_outcome import ActionOutcome, ActionStatus
from bt_planner.tree.mission import (
    ApprovalDecision,
    CommandRequest,
    Mission,
    MissionEvent,
    MissionEventKind,
    MissionState,
    MissionStatus,
)

_OUTCOME = {
    MissionState.SUCCEEDED: CommandOutcome.SUCCEEDED,
    MissionState.FAILED: CommandOutcome.FAILED,
    MissionState.REJECTED: CommandOutcome.REJECTED,
    MissionState.CANCELLED: CommandOutcome.CANCELLED,
}

_REMEMBER_ENDED = 1000
"""How many ended commands ``journal_id`` still answers for."""

HALT_REASON = "the mission journal cannot record any more, so the robot stopped"


class MissionJournal:
    """A ``MissionObserver`` that journals; ``journal_id`` maps a mission command id to its row."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self._ids: dict[int, int] = {}
        self._last: dict[int, int] = {}

    def attach(self, mission: Mission) -> MissionJournal:
        """Observe ``mission`` and halt it if the journal fails; returns self."""
        mission.add_observer(self)
        self.journal.on_failure(lambda reason: mission.halt(f"{HALT_REASON}: {reason}"))
        return self

    def journal_id(self, mission_command_id: int) -> int | None:
        """The journal's id of mission command ``mission_command_id`` (None if not journalled)."""
        return self._ids.get(mission_command_id, self._last.get(mission_command_id))

    def command_received(self, request: CommandRequest) -> None:
        data: dict[str, Any] = {"mission_command_id": request.id}
        if request.approval is not None:
            data["approval"] = request.approval
        self._ids[request.id] = self.journal.begin_command(
            request.command, source=request.source, mission_command_id=request.id, data=data
        )

    def mission_events(self, events: Sequence[MissionEvent]) -> None:
        try:
            for event in events:
                self._write(event)
        except JournalUnavailable:
            pass  # the failure listener has halted the mission and said why

    def _write(self, event: MissionEvent) -> None:
        kind, data, at = event.kind, event.data, event.time_s
        if event.command_id == 0:
            self.journal.record(None, kind.value, dict(data), sim_time_s=at)
            return
        command_id = self._ids.get(event.command_id)
        if command_id is None:
            return
        record = self.journal.record
        if kind is MissionEventKind.STATUS:
            self._status(command_id, data["status"])
        elif kind is MissionEventKind.PLAN_ANSWERED:
            record(command_id, "planning_finished", dict(data), sim_time_s=at)
        elif kind is MissionEventKind.ACTION:
            outcome: ActionOutcome = data["outcome"]
            name = "action_started" if outcome.status is ActionStatus.RUNNING else "action_ended"
            record(command_id, name, dict(data), sim_time_s=at)
        elif kind is MissionEventKind.APPROVAL_DECIDED:
            decision: ApprovalDecision = data["decision"]
            record(
                command_id,
                "approval_granted" if decision.approved else "approval_denied",
                dict(data),
                sim_time_s=at,
            )
            verdict = "approved" if decision.approved else ("timed out" if decision.timed_out else "rejected")
            self.journal.note_approval(command_id, f"{verdict} by {decision.by} via {decision.via}")
        else:
            record(command_id, kind.value, dict(data), sim_time_s=at)

    def _status(self, command_id: int, status: MissionStatus) -> None:
        state, at = status.state, status.time_s
        if state is MissionState.PLANNING:
            self.journal.record(command_id, "planning_started", {"attempt": status.attempt}, sim_time_s=at)
        elif state is MissionState.REPLANNING:
            self.journal.record(
                command_id, "replanning", {"attempt": status.attempt, "reason": status.reason}, sim_time_s=at
            )
        elif state.terminal:
            self._last[status.command_id] = command_id
            if len(self._last) > _REMEMBER_ENDED:
                self._last.pop(next(iter(self._last)))
            self._ids.pop(status.command_id, None)
            self.journal.end_command(
                command_id,
                _OUTCOME[state],
                reason=status.reason,
                data={
                    "attempt": status.attempt,
                    "failed_action_index": status.failed_action_index,
                    "outcomes": list(status.outcomes),
                    "issues": list(status.issues),
                },
                sim_time_s=at,
            )
