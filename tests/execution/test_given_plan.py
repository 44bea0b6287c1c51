"""``GivenPlanPlanner``: a ready-made plan answers like a planner, verified against the request."""

from __future__ import annotations

import pytest

from bt_planner.core.geometry import Pose
from bt_planner.core.issues import Severity
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import RobotState
from bt_planner.core.world import default_world
from bt_planner.execution import GivenPlanPlanner
from bt_planner.plans.plan import Plan
from bt_planner.verification import rules
from tests.sample_plans import action, kitchen_plan


def test_a_safe_plan_is_given_back_for_any_command() -> None:
    plan = Plan.model_validate(kitchen_plan())
    world = default_world()
    result = GivenPlanPlanner(plan, limits=SafetyLimits()).plan("anything at all", world.robot, world)
    assert (result.success, result.plan, result.command, result.issues) == (True, plan, "anything at all", [])
    assert (result.backend, result.llm_calls, result.timings.total_ms) == ("given-plan", 0, 0.0)


def test_the_plan_is_verified_against_the_state_it_is_asked_about() -> None:
    """Grasping the cup is fine next to it, and out of reach from the origin."""
    grasp = Plan.model_validate({"actions": [action("grasp", object_id="red_cup")]})
    planner = GivenPlanPlanner(grasp, limits=SafetyLimits())
    world = default_world()
    near = planner.plan("pick it up", RobotState(pose=Pose(x=3.0, y=2.0)), world)
    far = planner.plan("pick it up", world.robot, world)
    assert near.success and near.plan == grasp
    assert not far.success and far.plan is None
    assert [issue.rule for issue in far.issues if issue.severity is Severity.ERROR] == [
        rules.GRASP_OUT_OF_REACH
    ]


def test_unsafe_plans_are_refused_with_the_rule() -> None:
    too_far = Plan.model_validate({"actions": [action("move", x=50.0, y=0.0, z=0.0)]})
    world = default_world()
    refused = GivenPlanPlanner(too_far, limits=SafetyLimits()).plan("go far", world.robot, world)
    assert not refused.success and refused.plan is None
    assert "move.distance" in {issue.rule for issue in refused.issues}


def test_without_a_world_there_is_nothing_to_verify_against() -> None:
    planner = GivenPlanPlanner(Plan.model_validate(kitchen_plan()), limits=SafetyLimits())
    with pytest.raises(ValueError, match="needs the world"):
        planner.plan("go")
