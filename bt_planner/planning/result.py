"""What a planning call returns: the plan (only if it validated and verified) and everything around it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bt_planner.core.issues import PlanIssue
from bt_planner.core.text import SafeStr
from bt_planner.llm.chat import TokenUsage
from bt_planner.plans.plan import Plan
from bt_planner.plans.task_goals import GoalList


class Timings(BaseModel):
    """Milliseconds spent in each stage; ``llm_ms`` includes retries and rate-limit waits."""

    model_config = ConfigDict(frozen=True)

    total_ms: float = 0.0
    llm_ms: float = 0.0
    parse_ms: float = 0.0
    verify_ms: float = 0.0


class PlanResult(BaseModel):
    """The outcome of ``plan()``. ``plan`` is set only when ``success``; ``issues`` say why not."""

    model_config = ConfigDict(frozen=True)

    success: bool
    command: SafeStr
    plan: Plan | None = None
    issues: list[PlanIssue] = Field(default_factory=list)
    timings: Timings = Timings()
    backend: str = ""
    model: str = ""
    usage: TokenUsage = TokenUsage()
    raw_response: SafeStr | None = None
    llm_calls: int = 0
    cache_hit: bool = False
    prompt_version: str = ""
    mode: Literal["actions", "goals"] = "actions"
    """Who wrote the steps: the model (``actions``), or the symbolic planner from the model's goals."""
    goals: GoalList | None = None
    """Goal mode: the goal list the plan was expanded from (also when expansion or verification failed)."""
    action_goals: tuple[int, ...] = ()
    """Goal mode: for each action of ``plan``, the index of the goal it serves."""
