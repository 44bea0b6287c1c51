"""``coded_names``: a coded name the world lacks ("shelf D4") is caught; real names, typos of a kind,
spelled numbers and ordinary words with numbers are not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bt_planner.core.issues import IssueCode
from bt_planner.core.world import World, packaged_world
from bt_planner.verification import rules
from bt_planner.verification.coded_names import NUMBER_WORDS, unknown_coded_names


@pytest.fixture(scope="module")
def warehouse() -> World:
    return packaged_world("warehouse")  # shelf_a1, shelf_b2, shelf_c3, dock_a, dock_b, parcel_42


@pytest.mark.parametrize(
    ("command", "said", "kind"),
    [
        ("Go to shelf D4 and count the boxes there.", "shelf D4", "shelf"),
        ("take parcel 7 to dock A", "parcel 7", "parcel"),
        ("drive to dock C", "dock C", "dock"),
        ("Put it on Shelf E5, please", "Shelf E5", "shelf"),
        ("go to shelf-d4", "shelf-d4", "shelf"),
    ],
)
def test_a_code_the_world_lacks_is_named_with_the_names_it_has(warehouse, command, said, kind):
    (unknown,) = unknown_coded_names(command, warehouse)
    assert (unknown.said, unknown.kind) == (said, kind)
    assert set(unknown.known) <= set(warehouse.locations) | set(warehouse.objects)
    assert all(name.startswith(kind) for name in unknown.known)


@pytest.mark.parametrize(
    "command",
    [
        "Fetch the box from shelf A1 and take it to dock B",
        "take parcel 42 to the packing station",
        "wait 5 seconds, turn 90 degrees, then go to shelf c3",  # no world name of kind wait or turn
        "put it on the shelf a bit higher",  # a lowercase single letter is a word, not a code
        "go to the dock in 2 minutes",
    ],
)
def test_real_coded_names_and_ordinary_words_are_not_flagged(warehouse, command):
    assert unknown_coded_names(command, warehouse) == []


def test_a_misspelt_kind_and_a_spelled_number_count_as_the_name():
    cafe = packaged_world("cafe")  # table_1, table_2, table_3
    assert unknown_coded_names("bring the water carafe to tabel one", cafe) == []
    assert unknown_coded_names("take the late to tabel 3", cafe) == []
    (unknown,) = unknown_coded_names("serve the latte at tabel four", cafe)
    assert unknown.said == "tabel four" and unknown.known == ("table_1", "table_2", "table_3")


@given(st.integers(min_value=1, max_value=3))
def test_every_table_the_cafe_has_is_known_by_digit_and_by_word(number):
    cafe = packaged_world("cafe")
    assert unknown_coded_names(f"go to table {number}", cafe) == []
    assert unknown_coded_names(f"go to Table {NUMBER_WORDS[number]}", cafe) == []


def test_the_rule_refuses_before_planning_with_the_world_and_its_names(warehouse):
    issue = rules.command_names_rule(command="Go to shelf D4 and count the boxes there.", world=warehouse)
    assert (
        issue is not None and issue.code is IssueCode.EMPTY_PLAN and issue.rule == rules.COMMAND_UNKNOWN_NAME
    )
    assert "'shelf D4'" in issue.message and "shelf_a1, shelf_b2, shelf_c3" in issue.message
    assert rules.command_names_rule(command="Go to shelf B2", world=warehouse) is None
