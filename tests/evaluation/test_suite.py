"""The shipped suite and the suite loader: format, size, consistency, and errors a user can act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from bt_planner.core.issues import Severity
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import packaged_world
from bt_planner.errors import SuiteError
from bt_planner.evaluation.consistency import suite_problems
from bt_planner.evaluation.refusal import REFUSAL_CODES
from bt_planner.evaluation.suite import LoadedSuite, load_suite, packaged_suite_names, parse_suite
from bt_planner.plans.plan import Plan
from bt_planner.verification import Verifier


@pytest.fixture(scope="module")
def standard() -> LoadedSuite:
    return load_suite("standard")


def test_standard_suite_is_big_and_varied_enough(standard: LoadedSuite) -> None:
    tasks = standard.suite.tasks
    assert "standard" in packaged_suite_names()
    assert len(tasks) >= 40
    assert len({t.world for t in tasks}) >= 3
    assert sum(t.expects_refusal for t in tasks) >= 10
    assert sum("injection" in t.tags for t in tasks) >= 3
    assert any(len(t.reference_plan.actions) >= 10 and "detect" in t.tags for t in tasks), (
        "multi-object fetch"
    )
    assert any(len(t.reference_plan.actions) == 1 and "navigation" in t.tags for t in tasks), (
        "one-step navigation"
    )
    assert len({t.command.casefold() for t in tasks}) == len(tasks), "commands must be unique"


def test_every_name_in_the_standard_suite_exists_in_its_world(standard: LoadedSuite) -> None:
    assert suite_problems(standard) == []


def test_reference_plans_round_trip_through_the_wire_format(standard: LoadedSuite) -> None:
    for task in standard.suite.tasks:
        assert Plan.model_validate(task.reference_plan.to_wire()) == task.reference_plan, task.id


def test_safe_reference_plans_verify_and_unsafe_ones_are_rejected_on_a_safety_rule(
    standard: LoadedSuite,
) -> None:
    verifier = Verifier(SafetyLimits())
    for task in standard.suite.tasks:
        world = standard.world_for(task)
        errors = [
            i
            for i in verifier.verify(task.reference_plan, world.robot, world)
            if i.severity is Severity.ERROR
        ]
        if not task.expects_refusal:
            assert errors == [], (task.id, [str(e) for e in errors])
        elif task.reference_plan.actions:
            assert any(e.code in REFUSAL_CODES for e in errors), task.id


def test_task_robot_overrides_the_worlds_starting_state(standard: LoadedSuite) -> None:
    task = next(t for t in standard.suite.tasks if t.id == "warehouse-low-battery-delivery")
    assert standard.world_for(task).robot.battery_percent == 15.0
    assert standard.worlds["warehouse"].robot.battery_percent == 90.0


SMALL_SUITE = """
name: small
tasks:
  - id: go
    world: {world}
    command: Go to the table.
    goals: [{{kind: robot_at, location: table}}]
    reference_plan:
      actions: [{{action_type: navigate, parameters: {{location_name: table}}}}]
"""


def test_worlds_resolve_from_a_relative_path_a_world_dir_then_the_package(tmp_path: Path) -> None:
    custom = packaged_world("kitchen").model_copy(update={"name": "mine"})
    (tmp_path / "worlds").mkdir()
    (tmp_path / "worlds" / "mine.yaml").write_text(custom.to_yaml())
    by_path = tmp_path / "by_path.yaml"
    by_path.write_text(SMALL_SUITE.format(world="worlds/mine.yaml"))
    assert load_suite(by_path).worlds["worlds/mine.yaml"].name == "mine"

    by_name = tmp_path / "by_name.yaml"
    by_name.write_text(SMALL_SUITE.format(world="mine"))
    assert load_suite(by_name, world_dirs=[tmp_path / "worlds"]).worlds["mine"].name == "mine"
    with pytest.raises(SuiteError, match="unknown world 'mine'"):
        load_suite(by_name)

    shadowed = tmp_path / "shadow.yaml"
    shadowed.write_text(SMALL_SUITE.format(world="kitchen"))
    (tmp_path / "worlds" / "kitchen.yaml").write_text(custom.to_yaml())
    assert load_suite(shadowed, world_dirs=[tmp_path / "worlds"]).worlds["kitchen"].name == "mine"
    assert load_suite(shadowed).worlds["kitchen"].name == "kitchen"


def test_unknown_suite_names_the_packaged_ones() -> None:
    with pytest.raises(SuiteError, match=r"packaged: .*standard"):
        load_suite("no-such-suite")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            SMALL_SUITE.format(world="kitchen") + SMALL_SUITE.format(world="kitchen").split("tasks:")[1],
            "appears twice",
        ),
        (
            SMALL_SUITE.format(world="kitchen").replace(
                "{kind: robot_at", "{kind: refused}, {kind: robot_at"
            ),
            "only goal",
        ),
        (SMALL_SUITE.format(world="kitchen").replace("robot_at", "teleported"), "kind"),
        (
            SMALL_SUITE.format(world="kitchen").replace("location_name: table", "location_name: 7"),
            "location_name",
        ),
        (
            SMALL_SUITE.format(world="kitchen").replace(
                "location: table", "location: table, position: [1, 2]"
            ),
            "exactly one",
        ),
        ("name: x\ntasks: [", "not valid YAML"),
    ],
)
def test_invalid_suites_are_rejected_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(SuiteError, match=message):
        parse_suite(text)


def test_consistency_check_names_unknown_plan_and_goal_names(tmp_path: Path) -> None:
    text = (
        SMALL_SUITE.format(world="kitchen")
        .replace("location_name: table", "location_name: garage")
        .replace("location: table", "location: attic")
    )
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    problems = suite_problems(load_suite(path))
    assert problems == [
        "go: reference plan names unknown location 'garage' (action 0)",
        "go: goal robot_at names unknown location 'attic'",
    ]
