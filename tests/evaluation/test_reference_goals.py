"""Reference goals on suite tasks: the model, its rules, and the consistency check of their names."""

from __future__ import annotations

from pathlib import Path

import pytest

from bt_planner.errors import SuiteError
from bt_planner.evaluation.consistency import suite_problems, tasks_without_reference_goals
from bt_planner.evaluation.hallucination import reply_actions, unknown_names
from bt_planner.evaluation.suite import load_suite, parse_suite
from bt_planner.plans.task_goals import DeliverGoal, GoalList, SayGoal

TASK = """
name: small
tasks:
  - id: seed
    world: kitchen
    command: Bring the red cup to the table and say done.
    goals:
      - {{kind: object_at, object: red_cup, location: table}}
      - {{kind: said, text: done}}
    reference_plan:
      actions:
        - {{action_type: navigate, parameters: {{location_name: kitchen}}}}
        - {{action_type: grasp, parameters: {{object_id: red_cup}}}}
        - {{action_type: navigate, parameters: {{location_name: table}}}}
        - {{action_type: place, parameters: {{location_name: table}}}}
        - {{action_type: speak, parameters: {{message: Done.}}}}
    reference_goals:
      goals: {goals}
  - id: no-goals
    world: kitchen
    command: Go to the table.
    goals: [{{kind: robot_at, location: table}}]
    reference_plan:
      actions: [{{action_type: navigate, parameters: {{location_name: table}}}}]
  - id: elephant
    world: kitchen
    command: Bring me the purple elephant.
    goals: [{{kind: refused}}]
    reference_plan: {{actions: []}}
    reference_goals:
      goals: {declined}
"""

GOOD = "[{goal: deliver, object: red_cup, location: table}, {goal: say, text: Done.}]"
ELEPHANT = "[{goal: not_in_world, name: purple elephant}]"


def suite_text(goals: str = GOOD, declined: str = ELEPHANT) -> str:
    return TASK.format(goals=goals, declined=declined)


def test_reference_goals_load_as_a_typed_goal_list_and_are_optional() -> None:
    tasks = {t.id: t for t in parse_suite(suite_text()).tasks}
    assert tasks["seed"].reference_goals == GoalList(
        goals=[DeliverGoal(object="red_cup", location="table"), SayGoal(text="Done.")]
    )
    assert tasks["no-goals"].reference_goals is None
    assert tasks["elephant"].reference_goals is not None
    assert tasks["elephant"].reference_goals.goals[0].goal == "not_in_world"


def test_every_shipped_task_has_reference_goals() -> None:
    for name in ("standard", "spoken"):
        assert tasks_without_reference_goals(load_suite(name)) == [], name


@pytest.mark.parametrize(
    ("goals", "declined", "message"),
    [
        ("[{goal: teleport, location: table}]", ELEPHANT, "goal"),
        ("[{goal: deliver, object: red_cup}]", ELEPHANT, "location"),
        ("[{goal: wait, seconds: -3}]", ELEPHANT, "seconds"),
        ("[{goal: refuse, reason: harmful}]", ELEPHANT, "expect it to run"),
        ("[{goal: not_in_world, name: garage}]", ELEPHANT, "expect it to run"),
        (
            GOOD,
            "[{goal: not_in_world, name: elephant}, {goal: go_to, location: table}]",
            "only reference goals",
        ),
    ],
)
def test_invalid_reference_goals_are_rejected_with_the_reason(
    goals: str, declined: str, message: str
) -> None:
    with pytest.raises(SuiteError, match=message):
        parse_suite(suite_text(goals, declined))


def test_a_refused_task_may_decline_with_refuse_or_not_in_world_or_list_plain_goals() -> None:
    for declined in (
        "[{goal: refuse, reason: harmful}]",
        "[{goal: not_in_world, name: elephant}, {goal: not_in_world, name: garage}]",
        "[{goal: go_to_point, x: 100, y: 0}]",  # a limit: verification must reject the expansion
    ):
        task = parse_suite(suite_text(declined=declined)).tasks[2]
        assert task.expects_refusal and task.reference_goals is not None


def _problems(tmp_path: Path, goals: str = GOOD, declined: str = ELEPHANT) -> list[str]:
    path = tmp_path / "suite.yaml"
    path.write_text(suite_text(goals, declined))
    return suite_problems(load_suite(path))


def test_consistency_check_accepts_good_reference_goals(tmp_path: Path) -> None:
    assert _problems(tmp_path) == []


def test_consistency_check_names_each_unknown_name_in_reference_goals(tmp_path: Path) -> None:
    bad = (
        "[{goal: deliver, object: blue_cup, location: table}, {goal: go_to, location: garage},"
        " {goal: find, object_type: spoon, area: attic}, {goal: hold, object: red_cup}]"
    )
    assert _problems(tmp_path, bad) == [
        "seed: reference goals name unknown object 'blue_cup' (goal 0)",
        "seed: reference goals name unknown location 'garage' (goal 1)",
        "seed: reference goals name unknown object_type 'spoon' (goal 2)",
        "seed: reference goals name unknown location 'attic' (goal 2)",
    ]


def test_consistency_check_catches_not_in_world_for_something_the_world_has(tmp_path: Path) -> None:
    problems = _problems(tmp_path, declined="[{goal: not_in_world, name: Red Cup}]")
    assert problems == [
        "elephant: reference goal 0 says 'Red Cup' is not in the world, but the world has 'red_cup'"
    ]


def test_cli_check_fails_on_a_bad_reference_goal(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bt_planner.cli.app import app

    path = tmp_path / "suite.yaml"
    path.write_text(suite_text("[{goal: hold, object: teapot}]"))
    result = CliRunner().invoke(app, ["eval", str(path), "--check"])
    assert result.exit_code == 2
    assert "seed: reference goals name unknown object 'teapot' (goal 0)" in result.stderr
    path.write_text(suite_text())
    result = CliRunner().invoke(app, ["eval", str(path), "--check"])
    assert result.exit_code == 0
    assert "2/3 with reference goals" in result.stderr


def test_hallucinated_names_are_read_from_goal_replies_too() -> None:
    from bt_planner.core.world import default_world

    raw = (
        'Sure: {"goals": [{"goal": "deliver", "object": "purple_cup", "location": "table"},'
        ' {"goal": "find", "object_type": "cup", "area": "garage"},'
        ' {"goal": "not_in_world", "name": "elephant"}, {"goal": "say", "text": "table"}]}'
    )
    items = reply_actions(raw)
    assert [str(thing) for thing in unknown_names(items, default_world())] == [
        "object 'purple_cup' (goal 0)",
        "location 'garage' (goal 1)",
    ]
    assert reply_actions('{"actions": [{"action_type": "navigate"}]}') == [{"action_type": "navigate"}]
    assert reply_actions("not json") == [] and reply_actions("[1, 2]") == [] and reply_actions(None) == []
