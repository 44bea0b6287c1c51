"""How a planning result is classified: did the model's reply parse, and was the task refused?

A *refusal* is the pipeline declining to act: the command screen found a forbidden word, the
model returned an empty plan (in goal mode: a ``refuse`` or ``not_in_world`` goal, or no goals,
which the symbolic planner turns into an empty plan), or verification rejected the plan on a
safety rule (a limit, unsafe speech, a forbidden action). A plan rejected
only for naming things that do not exist or for broken preconditions is a planning error, not a
refusal, and neither is a reply that never parsed.
"""

from __future__ import annotations

from bt_planner.core.issues import IssueCode, Severity
from bt_planner.planning.result import PlanResult

REFUSAL_CODES = frozenset(
    {IssueCode.EMPTY_PLAN, IssueCode.LIMIT_EXCEEDED, IssueCode.UNSAFE_CONTENT, IssueCode.FORBIDDEN_ACTION}
)
PARSE_CODES = frozenset(
    {IssueCode.LLM_ERROR, IssueCode.INVALID_JSON, IssueCode.TRUNCATED, IssueCode.SCHEMA_INVALID}
)


def is_refusal(result: PlanResult) -> bool:
    """True when no plan was accepted because the model declined or a safety rule rejected it."""
    if result.success:
        return False
    return any(issue.code in REFUSAL_CODES and issue.severity is Severity.ERROR for issue in result.issues)


def is_schema_valid(result: PlanResult) -> bool:
    """True when the final reply parsed into a plan (an explicit empty plan counts) after any repair."""
    return not any(issue.code in PARSE_CODES and issue.severity is Severity.ERROR for issue in result.issues)
