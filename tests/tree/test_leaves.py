"""One leaf per action type: lifecycle (initialise sends, update polls, terminate cancels), feedback."""

from __future__ import annotations

import math
from typing import Any

import py_trees
import pytest
from py_trees.common import Status
from pydantic import BaseModel

from bt_planner.plans.actions import (
    CustomParams,
    DetectParams,
    NavigateParams,
    SpeakParams,
    TurnParams,
    WaitParams,
)
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.robot import GoalState, RobotInterface, SpeakGoal
from bt_planner.sim import SimulatedRobot
from bt_planner.tree import keys
from bt_planner.tree.action_outcome import ActionStatus
from bt_planner.tree.leaves import CustomAction, Detect, Navigate, Speak, Turn, Wait


@pytest.fixture
def robot(sim_robot: SimulatedRobot) -> SimulatedRobot:
    """The shared simulated robot, with the robot keys leaves need on the blackboard."""
    keys.init_robot_keys()
    return sim_robot


def tick_to_end(node: py_trees.behaviour.Behaviour, robot: SimulatedRobot, *, limit: int = 2000) -> int:
    for ticks in range(1, limit):
        node.tick_once()
        if node.status != Status.RUNNING:
            return ticks
        robot.step(0.1)
    raise AssertionError(f"{node.name} still running after {limit} ticks")


def test_navigate_sends_a_goal_reports_progress_and_succeeds(robot: SimulatedRobot) -> None:
    leaf = Navigate(
        "go", robot=robot, world=robot.world_state(), params=NavigateParams(location_name="kitchen")
    )
    leaf.tick_once()
    assert leaf.status == Status.RUNNING
    assert robot.goal_status().kind == "drive" and robot.goal_status().goal_id == leaf.goal_id
    robot.step(3.0)
    leaf.tick_once()
    assert "m to go" in leaf.feedback_message and "%" in leaf.feedback_message
    tick_to_end(leaf, robot)
    assert leaf.status == Status.SUCCESS
    outcome = leaf.outcome
    assert outcome.status is ActionStatus.SUCCEEDED and outcome.message.startswith("arrived")
    assert outcome.started_at == 0.0 and outcome.duration_s == pytest.approx(7.8, abs=0.3)


def test_terminate_on_preemption_cancels_the_goal_and_the_robot_stops(robot: SimulatedRobot) -> None:
    leaf = Navigate(
        "go", robot=robot, world=robot.world_state(), params=NavigateParams(location_name="table")
    )
    calls: list[Status] = []
    original = leaf.terminate
    leaf.terminate = lambda new_status: (calls.append(new_status), original(new_status))[1]  # type: ignore[method-assign]
    leaf.tick_once()
    robot.step(2.0)
    leaf.tick_once()
    assert robot.is_moving()
    leaf.stop(Status.INVALID)  # what a parent does when a higher priority pre-empts
    assert calls == [Status.INVALID]
    assert robot.goal_status().state is GoalState.CANCELLED
    pose = robot.state().pose
    robot.step(1.0)
    assert robot.state().pose == pose and not robot.is_moving()
    assert leaf.outcome.status is ActionStatus.CANCELLED


def test_unknown_location_fails_at_once_with_the_known_names(robot: SimulatedRobot) -> None:
    leaf = Navigate(
        "go", robot=robot, world=robot.world_state(), params=NavigateParams(location_name="attic")
    )
    leaf.tick_once()
    assert leaf.status == Status.FAILURE
    assert leaf.feedback_message == "unknown location 'attic' (known: kitchen, table)"
    assert robot.goal_status().state is GoalState.IDLE


def test_detect_publishes_detections_on_the_blackboard(robot: SimulatedRobot) -> None:
    robot.set_pose(x=3.0, y=2.0)
    leaf = Detect("look", robot=robot, world=robot.world_state(), params=DetectParams(object_type="cup"))
    tick_to_end(leaf, robot)
    assert leaf.status == Status.SUCCESS
    detections = py_trees.blackboard.Blackboard.get(keys.DETECTIONS)
    assert [d.object_id for d in detections] == ["red_cup"]


