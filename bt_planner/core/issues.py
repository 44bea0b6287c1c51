"""Structured problems found in a plan: what went wrong, at which action, by which rule, by how much.

The codes for verification follow the taxonomy of the Embodied Agent Interface benchmark; the
parse codes describe output that never became a plan at all.
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict

from bt_planner.core.text import SafeStr


class IssueCode(str, Enum):
    """What kind of problem an issue is (stable values, safe to match on)."""

    # The model's output could not become a plan.
    LLM_ERROR = "llm_error"
    INVALID_JSON = "invalid_json"
    TRUNCATED = "truncated"
    SCHEMA_INVALID = "schema_invalid"
    EMPTY_PLAN = "empty_plan"
    INPUT_TOO_LARGE = "input_too_large"
    """A command or reply beyond a configured bound (length, JSON depth, number size); ``value``/``limit``."""
    CONTENT_FILTERED = "content_filtered"
    """The server's content filter stopped the reply."""
    INTERNAL_ERROR = "internal_error"
    """A bug in bt_planner or a plug-in caught at the planning boundary; the message names the exception."""
    # The plan is well formed but wrong for this world or unsafe.
    HALLUCINATED_OBJECT = "hallucinated_object"
    HALLUCINATED_LOCATION = "hallucinated_location"
    PRECONDITION_VIOLATED = "precondition_violated"
    WRONG_ORDER = "wrong_order"
    MISSING_STEP = "missing_step"
    UNREACHABLE = "unreachable"
    LIMIT_EXCEEDED = "limit_exceeded"
    UNSAFE_CONTENT = "unsafe_content"
    FORBIDDEN_ACTION = "forbidden_action"


class Severity(str, Enum):
    """Whether an issue rejects the plan."""

    ERROR = "error"
    """The plan is rejected."""
    WARNING = "warning"
    """The plan is allowed; the issue is reported."""


class PlanIssue(BaseModel):
    """One finding. ``rule`` is a stable rule code; ``value`` and ``limit`` carry the numbers."""

    model_config = ConfigDict(frozen=True)

    code: IssueCode
    message: SafeStr
    severity: Severity = Severity.ERROR
    action_index: int | None = None
    goal_index: int | None = None
    """Goal mode: the goal (index into the goal list) whose expansion produced the action or the problem."""
    rule: str | None = None
    value: float | None = None
    limit: float | None = None

    def __str__(self) -> str:
        where = f"action {self.action_index}: " if self.action_index is not None else ""
        if self.goal_index is not None:
            where = f"goal {self.goal_index}, {where}" if where else f"goal {self.goal_index}: "
        rule = f" [{self.rule}]" if self.rule else ""
        return f"{self.severity.value} {self.code.value}{rule}: {where}{self.message}"


def has_errors(issues: list[PlanIssue]) -> bool:
    """True when any issue is an error (the plan is rejected)."""
    return any(issue.severity is Severity.ERROR for issue in issues)
