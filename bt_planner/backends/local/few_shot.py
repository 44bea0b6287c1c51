"""A completion-style few-shot prompt for a small base model, built from a ``ChatRequest``.

Base models continue documents rather than follow chat turns, so the request becomes one
document: a short header (plus the custom-action lines of the planner's instructions; the rest of
those instructions is chat-model advice that costs tokens), then the chosen examples, each rendered exactly as the
request's own world/robot/command text followed by ``Plan:`` and the plan as one line of compact
JSON (keys in the grammar's order, so the grammar never fights the examples), then the request
itself ending in ``Plan:``. A repair turn appends the rejected plan and the reasons. The most
relevant example goes last, next to the request. Examples are added while the prompt fits
``budget`` tokens. A request for something other than an action plan (goal mode) brings its own
examples as chat turns and becomes a transcript of them instead (``transcript_prompt``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bt_planner.backends.local.example_bank import Example, rank_examples
from bt_planner.backends.local.grammar import KEY_ORDER
from bt_planner.llm.chat import ChatRequest
from bt_planner.llm.prompt import user_prompt
from bt_planner.plans.plan import Plan

HEADER = (
    "Plans for a mobile robot with one arm, one line of JSON each. Steps: navigate, move, turn, detect, "
    "grasp, place, speak, wait. A plan names only the listed locations and objects; a command that is "
    "unsafe or impossible gets no actions and the reason."
)
CUE = "\nPlan:\n"
SEPARATOR = "\n\n"
DEFAULT_EXAMPLES = 3


def _compact(value: Any) -> Any:
    """Integral floats as integers (fewer tokens) and keys in the grammar's order."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, dict):
        rank = {key: i for i, key in enumerate(KEY_ORDER)}
        ordered = sorted(value.items(), key=lambda kv: rank.get(kv[0], len(rank)))
        return {k: _compact(v) for k, v in ordered}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def plan_line(plan: Plan) -> str:
    """The plan as the grammar writes it: one line, every key present, keys in ``KEY_ORDER``."""
    actions = [
        {
            "action_type": action.action_type.value,
            "parameters": action.parameters.model_dump(mode="json"),
            "description": action.description,
            "estimated_duration": action.estimated_duration,
        }
        for action in plan.actions
    ]
    wire = {
        "actions": actions,
        "reasoning": plan.reasoning,
        "estimated_total_time": plan.estimated_total_time,
    }
    return json.dumps(_compact(wire), separators=(",", ":"), ensure_ascii=False)


def example_text(example: Example) -> str:
    return user_prompt(example.command, example.robot, example.world) + CUE + plan_line(example.plan)


def _command_of(user_text: str) -> str:
    """The command line of a rendered request (the whole text if it has none)."""
    for line in reversed(user_text.splitlines()):
        if line.startswith("Command:"):
            return line.removeprefix("Command:").strip()
    return user_text


def _header(system: str) -> str:
    """``HEADER`` plus the custom-action lines of the planner's instructions, if there are any."""
    custom = [line for line in system.splitlines() if line.startswith("custom(")]
    return "\n".join([HEADER, *custom])


def _query(request: ChatRequest) -> tuple[str, str, str]:
    """(header, the command, the request text ending in the cue) from the chat turns."""
    system = _header("\n".join(m.content for m in request.messages if m.role == "system"))
    turns = [m for m in request.messages if m.role != "system"]
    if not turns or turns[0].role != "user":
        raise ValueError("the request has no user message to plan for")
    command = _command_of(turns[0].content)
    text = turns[0].content
    for turn in turns[1:]:
        if turn.role == "assistant":
            text += "\nRejected plan: " + " ".join(turn.content.split())
        else:
            text += "\n" + turn.content.strip()
    return system, command, text + CUE


@dataclass(frozen=True)
class FewShotPrompt:
    text: str
    examples: tuple[str, ...]
    """The commands of the examples used, in prompt order."""


def build_prompt(
    request: ChatRequest,
    *,
    bank: Sequence[Example],
    count_tokens: Callable[[str], int],
    budget: int,
    max_examples: int = DEFAULT_EXAMPLES,
) -> FewShotPrompt:
    """The prompt for ``request``, with up to ``max_examples`` examples that fit ``budget`` tokens."""
    system, command, query = _query(request)
    head = system + SEPARATOR
    used = count_tokens(head + query)
    if used > budget:
        raise ValueError(f"the request alone needs {used} tokens, more than the {budget} left for the prompt")
    chosen: list[tuple[Example, str]] = []
    for example in rank_examples(command, bank):
        if len(chosen) >= max_examples:
            break
        text = example_text(example) + SEPARATOR
        cost = count_tokens(text)
        if used + cost <= budget:
            chosen.append((example, text))
            used += cost
    chosen.reverse()  # most relevant last, right before the request
    body = "".join(text for _, text in chosen)
    return FewShotPrompt(text=head + body + query, examples=tuple(example.command for example, _ in chosen))


def transcript_prompt(
    request: ChatRequest, *, count_tokens: Callable[[str], int], budget: int
) -> FewShotPrompt:
    """A request that is not an action plan (goal mode's ``goal_list``) as one completion document.

    The bank's examples are action plans, so they would teach the wrong format; such a request
    brings its own worked examples as earlier chat turns. The document is the system text, then
    each earlier user turn with the reply that followed it (``CUE`` between them), then the last
    user turn ending in ``CUE``.
    """
    system = "\n".join(m.content for m in request.messages if m.role == "system")
    turns = [m for m in request.messages if m.role != "system"]
    if not turns or turns[-1].role != "user":
        raise ValueError("the request has no user message to plan for")
    parts = [system] if system else []
    pending: list[str] = []
    for turn in turns[:-1]:
        if turn.role == "user":
            pending.append(turn.content)
        else:
            parts.append("\n".join(pending) + CUE + " ".join(turn.content.split()))
            pending = []
    parts.append("\n".join([*pending, turns[-1].content]) + CUE)
    text = SEPARATOR.join(parts)
    used = count_tokens(text)
    if used > budget:
        raise ValueError(f"the request alone needs {used} tokens, more than the {budget} left for the prompt")
    return FewShotPrompt(text=text, examples=())
