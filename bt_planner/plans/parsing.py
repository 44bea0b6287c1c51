"""Model output → ``Plan`` (actions mode) or ``GoalList`` (goal mode), or the exact reasons it is not one.

The reasons are fed back to the model in the repair round.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from bt_planner.core.issues import IssueCode, PlanIssue
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan
from bt_planner.plans.task_goals import GoalList


class ParseOutcome(BaseModel):
    """Either ``plan`` is set and ``issues`` is empty, or ``plan`` is None and ``issues`` say why."""

    model_config = ConfigDict(frozen=True)

    plan: Plan | None = None
    issues: list[PlanIssue] = []
    refused: bool = False


def outermost_json(text: str) -> str:
    """The outermost ``{...}``: tolerates code fences and chatter around the JSON object."""
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if 0 <= start < end else text


class GoalParseOutcome(BaseModel):
    """Either ``goals`` is set and ``issues`` is empty, or ``goals`` is None and ``issues`` say why."""

    model_config = ConfigDict(frozen=True)

    goals: GoalList | None = None
    issues: list[PlanIssue] = []


def _list_index(loc: tuple[int | str, ...], key: str) -> int | None:
    if len(loc) >= 2 and loc[0] == key and isinstance(loc[1], int):
        return loc[1]
    return None


def _validation_issues(error: ValidationError, *, key: str = "actions") -> list[PlanIssue]:
    issues = []
    for e in error.errors(include_url=False):
        loc = tuple(e["loc"])
        path = ".".join(str(p) for p in loc) or "(root)"
        got = e.get("input")
        shown = json.dumps(got)[:80] if isinstance(got, (str, int, float, bool)) or got is None else None
        message = f"{path}: {e['msg']}" + (f" (got {shown})" if shown is not None else "")
        index = _list_index(loc, key)
        issues.append(
            PlanIssue(
                code=IssueCode.SCHEMA_INVALID,
                message=message,
                action_index=index if key == "actions" else None,
                goal_index=index if key == "goals" else None,
            )
        )
    return issues


def _json_object(text: str, finish_reason: str | None) -> dict[str, Any] | list[PlanIssue]:
    """The reply's JSON object, or why there is none (cut off, not JSON, not an object)."""
    if finish_reason == "length":
        return [
            PlanIssue(
                code=IssueCode.TRUNCATED,
                message=f"the reply was cut off at the token limit after {len(text)} characters",
            )
        ]
    try:
        data: Any = json.loads(outermost_json(text))
    except json.JSONDecodeError as error:
        return [
            PlanIssue(code=IssueCode.INVALID_JSON, message=f"not valid JSON: {error.msg} at char {error.pos}")
        ]
    except (RecursionError, ValueError) as error:  # nesting too deep, integers too long
        return [PlanIssue(code=IssueCode.INVALID_JSON, message=f"not usable JSON: {error}")]
    if not isinstance(data, dict):
        return [PlanIssue(code=IssueCode.SCHEMA_INVALID, message="the reply must be a JSON object")]
    return data


def parse_plan(
    text: str, *, finish_reason: str | None = None, custom_actions: CustomActionRegistry | None = None
) -> ParseOutcome:
    """Parse an actions-mode reply; an explicit empty plan is a refusal with the model's reasoning."""
    data = _json_object(text, finish_reason)
    if isinstance(data, list):
        return ParseOutcome(issues=data)
    try:
        plan = Plan.model_validate(data, context={"custom_actions": custom_actions})
    except ValidationError as error:
        return ParseOutcome(issues=_validation_issues(error))
    if not plan.actions:
        why = plan.reasoning.strip() or "no reason given"
        return ParseOutcome(
            issues=[PlanIssue(code=IssueCode.EMPTY_PLAN, message=f"the model returned no actions: {why}")],
            refused=True,
        )
    return ParseOutcome(plan=plan)


def parse_goals(text: str, *, finish_reason: str | None = None) -> GoalParseOutcome:
    """Parse a goal-mode reply into a ``GoalList`` (names are checked later, by the expansion)."""
    data = _json_object(text, finish_reason)
    if isinstance(data, list):
        return GoalParseOutcome(issues=data)
    try:
        goals = GoalList.model_validate(data)
    except ValidationError as error:
        return GoalParseOutcome(issues=_validation_issues(error, key="goals"))
    return GoalParseOutcome(goals=goals)
