"""``McpSession``: what the MCP tools need of a robot, so one tool surface serves the simulator and ROS.

Two sessions implement it: :class:`bt_planner.mcp_server.robot_session.RobotSession` (the simulator,
in process) and :class:`bt_planner.mcp_server.ros_session.RosSession` (a ROS robot, through the
planner node's typed interfaces). The tools in :mod:`bt_planner.mcp_server.mcp_app` call only these
members; each raises ``ToolCallRefused`` for a call it will not serve, with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from bt_planner.config import ApprovalPolicy, Settings
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import World
from bt_planner.journal import Journal
from bt_planner.mcp_server.tool_models import (
    ApprovalAnswer,
    ExecuteAnswer,
    PlanAnswer,
    RobotView,
    RunStatus,
    StopAnswer,
    WorldView,
)
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan
from bt_planner.snapshot import TreeSnapshot


class McpSession(Protocol):
    """The robot behind the MCP tools: look, plan, verify, execute, follow, stop, approve. Thread-safe."""

    settings: Settings
    limits: SafetyLimits
    custom_actions: CustomActionRegistry
    journal: Journal | None

    @property
    def tool_notes(self) -> Mapping[str, str]:
        """Text appended to a tool's description (key: tool name; "": the server's instructions)."""
        ...

    def world(self) -> World:
        """The world belief plans are verified against, now."""
        ...

    def describe_world(self) -> WorldView: ...

    def robot_view(self) -> RobotView: ...

    def snapshot(self) -> TreeSnapshot | None:
        """The latest behaviour-tree snapshot; None before there is one."""
        ...

    def plan(self, command: str) -> PlanAnswer: ...

    def verify_plan(self, plan: Plan, command: str = "") -> PlanAnswer: ...

    def execute(
        self,
        *,
        plan_id: str | None = None,
        command: str | None = None,
        client: str = "stdio",
        client_app: str | None = None,
        approval: ApprovalPolicy | None = None,
    ) -> ExecuteAnswer: ...

    def run_status(self, run_id: str) -> RunStatus: ...

    def cancel(self, run_id: str | None = None) -> StopAnswer: ...

    def estop(self) -> StopAnswer: ...

    def release(self) -> StopAnswer: ...

    def approve(self, run_id: str, *, client: str = "stdio") -> ApprovalAnswer: ...

    def reject(self, run_id: str, *, reason: str, client: str = "stdio") -> ApprovalAnswer: ...

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop the active run (bounded wait) and release what the session holds."""
        ...
