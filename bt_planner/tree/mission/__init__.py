"""The mission tree: waits for commands, plans off-thread, verifies, executes, re-plans, reports.

See ``Mission`` and the tree definition ``trees/mission.xml``.
"""

from bt_planner.tree.mission.approval_broker import ApprovalBroker, ApprovalDecision, ApprovalRequest
from bt_planner.tree.mission.mission import Mission, StatusListener
from bt_planner.tree.mission.mission_events import MissionEvent, MissionEventKind, MissionObserver
from bt_planner.tree.mission.mission_status import (
    CommandRequest,
    MissionState,
    MissionStatus,
    planner_status_name,
)
from bt_planner.tree.mission.request_plan import CommandPlanner

__all__ = [
    "ApprovalBroker",
    "ApprovalDecision",
    "ApprovalRequest",
    "CommandPlanner",
    "CommandRequest",
    "Mission",
    "MissionEvent",
    "MissionEventKind",
    "MissionObserver",
    "MissionState",
    "MissionStatus",
    "StatusListener",
    "planner_status_name",
]
