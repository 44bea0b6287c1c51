"""Snapshots that differ per fleet robot: each robot's tree, command and pose name the robot."""

from __future__ import annotations

import py_trees

from bt_planner.snapshot import MissionContext, TreeSnapshot, capture
from tests.snapshot_trees import kitchen_world, robot_at


def robot_tree(robot: str) -> py_trees.behaviour.Behaviour:
    """``<robot> mission`` → ``<robot>: drive`` (succeeds), ``<robot>: speak`` (keeps running)."""
    return py_trees.composites.Sequence(
        f"{robot} mission",
        memory=True,
        children=[
            py_trees.behaviours.Success(f"{robot}: drive"),
            py_trees.behaviours.Running(f"{robot}: speak"),
        ],
    )


def robot_snapshot(robot: str, *, tick: int = 1, x: float = 0.0) -> TreeSnapshot:
    """One snapshot of ``robot``'s tree after ``tick`` ticks, the robot at (``x``, 0)."""
    root = robot_tree(robot)
    for _ in range(tick):
        root.tick_once()
    mission = MissionContext(command=f"{robot}, say hello", status="EXECUTING", action_index=1)
    return capture(root, tick=tick, mission=mission, robot=robot_at(x, 0.0), world=kitchen_world())
