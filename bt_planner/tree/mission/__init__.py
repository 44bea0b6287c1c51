"""The mission tree: waits for commands, plans off-thread, verifies, executes, re-plans, reports.

See ``Mission`` and the tree definition ``trees/mission.xml``.
"""

from bt_planner.tree.mission.mission import Mission, StatusListener
from bt_planner.tree.mission.mission_status import CommandRequest, MissionState, MissionStatus
from bt_planner.tree.mission.request_plan import CommandPlanner

__all__ = ["CommandPlanner", "CommandRequest", "Mission", "MissionState", "MissionStatus", "StatusListener"]
