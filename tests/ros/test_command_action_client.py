"""``bt-planner send`` (``CommandActionClient``) as a subprocess against a real simulator + planner pair.

One node pair serves the module (``module_ros``). Output is read line by line with bounded waits; every
``bt-planner send`` process is stopped by PID at the end of its test.
"""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("rclpy")
pytest.importorskip("bt_planner_msgs")

from bt_planner.ros import topics
from bt_planner.ros.launch_description import NodeSpec
from bt_planner.ros.node_parameters import PlannerNodeParameters, SimNodeParameters
from tests.fake_openai_server import plan_reply
from tests.sample_plans import KITCHEN_COMMAND, action, kitchen_plan

pytestmark = pytest.mark.ros

BT_PLANNER = str(Path(sys.executable).with_name("bt-planner"))


class Send:
    """One ``bt-planner send`` process; its stdout lines arrive on a queue (a reader thread)."""

    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.process = subprocess.Popen(
            [BT_PLANNER, "send", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def next_json(self, timeout_s: float) -> dict[str, Any]:
        line = self.lines.get(timeout=timeout_s)
        self.seen.append(line)
        return json.loads(line)

    def wait_for(self, predicate: Any, timeout_s: float) -> dict[str, Any]:
        while True:
            try:
                item = self.next_json(timeout_s)
            except queue.Empty:
                raise AssertionError(
                    f"no matching line within {timeout_s:g} s; saw {self.seen[-5:]}"
                ) from None
            if predicate(item):
                return item

    def finish(self, timeout_s: float) -> tuple[int, list[dict[str, Any]]]:
        code = self.process.wait(timeout=timeout_s)
        rest: list[dict[str, Any]] = []
        while True:
            try:
                rest.append(self.next_json(1.0))
            except queue.Empty:
                break
        return code, rest

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5.0)


@pytest.fixture(scope="module")
def ros(module_ros):
    sim = SimNodeParameters(time_scale=10.0, state_rate_hz=20.0)
    planner = PlannerNodeParameters(tick_period_s=0.05)
    module_ros.probe.listen(topics.TREE_SNAPSHOT)
    module_ros.start(
        NodeSpec(
            name="sim",
            executable="bt-planner-sim",
            module="bt_planner.ros.sim_node",
            parameters=sim.model_dump(exclude_unset=True),
        )
    )
    module_ros.start(NodeSpec(name="planner", executable="bt-planner-node", module="bt_planner.ros.planner_node",
                              parameters=planner.model_dump(exclude_unset=True)))  # fmt: skip
    module_ros.probe.wait_for(topics.TREE_SNAPSHOT, timeout_s=20, what="the planner's first snapshot")
    return module_ros


@pytest.fixture
def send(ros) -> Iterator[Any]:
    started: list[Send] = []

    def start(*args: str) -> Send:
        started.append(Send(ros.env, *args))
        return started[-1]

    yield start
    for process in started:
        process.stop()


def test_send_runs_the_seed_command_and_exits_0_with_the_result(ros, send):
    ros.server.push(plan_reply(kitchen_plan()))
    code, lines = send(KITCHEN_COMMAND, "--json").finish(timeout_s=60.0)
    assert code == 0, lines[-1:]
    feedback = [line["feedback"] for line in lines if "feedback" in line]
    assert {f["action_index"] for f in feedback if f["action_index"] >= 0} == set(range(5))
    final = lines[-1]
    assert final["success"] is True
    assert final["result"]["goal_status"] == "SUCCEEDED" and final["result"]["outcome"] == "SUCCEEDED"
    assert [a["action_type"] for a in final["result"]["executed_plan"]["actions"]] == [
        "navigate", "detect", "grasp", "navigate", "place",
    ]  # fmt: skip


def test_sigint_mid_action_cancels_the_goal_and_exits_1_with_canceled(ros, send):
    ros.server.push(
        plan_reply({"actions": [action("wait", "wait", 60.0, duration_seconds=60)], "reasoning": "r"})
    )
    process = send("wait a minute", "--json")
    process.wait_for(lambda item: item.get("feedback", {}).get("action_index") == 0, timeout_s=30.0)
    process.process.send_signal(signal.SIGINT)
    code, lines = process.finish(timeout_s=15.0)
    assert code == 1, lines
    result = lines[-1]["result"]
    assert (result["goal_status"], result["outcome"], result["error_code"]) == (
        "CANCELED", "CANCELLED", "CANCEL_REQUESTED",
    )  # fmt: skip


def test_send_to_a_robot_nobody_serves_exits_2_with_a_json_error(ros, send):
    code, lines = send("say hi", "--robot", "robot9", "--server-timeout", "0.5", "--json").finish(
        timeout_s=30.0
    )
    assert code == 2
    assert lines[-1]["success"] is False and "/robot9/execute_command" in lines[-1]["error"]["message"]


def test_send_with_a_bad_robot_name_is_a_usage_error(send):
    code, lines = send("say hi", "--robot", "9 bad", "--json").finish(timeout_s=30.0)
    assert code == 2 and "robot name" in lines[-1]["error"]["message"]
