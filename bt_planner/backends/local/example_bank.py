"""The few-shot example bank (``bt_planner/data/examples/*.yaml``) and choosing examples for a command.

Each example is a command, one of the bank's small worlds, an optional robot state and the plan.
Loading validates every plan against the plan model, so a broken example fails loudly rather than
teaching the model a wrong format. Relevance is word overlap with the command, weighted by how
rare each word is in the bank, after folding common synonyms ("fetch", "bring", "get" ...) into
one verb; verbs count double.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.plans.plan import Plan

_WORD = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    {
        "a", "an", "and", "the", "to", "of", "in", "on", "at", "it", "its", "me", "my", "you", "your",
        "is", "are", "be", "then", "there", "here", "this", "that", "with", "from", "for", "please",
        "into", "onto", "up", "down", "by",
    }
)  # fmt: skip
_SYNONYMS: dict[str, str] = {
    **dict.fromkeys(("bring", "fetch", "get", "take", "carry", "deliver", "grab", "pick"), "fetch"),
    **dict.fromkeys(("go", "drive", "head", "navigate", "return", "back", "move"), "go"),
    **dict.fromkeys(("turn", "rotate", "face", "spin", "around"), "turn"),
    **dict.fromkeys(("say", "tell", "announce", "speak", "greet"), "say"),
    **dict.fromkeys(("put", "place", "drop", "leave", "set"), "put"),
    **dict.fromkeys(("find", "look", "search", "check", "detect", "scan"), "find"),
    **dict.fromkeys(("wait", "pause", "stay"), "wait"),
}

_VERBS = frozenset(_SYNONYMS.values())
_VERB_WEIGHT = 2.0
"""What a command asks for (its verbs) shapes the plan more than the things it names."""


def command_words(text: str) -> frozenset[str]:
    """The command's content words, lower case, naive singular, synonyms folded."""
    words = set()
    for raw in _WORD.findall(text.lower()):
        if raw in _STOPWORDS:
            continue
        word = raw
        if raw.endswith(("xes", "ches", "shes", "sses")):
            word = raw[:-2]
        elif len(raw) > 3 and raw.endswith("s") and not raw.endswith("ss"):
            word = raw[:-1]
        words.add(_SYNONYMS.get(word, word))
    return frozenset(words)


class Example(BaseModel):
    """One demonstration: what was asked, in which world and state, and the right plan."""

    model_config = ConfigDict(frozen=True)

    command: str
    world: World
    robot: RobotState
    plan: Plan

    @property
    def words(self) -> frozenset[str]:
        return command_words(self.command)


class _BankFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    worlds: dict[str, World] = {}
    examples: list[dict[str, Any]] = []

    @model_validator(mode="after")
    def _worlds_exist(self) -> _BankFile:
        for item in self.examples:
            if item.get("world") not in self.worlds:
                raise ValueError(f"example {item.get('command')!r} names unknown world {item.get('world')!r}")
        return self


def parse_bank(text: str) -> tuple[Example, ...]:
    """Examples from one bank file's YAML text (raises ``ValueError`` on any invalid example)."""
    raw = _BankFile.model_validate(yaml.safe_load(text) or {})
    examples = []
    for item in raw.examples:
        world = raw.worlds[item["world"]]
        robot = RobotState.model_validate(item["robot"]) if "robot" in item else world.robot
        examples.append(
            Example(command=item["command"], world=world, robot=robot, plan=Plan.model_validate(item["plan"]))
        )
    return tuple(examples)


@functools.cache
def packaged_examples() -> tuple[Example, ...]:
    """Every example shipped in ``bt_planner/data/examples``, in file then bank order."""
    folder = resources.files("bt_planner") / "data" / "examples"
    found: list[Example] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")):
            found.extend(parse_bank(entry.read_text(encoding="utf-8")))
    return tuple(found)


def rank_examples(command: str, bank: Sequence[Example]) -> list[Example]:
    """The bank ordered from most to least relevant to ``command`` (ties keep bank order)."""
    frequency: Counter[str] = Counter(word for example in bank for word in example.words)
    wanted = command_words(command)

    def score(example: Example) -> float:
        shared = wanted & example.words
        return sum(
            (math.log((1 + len(bank)) / (1 + frequency[word])) + 1.0)
            * (_VERB_WEIGHT if word in _VERBS else 1.0)
            for word in shared
        )

    scored = sorted(enumerate(bank), key=lambda item: (-score(item[1]), item[0]))
    return [example for _, example in scored]
