"""``CommandReport``: one command taken through the mission tree on the simulator, start to end."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bt_planner.execution.report import ExecutionReport
from bt_planner.planning.result import PlanResult
from bt_planner.tree.mission import MissionState, MissionStatus


class CommandReport(BaseModel):
    """How a command ended, every execution of a plan for it, and every answer of the planner.

    ``status`` is the command's terminal ``MissionStatus`` (``state``, ``reason``, the last plan and
    its ``issues``). It is the mission's own, except when the runner stopped the run itself: after
    ``max_sim_time_s`` or when ticking raised, ``state`` is FAILED and ``reason`` says why.

    ``attempts`` holds one ``ExecutionReport`` per plan that started executing (the first plan,
    then one per re-plan), in order; it is empty when no plan ran (rejected). ``plan_results``
    holds what the planner's ``plan`` returned, one per call, in order (a re-plan that needed no
    model call, such as a symbolic one, adds none). ``events`` is every status change of the
    command, in order. Times are simulated seconds.
    """

    model_config = ConfigDict(frozen=True)

    command: str
    status: MissionStatus
    attempts: list[ExecutionReport] = Field(default_factory=list)
    plan_results: list[PlanResult] = Field(default_factory=list)
    events: list[MissionStatus] = Field(default_factory=list)
    sim_time_s: float = Field(default=0.0, description="from submitting the command to its end")
    journal_id: int | None = Field(default=None, description="the command's id in the journal, if journalled")

    @property
    def success(self) -> bool:
        """True when the command succeeded."""
        return self.status.state is MissionState.SUCCEEDED

    @property
    def last(self) -> ExecutionReport | None:
        """The last execution (the one that decided the outcome), or None when no plan ran."""
        return self.attempts[-1] if self.attempts else None
