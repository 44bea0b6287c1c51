"""``order_problems``: walk a journal and say where a command's events are not in a consistent order.

The rules, per command, in ``seq`` order:

* the first event is ``received``; there is exactly one ``ended`` and it is the last event; the
  command's status and reason are those of its ``ended`` event;
* the robot clock (``sim_time_s``) never goes back;
* ``planning_finished`` follows ``planning_started`` or ``replanning``; ``executing`` follows a
  ``verified`` plan of the same attempt, and the approval granted for it when one was requested;
* an approval decision answers an open ``approval_requested``; nothing executes after a denial;
* ``action_started`` and ``action_ended`` come after ``executing``; each action index starts at
  most once per execution and ends at most once, after its start if it had one, in plan order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bt_planner.journal.entries import JournalCommand, JournalEvent
from bt_planner.journal.journal_file import Journal


def command_problems(command: JournalCommand, events: list[JournalEvent]) -> list[str]:
    """What is wrong with one command's events (empty: consistent)."""
    where = f"command {command.id}"
    if not events:
        return [f"{where}: no events"]
    problems: list[str] = []
    if events[0].kind != "received":
        problems.append(f"{where}: first event is {events[0].kind!r}, not 'received'")
    ended = [e for e in events if e.kind == "ended"]
    if len(ended) != 1:
        problems.append(f"{where}: {len(ended)} 'ended' events, expected exactly 1")
    elif events[-1].kind != "ended":
        problems.append(f"{where}: {events[-1].kind!r} (seq {events[-1].seq}) comes after 'ended'")
    if ended:
        state = ended[0].data.get("state")
        if command.status is None or command.status.value != state:
            problems.append(f"{where}: status {command.status} but its 'ended' event says {state!r}")
        if command.reason != ended[0].data.get("reason"):
            problems.append(f"{where}: reason {command.reason!r} differs from its 'ended' event's")
    problems += [f"{where}: {p}" for p in _phase_problems(events)]
    return problems


@dataclass
class _Walk:
    """Where a command is while its events are walked."""

    problems: list[str] = field(default_factory=list)
    clock: float | None = None
    planning: bool = False
    verified: bool = False
    executing: bool = False
    approval_open: bool = False
    approval_needed: bool = False
    approval_granted: bool = False
    denied: bool = False
    started: set[int] = field(default_factory=set)
    finished: set[int] = field(default_factory=set)
    last_index: int = -1

    def step(self, event: JournalEvent) -> None:
        if event.sim_time_s is not None:
            if self.clock is not None and event.sim_time_s < self.clock - 1e-9:
                self.problems.append(f"{event.kind} (seq {event.seq}) goes back on the robot clock")
            self.clock = event.sim_time_s
        kind = event.kind
        if kind in ("planning_started", "replanning"):
            self.planning, self.verified, self.executing = True, False, False
            self.approval_open = self.approval_granted = self.approval_needed = False
        elif kind == "planning_finished" and not self.planning:
            self.problems.append(f"planning_finished (seq {event.seq}) without planning_started")
        elif kind == "verified":
            self.verified = True
        elif kind in ("approval_requested", "approval_granted", "approval_denied"):
            self._approval(event)
        elif kind == "executing":
            self._executing(event)
        elif kind in ("action_started", "action_ended"):
            self._action(event)

    def _approval(self, event: JournalEvent) -> None:
        if event.kind == "approval_requested":
            if self.approval_open:
                self.problems.append(f"approval_requested (seq {event.seq}) while another is open")
            self.approval_open = self.approval_needed = True
            return
        if not self.approval_open:
            self.problems.append(f"{event.kind} (seq {event.seq}) answers no open request")
        self.approval_open = False
        self.approval_granted = event.kind == "approval_granted"
        self.denied = self.denied or event.kind == "approval_denied"

    def _executing(self, event: JournalEvent) -> None:
        if not self.verified:
            self.problems.append(f"executing (seq {event.seq}) without a verified plan")
        if self.approval_needed and not self.approval_granted:
            self.problems.append(f"executing (seq {event.seq}) before its approval was granted")
        self.executing, self.verified = True, False
        self.started, self.finished, self.last_index = set(), set(), -1

    def _action(self, event: JournalEvent) -> None:
        index = int(event.data.get("outcome", {}).get("index", -1))
        if not self.executing:
            self.problems.append(f"{event.kind} of action {index} (seq {event.seq}) outside an execution")
        if event.kind == "action_started":
            if index in self.started:
                self.problems.append(f"action {index} started twice (seq {event.seq})")
            if index < self.last_index:
                self.problems.append(f"action {index} started after action {self.last_index}")
            self.started.add(index)
            self.last_index = max(self.last_index, index)
        else:
            if index in self.finished:
                self.problems.append(f"action {index} ended twice (seq {event.seq})")
            self.finished.add(index)


def _phase_problems(events: list[JournalEvent]) -> list[str]:
    walk = _Walk()
    for previous, event in zip([None, *events], events, strict=False):
        if previous is not None and event.seq <= previous.seq:
            walk.problems.append(f"seq {event.seq} does not increase")
        walk.step(event)
    return walk.problems


def order_problems(journal: Journal, *, since: float | None = None) -> list[str]:
    """Every problem of every command received at or after ``since`` (empty: the journal is consistent)."""
    problems: list[str] = []
    for command in journal.commands(limit=None, since=since, newest_first=False):
        problems += command_problems(command, journal.events(command.id))
    return problems
