"""Runs a suite: each task is planned (by the model, or by its reference answer with ``oracle``),
verified, executed in the simulator, and scored against its goal conditions.

``planning.mode`` (``auto``, ``actions`` or ``goals``) is the run's: the model writes steps or a
goal list; the oracle answers each request with the task's reference plan or reference goals.

Tasks run one after another so each latency is that of a lone request. The plan cache is off:
every task is a fresh planning call. Each task gets one plan (after the planner's own repair
round) and one run: no re-planning, so the scores measure the planner, not the recovery loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from bt_planner.config import PlanningMode, Settings
from bt_planner.evaluation.metrics import SuiteSummary, TagSummary, TaskResult, summarise, summarise_tags
from bt_planner.evaluation.oracle import ReferencePlanBackend
from bt_planner.evaluation.scoring import score_task
from bt_planner.evaluation.simulation import plan_and_run
from bt_planner.evaluation.suite import LoadedSuite
from bt_planner.evaluation.task import Task
from bt_planner.llm.chat import ChatBackend
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.planning.planner import Mode as PlanningModeInEffect
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan

Mode = Literal["model", "oracle", "replay"]


class TaskBackends(Protocol):
    """Answers each task with a backend of its own (``RecordedReplies`` replays a recorded run)."""

    @property
    def model(self) -> str:
        """The model named in the report."""
        ...

    def backend_for(self, task: Task) -> ChatBackend:
        """The backend that answers ``task``."""
        ...


class SuiteReport(BaseModel):
    """A whole run: who planned and how, every task's result, the aggregates and the per-tag ones.

    ``mode`` says whether a model, the oracle or a recorded run's replies planned. ``planning_mode``
    says who wrote the steps: the model (``actions``) or the symbolic planner from the model's goals
    (``goals``);
    ``configured_mode`` is the run's ``planning.mode`` (``auto`` lets the planner choose).
    """

    model_config = ConfigDict(frozen=True)

    suite: str
    source: str
    mode: Mode
    planning_mode: PlanningModeInEffect = "actions"
    configured_mode: PlanningMode = "auto"
    backend: str
    model: str
    started_at: str
    duration_s: float
    results: list[TaskResult]
    summary: SuiteSummary
    by_tag: list[TagSummary] = Field(default_factory=list, description="one entry per tag, by name")


def _run_settings(settings: Settings, *, oracle: bool, mode: PlanningMode | None) -> Settings:
    """The settings of a run: plan cache off, no repair round for the oracle, ``mode`` if given."""
    llm = settings.llm.model_copy(update={"max_repair_rounds": 0}) if oracle else settings.llm
    planning = settings.planning if mode is None else settings.planning.model_copy(update={"mode": mode})
    return settings.model_copy(
        update={
            "cache": settings.cache.model_copy(update={"enabled": False}),
            "llm": llm,
            "planning": planning,
        }
    )


class SuiteRunner:
    """Evaluates tasks with one planner (model mode) or one reference-answer planner per task (oracle).

    Args:
        settings: the run's settings (the plan cache is turned off for the run).
        oracle: answer each task with its reference plan or reference goals instead of a model.
        mode: ``planning.mode`` for the run; None keeps the one in ``settings``.
        planner: a ready planner to evaluate (model mode), used with its own settings; by default
            one is built from ``settings``.
        custom_actions: the custom actions plans and goals may use.
        replay: answer each task with its own backend instead (``RecordedReplies``: an earlier run's
            replies); the run's mode is then ``replay``.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        oracle: bool = False,
        mode: PlanningMode | None = None,
        planner: LLMActionPlanner | None = None,
        custom_actions: CustomActionRegistry | None = None,
        replay: TaskBackends | None = None,
    ) -> None:
        self.settings = _run_settings(settings, oracle=oracle or replay is not None, mode=mode)
        self.oracle = oracle
        self.replay = None if oracle else replay
        self.custom_actions = custom_actions if custom_actions is not None else CustomActionRegistry()
        self._planner = planner
        if planner is None and not oracle and self.replay is None:
            self._planner = LLMActionPlanner(self.settings, custom_actions=self.custom_actions)

    def _planner_for(self, task: Task) -> LLMActionPlanner:
        if self.oracle or self.replay is not None:
            backend = (
                ReferencePlanBackend.for_task(task) if self.replay is None else self.replay.backend_for(task)
            )
            return LLMActionPlanner(self.settings, backend=backend, custom_actions=self.custom_actions)
        assert self._planner is not None
        return self._planner

    @property
    def configured_mode(self) -> PlanningMode:
        """The run's ``planning.mode`` (a given planner's own, in model mode)."""
        if self._planner is not None and not self.oracle:
            return self._planner.settings.planning.mode
        return self.settings.planning.mode

    @property
    def planning_mode(self) -> PlanningModeInEffect:
        """The planning mode in effect (``auto`` resolved the way the planner resolves it)."""
        if self._planner is not None and not self.oracle:
            return self._planner.mode
        return LLMActionPlanner(self.settings, backend=ReferencePlanBackend(Plan(actions=[]))).mode

    @property
    def backend_name(self) -> str:
        if self.replay is not None:
            return "replay"
        return "oracle" if self.oracle or self._planner is None else self._planner.backend.name

    @property
    def model_name(self) -> str:
        if self.replay is not None:
            return self.replay.model
        return "reference" if self.oracle or self._planner is None else self._planner.backend.model

    @property
    def mode(self) -> Mode:
        """Who planned: a model, the oracle, or a recorded run's replies."""
        return "oracle" if self.oracle else "replay" if self.replay is not None else "model"

    def run_task(self, loaded: LoadedSuite, task: Task) -> TaskResult:
        """Plan, verify, execute (when accepted) and score one task, through the mission tree.

        A run that raises is scored as a failed run with the error, so it does not end the suite.
        """
        world = loaded.world_for(task)
        result, execution = plan_and_run(
            self._planner_for(task),
            task.command,
            world=world,
            limits=self.settings.safety,
            custom_actions=self.custom_actions,
            tick_period_s=self.settings.execution.tick_period_s,
            max_sim_time_s=task.max_sim_time_s,
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
            mode=self.mode,
            planning_mode=self.planning_mode,
            configured_mode=self.configured_mode,
            backend=self.backend_name,
            model=self.model_name,
            started_at=started.isoformat(timespec="seconds"),
            duration_s=time.perf_counter() - clock,
            results=results,
            summary=summarise(results),
            by_tag=summarise_tags(results),
        )
