"""Blackboard keys shared by bt_planner's behaviours: one place that names and documents them.

Robot (read by compiled plans)

* ``/robot/estop`` (``bool``): written by ``Mission``, ``execute_plan`` or your test; read by every
  ``SafetyGuard`` (rule ``estop``) and by ``EStopHalt``. Fail closed: if it was never written,
  guarded actions fail with a message saying so. ``init_robot_keys()`` writes ``False``.
* ``/robot/state`` (``RobotState``): written by ``RobotStateToBlackboard`` each mission tick; read
  by ``PlanCommand`` (plans from it). Guards read live state from the robot itself.
* ``/detections`` (``list[Detection]``, nearest first): written by ``Detect`` on success.

Mission (only in the mission tree)

* ``/mission/request`` (``CommandRequest | None``): the newest submitted command, written by
  ``Mission.tick``; taken by ``WaitForCommand``, watched by ``PreemptCommand``.
* ``/mission/active`` (``CommandRequest | None``): the command being handled; cleared by whichever
  node reports its terminal state.
* ``/mission/plan`` (``Plan | None``): written by ``PlanCommand``, read by ``ExecutePlan``.
* ``/mission/approved`` (``Plan | None``): the plan an operator approved (or that needed no
  approval), written by ``AwaitApproval``; ``ExecutePlan`` runs ``/mission/plan`` only when it is
  this very object or no approval is required, so a tree without the gate cannot bypass it.
* ``/mission/feedback`` (``ExecutionFeedback | None``): written by ``ExecutePlan`` after a failed
  execution; read by ``Replan`` (whether to re-plan) and ``PlanCommand`` (the re-plan context).
* ``/world/belief`` (``World``): the world as the mission believes it is, initialised from the
  Mission's world file. ``ExecutePlan`` updates it as actions finish (a successful detect's
  ``/detections``, grasp and place effects of succeeded actions, in plan order); ``PlanCommand``
  applies the robot state (the held object travels with the robot), writes it back, and plans and
  verifies against it. See ``bt_planner.tree.mission.belief``.
"""

from __future__ import annotations

import py_trees

ESTOP = "/robot/estop"
ROBOT_STATE = "/robot/state"
DETECTIONS = "/detections"
MISSION_REQUEST = "/mission/request"
MISSION_ACTIVE = "/mission/active"
MISSION_PLAN = "/mission/plan"
MISSION_FEEDBACK = "/mission/feedback"
MISSION_APPROVED = "/mission/approved"
WORLD_BELIEF = "/world/belief"


def init_robot_keys(*, estop: bool = False) -> None:
    """Write ``/robot/estop`` (and an empty ``/detections``) so a compiled plan can be ticked."""
    py_trees.blackboard.Blackboard.set(ESTOP, estop)
    if not py_trees.blackboard.Blackboard.exists(DETECTIONS):
        py_trees.blackboard.Blackboard.set(DETECTIONS, [])
