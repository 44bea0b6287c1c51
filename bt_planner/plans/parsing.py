"""Model output → ``Plan`` (actions mode) or ``GoalList`` (goal mode), or the exact reasons it is not one.

The reasons are fed back to the model in the repair round.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from bt_planner.core.issues import IssueCode, PlanIssue
from bt_planner.core.limits import SafetyLimits
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan
from bt_planner.plans.task_goals import GoalList

REPLY_SIZE = "reply.size"
REPLY_DEPTH = "reply.json_depth"
REPLY_NUMBER = "reply.number_size"
REPLY_CONTENT_FILTER = "reply.content_filter"

_DEFAULTS = SafetyLimits()


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


class _Unbounded(Exception):
    """Raised inside ``json.loads`` hooks to stop at the first literal beyond a bound."""

    def __init__(self, issue: PlanIssue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def _number_hook(limits: SafetyLimits, convert: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(literal: str) -> Any:
        if len(literal) > limits.max_number_chars:
            raise _Unbounded(
                PlanIssue(
                    code=IssueCode.INPUT_TOO_LARGE,
                    rule=REPLY_NUMBER,
                    message=(
                        f"a number in the reply is {len(literal)} characters long, "
                        f"limit {limits.max_number_chars} (safety.max_number_chars)"
                    ),
                    value=float(len(literal)),
                    limit=float(limits.max_number_chars),
                )
            )
        return convert(literal)

    return parse


def _no_constant(literal: str) -> Any:
    raise _Unbounded(
        PlanIssue(
            code=IssueCode.INVALID_JSON, message=f"{literal} is not a number JSON allows; use a finite number"
        )
    )


def _depth(data: Any) -> int:
    """Nesting depth of arrays and objects, without recursion."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            deepest = max(deepest, level)
            stack.extend((value, level + 1) for value in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, level)
            stack.extend((value, level + 1) for value in item)
    return deepest


def _too_large(*, rule: str, what: str, value: int, limit: int, setting: str) -> list[PlanIssue]:
    return [
        PlanIssue(
            code=IssueCode.INPUT_TOO_LARGE,
            rule=rule,
            message=f"{what} {value}, limit {limit} (safety.{setting})",
            value=float(value),
            limit=float(limit),
        )
    ]


def _json_object(
    text: str, finish_reason: str | None, limits: SafetyLimits
) -> dict[str, Any] | list[PlanIssue]:
    """The reply's JSON object, or why there is none (filtered, cut off, too large, not JSON, not an object)."""
    if finish_reason == "content_filter":
        return [
            PlanIssue(
                code=IssueCode.CONTENT_FILTERED,
                rule=REPLY_CONTENT_FILTER,
                message=f"the server's content filter stopped the reply after {len(text)} characters",
            )
        ]
    if finish_reason == "length":
        return [
            PlanIssue(
                code=IssueCode.TRUNCATED,
                message=f"the reply was cut off at the token limit after {len(text)} characters",
            )
        ]
    if len(text) > limits.max_reply_chars:
        return _too_large(
            rule=REPLY_SIZE,
            what="the reply has this many characters:",
            value=len(text),
            limit=limits.max_reply_chars,
            setting="max_reply_chars",
        )
    try:
        data: Any = json.loads(
            outermost_json(text),
            parse_int=_number_hook(limits, int),
            parse_float=_number_hook(limits, float),
            parse_constant=_no_constant,
        )
    except _Unbounded as bound:
        return [bound.issue]
    except json.JSONDecodeError as error:
        return [
            PlanIssue(code=IssueCode.INVALID_JSON, message=f"not valid JSON: {error.msg} at char {error.pos}")
        ]
    except RecursionError:
        return [
            PlanIssue(
                code=IssueCode.INPUT_TOO_LARGE,
                rule=REPLY_DEPTH,
                message="the reply nests arrays/objects too deeply to parse (hundreds of levels), "
                f"limit {limits.max_json_depth} (safety.max_json_depth)",
                limit=float(limits.max_json_depth),
            )
        ]
    except (ValueError, TypeError) as error:  # defensive: any other unusable literal
        return [PlanIssue(code=IssueCode.INVALID_JSON, message=f"not usable JSON: {error}")]
    depth = _depth(data)
    if depth > limits.max_json_depth:
        return _too_large(
            rule=REPLY_DEPTH,
            what="the reply nests arrays/objects to depth",
            value=depth,
            limit=limits.max_json_depth,
            setting="max_json_depth",
        )
    if not isinstance(data, dict):
        return [PlanIssue(code=IssueCode.SCHEMA_INVALID, message="the reply must be a JSON object")]
    return data


def parse_plan(
    text: str,
    *,
    finish_reason: str | None = None,
    custom_actions: CustomActionRegistry | None = None,
    limits: SafetyLimits | None = None,
) -> ParseOutcome:
    """Parse an actions-mode reply; an explicit empty plan is a refusal with the model's reasoning.

    Bounds (``limits``, default ``SafetyLimits()``): reply length, JSON depth, number literal length,
    description and reasoning length; each violation is an issue with the numbers. Never raises.
    """
    limits = limits if limits is not None else _DEFAULTS
    data = _json_object(text, finish_reason, limits)
    if isinstance(data, list):
        return ParseOutcome(issues=data)
    try:
        plan = Plan.model_validate(data, context={"custom_actions": custom_actions, "limits": limits})
    except ValidationError as error:
        return ParseOutcome(issues=_validation_issues(error))
    if not plan.actions:
        why = plan.reasoning.strip() or "no reason given"
        return ParseOutcome(
            issues=[PlanIssue(code=IssueCode.EMPTY_PLAN, message=f"the model returned no actions: {why}")],
            refused=True,
        )
    return ParseOutcome(plan=plan)


def parse_goals(
    text: str, *, finish_reason: str | None = None, limits: SafetyLimits | None = None
) -> GoalParseOutcome:
    """Parse a goal-mode reply into a ``GoalList`` (names are checked later, by the expansion).

    The same reply bounds as ``parse_plan`` apply. Never raises.
    """
    data = _json_object(text, finish_reason, limits if limits is not None else _DEFAULTS)
    if isinstance(data, list):
        return GoalParseOutcome(issues=data)
    try:
        goals = GoalList.model_validate(data)
    except ValidationError as error:
        return GoalParseOutcome(issues=_validation_issues(error, key="goals"))
    return GoalParseOutcome(goals=goals)
