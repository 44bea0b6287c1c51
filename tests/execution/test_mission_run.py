"""``MissionRunner``: a command through the mission tree on the simulator, deterministically.

The planners here are plain objects (no HTTP); the CLI tests drive the same runner through the
scripted LLM server. Nothing sleeps: a planner that must be slow waits on an event the test opens.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import py_trees
import pytest

from bt_planner.config import ExecutionSettings
from bt_planner.core.geometry import Vec3
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import RobotState
from bt_planner.core.world import World, default_world
from bt_planner.execution import ActionStatus, GivenPlanPlanner, MissionRunner, execute_plan
from bt_planner.planning.result import PlanResult
from bt_planner.plans.feedback import ExecutionFeedback
from bt_planner.plans.plan import Plan
from bt_planner.robot.robot_goals import Goal, GraspGoal
from bt_planner.sim import SimulatedRobot
from bt_planner.tree.mission import CommandPlanner, Mission, MissionState
from bt_planner.tree.mission.request_plan import PlanCommand
from tests.sample_plans import KITCHEN_COMMAND, action, kitchen_plan

KITCHEN = Plan.model_validate(kitchen_plan())
LOOK_AT_THE_TABLE = Plan.model_validate(
    {
        "actions": [
            action("navigate", "look at the table", 5.0, location_name="table"),
            action("detect", "find the cup there", 2.0, object_type="cup", search_area="table"),
            action("speak", "report", 2.0, message="The red cup is on the table"),
        ]
    }
)


@dataclass(frozen=True)
class Call:
    command: str
    state: RobotState | None
    world: World | None
    feedback: ExecutionFeedback | None


class ScriptedPlanner:
    """Answers with the given plans in order (the last one again when they run out); records calls."""

    def __init__(self, *plans: Plan) -> None:
        self.plans = list(plans)
        self.calls: list[Call] = []

    def plan(
        self,
        command: str,
        state: RobotState | None = None,
        world: World | None = None,
        *,
        feedback: ExecutionFeedback | None = None,
    ) -> PlanResult:
        self.calls.append(Call(command, state, world, feedback))
        plan = self.plans[min(len(self.calls), len(self.plans)) - 1]
        return PlanResult(success=True, command=command, plan=plan)


@pytest.fixture
def runners() -> Iterator[list[MissionRunner]]:
    made: list[MissionRunner] = []
    yield made
    for runner in made:
        runner.close()


def runner_for(
    runners: list[MissionRunner],
    planner: CommandPlanner,
    *,
    robot: SimulatedRobot | None = None,
    max_replans: int = 2,
) -> MissionRunner:
    world = default_world()
    runner = MissionRunner(
        planner=planner,
        robot=robot if robot is not None else SimulatedRobot(world),
        world=world,
        limits=SafetyLimits(),
        settings=ExecutionSettings(max_replans=max_replans),
    )
    runners.append(runner)
    return runner


def test_a_plan_runs_through_the_mission_exactly_as_execute_plan_runs_it(
    runners: list[MissionRunner],
) -> None:
    world = default_world()
    alone = execute_plan(KITCHEN, robot=SimulatedRobot(world), world=world, limits=SafetyLimits())
    run = runner_for(runners, GivenPlanPlanner(KITCHEN, limits=SafetyLimits())).run(KITCHEN_COMMAND)
    assert run.success and run.status.state is MissionState.SUCCEEDED and run.status.reason == ""
    assert [e.state for e in run.events] == [
        MissionState.PLANNING,
        MissionState.EXECUTING,
        MissionState.SUCCEEDED,
    ]
    assert run.attempts == [alone]  # outcomes, times, ticks, final world: the same numbers
    assert alone.success and alone.final_world.objects["red_cup"].location == "table"
    assert run.sim_time_s == alone.sim_time_s
    assert [r.backend for r in run.plan_results] == ["given-plan"]


class GatedPlanner(ScriptedPlanner):
    """A planner that does not answer until ``gate`` opens."""

    def __init__(self, *plans: Plan) -> None:
        super().__init__(*plans)
        self.gate = threading.Event()

    def plan(
        self,
        command: str,
        state: RobotState | None = None,
        world: World | None = None,
        *,
        feedback: ExecutionFeedback | None = None,
    ) -> PlanResult:
        assert self.gate.wait(10.0)
        return super().plan(command, state, world, feedback=feedback)


def test_simulated_time_stands_still_while_the_planner_thinks(runners: list[MissionRunner]) -> None:
    planner = GatedPlanner(KITCHEN)
    runner = runner_for(runners, planner)
    seen_planning: list[float] = []

    def on_tick(mission: Mission) -> None:
        if mission.status.state is MissionState.PLANNING:
            seen_planning.append(runner.robot.now())
            planner.gate.set()  # the planner answers only after a tick has gone by without a plan

    run = runner.run(KITCHEN_COMMAND, on_tick=on_tick)
    assert run.success and seen_planning == [0.0]
    assert [e.time_s for e in run.events[:2]] == [0.0, 0.0]  # planning, then executing at once
    assert run.attempts[0].outcomes[0].started_at == 0.0
    world = default_world()
    alone = execute_plan(KITCHEN, robot=SimulatedRobot(world), world=world, limits=SafetyLimits())
    assert run.attempts == [alone]


def test_a_failed_action_is_replanned_from_the_belief_where_the_robot_stopped(
    runners: list[MissionRunner],
) -> None:
    robot = SimulatedRobot(default_world())
    robot.move_object("red_cup", Vec3(x=5.3, y=1.2, z=0.8))  # the world file (the belief) says kitchen
    planner = ScriptedPlanner(KITCHEN, LOOK_AT_THE_TABLE)
    run = runner_for(runners, planner, robot=robot).run(KITCHEN_COMMAND)

    assert run.success, run.status.reason
    assert [e.state for e in run.events] == [
        MissionState.PLANNING,
        MissionState.EXECUTING,
        MissionState.REPLANNING,
        MissionState.EXECUTING,
        MissionState.SUCCEEDED,
    ]
    first, second = run.attempts
    reason = "no cup seen within 1.5 m of (3.00, 2.00)"
    assert (first.success, first.failed_action_index, first.failure) == (False, 1, reason)
    assert [o.status for o in first.outcomes[:3]] == [
        ActionStatus.SUCCEEDED,
        ActionStatus.FAILED,
        ActionStatus.NOT_RUN,
    ]
    assert (
        second.success
        and second.plan == LOOK_AT_THE_TABLE
        and second.spoken == ["The red cup is on the table"]
    )

    replan = planner.calls[1]
    assert replan.feedback is not None
    assert (replan.feedback.failed_action_index, replan.feedback.reason, replan.feedback.attempt) == (
        1,
        reason,
        1,
    )
    assert replan.state is not None and (round(replan.state.pose.x), round(replan.state.pose.y)) == (3, 2)
    assert replan.world is not None
    believed = replan.world.objects["red_cup"].position
    assert believed == default_world().objects["red_cup"].position  # the belief: never seen elsewhere
    assert robot.world_state().objects["red_cup"].position == Vec3(x=5.3, y=1.2, z=0.8)  # the ground truth
    # the second plan starts where and when the first stopped: re-planning took no simulated time
    assert second.outcomes[0].started_at == first.outcomes[1].ended_at
    assert len(run.plan_results) == 2 and run.sim_time_s == pytest.approx(
        first.sim_time_s + second.sim_time_s
    )


def test_out_of_replans_the_command_fails_after_each_plan_ran_once(runners: list[MissionRunner]) -> None:
    robot = SimulatedRobot(default_world())
    robot.move_object("red_cup", Vec3(x=0.0, y=5.0, z=0.8))
    planner = ScriptedPlanner(KITCHEN)
    run = runner_for(runners, planner, robot=robot, max_replans=1).run(KITCHEN_COMMAND)
    assert run.status.state is MissionState.FAILED and run.status.reason.endswith(
        "(gave up after 2 attempts)"
    )
    assert len(run.attempts) == len(planner.calls) == 2
    assert all(a.failed_action_index == 1 for a in run.attempts)


def test_the_time_limit_cancels_the_running_action_and_the_next_command_still_runs(
    runners: list[MissionRunner],
) -> None:
    runner = runner_for(runners, GivenPlanPlanner(KITCHEN, limits=SafetyLimits()))
    cut = runner.run(KITCHEN_COMMAND, max_sim_time_s=3.0)
    assert cut.status.state is MissionState.FAILED
    assert cut.status.reason == "stopped after 3 s of simulated time (max_sim_time_s)"
    (attempt,) = cut.attempts
    assert attempt.failure == cut.status.reason and attempt.sim_time_s == pytest.approx(3.0)
    assert attempt.outcomes[0].status is ActionStatus.CANCELLED
    pose = runner.robot.state().pose
    runner.robot.step(1.0)
    assert runner.robot.state().pose == pose  # the drive goal was cancelled

    again = runner.run(KITCHEN_COMMAND)  # the e-stop used to stop the first one is released
    assert again.success, again.status.reason
    assert again.attempts[0].outcomes[0].started_at == pytest.approx(4.0)


class CrashingGripper(SimulatedRobot):
    def send_goal(self, goal: Goal) -> int:
        if isinstance(goal, GraspGoal):
            raise RuntimeError("gripper driver crashed")
        return super().send_goal(goal)


def test_a_tick_that_raises_ends_the_command_with_the_error_and_closes_the_runner(
    runners: list[MissionRunner],
) -> None:
    runner = runner_for(runners, ScriptedPlanner(KITCHEN), robot=CrashingGripper(default_world()))
    run = runner.run(KITCHEN_COMMAND)
    reason = "the executor raised RuntimeError: gripper driver crashed"
    assert (run.status.state, run.status.reason) == (MissionState.FAILED, reason)
    (attempt,) = run.attempts
    assert attempt.failure == reason and attempt.succeeded_count() == 2
    with pytest.raises(RuntimeError, match="closed"):
        runner.run("again")


def test_a_rejected_plan_never_moves_the_robot(runners: list[MissionRunner]) -> None:
    too_far = Plan.model_validate({"actions": [action("move", x=50.0, y=0.0, z=0.0)]})
    runner = runner_for(runners, GivenPlanPlanner(too_far, limits=SafetyLimits()))
    run = runner.run("walk 50 m")
    assert run.status.state is MissionState.REJECTED and "move.distance" in run.status.reason
    assert run.attempts == [] and run.last is None and run.sim_time_s == 0.0
    assert not run.plan_results[0].success
    assert runner.robot.state().pose == default_world().robot.pose


class ExpandingPlanner(ScriptedPlanner):
    """A planner that can also expand goals without a model (as ``LLMActionPlanner.expand``)."""

    def __init__(self, *plans: Plan) -> None:
        super().__init__(*plans)
        self.expanded: list[object] = []

    def expand(self, goals: object, *args: object, **kwargs: object) -> PlanResult:
        self.expanded.append(goals)
        return PlanResult(success=False, command=str(kwargs.get("command", "")))


def _mission_planner(runner: MissionRunner) -> CommandPlanner:
    node = next(n for n in runner.mission.root.iterate() if isinstance(n, PlanCommand))
    return node.planner


def test_the_mission_sees_the_planners_own_capabilities_through_the_recording(
    runners: list[MissionRunner],
) -> None:
    expanding = ExpandingPlanner(KITCHEN)
    expand = getattr(_mission_planner(runner_for(runners, expanding)), "expand", None)
    assert callable(expand)
    result = expand("goals", command="c")
    assert expanding.expanded == ["goals"] and result.command == "c"
    runners.pop().close()
    assert not hasattr(_mission_planner(runner_for(runners, ScriptedPlanner(KITCHEN))), "expand")


def test_closing_releases_the_trees_blackboard_clients(runners: list[MissionRunner]) -> None:
    before = set(py_trees.blackboard.Blackboard.clients)
    with MissionRunner(
        planner=GivenPlanPlanner(KITCHEN, limits=SafetyLimits()),
        robot=SimulatedRobot(default_world()),
        world=default_world(),
        limits=SafetyLimits(),
    ) as runner:
        assert runner.run(KITCHEN_COMMAND).success
        assert len(set(py_trees.blackboard.Blackboard.clients) - before) > 10
    left = set(py_trees.blackboard.Blackboard.clients) - before
    assert [py_trees.blackboard.Blackboard.clients[c] for c in left] == ["Mission"]  # the Mission's own
