"""The mission tree: plan off-thread, verify, execute, re-plan with context, pre-empt, e-stop, report.

LLM calls go through the real openai SDK to the scripted loopback server; the simulator is
stepped by the test, and the test waits on the planning thread instead of sleeping.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import py_trees
import pytest

from bt_planner.config import ExecutionSettings
from bt_planner.core.geometry import Vec3
from bt_planner.core.issues import Severity
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import RobotState
from bt_planner.core.world import World, default_world
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.planning.result import PlanResult
from bt_planner.plans.feedback import ExecutionFeedback
from bt_planner.plans.plan import Plan
from bt_planner.robot import GoalState
from bt_planner.sim import SimulatedRobot
from bt_planner.tree.action_outcome import ActionStatus
from bt_planner.tree.mission import Mission, MissionState, MissionStatus
from bt_planner.verification import Verifier, rules
from tests.conftest import settings_for
from tests.fake_openai_server import FakeOpenAIServer, Scripted, plan_reply
from tests.sample_plans import KITCHEN_COMMAND, action, kitchen_plan

TERMINAL = {MissionState.SUCCEEDED, MissionState.FAILED, MissionState.REJECTED, MissionState.CANCELLED}


class Rig:
    """A mission on the simulator, with every status update recorded."""

    def __init__(
        self, planner: Any, *, world: World | None = None, max_replans: int = 2, **kwargs: Any
    ) -> None:
        self.world = world or default_world()
        self.robot = SimulatedRobot(self.world)
        self.events: list[MissionStatus] = []
        self.mission = Mission(
            planner=planner,
            robot=self.robot,
            world=self.world,
            limits=SafetyLimits(),
            settings=ExecutionSettings(max_replans=max_replans),
            on_status=self.events.append,
            **kwargs,
        )

    def tick(self, *, step: bool = True) -> None:
        self.mission.tick()
        if self.mission.status.state in (MissionState.PLANNING, MissionState.REPLANNING):
            assert self.mission.wait_for_planning(10.0)
        if step:
            self.robot.step(0.1)

    def run_until(self, done: Callable[[], bool], *, limit: int = 3000) -> None:
        for _ in range(limit):
            if done():
                return
            self.tick()
        raise AssertionError(f"not done after {limit} ticks; last status {self.mission.status}")

    def run_to_end(self, command_id: int) -> MissionStatus:
        self.run_until(lambda: self.finished(command_id))
        final = self.mission.status_of(command_id)
        assert final is not None
        return final

    def finished(self, command_id: int) -> bool:
        status = self.mission.status_of(command_id)
        return status is not None and status.terminal

    def states(self, command_id: int) -> list[MissionState]:
        return [e.state for e in self.events if e.command_id == command_id]

    def assert_one_terminal_each(self) -> None:
        for command_id in {e.command_id for e in self.events}:
            terminal = [s for s in self.states(command_id) if s in TERMINAL]
            assert len(terminal) == 1, (command_id, self.states(command_id))


@pytest.fixture
def llm_planner(server: FakeOpenAIServer) -> LLMActionPlanner:
    return LLMActionPlanner(settings_for(server))


@pytest.fixture
def rigs() -> Iterator[list[Rig]]:
    made: list[Rig] = []
    yield made
    for rig in made:
        rig.mission.shutdown()


def user_prompt(request: dict[str, Any]) -> str:
    return "\n".join(m["content"] for m in request["messages"] if m["role"] == "user")


def test_kitchen_command_is_planned_executed_and_reported(
    server: FakeOpenAIServer, llm_planner: LLMActionPlanner, rigs: list[Rig]
) -> None:
    server.push(plan_reply(kitchen_plan()))
    rig = Rig(llm_planner)
    rigs.append(rig)
    command_id = rig.mission.submit(KITCHEN_COMMAND)
    final = rig.run_to_end(command_id)
    assert final.state is MissionState.SUCCEEDED and final.attempt == 1
    assert rig.states(command_id) == [MissionState.PLANNING, MissionState.EXECUTING, MissionState.SUCCEEDED]
    assert [o.status for o in final.outcomes] == [ActionStatus.SUCCEEDED] * 5
    assert final.plan == Plan.model_validate(kitchen_plan())
    assert rig.robot.world_state().objects["red_cup"].location == "table"
    assert KITCHEN_COMMAND in user_prompt(server.requests[0])
    rig.assert_one_terminal_each()


def test_cup_not_where_expected_detect_fails_and_the_replan_gets_the_context(
    server: FakeOpenAIServer, llm_planner: LLMActionPlanner, rigs: list[Rig]
) -> None:
    second = {
        "actions": [
            action("navigate", "look at the table", 5.0, location_name="table"),
            action("detect", "find the cup there", 2.0, object_type="cup", search_area="table"),
            action("speak", "report", 2.0, message="I found the red cup on the table"),
        ],
        "reasoning": "the cup was not in the kitchen",
    }
    server.push(plan_reply(kitchen_plan()), plan_reply(second))
    rig = Rig(llm_planner)
    rigs.append(rig)
    rig.robot.move_object("red_cup", Vec3(x=5.3, y=1.2, z=0.8))  # the world model still says kitchen
    command_id = rig.mission.submit(KITCHEN_COMMAND)
    final = rig.run_to_end(command_id)

    assert rig.states(command_id) == [
        MissionState.PLANNING,
        MissionState.EXECUTING,
        MissionState.REPLANNING,
        MissionState.EXECUTING,
        MissionState.SUCCEEDED,
    ]
    replanning = next(e for e in rig.events if e.state is MissionState.REPLANNING)
    assert replanning.reason == "action 1 failed: no cup seen within 1.5 m of (3.00, 2.00)"
    assert final.attempt == 2 and rig.robot.spoken == ("I found the red cup on the table",)
    assert len(server.requests) == 2
    feedback_prompt = user_prompt(server.requests[1])
    assert "Attempt 1 failed at action 1 (detect" in feedback_prompt
    assert "no cup seen within 1.5 m of (3.00, 2.00)" in feedback_prompt
    assert "Completed before it: navigate" in feedback_prompt
    rig.assert_one_terminal_each()


def _rejected_by_the_world_file(plan: dict[str, Any], state: RobotState) -> list[str | None]:
    """The errors the verifier would report if it still believed the world file."""
    issues = Verifier(SafetyLimits()).verify(Plan.model_validate(plan), state, default_world())
    return [issue.rule for issue in issues if issue.severity is Severity.ERROR]


def test_a_second_command_is_planned_against_where_the_first_put_the_cup(
    server: FakeOpenAIServer, llm_planner: LLMActionPlanner, rigs: list[Rig]
) -> None:
    back = {
        "actions": [
            action("navigate", "go to the table", 5.0, location_name="table"),
            action("detect", "find the cup there", 2.0, object_type="cup", search_area="table"),
            action("grasp", "pick up the red cup", 3.0, object_id="red_cup", object_type="cup"),
            action("navigate", "carry it to the kitchen", 5.0, location_name="kitchen"),
            action("place", "put it back", 3.0, location_name="kitchen"),
        ],
        "reasoning": "the cup is on the table now",
    }
    server.push(plan_reply(kitchen_plan()), plan_reply(back))
    rig = Rig(llm_planner)
    rigs.append(rig)
    assert rig.run_to_end(rig.mission.submit(KITCHEN_COMMAND)).state is MissionState.SUCCEEDED
    assert rig.mission.world_belief().objects["red_cup"].location == "table"
    assert "red_cup=red cup at (3.2,2.1,0.8) near kitchen" in user_prompt(server.requests[0])

    second = rig.mission.submit("Bring the cup back to the kitchen")
    final = rig.run_to_end(second)
    assert final.state is MissionState.SUCCEEDED, final.reason
    assert rig.states(second) == [MissionState.PLANNING, MissionState.EXECUTING, MissionState.SUCCEEDED]
    prompt = user_prompt(server.requests[1])
    assert "red_cup=red cup at table 0.3kg" in prompt and "near kitchen" not in prompt
    assert rig.robot.world_state().objects["red_cup"].location == "kitchen"
    belief = rig.mission.world_belief()
    assert belief.objects["red_cup"].location == "kitchen" and belief.robot.holding is None
    # the same plan checked against the world file is rejected: it still has the cup in the kitchen
    assert rules.GRASP_OUT_OF_REACH in _rejected_by_the_world_file(back, rig.robot.state())
    rig.assert_one_terminal_each()


def test_a_detect_that_sees_the_moved_cup_updates_the_belief_for_the_replan(
    server: FakeOpenAIServer, llm_planner: LLMActionPlanner, rigs: list[Rig]
) -> None:
    first = {
        "actions": [
            action("navigate", "go to the kitchen", 8.0, location_name="kitchen"),
            action("detect", "look around for the cup", 2.0, object_type="cup"),
            action("grasp", "pick up the red cup", 3.0, object_id="red_cup", object_type="cup"),
        ],
        "reasoning": "the world file has the cup in the kitchen",
    }
    second = {
        "actions": [
            action("navigate", "go to the table", 5.0, location_name="table"),
            action("grasp", "pick up the red cup", 3.0, object_id="red_cup", object_type="cup"),
        ],
        "reasoning": "the cup was seen at the table",
    }
    server.push(plan_reply(first), plan_reply(second))
    rig = Rig(llm_planner)
    rigs.append(rig)
    rig.robot.move_object("red_cup", Vec3(x=5.3, y=1.2, z=0.8))  # the world file still says kitchen
    command_id = rig.mission.submit("Pick up the red cup")
    final = rig.run_to_end(command_id)

    assert final.state is MissionState.SUCCEEDED and final.attempt == 2, final.reason
    replanning = next(e for e in rig.events if e.state is MissionState.REPLANNING)
    assert replanning.reason == "action 2 failed: 'red_cup' is 2.44 m away; reach is 1 m"
    assert "red_cup=red cup at (3.2,2.1,0.8) near kitchen" in user_prompt(server.requests[0])
    replan_prompt = user_prompt(server.requests[1])
    assert "red_cup=red cup at (5.3,1.2,0.8) near table" in replan_prompt
    assert "Attempt 1 failed at action 2 (grasp" in replan_prompt
    assert rig.robot.state().holding == "red_cup"
    belief = rig.mission.world_belief()
    assert belief.robot.holding == "red_cup"
    held = belief.objects["red_cup"].position
    pose = rig.robot.state().pose
    assert held is not None and (held.x, held.y, held.z) == (pose.x, pose.y, 0.8)
    assert rules.GRASP_OUT_OF_REACH in _rejected_by_the_world_file(second, rig.world.robot)
    rig.assert_one_terminal_each()


def test_out_of_replans_the_command_fails_with_the_last_reason(
    server: FakeOpenAIServer, llm_planner: LLMActionPlanner, rigs: list[Rig]
) -> None:
    server.push(plan_reply(kitchen_plan()), plan_reply(kitchen_plan()))
    rig = Rig(llm_planner, max_replans=1)
    rigs.append(rig)
    rig.robot.move_object("red_cup", Vec3(x=0.0, y=5.0, z=0.8))
    final = rig.run_to_end(rig.mission.submit(KITCHEN_COMMAND))
    assert final.state is MissionState.FAILED
    assert final.reason.endswith("(gave up after 2 attempts)") and "no cup seen" in final.reason
    assert final.failed_action_index == 1 and final.outcomes[1].status is ActionStatus.FAILED
    assert len(server.requests) == 2
    rig.assert_one_terminal_each()


def test_unplannable_command_is_rejected_and_the_robot_never_moves(
    server: FakeOpenAIServer, llm_planner: LLMActionPlanner, rigs: list[Rig]
) -> None:
    server.push(Scripted(content="I cannot do that"), Scripted(content="still not JSON"))
    rig = Rig(llm_planner)
    rigs.append(rig)
    final = rig.run_to_end(rig.mission.submit("do a backflip"))
    assert final.state is MissionState.REJECTED and final.reason
    assert rig.states(final.command_id) == [MissionState.PLANNING, MissionState.REJECTED]
    assert rig.robot.state().pose == default_world().robot.pose


def test_new_command_preempts_the_running_one_and_the_robot_stops(
    server: FakeOpenAIServer, llm_planner: LLMActionPlanner, rigs: list[Rig]
) -> None:
    hello = {"actions": [action("speak", "greet", 2.0, message="Hello")]}
    server.push(plan_reply(kitchen_plan()), plan_reply(hello))
    rig = Rig(llm_planner)
    rigs.append(rig)
    first = rig.mission.submit(KITCHEN_COMMAND)
    rig.run_until(rig.robot.is_moving)
    running = rig.mission.current_plan()
    assert running is not None
    navigate = running.leaves[0]
    calls: list[py_trees.common.Status] = []
    original = navigate.terminate
    navigate.terminate = lambda new_status: (calls.append(new_status), original(new_status))[1]  # type: ignore[method-assign]

    second = rig.mission.submit("say hello")
    rig.tick(step=False)
    assert calls == [py_trees.common.Status.INVALID]
    assert rig.mission.status_of(first).state is MissionState.CANCELLED  # type: ignore[union-attr]
    assert rig.mission.status_of(first).reason == "pre-empted by command 2: 'say hello'"  # type: ignore[union-attr]
    assert navigate.outcome.status is ActionStatus.CANCELLED
    assert rig.robot.goal_status().state is GoalState.CANCELLED
    pose = rig.robot.state().pose
    rig.robot.step(0.5)
    assert rig.robot.state().pose == pose

    final = rig.run_to_end(second)
    assert final.state is MissionState.SUCCEEDED and rig.robot.spoken == ("Hello",)
    rig.assert_one_terminal_each()


def test_estop_halts_at_once_cancels_the_command_and_rejects_new_ones(
    server: FakeOpenAIServer, llm_planner: LLMActionPlanner, rigs: list[Rig]
) -> None:
    hello = {"actions": [action("speak", "greet", 2.0, message="Back again")]}
    server.push(plan_reply(kitchen_plan()), plan_reply(hello))
    rig = Rig(llm_planner)
    rigs.append(rig)
    first = rig.mission.submit(KITCHEN_COMMAND)
    rig.run_until(rig.robot.is_moving)

    rig.mission.estop(True)
    assert rig.robot.goal_status().state is GoalState.CANCELLED  # before any tick
    rig.tick()
    status = rig.mission.status_of(first)
    assert status is not None and status.state is MissionState.CANCELLED and status.reason == "emergency stop"
    pose = rig.robot.state().pose
    for _ in range(20):
        rig.tick()
    assert rig.robot.state().pose == pose

    refused = rig.mission.submit("do it anyway")
    rig.tick()
    assert rig.mission.status_of(refused).state is MissionState.REJECTED  # type: ignore[union-attr]

    rig.mission.estop(False)
    rig.tick()
    assert rig.robot.state().pose == pose  # releasing does not resume the cancelled command
    final = rig.run_to_end(rig.mission.submit("say you are back"))
    assert final.state is MissionState.SUCCEEDED and rig.robot.spoken == ("Back again",)
    rig.assert_one_terminal_each()


class GatedPlanner:
    """A planner-like object that blocks until the test opens the gate; records its calls."""

    def __init__(self, plan: Plan) -> None:
        self.gate = threading.Event()
        self.plan_to_return = plan
        self.calls: list[tuple[str, ExecutionFeedback | None]] = []

    def plan(
        self,
        command: str,
        state: RobotState | None = None,
        world: World | None = None,
        *,
        feedback: ExecutionFeedback | None = None,
    ) -> PlanResult:
        self.calls.append((command, feedback))
        assert self.gate.wait(10.0)
        return PlanResult(success=True, command=command, plan=self.plan_to_return)


def test_planning_does_not_block_ticks(rigs: list[Rig]) -> None:
    planner = GatedPlanner(Plan.model_validate({"actions": [action("speak", message="ready")]}))
    rig = Rig(planner)
    rigs.append(rig)
    command_id = rig.mission.submit("get ready")
    for _ in range(5):
        rig.mission.tick()  # returns although the planner is blocked
        rig.robot.step(0.1)
    assert rig.mission.status.state is MissionState.PLANNING
    assert rig.mission.root.status == py_trees.common.Status.RUNNING
    planner.gate.set()
    assert rig.mission.wait_for_planning(10.0)
    rig.mission.tick()
    assert rig.mission.status.state is MissionState.EXECUTING
    assert rig.run_to_end(command_id).state is MissionState.SUCCEEDED


def test_abort_fails_the_running_command_stops_the_robot_and_takes_the_next_one(
    server: FakeOpenAIServer, llm_planner: LLMActionPlanner, rigs: list[Rig]
) -> None:
    hello = {"actions": [action("speak", "greet", 2.0, message="Back again")]}
    server.push(plan_reply(kitchen_plan()), plan_reply(hello))
    rig = Rig(llm_planner)
    rigs.append(rig)
    rig.mission.abort("nothing runs yet")  # no active command: nothing to end
    rig.tick()
    first = rig.mission.submit(KITCHEN_COMMAND)
    rig.run_until(rig.robot.is_moving)
    rig.mission.abort("node bt_planner_sim died (exit code -9)")
    rig.tick()
    status = rig.mission.status_of(first)
    assert status is not None and status.state is MissionState.FAILED
    assert status.reason == "node bt_planner_sim died (exit code -9)"
    assert rig.robot.goal_status().state is GoalState.CANCELLED
    second = rig.mission.submit("say hello")
    final = rig.run_to_end(second)
    assert final.state is MissionState.SUCCEEDED and rig.robot.spoken == ("Back again",)
    rig.assert_one_terminal_each()


def test_a_command_preempted_while_planning_is_cancelled_and_its_plan_ignored(rigs: list[Rig]) -> None:
    planner = GatedPlanner(Plan.model_validate({"actions": [action("speak", message="second")]}))
    rig = Rig(planner)
    rigs.append(rig)
    first = rig.mission.submit("first")
    rig.mission.tick()
    assert rig.mission.status.state is MissionState.PLANNING
    second = rig.mission.submit("second")
    rig.mission.tick()
    assert rig.mission.status_of(first).state is MissionState.CANCELLED  # type: ignore[union-attr]
    planner.gate.set()
    final = rig.run_to_end(second)
    assert final.state is MissionState.SUCCEEDED and rig.robot.spoken == ("second",)
    assert sorted(c for c, _ in planner.calls) == ["first", "second"]
    rig.assert_one_terminal_each()


def test_commands_queued_between_ticks_keep_only_the_newest(rigs: list[Rig]) -> None:
    planner = GatedPlanner(Plan.model_validate({"actions": [action("speak", message="done")]}))
    planner.gate.set()
    rig = Rig(planner)
    rigs.append(rig)
    first, second = rig.mission.submit("one"), rig.mission.submit("two")
    final = rig.run_to_end(second)
    assert final.state is MissionState.SUCCEEDED
    assert rig.mission.status_of(first).state is MissionState.CANCELLED  # type: ignore[union-attr]
    assert [c for c, _ in planner.calls] == ["two"]
    rig.assert_one_terminal_each()
    clients = len(py_trees.blackboard.Blackboard.clients)
    for command in ("three", "four"):  # each new plan releases the previous plan's clients
        rig.run_to_end(rig.mission.submit(command))
    assert len(py_trees.blackboard.Blackboard.clients) == clients


def test_a_planner_that_raises_still_ends_the_command(rigs: list[Rig]) -> None:
    class Broken:
        def plan(
            self, command: str, state: Any = None, world: Any = None, *, feedback: Any = None
        ) -> PlanResult:
            raise RuntimeError("model exploded")

    rig = Rig(Broken())
    rigs.append(rig)
    final = rig.run_to_end(rig.mission.submit("anything"))
    assert final.state is MissionState.REJECTED
    assert final.reason == "the planner raised RuntimeError: model exploded"


def test_the_mission_tree_comes_from_the_tree_definition(tmp_path: Path, rigs: list[Rig]) -> None:
    planner = GatedPlanner(Plan.model_validate({"actions": [action("speak", message="x")]}))
    rig = Rig(planner)
    rigs.append(rig)
    assert rig.mission.tree_file.name == "mission.xml"
    names = [node.name for node in rig.mission.root.iterate()]
    for expected in ("Mission", "E-stop", "New command pre-empts", "Wait for command", "Plan", "Execute"):
        assert expected in names
    text = py_trees.display.unicode_tree(rig.mission.root)
    assert "Re-plan on failure" in text

    custom = tmp_path / "mission.xml"
    custom.write_text(rig.mission.tree_file.read_text().replace('name="E-stop"', 'name="Big red button"'))
    other = Rig(planner, tree_file=custom)
    rigs.append(other)
    assert "Big red button" in [node.name for node in other.mission.root.iterate()]


def test_cancel_ends_the_running_command_with_the_reason_and_the_next_one_runs(rigs: list[Rig]) -> None:
    from bt_planner.backends.testing import ScriptedBackend
    from bt_planner.config import Settings

    speak = {"actions": [action("speak", "greet", 1.0, message="hello")]}
    planner = LLMActionPlanner(Settings(), backend=ScriptedBackend([kitchen_plan(), speak]))
    rig = Rig(planner)
    rigs.append(rig)
    first = rig.mission.submit(KITCHEN_COMMAND)
    rig.run_until(lambda: rig.mission.status.state is MissionState.EXECUTING)
    rig.tick()
    assert rig.robot.goal_status().state is GoalState.RUNNING
    rig.mission.cancel("the operator stopped it")
    rig.tick(step=False)
    final = rig.mission.status_of(first)
    assert final is not None and final.state is MissionState.CANCELLED
    assert final.reason == "the operator stopped it"
    assert rig.robot.goal_status().state is GoalState.CANCELLED
    second = rig.mission.submit("say hello")
    assert rig.run_to_end(second).state is MissionState.SUCCEEDED
    assert rig.robot.spoken == ("hello",)
    rig.assert_one_terminal_each()