def test_detect_failure_says_where_it_looked(robot: SimulatedRobot) -> None:
    leaf = Detect(
        "look",
        robot=robot,
        world=robot.world_state(),
        params=DetectParams(object_type="cup", search_area="table"),
    )
    tick_to_end(leaf, robot)
    assert leaf.status == Status.FAILURE
    assert leaf.feedback_message == "no cup seen within 1.5 m of (5.00, 1.00)"


def test_wait_is_timed_on_the_robot_clock(robot: SimulatedRobot) -> None:
    leaf = Wait("pause", robot=robot, world=robot.world_state(), params=WaitParams(duration_seconds=2.0))
    for _ in range(5):
        leaf.tick_once()
    assert leaf.status == Status.RUNNING  # no simulated time has passed
    assert tick_to_end(leaf, robot) == 21


def test_turn_is_relative_to_the_heading_at_start(robot: SimulatedRobot) -> None:
    robot.set_pose(x=0.0, y=0.0, yaw=math.pi / 2)
    leaf = Turn("turn", robot=robot, world=robot.world_state(), params=TurnParams(angle=-90.0))
    tick_to_end(leaf, robot)
    assert leaf.status == Status.SUCCESS
    assert robot.state().pose.yaw == pytest.approx(0.0, abs=0.01)


def test_a_goal_replaced_by_someone_else_fails_the_leaf(robot: SimulatedRobot) -> None:
    leaf = Speak(
        "say", robot=robot, world=robot.world_state(), params=SpeakParams(message="a long sentence to say")
    )
    leaf.tick_once()
    robot.send_goal(SpeakGoal(message="interrupting"))
    leaf.tick_once()
    assert leaf.status == Status.FAILURE
    assert "was replaced on the robot" in leaf.feedback_message


class WaveParams(BaseModel):
    times: int = 2


class Wave(py_trees.behaviour.Behaviour):
    """Test body: RUNNING for ``times`` ticks, then SUCCESS.

    Lifecycle: initialise resets the count; update counts; terminate records the new status.
    """

    def __init__(self, name: str, times: int, robot: RobotInterface) -> None:
        super().__init__(name=name)
        self.times, self.robot, self.count = times, robot, 0
        self.events: list[str] = []

    def initialise(self) -> None:
        self.count = 0
        self.events.append("initialise")

    def update(self) -> Status:
        self.count += 1
        self.feedback_message = f"wave {self.count}"
        return Status.SUCCESS if self.count >= self.times else Status.RUNNING

    def terminate(self, new_status: Status) -> None:
        self.events.append(f"terminate {new_status.name}")


def wave_registry() -> CustomActionRegistry:
    registry = CustomActionRegistry()

    def factory(*, name: str, params: Any, robot: RobotInterface) -> Wave:
        assert isinstance(params, WaveParams)
        return Wave(name, params.times, robot)

    registry.register("wave", WaveParams, "wave the hand", behaviour_factory=factory)
    return registry


def test_custom_action_runs_the_body_its_factory_builds(robot: SimulatedRobot) -> None:
    registry = wave_registry()
    params = registry.validate_params(CustomParams(name="wave", times=3))
    leaf = CustomAction(
        "wave", robot=robot, world=robot.world_state(), custom_actions=registry, params=params
    )
    assert isinstance(leaf.body, Wave) and leaf.body.times == 3
    assert tick_to_end(leaf, robot) == 3
    assert leaf.status == Status.SUCCESS and leaf.outcome.name == "wave"
    assert leaf.body.events == ["initialise", "terminate SUCCESS"]


def test_custom_action_preemption_stops_its_body(robot: SimulatedRobot) -> None:
    registry = wave_registry()
    params = registry.validate_params(CustomParams(name="wave", times=10))
    leaf = CustomAction(
        "wave", robot=robot, world=robot.world_state(), custom_actions=registry, params=params
    )
    leaf.tick_once()
    leaf.stop(Status.INVALID)
    assert isinstance(leaf.body, Wave) and leaf.body.events[-1] == "terminate INVALID"
    assert leaf.outcome.status is ActionStatus.CANCELLED


def test_custom_action_without_a_factory_cannot_be_built(robot: SimulatedRobot) -> None:
    registry = CustomActionRegistry()
    registry.register("nod", WaveParams, "nod")
    params = registry.validate_params(CustomParams(name="nod"))
    with pytest.raises(ValueError, match="has no behaviour_factory"):
        CustomAction("nod", robot=robot, world=robot.world_state(), custom_actions=registry, params=params)
