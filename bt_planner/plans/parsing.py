"""Model output → ``Plan``, or the exact reasons it is not one (fed back in the repair round)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from bt_planner.core.issues import IssueCode, PlanIssue
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan


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


def _action_index(loc: tuple[int | str, ...]) -> int | None:
    if len(loc) >= 2 and loc[0] == "actions" and isinstance(loc[1], int):
        return loc[1]
    return None


def _validation_issues(error: ValidationError) -> list[PlanIssue]:
    issues = []
    for e in error.errors(include_url=False):
        loc = tuple(e["loc"])
        path = ".".join(str(p) for p in loc) or "(root)"
        got = e.get("input")
        shown = json.dumps(got)[:80] if isinstance(got, (str, int, float, bool)) or got is None else None
        message = f"{path}: {e['msg']}" + (f" (got {shown})" if shown is not None else "")
        issues.append(
            PlanIssue(code=IssueCode.SCHEMA_INVALID, message=message, action_index=_action_index(loc))
        )
    return issues


def parse_plan(
    text: str, *, finish_reason: str | None = None, custom_actions: CustomActionRegistry | None = None
) -> ParseOutcome:
    if finish_reason == "length":
        return ParseOutcome(
            issues=[
                PlanIssue(
                    code=IssueCode.TRUNCATED,
                    message=f"the reply was cut off at the token limit after {len(text)} characters",
                )
            ]
        )
    try:
        data: Any = json.loads(outermost_json(text))
    except json.JSONDecodeError as error:
        return ParseOutcome(
            issues=[
                PlanIssue(
                    code=IssueCode.INVALID_JSON, message=f"not valid JSON: {error.msg} at char {error.pos}"
                )
            ]
        )
    if not isinstance(data, dict):
        return ParseOutcome(
            issues=[PlanIssue(code=IssueCode.SCHEMA_INVALID, message="the reply must be a JSON object")]
        )
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
