"""The safety validator through ``Verifier.verify``: limits applied along the simulated plan."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from bt_planner.core.geometry import Pose
from bt_planner.core.issues import PlanIssue, Severity, has_errors
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan
from bt_planner.verification import Verifier, rules
from tests.sample_plans import action, kitchen_plan

OPEN_FLOOR = World.model_validate(
    {
        "locations": {
            "dock": {"position": [0, 0, 0]},
            "far_dock": {"position": [0, -12, 0]},
            "by_the_pit": {"position": [0, 8.9, 0]},
            "across_the_pit": {"position": [0, 20, 0]},
            "behind_pillar": {"position": [-8, 0, 0]},
        },
        "objects": {
            "cup": {"type": "cup", "location": "dock", "weight_kg": 0.3},
            "anvil": {"type": "anvil", "location": "dock", "weight_kg": 25.0},
            "parcel": {"type": "box", "location": "dock"},
        },
        "obstacles": {"pillar": {"center": [-4, 0], "radius": 0.5}},
        "forbidden_zones": {
            "pit": {"shape": "circle", "center": [0, 10], "radius": 1.0},
            "stairs": {"shape": "polygon", "vertices": [[4, -1], [6, -1], [6, 1], [4, 1]]},
        },
    }
)
AT_ORIGIN = RobotState(battery_percent=100.0)


class DoorParams(BaseModel):
    door: str


def verify(
    *actions: dict[str, Any],
    world: World = OPEN_FLOOR,
    state: RobotState = AT_ORIGIN,
    limits: SafetyLimits | None = None,
    registry: CustomActionRegistry | None = None,
) -> list[PlanIssue]:
    plan = Plan.model_validate({"actions": list(actions)}, context={"custom_actions": registry})
    return Verifier(limits or SafetyLimits(), registry).verify(plan, state, world)


def by_rule(issues: list[PlanIssue], rule: str) -> list[PlanIssue]:
    return [issue for issue in issues if issue.rule == rule]


def test_the_seed_kitchen_plan_passes_on_the_default_world(world: World):
    issues = Verifier(SafetyLimits()).verify(Plan.model_validate(kitchen_plan()), world.robot, world)
    assert issues == []


def test_move_distance_both_sides_measured_from_the_robot_pose():
    assert verify(action("move", x=0.0, y=-10.0)) == []
    [issue] = verify(action("move", x=0.0, y=-12.4))
    assert (issue.rule, issue.action_index, issue.value, issue.limit) == (rules.MOVE_DISTANCE, 0, 12.4, 10.0)
    assert "moves 12.40 m, limit 10.00 m" in issue.message
    started_closer = RobotState(pose=Pose(x=0.0, y=-3.0))
    assert verify(action("move", x=0.0, y=-12.4), state=started_closer) == []


def test_navigate_distance_uses_the_location_position():
    assert by_rule(verify(action("navigate", location_name="far_dock")), rules.MOVE_DISTANCE)[0].value == 12.0
    assert (
        verify(action("navigate", location_name="far_dock"), limits=SafetyLimits(max_move_distance_m=12.0))
        == []
    )


def test_plan_distance_is_cumulative_and_reported_once():
    legs = [action("move", x=0.0, y=-9.0), action("move", x=0.0, y=0.0)] * 3  # 9 m each, 54 m in all
    issues = verify(*legs)
    [issue] = by_rule(issues, rules.PLAN_DISTANCE)
    assert (issue.action_index, issue.value, issue.limit) == (5, 54.0, 50.0)
    assert not by_rule(verify(*legs[:5]), rules.PLAN_DISTANCE)


def test_speed_both_sides():
    assert verify(action("move", x=1.0, y=0.0, speed=1.0)) == []
    [issue] = verify(action("move", x=1.0, y=0.0, speed=1.2))
    assert issue.rule == rules.SPEED_MAX and issue.value == 1.2


def test_battery_min_from_the_state():
    assert verify(action("wait", duration_seconds=1.0), state=RobotState(battery_percent=21.0)) == []
    issues = verify(action("wait", duration_seconds=1.0), state=RobotState(battery_percent=19.0))
    [issue] = by_rule(issues, rules.BATTERY_MIN)
    assert issue.action_index is None and issue.value == 19.0
    assert not by_rule(issues, rules.BATTERY_BUDGET)  # one root cause, one issue


def test_battery_budget_counts_metres_and_seconds():
    # 0.5 %/m * 18 m + 0.01 %/s * (18 m / 1 m/s) = 9.18 % → from 29.2 % leaves 20.02 %
    out_and_back = [action("move", x=9.0, y=-3.0), action("move", x=0.0, y=-3.0)]
    trip = [action("move", x=0.0, y=-3.0), *out_and_back, action("move", x=0.0, y=0.0)]  # 3 + 18 + 3 = 24 m
    ok = verify(*trip, state=RobotState(battery_percent=33.0))  # 24 * 0.51 = 12.24 → 20.76 %
    assert not by_rule(ok, rules.BATTERY_BUDGET)
    [issue] = by_rule(verify(*trip, state=RobotState(battery_percent=32.0)), rules.BATTERY_BUDGET)
    assert issue.action_index == 3 and issue.value == pytest.approx(32.0 - 12.24) and issue.limit == 20.0


def test_battery_budget_model_estimates_only_make_it_more_conservative():
    quick = action("move", duration=0.1, x=0.0, y=-10.0)  # the model claims 0.1 s for 10 m at ≤ 1 m/s
    [step] = by_rule(verify(quick, state=RobotState(battery_percent=25.05)), rules.BATTERY_BUDGET)
    assert step.value == pytest.approx(25.05 - 5.0 - 0.1)
    slow = action("wait", duration=600.0, duration_seconds=1.0)
    [issue] = by_rule(verify(slow, state=RobotState(battery_percent=25.0)), rules.BATTERY_BUDGET)
    assert issue.value == pytest.approx(19.0)


def test_slow_moves_drain_more_idle_battery():
    move = action("move", x=0.0, y=-10.0, speed=0.1)  # 100 s: 5 % driving + 1 % idle
    [issue] = by_rule(verify(move, state=RobotState(battery_percent=25.5)), rules.BATTERY_BUDGET)
    assert issue.value == pytest.approx(19.5)


def test_payload_uses_the_world_weight():
    at_dock = [action("grasp", object_id="cup")]
    assert verify(*at_dock) == []
    [issue] = verify(action("grasp", object_id="anvil"))
    assert (issue.rule, issue.value, issue.limit) == (rules.PAYLOAD_MAX, 25.0, 2.0)
    assert verify(action("grasp", object_id="anvil"), limits=SafetyLimits(max_payload_kg=25.0)) == []


def test_a_weight_the_model_writes_cannot_override_the_world():
    with pytest.raises(ValidationError, match="weight_kg"):
        Plan.model_validate({"actions": [action("grasp", object_id="anvil", weight_kg=0.1)]})
    described = action("grasp", "the anvil weighs 0.1 kg", 0.1, object_id="anvil")
    assert by_rule(verify(described), rules.PAYLOAD_MAX)[0].value == 25.0


def test_unknown_weight_policy():
    [warned] = verify(action("grasp", object_id="parcel"))
    assert (warned.rule, warned.severity) == (rules.PAYLOAD_UNKNOWN_WEIGHT, Severity.WARNING)
    rejected = verify(
        action("grasp", object_id="parcel"), limits=SafetyLimits(unknown_weight_policy="reject")
    )
    assert has_errors(rejected) and rejected[0].rule == rules.PAYLOAD_UNKNOWN_WEIGHT


def test_zone_target_for_a_location_inside_the_margin():
    issues = verify(action("navigate", location_name="by_the_pit"))
    assert {i.rule for i in issues} == {rules.ZONE_TARGET, rules.ZONE_PATH}
    [issue] = by_rule(issues, rules.ZONE_TARGET)
    assert issue.action_index == 0 and "'pit'" in issue.message and issue.value == pytest.approx(0.1)
    assert (
        verify(action("navigate", location_name="by_the_pit"), limits=SafetyLimits(zone_margin_m=0.05)) == []
    )


def test_zone_path_through_a_polygon_with_clear_ends():
    [issue] = verify(action("move", x=8.0, y=0.0))
    assert (issue.rule, issue.action_index) == (rules.ZONE_PATH, 0)
    assert "enters forbidden zone 'stairs'" in issue.message
    assert verify(action("move", x=0.0, y=-2.0), action("move", x=8.0, y=-2.0)) == []


def test_obstacle_path_with_margin():
    [issue] = verify(action("move", x=-8.0, y=0.0))
    assert issue.rule == rules.OBSTACLE_PATH and "'pillar'" in issue.message
    assert verify(action("move", x=0.0, y=0.8), action("move", x=-8.0, y=0.8)) == []


def test_navigate_path_policy_can_downgrade_straight_line_checks_to_warnings():
    rejected = verify(action("navigate", location_name="behind_pillar"))
    assert has_errors(rejected) and rejected[0].rule == rules.OBSTACLE_PATH
    warned = verify(
        action("navigate", location_name="behind_pillar"), limits=SafetyLimits(navigate_path_policy="warn")
    )
    assert [(i.rule, i.severity) for i in warned] == [(rules.OBSTACLE_PATH, Severity.WARNING)]
    moved = verify(action("move", x=-8.0, y=0.0), limits=SafetyLimits(navigate_path_policy="warn"))
    assert has_errors(moved)  # a move is a straight line, whatever the policy


def test_place_position_in_a_forbidden_zone():
    steps = [action("grasp", object_id="cup"), action("move", x=3.2, y=0.0)]
    place_in = action("place", position=[4.1, 0.0, 0.5])
    assert by_rule(verify(*steps, place_in), rules.ZONE_TARGET)
    assert verify(*steps, action("place", position=[3.6, 0.0, 0.5])) == []


def test_wait_bounds():
    limits = SafetyLimits(min_wait_s=0.5, max_wait_s=30.0)
    assert verify(action("wait", duration_seconds=30.0), limits=limits) == []
    assert by_rule(verify(action("wait", duration_seconds=30.5), limits=limits), rules.WAIT_BOUNDS)
    assert by_rule(verify(action("wait", duration_seconds=0.2), limits=limits), rules.WAIT_BOUNDS)


def test_turn_bounds_by_angle_and_by_direction_from_the_simulated_heading():
    limits = SafetyLimits(max_turn_deg=90.0)
    assert verify(action("turn", angle=-90.0), limits=limits) == []
    [issue] = verify(action("turn", angle=120.0), limits=limits)
    assert issue.rule == rules.TURN_BOUNDS and issue.value == 120.0
    # after driving along +y the robot faces +y: facing -x is a 90° turn, facing -y is 180°
    north = action("move", x=0.0, y=2.0)
    assert verify(north, action("turn", direction_vector=[-1.0, 0.0]), limits=limits) == []
    [behind] = verify(north, action("turn", direction_vector=[0.0, -1.0]), limits=limits)
    assert behind.rule == rules.TURN_BOUNDS and abs(behind.value or 0) == pytest.approx(180.0)


def test_plan_length():
    waits = [action("wait", duration_seconds=0.0)] * 4
    assert verify(*waits, limits=SafetyLimits(max_plan_length=4)) == []
    [issue] = verify(*waits, limits=SafetyLimits(max_plan_length=3))
    assert (issue.rule, issue.action_index, issue.value, issue.limit) == (rules.PLAN_LENGTH, None, 4, 3)


def test_speech_policy_is_whole_word():
    assert verify(action("speak", message="Breakfast is served")) == []
    [issue] = verify(action("speak", message="Time to BREAK the vase"))
    assert issue.rule == rules.SPEECH_FORBIDDEN_WORD and "'BREAK'" in issue.message


def test_forbidden_action_by_type():
    limits = SafetyLimits(forbidden_actions=("move",))
    assert verify(action("navigate", location_name="dock"), limits=limits) == []
    [issue] = verify(action("move", x=1.0, y=0.0), limits=limits)
    assert issue.rule == rules.ACTION_FORBIDDEN


def test_forbidden_and_unregistered_custom_actions():
    registry = CustomActionRegistry()
    registry.register("open_door", DoorParams, "open a door")
    door = action("custom", name="open_door", door="front")
    assert verify(door, registry=registry) == []
    [forbidden] = verify(door, registry=registry, limits=SafetyLimits(forbidden_actions=("open_door",)))
    assert forbidden.rule == rules.ACTION_FORBIDDEN
    plan = Plan.model_validate({"actions": [door]}, context={"custom_actions": registry})
    [unknown] = Verifier(SafetyLimits()).verify(plan, AT_ORIGIN, OPEN_FLOOR)
    assert unknown.rule == rules.CUSTOM_UNREGISTERED


@pytest.mark.parametrize(
    "bad",
    [
        action("move", x=float("nan"), y=0.0),
        action("move", x=float("inf"), y=0.0),
        action("move", x=1.0, y=0.0, speed=float("inf")),
        action("wait", duration_seconds=float("inf")),
        action("turn", angle=float("nan")),
        action("place", position=[float("nan"), 0.0, 0.0]),
    ],
)
def test_non_finite_numbers_are_rejected_without_crashing(bad):
    issues = verify(action("grasp", object_id="cup"), bad)
    assert any(issue.rule == rules.NUMBER_NOT_FINITE and issue.action_index == 1 for issue in issues)
    assert has_errors(issues)
