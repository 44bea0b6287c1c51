"""The simulated humanoid: bounded motion, battery, gripper, perception, speech, obstacles, time."""

from __future__ import annotations

import math

import pytest

from bt_planner.core.geometry import Vec2, Vec3
from bt_planner.core.state import GripperState
from bt_planner.core.world import Obstacle, World, default_world
from bt_planner.robot import (
    DetectGoal,
    DriveGoal,
    GoalState,
    GraspGoal,
    PlaceGoal,
    RobotInterface,
    SpeakGoal,
    TurnGoal,
)
from bt_planner.sim import RealTimePacer, SimClock, SimParams, SimulatedRobot


def run_goal(robot: SimulatedRobot, *, dt: float = 0.1, limit_s: float = 120.0) -> float:
    """Step until the current goal ends; return the simulated seconds it took."""
    start = robot.now()
    while robot.goal_status().state is GoalState.RUNNING:
        assert robot.now() - start < limit_s, "goal did not finish"
        robot.step(dt)
    return robot.now() - start


def test_simulated_robot_implements_the_robot_interface(world: World) -> None:
    assert isinstance(SimulatedRobot(world), RobotInterface)


def test_clock_only_moves_when_stepped_and_lands_on_exact_times(sim_robot: SimulatedRobot) -> None:
    assert sim_robot.now() == 0.0
    for _ in range(100):
        sim_robot.step(0.1)
    assert sim_robot.now() == 10.0
    with pytest.raises(ValueError, match="forward"):
        SimClock().advance(-1.0)


def test_drive_turns_first_then_walks_at_bounded_speed(world: World) -> None:
    params = SimParams(max_linear_speed_mps=0.5, max_turn_rate_rad_s=1.0)
    robot = SimulatedRobot(world, params=params)
    robot.send_goal(DriveGoal(x=0.0, y=2.0))  # 90 degrees to the left, 2 m away
    robot.step(0.1)
    assert robot.velocity == (0.0, pytest.approx(1.0))  # turning in place first
    assert robot.state().pose.x == 0.0 and robot.state().pose.y == 0.0
    took = run_goal(robot)
    assert robot.goal_status().state is GoalState.SUCCEEDED
    assert robot.state().pose.y == pytest.approx(2.0, abs=0.03)
    assert took >= math.pi / 2 / 1.0 + 2.0 / 0.5 - 0.2  # turn time + walk time at the speed limits


def test_requested_speed_is_capped_by_the_robot(world: World) -> None:
    robot = SimulatedRobot(world, params=SimParams(max_linear_speed_mps=0.5))
    robot.send_goal(DriveGoal(x=3.0, y=0.0, speed_mps=5.0))
    robot.step(0.1)
    assert robot.velocity[0] == pytest.approx(0.5)


def test_battery_drains_with_distance_and_time(world: World) -> None:
    params = SimParams(battery_percent_per_m=1.0, battery_percent_per_s=0.1)
    robot = SimulatedRobot(world, params=params)
    start = robot.state().battery_percent
    for _ in range(10):
        robot.step(0.1)  # idle for 1 s
    assert robot.state().battery_percent == pytest.approx(start - 0.1)
    robot.send_goal(DriveGoal(x=2.0, y=0.0))
    took = run_goal(robot)
    assert robot.state().battery_percent == pytest.approx(start - 0.1 - 2.0 - 0.1 * took, abs=0.05)


def test_empty_battery_fails_a_drive(sim_robot: SimulatedRobot) -> None:
    sim_robot.set_battery(0.0)
    sim_robot.send_goal(DriveGoal(x=2.0, y=0.0))
    run_goal(sim_robot)
    assert sim_robot.goal_status().state is GoalState.FAILED
    assert "battery empty" in sim_robot.goal_status().message


def test_grasp_carry_place_moves_the_object_with_the_hand(sim_robot: SimulatedRobot) -> None:
    sim_robot.set_pose(x=3.0, y=2.0)
    sim_robot.send_goal(GraspGoal(object_id="red_cup"))
    run_goal(sim_robot)
    state = sim_robot.state()
    assert state.gripper is GripperState.HOLDING and state.holding == "red_cup"
    sim_robot.send_goal(DriveGoal(x=5.0, y=1.0))
    run_goal(sim_robot)
    cup = sim_robot.world_state().objects["red_cup"]
    assert cup.position is not None and cup.position.planar_distance(Vec2(x=5.0, y=1.0)) < 0.35
    sim_robot.send_goal(PlaceGoal(location_name="table"))
    run_goal(sim_robot)
    assert sim_robot.goal_status().state is GoalState.SUCCEEDED
    placed = sim_robot.world_state().objects["red_cup"]
    assert placed.location == "table" and sim_robot.state().gripper is GripperState.OPEN
    assert placed.position is not None and placed.position.z == pytest.approx(0.75)


