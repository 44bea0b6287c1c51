"""Hand-built kitchen / red-cup trees and worlds shared by the snapshot, viewer and watch tests.

These stand in for the compiled mission tree: a sequence of leaves named after the seed plan, each
RUNNING for a set number of ticks and touching the blackboard the way real leaves do.
"""

from __future__ import annotations

import py_trees

from bt_planner.core.geometry import Pose, Vec3
from bt_planner.core.state import GripperState, RobotState
from bt_planner.core.world import World, default_world
from bt_planner.snapshot import MissionContext
from tests.sample_plans import KITCHEN_COMMAND, kitchen_plan

STEP_NAMES = (
    "Navigate to kitchen",
    "Detect cup",
    "Grasp red_cup",
    "Navigate to table",
    "Place on table",
)


class Step(py_trees.behaviour.Behaviour):
    """RUNNING for ``ticks`` ticks with a feedback message, then SUCCESS; reads and writes the blackboard."""

    def __init__(self, name: str, *, index: int, ticks: int = 2) -> None:
        super().__init__(name)
        self.index = index
        self.ticks = ticks
        self.count = 0
        self.state = self.attach_blackboard_client(name=f"{name} client")
        self.state.register_key(key="/robot/pose", access=py_trees.common.Access.READ)
        self.state.register_key(key="/mission/action_index", access=py_trees.common.Access.WRITE)

    def initialise(self) -> None:
        self.count = 0

    def update(self) -> py_trees.common.Status:
        self.state.set("/mission/action_index", self.index)
        self.count += 1
        if self.count < self.ticks:
            self.feedback_message = f"step {self.index}: {self.count}/{self.ticks}"
            return py_trees.common.Status.RUNNING
        self.feedback_message = f"step {self.index} done"
        return py_trees.common.Status.SUCCESS


def kitchen_tree(*, ticks: int = 2) -> py_trees.trees.BehaviourTree:
    """Selector(mission sequence, report failure): the shape the compiler produces, in miniature."""
    py_trees.blackboard.Blackboard.set("/robot/pose", Pose())
    mission = py_trees.composites.Sequence("Bring red cup to table", memory=True)
    mission.add_children([Step(name, index=i, ticks=ticks) for i, name in enumerate(STEP_NAMES)])
    guard = py_trees.decorators.Inverter("Not cancelled", child=py_trees.behaviours.Failure("Cancelled?"))
    root = py_trees.composites.Selector("Mission", memory=False)
    root.add_children([py_trees.composites.Sequence("Run", memory=True, children=[guard, mission])])
    root.add_child(py_trees.behaviours.Failure("Report failure"))
    return py_trees.trees.BehaviourTree(root)


def kitchen_world(*, cup: Vec3 | None = None) -> World:
    """The packaged kitchen world plus an obstacle and a forbidden zone, cup optionally moved."""
    world = default_world()
    data = world.model_dump(mode="json")
    data["obstacles"] = {"chair": {"center": [4.0, 0.0], "radius": 0.3}}
    data["forbidden_zones"] = {
        "stairs": {"shape": "polygon", "vertices": [[0.5, 2.5], [1.5, 2.5], [1.5, 3.5], [0.5, 3.5]]},
        "pet_bed": {"shape": "circle", "center": [2.0, -1.0], "radius": 0.4},
    }
    if cup is not None:
        data["objects"]["red_cup"]["position"] = cup.model_dump()
    return World.model_validate(data)


def robot_at(x: float, y: float, yaw: float = 0.0, *, holding: str | None = None) -> RobotState:
    return RobotState(
        pose=Pose(x=x, y=y, yaw=yaw),
        battery_percent=80.0,
        gripper=GripperState.HOLDING if holding else GripperState.OPEN,
        holding=holding,
    )


def mission(status: str, *, action_index: int | None = None) -> MissionContext:
    return MissionContext(
        command=KITCHEN_COMMAND, plan=kitchen_plan(), status=status, action_index=action_index
    )
