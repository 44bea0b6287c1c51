"""The planner node and the simulator node in real processes, talking over DDS on loopback.

The LLM is the scripted server in this process (``OPENAI_BASE_URL``). The simulator runs ten times faster
than real time, so the seed's kitchen / red-cup mission takes about two seconds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

pytest.importorskip("rclpy")

from std_msgs.msg import Bool, String

from bt_planner.core.world import World
from bt_planner.plans.plan import Plan
from bt_planner.ros import topics
from bt_planner.ros.launch_description import NodeSpec
from bt_planner.ros.node_parameters import PlannerNodeParameters, SimNodeParameters
from bt_planner.ros.payloads import FeedbackMessage, PlannerStatus, StatusMessage
from bt_planner.ros.processes import ChildProcess
from bt_planner.snapshot.codec import from_json
from tests.fake_openai_server import FakeOpenAIServer, plan_reply
from tests.sample_plans import KITCHEN_COMMAND, action, kitchen_plan

pytestmark = pytest.mark.ros

S = PlannerStatus
TIME_SCALE = 10.0


def long_plan() -> dict:
    """A short walk, then a minute of waiting: still running whenever the test acts."""
    return {
        "actions": [
            action("move", "step back", 6.0, x=-3.0, y=0.0),
            action("wait", "wait", 60.0, duration_seconds=60),
        ],
        "reasoning": "walk, then wait",
    }


def sim_spec(**parameters) -> NodeSpec:
    params = SimNodeParameters(time_scale=TIME_SCALE, state_rate_hz=20.0, **parameters)
    return NodeSpec(
        name="sim", executable="bt-planner-sim", module="bt_planner.ros.sim_node",
        parameters=params.model_dump(exclude_unset=True),
    )  # fmt: skip


def planner_spec(**parameters) -> NodeSpec:
    params = PlannerNodeParameters(tick_period_s=0.05, snapshot_period_s=0.5, **parameters)
    return NodeSpec(
        name="planner", executable="bt-planner-node", module="bt_planner.ros.planner_node",
        parameters=params.model_dump(exclude_unset=True),
    )  # fmt: skip


@dataclass
class Stack:
    probe: object
    server: FakeOpenAIServer
    sim: ChildProcess
    planner: ChildProcess

    def command(self, text: str) -> None:
        self.probe.publish(topics.ROBOT_COMMAND, String(data=text))

    def statuses(self, command: str | None = None) -> list[StatusMessage]:
        found = self.probe.payloads(topics.PLANNER_STATUS, StatusMessage)
        return [s for s in found if command is None or s.command == command]

    def wait_status(self, command: str, status: PlannerStatus, timeout_s: float = 15.0) -> StatusMessage:
        return self.probe.wait_for_payload(
            topics.PLANNER_STATUS, StatusMessage, lambda s: s.command == command and s.status is status,
            timeout_s=timeout_s, what=f"{status.value} for {command!r}",
        )  # fmt: skip

    def wait_terminal(self, command: str, timeout_s: float = 20.0) -> StatusMessage:
        return self.probe.wait_for_payload(
            topics.PLANNER_STATUS, StatusMessage, lambda s: s.command == command and s.status.terminal,
            timeout_s=timeout_s, what=f"a terminal status for {command!r}",
        )  # fmt: skip


@pytest.fixture
def stack(start_node, probe, server):
    def start(*, sim: NodeSpec | None = None, planner: NodeSpec | None = None) -> Stack:
        probe.listen(
            topics.PLANNER_STATUS, topics.PLANNED_ACTIONS, topics.PLANNER_FEEDBACK, topics.TREE_SNAPSHOT,
            topics.WORLD_STATE,
        )  # fmt: skip
        sim_process = start_node(sim or sim_spec())
        planner_process = start_node(planner or planner_spec())
        probe.wait_for(topics.WORLD_STATE, timeout_s=20, what="the simulator's first world state")
        probe.wait_for(topics.TREE_SNAPSHOT, timeout_s=20, what="the planner's first tree snapshot")
        return Stack(probe=probe, server=server, sim=sim_process, planner=planner_process)

    return start


def test_seed_command_is_planned_executed_and_the_cup_ends_on_the_table(stack):
    run = stack()
    run.server.push(plan_reply(kitchen_plan()))
    run.command(KITCHEN_COMMAND)

    final = run.wait_terminal(KITCHEN_COMMAND)
    assert final.status is S.SUCCEEDED, final.details
    assert [s.status for s in run.statuses(KITCHEN_COMMAND)] == [
        S.RECEIVED_COMMAND, S.PLANNING_STARTED, S.PLANNING_SUCCESS, S.EXECUTING, S.SUCCEEDED,
    ]  # fmt: skip
    published = run.probe.wait_for(topics.PLANNED_ACTIONS, what="the plan")
    assert Plan.model_validate_json(published.data).to_wire() == Plan.model_validate(kitchen_plan()).to_wire()

    world = run.probe.wait_for_payload(
        topics.WORLD_STATE,
        World,
        lambda w: w.objects["red_cup"].location == "table",
        what="the cup on the table",
    )
    cup, table = world.object_position("red_cup"), world.locations["table"].position
    assert cup.planar_distance(table) < 1.0 and cup.z > 0.5
    assert world.robot.holding is None

    feedback = run.probe.payloads(topics.PLANNER_FEEDBACK, FeedbackMessage)
    assert {f.action_index for f in feedback if f.action_index is not None} == {0, 1, 2, 3, 4}
    assert all(f.action_count == 5 for f in feedback if f.action_index is not None)
    snapshot = from_json(run.probe.wait_for(topics.TREE_SNAPSHOT, lambda m: '"SUCCEEDED"' in m.data).data)
    assert snapshot.mission is not None and snapshot.mission.command == KITCHEN_COMMAND
    assert snapshot.node_by_name("Robot topics → blackboard").status.value == "SUCCESS"
    assert len(run.server.requests) == 1


def test_planning_failure_is_reported_and_the_node_keeps_serving(stack):
    run = stack()
    bad = {"actions": [action("navigate", "go", 5.0, location_name="garage")], "reasoning": "no such place"}
    run.server.push(plan_reply(bad))
    run.command("go to the garage")
    final = run.wait_terminal("go to the garage")
    assert final.status is S.PLANNING_FAILED
    assert "garage" in final.details
    assert [s.status for s in run.statuses("go to the garage")] == [
        S.RECEIVED_COMMAND, S.PLANNING_STARTED, S.PLANNING_FAILED,
    ]  # fmt: skip
    assert run.probe.messages(topics.PLANNED_ACTIONS) == []

    run.server.push(
        plan_reply({"actions": [action("speak", "hi", 1.0, message="hello")], "reasoning": "greet"})
    )
    run.command("say hello")
    assert run.wait_terminal("say hello").status is S.SUCCEEDED


def test_second_command_preempts_the_first(stack):
    run = stack()
    run.server.push(plan_reply(long_plan()), plan_reply(kitchen_plan()))
    run.command("walk back and wait")
    run.wait_status("walk back and wait", S.EXECUTING)

    run.command(KITCHEN_COMMAND)
    first = run.wait_terminal("walk back and wait")
    assert first.status is S.CANCELLED, first.details
    second = run.wait_terminal(KITCHEN_COMMAND, timeout_s=30)
    assert second.status is S.SUCCEEDED, second.details
    order = [
        (s.command, s.status) for s in run.statuses() if s.status.terminal or s.status is S.RECEIVED_COMMAND
    ]
    assert order.index(("walk back and wait", S.CANCELLED)) < order.index((KITCHEN_COMMAND, S.SUCCEEDED))
    run.probe.wait_for_payload(topics.WORLD_STATE, World, lambda w: w.objects["red_cup"].location == "table")


def test_robot_killed_mid_action_fails_the_action_within_the_stale_timeout(stack):
    timeout_s = 1.0
    run = stack(planner=planner_spec(state_timeout_s=timeout_s, max_replans=0))
    run.server.push(plan_reply(long_plan()))
    run.command("walk back and wait")
    run.wait_status("walk back and wait", S.EXECUTING)

    run.sim.kill()
    killed_at = time.monotonic()
    final = run.wait_terminal("walk back and wait", timeout_s=10)
    elapsed = time.monotonic() - killed_at
    print(f"stale failure after {elapsed:.2f} s: {final.details}")
    assert final.status is S.FAILED
    assert "state" in final.details and "old" in final.details, final.details
    assert "odom" in final.details, final.details  # the node names the silent topics
    # stale after timeout_s, noticed at the next tick; generous slack for a loaded machine
    assert timeout_s * 0.5 < elapsed < timeout_s + 1.5, elapsed


def test_estop_cancels_the_running_command_and_refuses_new_ones_until_released(stack):
    run = stack()
    run.server.push(plan_reply(long_plan()))
    run.command("walk back and wait")
    run.wait_status("walk back and wait", S.EXECUTING)

    run.probe.publish(topics.ESTOP, Bool(data=True))
    cancelled = run.wait_terminal("walk back and wait")
    assert cancelled.status is S.CANCELLED and "emergency stop" in cancelled.details
    run.command("say hello")
    refused = run.wait_terminal("say hello")
    assert refused.status is S.PLANNING_FAILED and "emergency stop" in refused.details

    seen = len(run.probe.messages(topics.TREE_SNAPSHOT))
    run.probe.publish(topics.ESTOP, Bool(data=False))
    run.probe.wait_for(  # the release has been ticked before the next command arrives
        topics.TREE_SNAPSHOT,
        lambda m: from_json(m.data).node_by_name("E-stop").feedback == "e-stop released",
        start=seen,
        what="a snapshot after the e-stop release",
    )
    run.server.push(
        plan_reply({"actions": [action("speak", "hi", 1.0, message="hello")], "reasoning": "greet"})
    )
    run.command("say hello again")
    assert run.wait_terminal("say hello again").status is S.SUCCEEDED
    assert len(run.server.requests) == 2  # the refused command never reached the LLM
