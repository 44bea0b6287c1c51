"""``PlanCommand`` with a planner that has ``submit``: a pre-empted planning call is really cancelled.

The model is the loopback fake server through the real ``openai`` client; the first command's request
is never answered, so only a real cancellation lets the next command plan.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.tree.mission import MissionState
from bt_planner.tree.mission.request_plan import PlanSubmitter
from tests.conftest import settings_for
from tests.fake_openai_server import FakeOpenAIServer, Scripted, plan_reply
from tests.sample_plans import action
from tests.tree.mission.test_mission import Rig


@pytest.fixture
def rig(server: FakeOpenAIServer) -> Iterator[Rig]:
    made = Rig(LLMActionPlanner(settings_for(server, timeout=60.0)))
    yield made
    made.mission.shutdown()


def test_the_llm_planner_is_planned_through_its_cancellable_submit(server: FakeOpenAIServer) -> None:
    assert isinstance(LLMActionPlanner(settings_for(server)), PlanSubmitter)


def test_a_command_preempted_while_its_request_hangs_is_cancelled_and_the_next_plans_at_once(
    server: FakeOpenAIServer, rig: Rig
) -> None:
    server.push(Scripted(never_answer=True), plan_reply({"actions": [action("speak", message="second")]}))
    first = rig.mission.submit("go to the kitchen")
    rig.mission.tick()
    assert server.wait_for_requests(1, timeout_s=10.0)
    assert rig.mission.status.state is MissionState.PLANNING

    second = rig.mission.submit("say second")
    sent = time.monotonic()
    rig.mission.tick()  # pre-empts the first command
    assert rig.mission.status_of(first).state is MissionState.CANCELLED  # type: ignore[union-attr]
    rig.mission.tick()  # starts planning the second
    assert rig.mission.status.command_id == second
    assert server.wait_for_requests(2, timeout_s=5.0), "the second command never reached the model"
    assert server.request_times[1] - sent < 0.5
    assert server.wait_for_hang_ups(1, timeout_s=5.0), "the pre-empted request was not cancelled"

    final = rig.run_to_end(second)
    assert final.state is MissionState.SUCCEEDED and rig.robot.spoken == ("second",)
    assert len(server.requests) == 2
    rig.assert_one_terminal_each()


def test_a_cancelled_command_cancels_its_hanging_request(server: FakeOpenAIServer, rig: Rig) -> None:
    server.push(Scripted(never_answer=True))
    first = rig.mission.submit("go to the kitchen")
    rig.mission.tick()
    assert server.wait_for_requests(1, timeout_s=10.0)
    rig.mission.cancel("operator")
    rig.mission.tick()
    assert rig.mission.status_of(first).state is MissionState.CANCELLED  # type: ignore[union-attr]
    assert server.wait_for_hang_ups(1, timeout_s=5.0)
    assert rig.mission.wait_for_planning(1.0)
