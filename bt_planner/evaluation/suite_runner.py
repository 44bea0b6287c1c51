"""Runs a suite: each task is planned (by the model, or by its reference plan with ``oracle``),
verified, executed in the simulator, and scored against its goal conditions.

Tasks run one after another so each latency is that of a lone request. The plan cache is off:
every task is a fresh planning call. Each task gets one plan (after the planner's own repair
round) and one run: no re-planning, so the scores measure the planner, not the recovery loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict

from bt_planner.config import Settings
from bt_planner.evaluation.end_state import EndState
from bt_planner.evaluation.execution_outcome import ExecutionOutcome
from bt_planner.evaluation.metrics import SuiteSummary, TaskResult, summarise
from bt_planner.evaluation.oracle import ReferencePlanBackend
from bt_planner.evaluation.scoring import score_task
from bt_planner.evaluation.simulation import run_in_simulator
from bt_planner.evaluation.suite import LoadedSuite
from bt_planner.evaluation.task import Task
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.plans.custom_actions import CustomActionRegistry

Mode = Literal["model", "oracle"]


class SuiteReport(BaseModel):
    """A whole run: who planned, every task's result, and the aggregates."""

    model_config = ConfigDict(frozen=True)

    suite: str
    source: str
    mode: Mode
    backend: str
    model: str
    started_at: str
    duration_s: float
    results: list[TaskResult]
    summary: SuiteSummary


def _uncached(settings: Settings, *, oracle: bool) -> Settings:
    llm = settings.llm.model_copy(update={"max_repair_rounds": 0}) if oracle else settings.llm
    return settings.model_copy(
        update={"cache": settings.cache.model_copy(update={"enabled": False}), "llm": llm}
    )


class SuiteRunner:
    """Evaluates tasks with one planner (model mode) or one reference-plan planner per task (oracle)."""

    def __init__(
        self,
        *,
        settings: Settings,
        oracle: bool = False,
        planner: LLMActionPlanner | None = None,
        custom_actions: CustomActionRegistry | None = None,
    ) -> None:
        self.settings = _uncached(settings, oracle=oracle)
        self.oracle = oracle
        self.custom_actions = custom_actions if custom_actions is not None else CustomActionRegistry()
        self._planner = planner
        if planner is None and not oracle:
            self._planner = LLMActionPlanner(self.settings, custom_actions=self.custom_actions)

    def _planner_for(self, task: Task) -> LLMActionPlanner:
        if self.oracle:
            backend = ReferencePlanBackend(task.reference_plan)
            return LLMActionPlanner(self.settings, backend=backend, custom_actions=self.custom_actions)
        assert self._planner is not None
        return self._planner

    @property
    def backend_name(self) -> str:
        return "oracle" if self.oracle or self._planner is None else self._planner.backend.name

    @property
    def model_name(self) -> str:
        return "reference-plan" if self.oracle or self._planner is None else self._planner.backend.model

    def run_task(self, loaded: LoadedSuite, task: Task) -> TaskResult:
        """Plan, verify, execute (when accepted) and score one task."""
        world = loaded.world_for(task)
        result = self._planner_for(task).plan(task.command, world.robot, world)
        execution = None
        if result.plan is not None:
            try:
                execution = run_in_simulator(
                    result.plan,
                    world=world,
                    limits=self.settings.safety,
                    custom_actions=self.custom_actions,
                    tick_period_s=self.settings.execution.tick_period_s,
                    max_sim_time_s=task.max_sim_time_s,
                )
            except Exception as error:  # one broken run must not end the suite; it is scored and shown
                execution = ExecutionOutcome(
                    success=False,
                    actions_total=len(result.plan.actions),
                    actions_succeeded=0,
                    failure=f"the executor raised {type(error).__name__}: {error}",
                    end=EndState(robot=world.robot, world=world),
                )
        return score_task(task=task, world=world, result=result, execution=execution)

    def run(
        self,
        loaded: LoadedSuite,
        *,
        tasks: list[Task] | None = None,
        on_result: Callable[[TaskResult], None] | None = None,
    ) -> SuiteReport:
        """Every task of the suite (or ``tasks``), in order; ``on_result`` is called after each."""
        started = datetime.now(timezone.utc)
        clock = time.perf_counter()
        results: list[TaskResult] = []
        for task in tasks if tasks is not None else loaded.suite.tasks:
            results.append(self.run_task(loaded, task))
            if on_result is not None:
                on_result(results[-1])
        return SuiteReport(
            suite=loaded.suite.name,
            source=loaded.source,
            mode="oracle" if self.oracle else "model",
            backend=self.backend_name,
            model=self.model_name,
            started_at=started.isoformat(timespec="seconds"),
            duration_s=time.perf_counter() - clock,
            results=results,
            summary=summarise(results),
        )
