"""Plan -> tree compiler, and the deterministic plan runner used by tests, the CLI and evaluation."""

from __future__ import annotations

import math
from typing import Any

import py_trees
import pytest
from pydantic import BaseModel

from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import World, default_world
from bt_planner.execution import ActionStatus, execute_plan
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan
from bt_planner.robot import RobotInterface, SpeakGoal
from bt_planner.sim import SimulatedRobot
from bt_planner.tree import ActionTimeout, SafetyGuard, TimeoutPolicy, compile_plan, keys
from bt_planner.tree.leaves import Detect, Grasp, Navigate, Place
from tests.sample_plans import action, kitchen_plan


def kitchen() -> Plan:
    return Plan.model_validate(kitchen_plan())


def test_kitchen_plan_succeeds_and_the_cup_ends_on_the_table(world: World, sim_robot: SimulatedRobot) -> None:
    report = execute_plan(kitchen(), robot=sim_robot, world=world, limits=SafetyLimits())
    assert report.success and report.failure is None and report.failed_action_index is None
    assert [o.status for o in report.outcomes] == [ActionStatus.SUCCEEDED] * 5
    cup = report.final_world.objects["red_cup"]
    assert cup.location == "table"
    assert (
        report.final_world.object_position("red_cup").planar_distance(world.locations["table"].position) < 0.5
    )
    assert report.final_state.holding is None
    starts = [o.started_at for o in report.outcomes]
    assert starts == sorted(starts) and all(
        o.ended_at == n.started_at for o, n in zip(report.outcomes, report.outcomes[1:], strict=False)
    )
    assert report.sim_time_s == pytest.approx(report.outcomes[-1].ended_at)
    assert report.ticks == round(report.sim_time_s / 0.1) + 1


def test_a_finished_run_leaves_no_blackboard_clients_behind(world: World) -> None:
    execute_plan(kitchen(), robot=SimulatedRobot(world), world=world, limits=SafetyLimits())
    before = len(py_trees.blackboard.Blackboard.clients)
    execute_plan(kitchen(), robot=SimulatedRobot(world), world=world, limits=SafetyLimits())
    assert len(py_trees.blackboard.Blackboard.clients) == before


def test_runs_are_deterministic() -> None:
    reports = []
    for _ in range(2):
        world = default_world()
        reports.append(
            execute_plan(kitchen(), robot=SimulatedRobot(world), world=world, limits=SafetyLimits())
        )
    assert reports[0] == reports[1]


def test_compiled_shape_is_a_memory_sequence_of_timeout_guard_leaf(
    world: World, sim_robot: SimulatedRobot
) -> None:
    compiled = compile_plan(kitchen(), robot=sim_robot, world=world, limits=SafetyLimits())
    root = compiled.root
    assert isinstance(root, py_trees.composites.Sequence) and root.memory is True
    assert len(root.children) == 5
    expected = [Navigate, Detect, Grasp, Navigate, Place]
    for index, (slot, leaf_type) in enumerate(zip(root.children, expected, strict=True)):
        assert isinstance(slot, ActionTimeout)
        guard = slot.decorated
        assert isinstance(guard, SafetyGuard) and guard.rules == [
            "estop",
            "stale",
            "battery",
            "zone",
            "payload",
        ]
        assert type(guard.decorated) is leaf_type and guard.decorated is compiled.leaves[index]
        estimate = kitchen().actions[index].estimated_duration or 0.0
        assert slot.duration >= max(TimeoutPolicy().floor_s, 3.0 * estimate)
    # the first navigate: 3.6 m at the nominal 0.5 m/s plus a half-turn allowance, times 3
    assert root.children[0].duration == pytest.approx(3 * (math.hypot(3, 2) / 0.5 + 4))


def test_unicode_tree_renders_names_and_statuses(world: World, sim_robot: SimulatedRobot) -> None:
    compiled = compile_plan(kitchen(), robot=sim_robot, world=world, limits=SafetyLimits())
    text = py_trees.display.unicode_tree(compiled.root, show_status=True)
    lines = text.splitlines()
    assert lines[0].startswith("{-} plan (5 actions)")
    assert [line.strip() for line in lines[1:4]] == [
        "-^- #1 timeout 34s [-]",
        "-^- #1 guard [-]",
        "--> #1 navigate kitchen [-]",
    ]
    assert "#5 place table" in text


