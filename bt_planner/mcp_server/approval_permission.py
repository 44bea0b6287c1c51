"""Who may approve a plan over MCP (``mcp.allow_approvals``), the same for every session.

An agent must not approve the plan it asked for: ``never`` (the default) refuses every approval
over MCP, ``other_clients`` refuses the client that executed the run, ``any_client`` refuses none.
Rejecting is always allowed (it moves nothing), so only approvals are checked here. ``elsewhere``
tells the caller where an operator approves instead (the viewer, or the node's service).
"""

from __future__ import annotations

from bt_planner.config import MCPSettings
from bt_planner.errors import ToolCallRefused


def refuse_if_approvals_off(settings: MCPSettings, *, elsewhere: str) -> None:
    """Raise ``ToolCallRefused`` when approvals over MCP are off, saying where an operator approves."""
    if settings.allow_approvals == "never":
        raise ToolCallRefused(
            "approvals over MCP are off (mcp.allow_approvals: never): an agent must not approve the plan it"
            f" asked for. An operator approves it {elsewhere}; reject is allowed"
        )


def refuse_self_approval(
    settings: MCPSettings, *, client: str, run_client: str, run_id: str, who_else: str
) -> None:
    """Raise ``ToolCallRefused`` when only other clients may approve and ``client`` executed the run."""
    if settings.allow_approvals == "other_clients" and client == run_client:
        raise ToolCallRefused(
            f"client {client!r} executed run {run_id} and may not approve it (mcp.allow_approvals:"
            f" other_clients): another MCP client or {who_else} must"
        )


__all__ = ["refuse_if_approvals_off", "refuse_self_approval"]
