"""Worked examples for an instruct model asked for an action plan: a fixed few, as earlier chat turns.

Goal mode's request brings its own examples as chat turns (``llm.goal_prompt``). An action-plan
request brings none: a remote model does not need them, but a small embedded one does (zero-shot,
Qwen2.5-Coder-0.5B lists every action the system prompt names, in the wrong key order). So for an
action-plan request, a fixed handful from the shipped bank goes
between the system turn and the request: each a user turn written exactly like a request (its own
small world, robot and command) and the assistant's plan as one line of compact JSON in the
grammar's key order (``few_shot.plan_line``).

The examples are the same for every command, so they are part of the prompt's fixed prefix and
stay in the cache across commands (``EXAMPLE_COMMANDS`` says which and why).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from bt_planner.backends.local.example_bank import Example, packaged_examples
from bt_planner.backends.local.few_shot import plan_line
from bt_planner.llm.chat import ChatMessage
from bt_planner.llm.prompt import user_prompt

EXAMPLE_COMMANDS = (
    "Carry the drill to the recycling bin and say finished",
    "Go to the couch and say good night",
    "Wait five seconds and then say that the tea is ready",
    "Rotate 45 degrees to the right",
    "Move to x=3, y=4",
    "Look for the game controller on the couch",
    "Throw the beaker at the window",
)
"""The bank examples shown, by command: together they use every built-in step kind, pair speech
with moving, waiting and fetching (a 0.5B model otherwise drops a spoken step after a wait or a
navigate), turn right with a negative angle, and refuse one harmful command."""


def choose_examples(
    bank: Sequence[Example], commands: Sequence[str] = EXAMPLE_COMMANDS
) -> tuple[Example, ...]:
    """The bank's examples for ``commands``, in that order (``ValueError`` if one is missing)."""
    by_command = {example.command: example for example in bank}
    missing = [command for command in commands if command not in by_command]
    if missing:
        raise ValueError(f"the example bank has no example for {missing}")
    return tuple(by_command[command] for command in commands)


@functools.cache
def fixed_examples() -> tuple[Example, ...]:
    """The ``EXAMPLE_COMMANDS`` examples from the packaged bank."""
    return choose_examples(packaged_examples())


def example_turns(examples: Sequence[Example]) -> tuple[ChatMessage, ...]:
    """Each example as a user turn (like a request) and the assistant's plan (one JSON line)."""
    turns: list[ChatMessage] = []
    for example in examples:
        turns.append(
            ChatMessage(role="user", content=user_prompt(example.command, example.robot, example.world))
        )
        turns.append(ChatMessage(role="assistant", content=plan_line(example.plan)))
    return tuple(turns)


def with_examples(messages: Sequence[ChatMessage], examples: Sequence[Example]) -> tuple[ChatMessage, ...]:
    """``messages`` with the example turns right after the leading system turn(s)."""
    lead = 0
    while lead < len(messages) and messages[lead].role == "system":
        lead += 1
    return (*messages[:lead], *example_turns(examples), *messages[lead:])
