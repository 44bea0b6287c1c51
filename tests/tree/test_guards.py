"""Guards re-check the safety rules on live state every tick; timeouts run on the robot clock."""

from __future__ import annotations

import math

import py_trees
import pytest
from py_trees.common import Status

from bt_planner.core.geometry import Vec2
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import CircleZone, World, WorldObject, default_world
from bt_planner.execution import ExecutionReport, execute_plan
from bt_planner.plans.plan import Plan
from bt_planner.sim import SimParams, SimulatedRobot
from bt_planner.tree import ActionStatus, SafetyGuard, TimeoutPolicy, compile_plan, keys
from bt_planner.tree.compiler import CompiledPlan
from tests.sample_plans import action, kitchen_plan


def plan_of(*actions: dict[str, object]) -> Plan:
    return Plan.model_validate({"actions": list(actions)})


def run(
    plan: Plan,
    robot: SimulatedRobot,
    *,
    world: World | None = None,
    limits: SafetyLimits | None = None,
    at_s: float | None = None,
    inject: object = None,
    timeouts: TimeoutPolicy | None = None,
) -> ExecutionReport:
    """Execute ``plan``; once simulated time reaches ``at_s``, call ``inject(robot)`` (once)."""
    done = [False]

    def on_tick(compiled: CompiledPlan) -> None:
        if at_s is not None and not done[0] and robot.now() >= at_s:
            done[0] = True
            inject(robot)  # type: ignore[operator]

    return execute_plan(
        plan,
        robot=robot,
        world=world or default_world(),
        limits=limits or SafetyLimits(),
        timeouts=timeouts,
        on_tick=on_tick,
    )


def assert_stopped(robot: SimulatedRobot) -> None:
    pose = robot.state().pose
    robot.step(1.0)
    assert robot.state().pose == pose and not robot.is_moving()


def test_battery_drop_mid_run_fails_the_running_action_with_the_rule_message(
    sim_robot: SimulatedRobot,
) -> None:
    report = run(
        Plan.model_validate(kitchen_plan()), sim_robot, at_s=3.0, inject=lambda r: r.set_battery(12.0)
    )
    assert not report.success and report.failed_action_index == 0
    first = report.outcomes[0]
    assert first.status is ActionStatus.FAILED
    assert first.message == "safety guard: battery at 12.0 %, minimum 20.0 % [battery.min]"
    assert report.failure == first.message
    assert first.ended_at == pytest.approx(3.0, abs=0.11)
    assert [o.status for o in report.outcomes[1:]] == [ActionStatus.NOT_RUN] * 4
    assert_stopped(sim_robot)


def test_estop_flag_fails_the_action_and_stops_the_robot(sim_robot: SimulatedRobot) -> None:
    report = run(
        Plan.model_validate(kitchen_plan()),
        sim_robot,
        at_s=2.0,
        inject=lambda r: py_trees.blackboard.Blackboard.set(keys.ESTOP, True),
    )
    assert report.outcomes[0].message == "safety guard: emergency stop engaged"
    assert_stopped(sim_robot)


def test_stale_state_fails_the_action_once_older_than_the_limit(sim_robot: SimulatedRobot) -> None:
    report = run(Plan.model_validate(kitchen_plan()), sim_robot, at_s=1.0, inject=lambda r: r.freeze_state())
    outcome = report.outcomes[0]
    assert outcome.status is ActionStatus.FAILED and "[state.stale]" in outcome.message
    assert outcome.ended_at == pytest.approx(1.0 + SafetyLimits().max_state_age_s, abs=0.11)


def test_walking_toward_a_forbidden_zone_is_stopped_at_the_margin() -> None:
    zone = CircleZone(center=Vec2(x=3.0, y=0.0), radius=0.5)
    world = default_world().model_copy(update={"forbidden_zones": {"stairs": zone}})
    robot = SimulatedRobot(world)
    report = run(plan_of(action("move", "walk", 12.0, x=5.0, y=0.0)), robot, world=world)
    outcome = report.outcomes[0]
    assert outcome.status is ActionStatus.FAILED and "forbidden zone 'stairs'" in outcome.message
    assert "[zone.target]" in outcome.message
    x = report.final_state.pose.x
    assert 3.0 - 0.5 - 0.3 - 0.06 <= x <= 3.0 - 0.5 - 0.3 + 1e-9  # stopped within one tick of the margin
    assert_stopped(robot)


def test_payload_over_the_limit_trips_once_the_object_is_held() -> None:
    heavy = WorldObject(type="crate", position=(3.2, 2.1, 0.5), weight_kg=3.0)  # type: ignore[arg-type]
    world = default_world().model_copy(update={"objects": {"crate": heavy}})
    robot = SimulatedRobot(world)
    robot.set_pose(x=3.0, y=2.0)
    plan = plan_of(action("grasp", object_id="crate"), action("navigate", location_name="table"))
    report = run(plan, robot, world=world)
    grasp = report.outcomes[0]
    assert grasp.status is ActionStatus.FAILED  # the tick after the lift: the guard checks before the leaf
    assert grasp.message == "safety guard: 'crate' weighs 3.00 kg, payload limit 2.00 kg [payload.max]"
    assert report.final_state.holding == "crate" and report.outcomes[1].status is ActionStatus.NOT_RUN


def test_missing_estop_flag_fails_closed_with_a_fix(world: World, sim_robot: SimulatedRobot) -> None:
    compiled = compile_plan(
        plan_of(action("wait", duration_seconds=1.0)), robot=sim_robot, world=world, limits=SafetyLimits()
    )
    py_trees.blackboard.Blackboard.unset(keys.ESTOP)
    compiled.root.tick_once()
    assert compiled.root.status == Status.FAILURE
    assert "init_robot_keys()" in compiled.outcomes()[0].message


def test_guard_runs_only_the_chosen_rules_and_rejects_unknown_ones(
    world: World, sim_robot: SimulatedRobot
) -> None:
    sim_robot.set_battery(5.0)
    keys.init_robot_keys(estop=True)
    compiled = compile_plan(
        plan_of(action("wait", duration_seconds=0.0)),
        robot=sim_robot,
        world=world,
        limits=SafetyLimits(),
        rules=["zone"],
    )
    compiled.root.tick_once()
    assert compiled.root.status == Status.SUCCESS  # battery and e-stop were not asked for
    with pytest.raises(ValueError, match="unknown safety guard rule"):
        SafetyGuard(
            "g",
            py_trees.behaviours.Success("s"),
            robot=sim_robot,
            world=world,
            limits=SafetyLimits(),
            rules=["wings"],
        )


def test_timeout_fails_an_overrunning_action_on_simulated_time(world: World) -> None:
    robot = SimulatedRobot(world, params=SimParams(max_linear_speed_mps=0.05))
    policy = TimeoutPolicy(floor_s=1.0, multiplier=1.0)
    report = run(plan_of(action("navigate", location_name="kitchen")), robot, timeouts=policy)
    outcome = report.outcomes[0]
    expected = math.hypot(3.0, 2.0) / 0.5 + 180 / 45  # nominal walk + turn allowance
    assert outcome.message == f"timed out after {expected:.1f} s"
    assert outcome.ended_at == pytest.approx(expected, abs=0.11)
    assert report.sim_time_s == pytest.approx(expected, abs=0.11)
    assert_stopped(robot)
