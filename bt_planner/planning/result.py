"""What a planning call returns: the plan (only if it validated and verified) and everything around it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bt_planner.core.issues import PlanIssue
from bt_planner.llm.chat import TokenUsage
from bt_planner.plans.plan import Plan


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
    command: str
    plan: Plan | None = None
    issues: list[PlanIssue] = Field(default_factory=list)
    timings: Timings = Timings()
    backend: str = ""
    model: str = ""
    usage: TokenUsage = TokenUsage()
    raw_response: str | None = None
    llm_calls: int = 0
    cache_hit: bool = False
    prompt_version: str = ""
