"""The fleet rule: no navigation target where another robot stands."""

from __future__ import annotations

from bt_planner.core.geometry import Vec2
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import default_world
from bt_planner.plans.plan import Plan
from bt_planner.verification.peer_targets import PEER_TARGET, check_peer_targets
from tests.sample_plans import kitchen_plan


def issues_for(peers: dict[str, Vec2]) -> list:
    world = default_world()
    plan = Plan.model_validate(kitchen_plan())
    return check_peer_targets(plan=plan, state=world.robot, world=world, limits=SafetyLimits(), peers=peers)


def test_a_peer_at_the_table_refuses_the_drive_to_the_table_only() -> None:
    (issue,) = issues_for({"/robot2": Vec2(x=5.1, y=1.0)})
    assert issue.rule == PEER_TARGET and issue.action_index == 3
    assert "'table'" in issue.message and "robot '/robot2'" in issue.message
    assert issue.value is not None and abs(issue.value - 0.1) < 1e-9 and issue.limit == 0.6


def test_peers_elsewhere_or_none_refuse_nothing() -> None:
    assert issues_for({"/robot2": Vec2(x=0.0, y=3.0)}) == []
    assert issues_for({}) == []
