"""Names with a code the world lacks: "shelf D4" in a world whose shelves are shelf_a1, shelf_b2, shelf_c3.

A code (a number, a letter with a number, a capital letter, or a number word up to twenty) picks out
one thing of its kind; it is not a synonym that a nearby name can stand for. A model that reads
"go to shelf D4" in a world without it writes the nearest real shelf, since the plan schema offers
only real names. So the command itself is checked: when it names a kind the world has (``shelf``,
from ids such as ``shelf_c3``; a typo such as "tabel" counts) with a code that none of that kind
carries, the command asks for something this world does not have.

A kind counts only when some world name of the form ``<kind>_<code>`` exists, so a command's
ordinary words ("wait 5 seconds", "turn 90 degrees") are never read as names.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from bt_planner.core.world import World

NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
]
_CODE = r"[a-z]?\d+[a-z]?|[a-z]"
_NAME_WITH_CODE = re.compile(rf"(?P<kind>[a-z]+(?:_[a-z]+)*)_(?P<code>{_CODE})")
_SAID_WITH_CODE = re.compile(
    rf"\b(?P<kind>[A-Za-z]+)[ _-](?P<code>[A-Z]\b|[A-Za-z]?\d+[A-Za-z]?\b|(?i:{'|'.join(NUMBER_WORDS)})\b)"
)
TYPO_CUTOFF = 0.8
"""How close (``difflib`` ratio) a word of five letters or more must be to a kind to count as it."""


class CodedName(BaseModel):
    """A coded name the command says (``said``) whose kind exists here with other codes only."""

    model_config = ConfigDict(frozen=True)

    said: str
    kind: str
    known: tuple[str, ...]
    """The world's names of that kind."""


def _kinds(names: Iterable[str]) -> dict[str, dict[str, str]]:
    """``kind -> {code: name}`` for names such as ``shelf_c3`` (kind: the last word before the code)."""
    kinds: dict[str, dict[str, str]] = {}
    for name in names:
        match = _NAME_WITH_CODE.fullmatch(name)
        if match is not None:
            kind = match.group("kind").rsplit("_", 1)[-1]
            kinds.setdefault(kind, {})[match.group("code")] = name
    return kinds


def _kind_of(word: str, kinds: Iterable[str]) -> str | None:
    word = word.casefold()
    for kind in kinds:
        if word in (kind, kind + "s"):
            return kind
    if len(word) < 5:
        return None
    close = difflib.get_close_matches(word, list(kinds), n=1, cutoff=TYPO_CUTOFF)
    return close[0] if close else None


def _code(said: str) -> str:
    said = said.casefold()
    return str(NUMBER_WORDS.index(said)) if said in NUMBER_WORDS else said


def unknown_coded_names(command: str, world: World) -> list[CodedName]:
    """The coded names in ``command`` whose kind the world has, but not with that code."""
    kinds = _kinds([*world.locations, *world.objects])
    unknown = []
    for match in _SAID_WITH_CODE.finditer(command):
        kind = _kind_of(match.group("kind"), kinds)
        if kind is not None and _code(match.group("code")) not in kinds[kind]:
            unknown.append(
                CodedName(said=match.group(0), kind=kind, known=tuple(sorted(kinds[kind].values())))
            )
    return unknown


__all__ = ["NUMBER_WORDS", "CodedName", "unknown_coded_names"]
