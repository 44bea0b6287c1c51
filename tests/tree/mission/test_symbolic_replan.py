"""Goal mode in the mission: a failed action is re-planned from the belief by the symbolic planner,
without a model call; the model is asked again only when that cannot help."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bt_planner.backends.testing import ScriptedBackend
from bt_planner.config import ExecutionSettings, PlanningSettings, Settings
from bt_planner.core.geometry import Vec3
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import default_world
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.plans.task_goals import GoalList
from bt_planner.sim import SimulatedRobot
from bt_planner.tree.mission import Mission, MissionState, MissionStatus

DELIVER = GoalList.model_validate({"goals": [{"goal": "deliver", "object": "red_cup", "location": "table"}]})


class Rig:
    def __init__(self, backend: ScriptedBackend) -> None:
        self.world = default_world()
        self.robot = SimulatedRobot(self.world)
        self.events: list[MissionStatus] = []
        planner = LLMActionPlanner(Settings(planning=PlanningSettings(mode="goals")), backend=backend)
        self.mission = Mission(
            planner=planner,
            robot=self.robot,
            world=self.world,
            limits=SafetyLimits(),
            settings=ExecutionSettings(max_replans=2),
            on_status=self.events.append,
        )

    def run_to_end(self, command_id: int, *, limit: int = 5000) -> MissionStatus:
        for _ in range(limit):
            status = self.mission.status_of(command_id)
            if status is not None and status.terminal:
                return status
            self.mission.tick()
            if self.mission.status.state in (MissionState.PLANNING, MissionState.REPLANNING):
                assert self.mission.wait_for_planning(10.0)
            self.robot.step(0.1)
        raise AssertionError(f"not done after {limit} ticks: {self.mission.status}")


@pytest.fixture
def rigs() -> Iterator[list[Rig]]:
    made: list[Rig] = []
    yield made
    for rig in made:
        rig.mission.shutdown()


def test_a_grasp_out_of_reach_is_replanned_symbolically_from_what_the_detect_saw(rigs: list[Rig]) -> None:
    backend = ScriptedBackend([DELIVER])  # a second model call would fail the command
    rig = Rig(backend)
    rigs.append(rig)
    # seen from the kitchen (within 1.5 m) but out of the arm's reach there; within reach of the table
    rig.robot.move_object("red_cup", Vec3(x=4.3, y=1.6, z=0.8))
    command_id = rig.mission.submit("Bring the red cup to the table")
    final = rig.run_to_end(command_id)

    assert final.state is MissionState.SUCCEEDED, final.reason
    assert len(backend.requests) == 1
    assert final.attempt == 2
    replanning = next(e for e in rig.events if e.state is MissionState.REPLANNING)
    assert replanning.reason.startswith("action 2 failed: 'red_cup' is 1.36 m away")
    assert final.plan is not None
    assert [a.action_type.value for a in final.plan.actions] == ["navigate", "detect", "grasp", "place"]
    assert rig.robot.world_state().objects["red_cup"].location == "table"


def test_when_the_symbolic_replan_fails_the_same_goal_again_the_model_is_asked(rigs: list[Rig]) -> None:
    backend = ScriptedBackend([DELIVER, {"goals": [{"goal": "say", "text": "I cannot find the red cup"}]}])
    rig = Rig(backend)
    rigs.append(rig)
    rig.robot.move_object("red_cup", Vec3(x=0.0, y=-5.0, z=0.8))  # nowhere any detect can see it
    command_id = rig.mission.submit("Bring the red cup to the table")
    final = rig.run_to_end(command_id)

    assert final.state is MissionState.SUCCEEDED, final.reason
    assert final.attempt == 3 and len(backend.requests) == 2
    assert rig.robot.spoken == ("I cannot find the red cup",)
    replan_prompt = backend.requests[1].messages[-1].content
    assert "Attempt 2 failed at action 0 (detect" in replan_prompt  # the re-plan starts in the kitchen
