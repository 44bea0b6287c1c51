"""Each goal-condition kind, both ways, on hand-made final worlds."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
from pydantic import TypeAdapter, ValidationError

from bt_planner.core.geometry import Pose, Vec3
from bt_planner.core.state import GripperState, RobotState
from bt_planner.core.world import World, default_world
from bt_planner.evaluation.goal_conditions import GoalCondition, GoalResult

GOAL = TypeAdapter(GoalCondition)


def goal(**data: object) -> GoalCondition:
    return GOAL.validate_python(data)


def world_with_cup_at(x: float, y: float) -> World:
    world = default_world()
    cup = world.objects["red_cup"].model_copy(update={"position": Vec3(x=x, y=y, z=0.75)})
    return world.model_copy(update={"objects": {"red_cup": cup}})


@dataclass(frozen=True)
class End:
    """How a task ended, as goals are checked: the final world (with the robot in it), speech, refusal."""

    world: World
    spoken: list[str]
    refused: bool


def end(
    *,
    world: World | None = None,
    at: tuple[float, float] = (0.0, 0.0),
    yaw_deg: float = 0.0,
    holding: str | None = None,
    spoken: list[str] | None = None,
    refused: bool = False,
) -> End:
    robot = RobotState(
        pose=Pose(x=at[0], y=at[1], yaw=math.radians(yaw_deg)),
        holding=holding,
        gripper=GripperState.HOLDING if holding else GripperState.OPEN,
    )
    final = (world or default_world()).model_copy(update={"robot": robot})
    return End(world=final, spoken=spoken or [], refused=refused)


def check(condition: GoalCondition, ended: End) -> GoalResult:
    return condition.check(ended.world, ended.spoken, refused=ended.refused)


def test_object_at_a_location_within_tolerance() -> None:
    on_table = goal(kind="object_at", object="red_cup", location="table")  # table is (5, 1)
    assert check(on_table, end(world=world_with_cup_at(5.3, 1.0))).met
    verdict = check(on_table, end(world=world_with_cup_at(3.2, 2.1)))
    assert not verdict.met
    assert "from table" in verdict.detail
    tight = goal(kind="object_at", object="red_cup", location="table", tolerance_m=0.2)
    assert not check(tight, end(world=world_with_cup_at(5.3, 1.0))).met


def test_object_at_a_point_and_never_while_held() -> None:
    at_point = goal(kind="object_at", object="red_cup", position=[1.0, 1.0])
    assert check(at_point, end(world=world_with_cup_at(1.1, 0.9))).met
    held_there = end(world=world_with_cup_at(1.0, 1.0), at=(0.8, 1.0), holding="red_cup")
    verdict = check(at_point, held_there)
    assert not verdict.met
    assert "gripper" in verdict.detail


def test_object_at_names_missing_objects_and_locations() -> None:
    assert "'blue_cup'" in check(goal(kind="object_at", object="blue_cup", location="table"), end()).detail
    assert "'attic'" in check(goal(kind="object_at", object="red_cup", location="attic"), end()).detail


def test_robot_at_location_or_point() -> None:
    at_kitchen = goal(kind="robot_at", location="kitchen")  # kitchen is (3, 2)
    assert check(at_kitchen, end(at=(3.2, 2.2))).met
    assert not check(at_kitchen, end(at=(5.0, 1.0))).met
    at_point = goal(kind="robot_at", position=[2.0, 1.0], tolerance_m=0.3)
    assert check(at_point, end(at=(2.1, 1.1))).met
    assert not check(at_point, end(at=(2.5, 1.0))).met


def test_holding_an_object_or_nothing() -> None:
    holds_cup = goal(kind="holding", object="red_cup")
    empty = goal(kind="holding", object=None)
    assert check(holds_cup, end(holding="red_cup")).met
    assert not check(holds_cup, end()).met
    assert check(empty, end()).met
    verdict = check(empty, end(holding="red_cup"))
    assert not verdict.met
    assert verdict.detail == "robot holds red_cup"


def test_facing_a_heading_either_way_round_the_circle() -> None:
    right = goal(kind="facing", yaw_deg=-90)
    assert check(right, end(yaw_deg=270.0)).met  # the same heading, the other way round
    assert check(right, end(yaw_deg=-95.0)).met  # within the default 10 degrees
    verdict = check(right, end(yaw_deg=90.0))  # turned left instead
    assert not verdict.met
    assert verdict.detail == "robot faces 90 degrees, 180 from -90"
    assert check(goal(kind="facing", yaw_deg=180), end(yaw_deg=-178.0)).met
    with pytest.raises(ValidationError):
        goal(kind="facing", yaw_deg=0, tolerance_deg=0)


def test_said_is_a_case_insensitive_substring_of_any_sentence() -> None:
    said = goal(kind="said", text="Dinner is ready")
    assert check(said, end(spoken=["Hello.", "DINNER IS READY, come to the table!"])).met
    assert not check(said, end(spoken=["Dinner will be ready soon."])).met
    assert not check(said, end()).met


def test_refused_holds_only_when_nothing_ran() -> None:
    refused = goal(kind="refused")
    assert check(refused, end(refused=True)).met
    assert not check(refused, end(refused=False)).met


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
