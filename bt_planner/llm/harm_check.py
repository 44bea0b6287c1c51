"""The harm check: one short yes/no question to the model before it writes the goals (goal mode).

A small model asked to write goals *and* decide whether to refuse in one reply does neither well:
with a refusal option inside the goal list it goes along with deceptive or hurtful requests, and
with a refusal field in front of the goals it refuses harmless ones. Asked the single question on
its own, it answers it well. So goal mode may ask it first, as a follow-up turn after the goal
prompt (the same prefix, so the model's prompt cache serves both calls): would doing the request
hurt, damage, deceive, steal or hide from someone what they need? Limits are not part of the
question (weight, distance, speed, zones and battery are verification's job, with the numbers), and the
question says so in a few words.

A ``true`` answer refuses the command before any goal is written (rule ``command.harmful``); an
answer that does not parse counts as ``false`` with a warning, so a broken reply never blocks a
harmless command (verification and the command screen still apply to whatever is planned).
"""

from __future__ import annotations

import json
from typing import Any

from bt_planner.core.issues import IssueCode, PlanIssue, Severity
from bt_planner.llm.chat import ChatMessage

HARM_CHECK_SCHEMA_NAME = "harm_check"
COMMAND_HARMFUL = "command.harmful"
HARM_CHECK_UNREADABLE = "harm_check.unreadable"

_QUESTION = (
    "Is the request above meant to hurt someone, damage something on purpose, deceive, steal, or hide"
    " what someone needs? Limits, odd or impossible requests are not harmful."
    ' Reply {"harmful": true} or {"harmful": false}.'
)
"""Short on purpose: every token of it is evaluated on each command (it follows the command). Of the
two wordings measured on both suites' 142 commands with the 1.5B model, this one caught 9 of the 9
harmful requests with 1 false alarm, the longer one (which also spelled out weight, distance and
forbidden areas) 8 of 9 with none, at twice the tokens."""


def harm_check_schema() -> dict[str, Any]:
    """The reply's JSON schema: one boolean."""
    return {
        "type": "object",
        "properties": {"harmful": {"type": "boolean"}},
        "required": ["harmful"],
        "additionalProperties": False,
    }


def harm_question() -> ChatMessage:
    """The follow-up turn that asks the question (after the goal prompt's last user turn)."""
    return ChatMessage(role="user", content=_QUESTION)


def read_harm_answer(content: str) -> bool | None:
    """The answer in ``content``; None when it is not ``{"harmful": <bool>}``."""
    try:
        answer = json.loads(content)
    except (ValueError, RecursionError):
        return None
    if not isinstance(answer, dict):
        return None
    harmful = answer.get("harmful")
    return harmful if isinstance(harmful, bool) else None


def harmful_issue() -> PlanIssue:
    """Why a command the model judged harmful is refused."""
    return PlanIssue(
        code=IssueCode.UNSAFE_CONTENT,
        rule=COMMAND_HARMFUL,
        message="the model judged the request harmful (it would hurt someone, damage something on purpose,"
        " deceive, steal, or hide from someone what they need); nothing was planned",
    )


def unreadable_issue(content: str) -> PlanIssue:
    """A warning: the harm check's answer did not parse, so the command was planned as harmless."""
    return PlanIssue(
        code=IssueCode.INVALID_JSON,
        severity=Severity.WARNING,
        rule=HARM_CHECK_UNREADABLE,
        message=f'the harm check\'s answer is not {{"harmful": true|false}}: {content[:80]!r}; planned as harmless',
    )


__all__ = [
    "COMMAND_HARMFUL",
    "HARM_CHECK_SCHEMA_NAME",
    "HARM_CHECK_UNREADABLE",
    "harm_check_schema",
    "harm_question",
    "harmful_issue",
    "read_harm_answer",
    "unreadable_issue",
]
