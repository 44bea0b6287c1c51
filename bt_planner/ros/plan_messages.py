"""bt_planner's pydantic plans, issues and statuses ↔ the typed messages of ``bt_planner_msgs``.

Every string goes through :func:`bt_planner.core.text.safe_text` on the way out, so a message always
encodes (no lone surrogates, no control characters); long free text is cut to a bounded size.
"""

from __future__ import annotations

import json
import math
from typing import Any

from bt_planner_msgs.msg import Plan as PlanMsg
from bt_planner_msgs.msg import PlanIssue as PlanIssueMsg
from bt_planner_msgs.msg import PlannerStatus as PlannerStatusMsg
from bt_planner_msgs.msg import PlanStep as PlanStepMsg
from geometry_msgs.msg import Point

from bt_planner.core.issues import PlanIssue, Severity
from bt_planner.core.text import safe_text
from bt_planner.core.world import World
from bt_planner.plans.plan import Plan
from bt_planner.ros.payloads import PlannerStatus
from bt_planner.tree.mission import MissionState, planner_status_name

MAX_TEXT_CHARS = 4_000
"""Longest free text (reasoning, details, messages) put into one message field."""

STATUS_CODES: dict[PlannerStatus, int] = {
    PlannerStatus.RECEIVED_COMMAND: PlannerStatusMsg.RECEIVED_COMMAND,
    PlannerStatus.PLANNING_STARTED: PlannerStatusMsg.PLANNING_STARTED,
    PlannerStatus.PLANNING_SUCCESS: PlannerStatusMsg.PLANNING_SUCCESS,
    PlannerStatus.PLANNING_FAILED: PlannerStatusMsg.PLANNING_FAILED,
    PlannerStatus.EXECUTING: PlannerStatusMsg.EXECUTING,
    PlannerStatus.SUCCEEDED: PlannerStatusMsg.SUCCEEDED,
    PlannerStatus.FAILED: PlannerStatusMsg.FAILED,
    PlannerStatus.CANCELLED: PlannerStatusMsg.CANCELLED,
    PlannerStatus.REJECTED: PlannerStatusMsg.REJECTED,
    PlannerStatus.AWAITING_APPROVAL: PlannerStatusMsg.AWAITING_APPROVAL,
}

_MISSION_TO_STATUS: dict[MissionState, PlannerStatus] = {
    state: PlannerStatus(planner_status_name(state)) for state in MissionState
}
MISSION_STATUS_CODES: dict[MissionState, tuple[int, str]] = {
    state: (STATUS_CODES[status], status.value) for state, status in _MISSION_TO_STATUS.items()
}
"""A mission state as a ``PlannerStatus`` message constant and its name."""


def text(value: str, *, max_chars: int = MAX_TEXT_CHARS) -> str:
    """``value`` made safe to publish and cut to ``max_chars``."""
    return safe_text(value, max_chars=max_chars)


def _target(parameters: dict[str, Any], world: World | None) -> tuple[Point | None, str]:
    """Where a step goes or acts, if it says (a location, a point, an object), and the name it uses."""
    name = ""
    for key in ("location_name", "search_area", "object_id", "object_type"):
        value = parameters.get(key)
        if isinstance(value, str) and value:
            name = value
            break
    if all(isinstance(parameters.get(axis), int | float) for axis in ("x", "y")):
        return Point(
            x=float(parameters["x"]), y=float(parameters["y"]), z=float(parameters.get("z", 0.0))
        ), name
    position = parameters.get("position")
    if isinstance(position, dict) and all(isinstance(position.get(a), int | float) for a in ("x", "y")):
        return Point(x=float(position["x"]), y=float(position["y"]), z=float(position.get("z", 0.0))), name
    if world is not None:
        location = world.locations.get(str(parameters.get("location_name") or parameters.get("search_area")))
        if location is not None:
            p = location.position
            return Point(x=p.x, y=p.y, z=p.z), name
        obj = world.objects.get(str(parameters.get("object_id")))
        if obj is not None and obj.position is not None:
            return Point(x=obj.position.x, y=obj.position.y, z=obj.position.z), name
    return None, name


def plan_to_msg(plan: Plan | None, *, world: World | None = None) -> PlanMsg:
    """The typed ``Plan`` message of ``plan`` (an empty one for None); targets resolved in ``world``."""
    msg = PlanMsg()
    if plan is None:
        return msg
    wire = plan.to_wire()
    for action in wire["actions"]:
        parameters = action.get("parameters") or {}
        target, name = _target(parameters, world)
        duration = action.get("estimated_duration")
        msg.steps.append(
            PlanStepMsg(
                action_type=text(str(action["action_type"])),
                description=text(str(action.get("description", ""))),
                parameters_json=text(json.dumps(parameters), max_chars=MAX_TEXT_CHARS * 4),
                estimated_duration=float(duration) if duration is not None else -1.0,
                has_target=target is not None,
                target=target if target is not None else Point(),
                target_name=text(name),
            )
        )
    msg.reasoning = text(str(wire.get("reasoning", "")))
    total = wire.get("estimated_total_time")
    msg.estimated_total_time = float(total) if total is not None else -1.0
    msg.wire_json = text(json.dumps(wire), max_chars=MAX_TEXT_CHARS * 16)
    return msg


def issue_to_msg(issue: PlanIssue) -> PlanIssueMsg:
    """One verifier or planner issue as a ``PlanIssue`` message (NaN for missing numbers)."""
    return PlanIssueMsg(
        code=str(issue.code.value),
        message=text(issue.message),
        severity=PlanIssueMsg.SEVERITY_WARNING
        if issue.severity is Severity.WARNING
        else PlanIssueMsg.SEVERITY_ERROR,
        action_index=issue.action_index if issue.action_index is not None else -1,
        rule=text(issue.rule or ""),
        value=float(issue.value) if issue.value is not None else math.nan,
        limit=float(issue.limit) if issue.limit is not None else math.nan,
    )