def test_a_compiled_plan_can_be_reset_and_ticked_again(world: World, sim_robot: SimulatedRobot) -> None:
    plan = Plan.model_validate(
        {"actions": [action("speak", message="one"), action("wait", duration_seconds=1.0)]}
    )
    compiled = compile_plan(plan, robot=sim_robot, world=world, limits=SafetyLimits())
    keys.init_robot_keys()
    tree = py_trees.trees.BehaviourTree(compiled.root)
    tree.tick()
    sim_robot.step(0.1)
    tree.tick()
    assert compiled.outcomes()[0].status is ActionStatus.RUNNING
    compiled.reset()  # stops the running speech and forgets outcomes
    assert sim_robot.goal_status().state.value == "cancelled"
    assert [o.status for o in compiled.outcomes()] == [ActionStatus.NOT_RUN] * 2
    for _ in range(100):
        tree.tick()
        if compiled.root.status != py_trees.common.Status.RUNNING:
            break
        sim_robot.step(0.1)
    assert compiled.root.status == py_trees.common.Status.SUCCESS
    assert sim_robot.spoken == ("one", "one")


def test_progress_counts_finished_and_running_actions(world: World, sim_robot: SimulatedRobot) -> None:
    seen: list[float] = []
    execute_plan(
        kitchen(),
        robot=sim_robot,
        world=world,
        limits=SafetyLimits(),
        on_tick=lambda c: seen.append(c.progress()),
    )
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)
    assert any(0.2 < p < 0.4 for p in seen)


class GreetParams(BaseModel):
    person: str


class SayHello(py_trees.behaviour.Behaviour):
    """Test custom-action body: speaks a greeting through the robot.

    Lifecycle: initialise sends a SpeakGoal; update mirrors the goal; terminate does nothing.
    """

    def __init__(self, name: str, *, person: str, robot: RobotInterface) -> None:
        super().__init__(name=name)
        self.person, self.robot = person, robot

    def initialise(self) -> None:
        self.robot.send_goal(SpeakGoal(message=f"Hello {self.person}"))

    def update(self) -> py_trees.common.Status:
        state = self.robot.goal_status().state.value
        if state == "running":
            return py_trees.common.Status.RUNNING
        return py_trees.common.Status.SUCCESS if state == "succeeded" else py_trees.common.Status.FAILURE


def greet_registry(built: list[Any] | None = None) -> CustomActionRegistry:
    registry = CustomActionRegistry()

    def factory(*, name: str, params: Any, robot: RobotInterface) -> py_trees.behaviour.Behaviour:
        assert isinstance(params, GreetParams)
        if built is not None:
            built.append(params)
        return SayHello(name, person=params.person, robot=robot)

    registry.register("greet", GreetParams, "greet someone", behaviour_factory=factory)
    return registry


def greet_plan(registry: CustomActionRegistry) -> Plan:
    return Plan.model_validate(
        {"actions": [{"action_type": "custom", "parameters": {"name": "greet", "person": "Ada"}}]},
        context={"custom_actions": registry},
    )


def test_custom_action_compiles_through_the_registry_and_runs(
    world: World, sim_robot: SimulatedRobot
) -> None:
    built: list[Any] = []
    registry = greet_registry(built)
    report = execute_plan(
        greet_plan(registry), robot=sim_robot, world=world, limits=SafetyLimits(), custom_actions=registry
    )
    assert report.success and report.spoken == ["Hello Ada"]
    assert report.outcomes[0].name == "greet" and built == [GreetParams(person="Ada")]


def test_custom_action_missing_from_the_compile_registry_is_an_error(world: World) -> None:
    plan = greet_plan(greet_registry())
    with pytest.raises(ValueError, match="not registered"):
        compile_plan(plan, robot=SimulatedRobot(world), world=world, limits=SafetyLimits())


def test_max_sim_time_stops_a_run_and_says_so(world: World, sim_robot: SimulatedRobot) -> None:
    plan = Plan.model_validate({"actions": [action("wait", duration_seconds=100.0)]})
    report = execute_plan(plan, robot=sim_robot, world=world, limits=SafetyLimits(), max_sim_time_s=5.0)
    assert not report.success
    assert report.failure == "stopped after 5 s of simulated time (max_sim_time_s)"
    assert report.outcomes[0].status is ActionStatus.CANCELLED