@pytest.mark.parametrize(
    ("setup", "goal", "reason"),
    [
        ("far", GraspGoal(object_id="red_cup"), "reach is 1 m"),
        ("near", GraspGoal(object_id="blue_cup"), "no object 'blue_cup'"),
        ("near", PlaceGoal(location_name="table"), "not holding anything"),
    ],
)
def test_impossible_manipulation_fails_at_once_with_a_reason(
    setup: str, goal: object, reason: str, sim_robot: SimulatedRobot
) -> None:
    if setup == "near":
        sim_robot.set_pose(x=3.0, y=2.0)
    sim_robot.send_goal(goal)  # type: ignore[arg-type]
    status = sim_robot.goal_status()
    assert status.state is GoalState.FAILED and reason in status.message


def test_grasp_closes_on_nothing_when_the_object_moves_away_meanwhile(sim_robot: SimulatedRobot) -> None:
    sim_robot.set_pose(x=3.0, y=2.0)
    sim_robot.send_goal(GraspGoal(object_id="red_cup"))
    sim_robot.step(0.5)
    sim_robot.move_object("red_cup", Vec3(x=9.0, y=9.0, z=0.8))
    run_goal(sim_robot)
    assert sim_robot.goal_status().state is GoalState.FAILED
    assert sim_robot.state().gripper is GripperState.CLOSED and sim_robot.state().holding is None


def test_perception_sees_objects_of_a_type_within_range_only(world: World) -> None:
    robot = SimulatedRobot(world, params=SimParams(perception_range_m=1.0))
    robot.send_goal(DetectGoal(object_type="cup"))
    run_goal(robot)
    assert robot.goal_status().state is GoalState.FAILED
    assert "no cup seen" in robot.goal_status().message
    robot.set_pose(x=3.0, y=2.0)
    robot.send_goal(DetectGoal(object_type="cup", near=Vec2(x=3.0, y=2.0)))
    run_goal(robot)
    status = robot.goal_status()
    assert status.state is GoalState.SUCCEEDED
    assert [d.object_id for d in status.detections] == ["red_cup"]
    assert status.detections[0].position == Vec3(x=3.2, y=2.1, z=0.8)


def test_speech_is_logged(sim_robot: SimulatedRobot) -> None:
    sim_robot.send_goal(SpeakGoal(message="Hello there"))
    took = run_goal(sim_robot)
    assert sim_robot.spoken == ("Hello there",)
    assert took >= 0.5


def test_obstacle_blocks_the_base() -> None:
    world = default_world().model_copy(
        update={"obstacles": {"pillar": Obstacle(center=Vec2(x=2.0, y=0.0), radius=0.4)}}
    )
    robot = SimulatedRobot(world)
    robot.send_goal(DriveGoal(x=4.0, y=0.0))
    run_goal(robot)
    status = robot.goal_status()
    assert status.state is GoalState.FAILED and "pillar" in status.message
    assert robot.state().pose.x < 2.0 - 0.4 - 0.3 + 0.06


def test_turn_reaches_the_heading_at_bounded_rate(world: World) -> None:
    robot = SimulatedRobot(world, params=SimParams(max_turn_rate_rad_s=0.5))
    robot.send_goal(TurnGoal(yaw=-math.pi / 2))
    took = run_goal(robot)
    assert robot.state().pose.yaw == pytest.approx(-math.pi / 2, abs=0.01)
    assert took == pytest.approx(math.pi, abs=0.11)


def test_cancel_stops_the_robot_and_a_new_goal_preempts_the_old(sim_robot: SimulatedRobot) -> None:
    first = sim_robot.send_goal(DriveGoal(x=5.0, y=0.0))
    sim_robot.step(0.5)
    second = sim_robot.send_goal(DriveGoal(x=-5.0, y=0.0))
    assert second != first and sim_robot.goal_status().goal_id == second
    sim_robot.step(0.1)
    sim_robot.cancel()
    assert sim_robot.goal_status().state is GoalState.CANCELLED
    position = sim_robot.state().pose
    sim_robot.step(1.0)
    assert sim_robot.state().pose == position and not sim_robot.is_moving()


def test_frozen_state_grows_stale_on_the_sim_clock(sim_robot: SimulatedRobot) -> None:
    sim_robot.freeze_state()
    snapshot = sim_robot.state()
    sim_robot.send_goal(DriveGoal(x=1.0, y=0.0))
    sim_robot.step(3.0)
    assert sim_robot.state() == snapshot and sim_robot.state_age_s() == pytest.approx(3.0)
    sim_robot.freeze_state(False)
    assert sim_robot.state_age_s() == 0.0 and sim_robot.state() != snapshot


def test_world_state_reports_moved_objects_and_the_robot(sim_robot: SimulatedRobot) -> None:
    sim_robot.move_object("red_cup", Vec3(x=1.0, y=1.0, z=0.0), location=None)
    world = sim_robot.world_state()
    assert isinstance(world, World)
    assert world.object_position("red_cup") == Vec3(x=1.0, y=1.0, z=0.0)
    assert world.robot == sim_robot.state()


def test_realtime_pacer_waits_the_scaled_period_without_catching_up() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = RealTimePacer(period_s=0.1, speed=2.0, clock=lambda: now[0], sleep=sleep)
    pacer.wait()
    pacer.wait()
    now[0] += 1.0  # the caller was slow: no burst of zero-length steps afterwards
    pacer.wait()
    pacer.wait()
    assert slept == pytest.approx([0.05, 0.05, 0.05])
