"""The symbolic world-model check: names, preconditions in order, and effects carried forward."""

from __future__ import annotations

from typing import Any

from bt_planner.core.issues import IssueCode, PlanIssue, Severity, has_errors
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import GripperState, RobotState
from bt_planner.core.world import World, default_world
from bt_planner.plans.plan import Plan
from bt_planner.verification import Verifier, rules
from tests.sample_plans import action, kitchen_plan

KITCHEN = default_world()


def verify(
    *actions: dict[str, Any],
    world: World = KITCHEN,
    state: RobotState | None = None,
    limits: SafetyLimits | None = None,
) -> list[PlanIssue]:
    plan = Plan.model_validate({"actions": list(actions)})
    return Verifier(limits or SafetyLimits()).verify(plan, state or world.robot, world)


def errors(issues: list[PlanIssue]) -> list[tuple[int | None, IssueCode, str | None]]:
    return [(i.action_index, i.code, i.rule) for i in issues if i.severity is Severity.ERROR]


GO_KITCHEN = action("navigate", location_name="kitchen")
GO_TABLE = action("navigate", location_name="table")
GRASP_CUP = action("grasp", object_id="red_cup", object_type="cup")
PLACE_TABLE = action("place", location_name="table")


def test_grasp_before_navigate_is_wrong_order_and_names_the_fixing_step():
    issues = verify(GRASP_CUP, GO_KITCHEN, GO_TABLE, PLACE_TABLE)
    assert errors(issues) == [(0, IssueCode.WRONG_ORDER, rules.GRASP_OUT_OF_REACH)]
    assert "3.83 m from the robot at (0.00, 0.00), reach 1.00 m" in issues[0].message
    assert "action 1 brings the robot within reach" in issues[0].message
    assert (round(issues[0].value or 0, 2), issues[0].limit) == (3.83, 1.0)


def test_grasp_without_any_approach_is_a_missing_step_naming_the_location():
    [issue] = verify(GRASP_CUP)
    assert (issue.code, issue.rule) == (IssueCode.MISSING_STEP, rules.GRASP_OUT_OF_REACH)
    assert "navigate to 'kitchen' first" in issue.message


def test_grasp_far_from_every_location_is_unreachable():
    far = World.model_validate(
        {
            **KITCHEN.model_dump(exclude={"objects"}),
            "objects": {"red_cup": {"type": "cup", "position": [-9, -9, 0], "weight_kg": 0.3}},
        }
    )
    [issue] = verify(GRASP_CUP, world=far)
    assert (issue.code, issue.rule) == (IssueCode.UNREACHABLE, rules.GRASP_OUT_OF_REACH)
    assert "no known location is within reach" in issue.message


def test_place_with_empty_hands():
    [issue] = verify(GO_TABLE, PLACE_TABLE)
    assert (issue.action_index, issue.code, issue.rule) == (
        1,
        IssueCode.MISSING_STEP,
        rules.PLACE_NOTHING_HELD,
    )
    later = verify(GO_TABLE, PLACE_TABLE, GO_KITCHEN, GRASP_CUP)
    assert errors(later) == [(1, IssueCode.WRONG_ORDER, rules.PLACE_NOTHING_HELD)]
    assert "action 3 grasps" in later[0].message


def test_grasp_while_holding():
    issues = verify(GO_KITCHEN, GRASP_CUP, GRASP_CUP)
    assert errors(issues) == [(2, IssueCode.PRECONDITION_VIOLATED, rules.GRASP_GRIPPER_NOT_EMPTY)]
    assert "already holding 'red_cup'" in issues[0].message


def test_grasp_while_the_robot_already_holds_something():
    holding_id = RobotState(holding="spoon", gripper=GripperState.HOLDING)
    holding_unknown = RobotState(gripper=GripperState.HOLDING)
    for state in (holding_id, holding_unknown):
        assert errors(verify(GO_KITCHEN, GRASP_CUP, state=state)) == [
            (1, IssueCode.PRECONDITION_VIOLATED, rules.GRASP_GRIPPER_NOT_EMPTY)
        ]
    assert verify(GO_TABLE, PLACE_TABLE, state=holding_id) == []


