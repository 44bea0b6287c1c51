"""The mission's world belief: pure updates from detections, the robot state and executed actions."""

from __future__ import annotations

from bt_planner.core.geometry import Pose, Vec3
from bt_planner.core.state import GripperState, RobotState
from bt_planner.core.world import World, WorldObject, default_world
from bt_planner.plans.actions import ActionType
from bt_planner.plans.plan import PlaceAction, Plan
from bt_planner.robot.goal_status import Detection
from bt_planner.tree.action_outcome import ActionOutcome, ActionStatus
from bt_planner.tree.mission.belief import (
    apply_detections,
    apply_executed,
    apply_place,
    apply_robot_state,
)
from tests.sample_plans import action, kitchen_plan

CUP_IN_KITCHEN = Vec3(x=3.2, y=2.1, z=0.8)


def seen(object_id: str, x: float, y: float, z: float = 0.8, object_type: str = "cup") -> Detection:
    return Detection(
        object_id=object_id, object_type=object_type, position=Vec3(x=x, y=y, z=z), distance_m=1.0
    )


def outcomes(plan: Plan, *statuses: ActionStatus) -> list[ActionOutcome]:
    return [
        ActionOutcome(index=i, action_type=a.action_type, name=a.action_type.value, status=s)
        for i, (a, s) in enumerate(zip(plan.actions, statuses, strict=True))
    ]


def holding(world: World, object_id: str | None) -> World:
    gripper = GripperState.HOLDING if object_id else GripperState.OPEN
    return world.model_copy(update={"robot": RobotState(holding=object_id, gripper=gripper)})


def with_cup_at_table(world: World) -> World:
    cup = world.objects["red_cup"].model_copy(update={"position": None, "location": "table"})
    return world.model_copy(update={"objects": {**world.objects, "red_cup": cup}})


S, F, N = ActionStatus.SUCCEEDED, ActionStatus.FAILED, ActionStatus.NOT_RUN


# ---- detections ---------------------------------------------------------------------------------


def test_a_seen_object_is_where_it_was_seen_and_loses_its_location() -> None:
    world = with_cup_at_table(default_world())
    believed = apply_detections(world, [seen("red_cup", 1.0, 2.0, 0.7)])
    cup = believed.objects["red_cup"]
    assert cup.position == Vec3(x=1.0, y=2.0, z=0.7) and cup.location is None
    assert cup.type == "cup" and cup.weight_kg == 0.3  # everything else is kept
    assert world.objects["red_cup"].location == "table"  # the input is not changed
    assert believed.locations == world.locations and believed.robot == world.robot


def test_unknown_ids_are_ignored_and_the_nearest_sighting_wins(world: World) -> None:
    believed = apply_detections(
        world, [seen("red_cup", 1.0, 1.0), seen("red_cup", 9.0, 9.0), seen("mug_7", 0, 0)]
    )
    assert believed.objects["red_cup"].position == Vec3(x=1.0, y=1.0, z=0.8)
    assert set(believed.objects) == {"red_cup"}
    assert apply_detections(world, []) is world
    assert apply_detections(world, [seen("mug_7", 0, 0)]) is world


# ---- robot state --------------------------------------------------------------------------------


def test_the_held_object_travels_with_the_robot_at_its_last_known_height(world: World) -> None:
    state = RobotState(pose=Pose(x=4.0, y=-1.0, yaw=1.0), holding="red_cup", gripper=GripperState.HOLDING)
    believed = apply_robot_state(world, state)
    assert believed.robot == state
    assert believed.objects["red_cup"].position == Vec3(x=4.0, y=-1.0, z=0.8)
    assert believed.objects["red_cup"].location is None

    at_table = apply_robot_state(with_cup_at_table(world), state)  # height from the location
    assert at_table.objects["red_cup"].position == Vec3(x=4.0, y=-1.0, z=0.0)


def test_without_a_known_held_object_only_the_robot_changes(world: World) -> None:
    empty = RobotState(pose=Pose(x=1.0, y=1.0))
    assert apply_robot_state(world, empty).objects == world.objects
    assert apply_robot_state(world, empty).robot == empty
    ghost = RobotState(holding="ghost", gripper=GripperState.HOLDING)
    believed = apply_robot_state(world, ghost)
    assert believed.objects == world.objects and believed.robot.holding == "ghost"


# ---- executed actions ---------------------------------------------------------------------------


def test_a_succeeded_kitchen_plan_leaves_the_cup_at_the_table(world: World) -> None:
    plan = Plan.model_validate(kitchen_plan())
    believed = apply_executed(world, plan, outcomes(plan, S, S, S, S, S))
    cup = believed.objects["red_cup"]
    assert cup.location == "table" and cup.position is None
    assert believed.robot.holding is None and believed.robot.gripper is GripperState.OPEN


def test_only_succeeded_actions_take_effect(world: World) -> None:
    plan = Plan.model_validate(kitchen_plan())
    carried = apply_executed(world, plan, outcomes(plan, S, S, S, S, F))  # the place failed
    assert carried.robot.holding == "red_cup" and carried.robot.gripper is GripperState.HOLDING
    assert carried.objects["red_cup"].position == CUP_IN_KITCHEN  # until the robot state carries it
    assert apply_executed(world, plan, outcomes(plan, S, S, F, N, N)) == world


def test_outcomes_are_replayed_in_plan_order_and_may_come_in_parts(world: World) -> None:
    plan = Plan.model_validate(kitchen_plan())
    done = outcomes(plan, S, S, S, S, S)
    assert apply_executed(world, plan, list(reversed(done))).objects["red_cup"].location == "table"
    grasped = apply_executed(world, plan, done[:3])
    assert apply_executed(grasped, plan, done[3:]).objects["red_cup"].location == "table"


def test_a_place_at_a_position_puts_the_held_object_there(world: World) -> None:
    plan = Plan.model_validate(
        {
            "actions": [
                action("grasp", object_id="red_cup"),
                action("place", position={"x": 1.0, "y": 2.0, "z": 0.5}),
            ]
        }
    )
    believed = apply_executed(world, plan, outcomes(plan, S, S))
    assert believed.objects["red_cup"].position == Vec3(x=1.0, y=2.0, z=0.5)
    assert believed.objects["red_cup"].location is None and believed.robot.holding is None


def test_a_place_while_already_holding_moves_the_held_object() -> None:
    world = default_world()
    world = world.model_copy(
        update={"objects": {**world.objects, "book": WorldObject(type="book", location="kitchen")}}
    )
    place = PlaceAction.model_validate({"parameters": {"location_name": "table"}})
    believed = apply_place(holding(world, "book"), place)
    assert believed.objects["book"].location == "table" and believed.robot.holding is None
    assert believed.objects["red_cup"] == world.objects["red_cup"]
    assert apply_place(holding(world, None), place) == holding(world, None)  # nothing known is held
    assert place.action_type is ActionType.PLACE
