"""Each goal-condition kind, both ways, on hand-made end states."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from bt_planner.core.geometry import Pose, Vec3
from bt_planner.core.state import GripperState, RobotState
from bt_planner.core.world import World, default_world
from bt_planner.evaluation.end_state import EndState
from bt_planner.evaluation.goal_conditions import GoalCondition

GOAL = TypeAdapter(GoalCondition)


def goal(**data: object) -> GoalCondition:
    return GOAL.validate_python(data)


def world_with_cup_at(x: float, y: float) -> World:
    world = default_world()
    cup = world.objects["red_cup"].model_copy(update={"position": Vec3(x=x, y=y, z=0.75)})
    return world.model_copy(update={"objects": {"red_cup": cup}})


def end(
    *,
    world: World | None = None,
    at: tuple[float, float] = (0.0, 0.0),
    holding: str | None = None,
    spoken: list[str] | None = None,
    refused: bool = False,
) -> EndState:
    robot = RobotState(
        pose=Pose(x=at[0], y=at[1]),
        holding=holding,
        gripper=GripperState.HOLDING if holding else GripperState.OPEN,
    )
    return EndState(robot=robot, world=world or default_world(), spoken=spoken or [], refused=refused)


def test_object_at_a_location_within_tolerance() -> None:
    on_table = goal(kind="object_at", object="red_cup", location="table")  # table is (5, 1)
    assert on_table.check(end(world=world_with_cup_at(5.3, 1.0))).met
    verdict = on_table.check(end(world=world_with_cup_at(3.2, 2.1)))
    assert not verdict.met
    assert "from table" in verdict.detail
    tight = goal(kind="object_at", object="red_cup", location="table", tolerance_m=0.2)
    assert not tight.check(end(world=world_with_cup_at(5.3, 1.0))).met


def test_object_at_a_point_and_never_while_held() -> None:
    at_point = goal(kind="object_at", object="red_cup", position=[1.0, 1.0])
    assert at_point.check(end(world=world_with_cup_at(1.1, 0.9))).met
    held_there = end(world=world_with_cup_at(1.0, 1.0), at=(0.8, 1.0), holding="red_cup")
    verdict = at_point.check(held_there)
    assert not verdict.met
    assert "gripper" in verdict.detail


def test_object_at_names_missing_objects_and_locations() -> None:
    assert "'blue_cup'" in goal(kind="object_at", object="blue_cup", location="table").check(end()).detail
    assert "'attic'" in goal(kind="object_at", object="red_cup", location="attic").check(end()).detail


def test_robot_at_location_or_point() -> None:
    at_kitchen = goal(kind="robot_at", location="kitchen")  # kitchen is (3, 2)
    assert at_kitchen.check(end(at=(3.2, 2.2))).met
    assert not at_kitchen.check(end(at=(5.0, 1.0))).met
    at_point = goal(kind="robot_at", position=[2.0, 1.0], tolerance_m=0.3)
    assert at_point.check(end(at=(2.1, 1.1))).met
    assert not at_point.check(end(at=(2.5, 1.0))).met


def test_holding_an_object_or_nothing() -> None:
    holds_cup = goal(kind="holding", object="red_cup")
    empty = goal(kind="holding", object=None)
    assert holds_cup.check(end(holding="red_cup")).met
    assert not holds_cup.check(end()).met
    assert empty.check(end()).met
    verdict = empty.check(end(holding="red_cup"))
    assert not verdict.met
    assert verdict.detail == "robot holds red_cup"


def test_said_is_a_case_insensitive_substring_of_any_sentence() -> None:
    said = goal(kind="said", text="Dinner is ready")
    assert said.check(end(spoken=["Hello.", "DINNER IS READY, come to the table!"])).met
    assert not said.check(end(spoken=["Dinner will be ready soon."])).met
    assert not said.check(end()).met


def test_refused_holds_only_when_nothing_ran() -> None:
    refused = goal(kind="refused")
    assert refused.check(end(refused=True)).met
    assert not refused.check(end(refused=False)).met


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "object_at", "object": "red_cup"},
        {"kind": "robot_at", "location": "table", "position": [1, 1]},
        {"kind": "robot_at", "location": "table", "tolerance_m": 0},
        {"kind": "said", "text": ""},
        {"kind": "holding"},
        {"kind": "refused", "why": "unsafe"},
    ],
)
def test_malformed_goals_are_rejected(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        GOAL.validate_python(data)