def test_hallucinated_object_and_locations_with_suggestions():
    [obj] = verify(GO_KITCHEN, action("grasp", object_id="red_mug"))
    assert (obj.code, obj.rule) == (IssueCode.HALLUCINATED_OBJECT, rules.WORLD_UNKNOWN_OBJECT)
    assert "did you mean 'red_cup'?" in obj.message
    [nav] = verify(action("navigate", location_name="kitchn"))
    assert (nav.code, nav.rule) == (IssueCode.HALLUCINATED_LOCATION, rules.WORLD_UNKNOWN_LOCATION)
    assert "did you mean 'kitchen'?" in nav.message and "known locations: kitchen, table" in nav.message
    [place] = verify(GO_KITCHEN, GRASP_CUP, action("place", location_name="garage"))
    assert (place.action_index, place.code) == (2, IssueCode.HALLUCINATED_LOCATION)
    [area] = verify(action("detect", object_type="cup", search_area="pantry"))
    assert area.code is IssueCode.HALLUCINATED_LOCATION


def test_grasp_type_mismatch_and_not_graspable():
    [mismatch] = verify(GO_KITCHEN, action("grasp", object_id="red_cup", object_type="plate"))
    assert (mismatch.rule, mismatch.code) == (rules.GRASP_TYPE_MISMATCH, IssueCode.HALLUCINATED_OBJECT)
    fixed = World.model_validate(
        {
            **KITCHEN.model_dump(exclude={"objects"}),
            "objects": {"counter": {"type": "counter", "location": "kitchen", "graspable": False}},
        }
    )
    issues = verify(GO_KITCHEN, action("grasp", object_id="counter"), world=fixed)
    assert (1, IssueCode.PRECONDITION_VIOLATED, rules.GRASP_NOT_GRASPABLE) in errors(issues)


def test_detect_before_grasp_when_the_policy_asks():
    strict = SafetyLimits(require_detect_before_grasp=True)
    assert verify(*Plan.model_validate(kitchen_plan()).model_dump()["actions"], limits=strict) == []
    [missing] = verify(GO_KITCHEN, GRASP_CUP, limits=strict)
    assert (missing.code, missing.rule) == (IssueCode.MISSING_STEP, rules.GRASP_NOT_DETECTED)
    late = verify(GO_KITCHEN, GRASP_CUP, action("detect", object_type="cup"), limits=strict)
    assert errors(late) == [(1, IssueCode.WRONG_ORDER, rules.GRASP_NOT_DETECTED)]
    wrong_kind = verify(GO_KITCHEN, action("detect", object_type="plate"), GRASP_CUP, limits=strict)
    assert (2, IssueCode.MISSING_STEP, rules.GRASP_NOT_DETECTED) in errors(wrong_kind)
    assert verify(GO_KITCHEN, GRASP_CUP) == []  # the default policy does not ask


def test_detecting_an_unknown_type_is_only_a_warning():
    [issue] = verify(action("detect", object_type="unicorn"))
    assert (issue.severity, issue.rule) == (Severity.WARNING, rules.DETECT_UNKNOWN_TYPE)
    assert not has_errors([issue])


def test_place_moves_the_object_for_later_steps():
    carried = [GO_KITCHEN, GRASP_CUP, GO_TABLE, PLACE_TABLE]
    assert verify(*carried, GRASP_CUP) == []  # the cup is on the table now, next to the robot
    issues = verify(*carried, GO_KITCHEN, GRASP_CUP)
    assert errors(issues) == [(5, IssueCode.MISSING_STEP, rules.GRASP_OUT_OF_REACH)]
    assert "navigate to 'table' first" in issues[0].message


def test_place_target_must_be_within_reach():
    assert verify(GO_KITCHEN, GRASP_CUP, action("place", position=[3.5, 2.5, 0.8])) == []
    issues = verify(GO_KITCHEN, GRASP_CUP, action("place", position=[5.0, 1.2, 0.8]), GO_TABLE)
    assert errors(issues) == [(2, IssueCode.WRONG_ORDER, rules.PLACE_OUT_OF_REACH)]


def test_reach_limit_both_sides():
    near_cup = action("move", x=2.4, y=2.1)  # 0.8 m from the cup
    assert verify(near_cup, GRASP_CUP, limits=SafetyLimits(reach_m=0.81)) == []
    assert errors(verify(near_cup, GRASP_CUP, limits=SafetyLimits(reach_m=0.79))) == [
        (1, IssueCode.MISSING_STEP, rules.GRASP_OUT_OF_REACH)
    ]
