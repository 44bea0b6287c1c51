"""``ActionWatcher``: which actions of a compiled plan changed since the last look, cheaply, every tick.

A leaf replaces its ``ActionOutcome`` object whenever its status or message changes, so a change is
an identity test. A compiled plan is a ``Sequence(memory=True)``: only the leaf at the cursor (the
first one not finished) and those after it can change, so a look walks from the cursor to the first
leaf that has not started and did not change; usually one or two leaves per tick.
"""

from __future__ import annotations

from bt_planner.tree.action_outcome import ActionOutcome, ActionStatus
from bt_planner.tree.compiler import CompiledPlan

_FINISHED = frozenset({ActionStatus.SUCCEEDED, ActionStatus.FAILED, ActionStatus.CANCELLED})


class ActionWatcher:
    """Reports every new ``ActionOutcome`` of ``compiled`` (start, message changes, end) once, in order."""

    def __init__(self, compiled: CompiledPlan) -> None:
        self._leaves = compiled.leaves
        self._seen: list[ActionOutcome] = [leaf.outcome for leaf in self._leaves]
        self._cursor = 0

    def changes(self) -> list[ActionOutcome]:
        """Outcomes that changed since the last call (empty most ticks)."""
        changed: list[ActionOutcome] = []
        leaves, seen = self._leaves, self._seen
        index = self._cursor
        while index < len(leaves):
            outcome = leaves[index].outcome
            if outcome is not seen[index]:
                seen[index] = outcome
                changed.append(outcome)
            elif outcome.status is ActionStatus.NOT_RUN:
                break
            if index == self._cursor and outcome.status in _FINISHED:
                self._cursor += 1
            index += 1
        return changed

    def sweep(self) -> list[ActionOutcome]:
        """Every changed outcome, looking at all leaves (after the plan was stopped or ended)."""
        changed: list[ActionOutcome] = []
        for index, leaf in enumerate(self._leaves):
            if leaf.outcome is not self._seen[index]:
                self._seen[index] = leaf.outcome
                changed.append(leaf.outcome)
        self._cursor = len(self._leaves)
        return changed
