"""``build_mcp_server``: the MCP tools, resources and prompt over an ``McpSession`` (simulator or ROS).

Tools take typed arguments and return pydantic models, so their input and output schemas are
generated from the same models the layers below use. Their annotations are honest: reading and
planning tools are read-only (a dry run moves nothing); ``execute`` is destructive; ``cancel``,
``estop`` and ``release`` stop or re-arm but move nothing. No tool takes a velocity, a topic or a
limit: plans are verified against the server's settings, and every execution passes
``RobotSession.admit``.

Errors: malformed arguments (wrong type, missing field, an invalid plan) come back as MCP tool
errors whose message names the field, as the MCP specification asks for input validation, and
the server goes on serving; an unknown plan or run id is a tool error saying so; a client over its
rate limit gets a JSON-RPC error (``RATE_LIMITED``) saying how long to wait.

With a journal, every tool call (refused ones too) is journalled as a mission-wide
``mcp_tool_call`` event (tool, client, the client's own name, arguments, whether it failed), and
the ``bt-planner://journal/recent`` resource shows the recent commands with their events.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from typing import Annotated, Any

import anyio.to_thread
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken, TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.shared.exceptions import MCPError
from mcp.types import ToolAnnotations
from pydantic import Field

from bt_planner.config import ApprovalPolicy
from bt_planner.errors import JournalUnavailable, ToolCallRefused
from bt_planner.journal import Journal
from bt_planner.mcp_server.client_limits import ClientRateLimiter
from bt_planner.mcp_server.plan_format_prompt import plan_format_text
from bt_planner.mcp_server.session_protocol import McpSession
from bt_planner.mcp_server.tool_models import (
    ApprovalAnswer,
    ExecuteAnswer,
    JournalEntry,
    JournalView,
    PlanAnswer,
    RobotView,
    RunStatus,
    StopAnswer,
    WorldView,
)
from bt_planner.plans.plan import Plan

RATE_LIMITED = -32029
"""JSON-RPC error code of a call refused by the per-client rate limit (server-defined range)."""

_LIMITED_METHODS = frozenset({"tools/call", "resources/read", "prompts/get"})
_CLIENT: contextvars.ContextVar[str] = contextvars.ContextVar("bt_planner_mcp_client", default="stdio")
_CLIENT_APP: contextvars.ContextVar[str | None] = contextvars.ContextVar("bt_planner_mcp_app", default=None)
_MAX_JOURNALLED_ARGUMENTS = 16_000
"""Characters of a tool call's arguments (as JSON) journalled; longer ones are cut, and marked so."""

INSTRUCTIONS = """bt_planner: command a robot (the simulator by default) through verified plans only.
Read the plan_format prompt first. describe_world / robot_state to look; plan (a dry run) or
verify_plan (your own plan) to get a plan_id and the verification issues; execute(plan_id) or
execute(command) to run; run_status to follow; cancel, estop and release to stop. Limits are the
server's; a refused plan says which rule and which numbers. A run AWAITING_APPROVAL waits for an
operator: run_status says who may approve; reject(run_id, reason) is always allowed."""

_READ = ToolAnnotations(readOnlyHint=True, idempotentHint=True, openWorldHint=False)
_STOP = ToolAnnotations(readOnlyHint=False, destructiveHint=False, idempotentHint=True, openWorldHint=True)

CommandArg = Annotated[
    str, Field(min_length=1, max_length=2000, description="what the robot should do, in plain words")
]
RunIdArg = Annotated[str, Field(min_length=1, max_length=64, description="a run id from execute")]


class StaticTokenVerifier(TokenVerifier):
    """Bearer tokens from the server's settings (``mcp.http_tokens``: client name -> token)."""

    def __init__(self, tokens: dict[str, str]) -> None:
        self._tokens = dict(tokens)

    async def verify_token(self, token: str) -> AccessToken | None:
        """The client whose token this is, or None (the SDK answers 401)."""
        import hmac

        for client, expected in self._tokens.items():
            if hmac.compare_digest(token.encode(), expected.encode()):
                return AccessToken(token=token, client_id=client, scopes=[])
        return None


def _client_of(ctx: ServerRequestContext[Any, Any]) -> str:
    """Who sent a message: the HTTP bearer token's client name, else 'stdio'."""
    request = ctx.request
    scope = getattr(request, "scope", None)
    user = scope.get("user") if isinstance(scope, dict) else None
    if isinstance(user, AuthenticatedUser):
        return f"http:{user.access_token.client_id}"
    return "stdio"


def _client_app_of(ctx: ServerRequestContext[Any, Any]) -> str | None:
    """The name the client gave itself in ``initialize`` (recorded, never trusted)."""
    params = getattr(ctx.session, "client_params", None)
    info = getattr(params, "client_info", None)
    name = getattr(info, "name", None)
    return name if isinstance(name, str) else None


class _ToolCallLog:
    """Journals one ``mcp_tool_call`` event per tool call (mission-wide: no command owns it)."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal

    def record(
        self, ctx: ServerRequestContext[Any, Any], *, client: str, outcome: str, detail: str = ""
    ) -> None:
        params = dict(ctx.params or {})
        arguments = params.get("arguments") or {}
        text = json.dumps(arguments, sort_keys=True, default=str)
        data: dict[str, Any] = {"tool": str(params.get("name", "")), "client": client,
                                "client_app": _client_app_of(ctx), "outcome": outcome}  # fmt: skip
        if len(text) > _MAX_JOURNALLED_ARGUMENTS:
            data["arguments_truncated"] = text[:_MAX_JOURNALLED_ARGUMENTS]
        else:
            data["arguments"] = arguments
        if detail:
            data["detail"] = detail[:2000]
        with contextlib.suppress(JournalUnavailable):  # a failed journal has halted the runs already
            self.journal.record(None, "mcp_tool_call", data)


def _tool_error_text(result: HandlerResult) -> str | None:
    """The message of a tool result that is an error; None when it is not one."""
    is_error = getattr(result, "is_error", None)
    if is_error is None and isinstance(result, dict):
        is_error = result.get("isError")
    if not is_error:
        return None
    content = getattr(result, "content", None) or []
    return " ".join(str(getattr(block, "text", "")) for block in content)


class _RateLimit:
    """Server middleware: one token per tool call, resource read or prompt, per client; journals tool calls."""

    def __init__(self, limiter: ClientRateLimiter, log: _ToolCallLog | None = None) -> None:
        self.limiter = limiter
        self.log = log

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        client = _client_of(ctx)
        _CLIENT.set(client)
        _CLIENT_APP.set(_client_app_of(ctx))
        log = self.log if ctx.method == "tools/call" else None
        if ctx.method in _LIMITED_METHODS:
            wait = self.limiter.take(client)
            if wait is not None:
                per_minute = self.limiter.rate_per_s * 60
                message = (
                    f"rate limit: {per_minute:g} calls per minute per client (burst {self.limiter.burst});"
                    f" retry in {wait:.2f} s"
                )
                if log is not None:
                    log.record(ctx, client=client, outcome="rate_limited", detail=message)
                raise MCPError(code=RATE_LIMITED, message=message, data={"retry_after_s": round(wait, 3)})
        try:
            result = await call_next(ctx)
        except Exception as error:
            if log is not None:
                log.record(ctx, client=client, outcome="error", detail=str(error))
            raise
        if log is not None:
            failed = _tool_error_text(result)
            log.record(ctx, client=client, outcome="ok" if failed is None else "error", detail=failed or "")
        return result


_EXECUTE_DOC = """Run a verified plan (plan_id) or a command on the robot; returns a run_id, or why it was refused.

Refused: unverified plans, stale plans (the robot or world changed since verification), while
another run is active, or while the e-stop is engaged. A plan that needs an operator's approval
(the server's policy, or ``approval``) waits AWAITING_APPROVAL and nothing moves until approved."""


def _noted(text: str, note: str | None) -> str:
    """``text`` with the session's note on it appended (how its robot differs), if it has one."""
    return f"{text}\n\n{note}" if note else text


def _refused(error: ToolCallRefused) -> ToolError:
    return ToolError(str(error))


def build_mcp_server(
    session: McpSession, *, http_base_url: str | None = None, tokens: dict[str, str] | None = None
) -> MCPServer[Any]:
    """The MCP server over ``session``. With ``http_base_url``, bearer ``tokens`` guard the HTTP transport."""
    mcp_settings = session.settings.mcp
    limiter = ClientRateLimiter(calls_per_minute=mcp_settings.calls_per_minute, burst=mcp_settings.burst)
    auth: dict[str, Any] = {}
    if http_base_url is not None:
        auth = {
            "token_verifier": StaticTokenVerifier(tokens or {}),
            "auth": AuthSettings(
                issuer_url=http_base_url,  # pydantic parses the URL
                resource_server_url=f"{http_base_url}/mcp",
                validate_token_resource=False,
            ),
        }
    journal = session.journal
    rate_limit = _RateLimit(limiter, _ToolCallLog(journal) if journal is not None else None)
    server: MCPServer[Any] = MCPServer(
        "bt-planner",
        instructions=_noted(INSTRUCTIONS, session.tool_notes.get("")),
        middleware=[rate_limit],
        log_level="WARNING",
        **auth,
    )

    @server.tool(annotations=_READ)
    def describe_world() -> WorldView:
        """The world the server plans against (locations, objects, zones, the robot) and its safety limits."""
        return session.describe_world()

    @server.tool(annotations=_READ)
    def robot_state() -> RobotView:
        """The robot now: pose, battery, gripper, whether the e-stop is engaged, and the active run."""
        return session.robot_view()

    @server.tool(annotations=ToolAnnotations(readOnlyHint=True, idempotentHint=False, openWorldHint=True))
    async def plan(command: CommandArg) -> PlanAnswer:
        """Dry run: the server's planner turns COMMAND into a verified plan and a plan_id. Nothing moves."""
        return await anyio.to_thread.run_sync(session.plan, command)

    @server.tool(annotations=_READ)
    def verify_plan(
        plan: Annotated[Plan, Field(description="a plan in the wire format (see the plan_format prompt)")],
        command: Annotated[str, Field(max_length=2000, description="what the plan is for (optional)")] = "",
    ) -> PlanAnswer:
        """Verify a plan you wrote against the server's limits and world: issues (rule, numbers) and a plan_id."""
        return session.verify_plan(plan, command)

    @server.tool(
        annotations=ToolAnnotations(
            readOnlyHint=False, destructiveHint=True, idempotentHint=False, openWorldHint=True
        ),
        description=_noted(_EXECUTE_DOC, session.tool_notes.get("execute")),
    )
    async def execute(
        plan_id: Annotated[str | None, Field(max_length=64, description="from plan or verify_plan")] = None,
        command: Annotated[
            str | None, Field(min_length=1, max_length=2000, description="plan and run this instead")
        ] = None,
        approval: Annotated[
            ApprovalPolicy | str | None,
            Field(
                description="this run's own approval policy, added to the server's (it can add a gate,"
                " never remove one): 'always', 'on_warnings', 'for_actions grasp place'"
            ),
        ] = None,
    ) -> ExecuteAnswer:
        client, client_app = _CLIENT.get(), _CLIENT_APP.get()
        try:
            policy = ApprovalPolicy.model_validate(approval) if approval is not None else None
        except ValueError as error:
            raise ToolError(f"approval {approval!r} is not an approval policy: {error}") from error
        try:
            return await anyio.to_thread.run_sync(
                lambda: session.execute(
                    plan_id=plan_id, command=command, client=client, client_app=client_app, approval=policy
                )
            )
        except ToolCallRefused as error:
            raise _refused(error) from error

    @server.tool(annotations=ToolAnnotations(readOnlyHint=True, idempotentHint=False, openWorldHint=False))
    def run_status(run_id: RunIdArg) -> RunStatus:
        """A run's state (PENDING, PLANNING, AWAITING_APPROVAL, EXECUTING, REPLANNING, then SUCCEEDED, FAILED,
        REJECTED or CANCELLED), its plan with the verification issues, and its approval, if it needed one."""
        try:
            return session.run_status(run_id)
        except ToolCallRefused as error:
            raise _refused(error) from error

    @server.tool(annotations=_STOP)
    def cancel(
        run_id: Annotated[str | None, Field(max_length=64, description="only if it is this run")] = None,
    ) -> StopAnswer:
        """Cancel the active run; the robot stops where it is and takes the next execute as usual."""
        try:
            return session.cancel(run_id)
        except ToolCallRefused as error:
            raise _refused(error) from error

    @server.tool(annotations=_STOP)
    def estop() -> StopAnswer:
        """Emergency stop: the robot halts at once, the active run ends, execute is refused until release."""
        return session.estop()

    @server.tool(annotations=_STOP)
    def release() -> StopAnswer:
        """Release the emergency stop; nothing moves until the next execute."""
        return session.release()

    _add_approval_tools(server, session)
    _add_resources(server, session)
    return server


def _add_approval_tools(server: MCPServer[Any], session: McpSession) -> None:
    """``approve`` and ``reject``: answers to a run AWAITING_APPROVAL (approving only if the server allows it)."""

    @server.tool(
        annotations=ToolAnnotations(
            readOnlyHint=False, destructiveHint=True, idempotentHint=False, openWorldHint=True
        )
    )
    def approve(run_id: RunIdArg) -> ApprovalAnswer:
        """Approve the plan of a run AWAITING_APPROVAL: it moves the robot. Refused unless the server allows
        approvals over MCP (mcp.allow_approvals): by default an operator approves in the viewer."""
        try:
            return session.approve(run_id, client=_CLIENT.get())
        except ToolCallRefused as error:
            raise _refused(error) from error

    @server.tool(annotations=_STOP)
    def reject(
        run_id: RunIdArg,
        reason: Annotated[str, Field(min_length=1, max_length=500, description="why, for the journal")],
    ) -> ApprovalAnswer:
        """Reject the plan of a run AWAITING_APPROVAL: the run ends REJECTED and nothing moves."""
        try:
            return session.reject(run_id, reason=reason, client=_CLIENT.get())
        except ToolCallRefused as error:
            raise _refused(error) from error


def _add_resources(server: MCPServer[Any], session: McpSession) -> None:
    """The world, the robot, the tree snapshot, the journal (when there is one) and the plan_format prompt."""
    journal = session.journal

    @server.resource("bt-planner://world", name="world", mime_type="application/json")
    def world_resource() -> str:
        """The world belief and the safety limits (as describe_world)."""
        return session.describe_world().model_dump_json()

    @server.resource("bt-planner://robot/state", name="robot_state", mime_type="application/json")
    def robot_resource() -> str:
        """The robot's state, e-stop and active run (as robot_state)."""
        return session.robot_view().model_dump_json()

    @server.resource("bt-planner://tree/snapshot", name="tree_snapshot", mime_type="application/json")
    def snapshot_resource() -> str:
        """The running (or last) behaviour tree: TreeSnapshot JSON, format version 1."""
        snapshot = session.snapshot()
        if snapshot is None:
            raise ResourceError("no behaviour tree has run yet: execute a plan first")
        return snapshot.model_dump_json()

    if journal is not None:

        @server.resource("bt-planner://journal/recent", name="journal", mime_type="application/json")
        def journal_resource() -> str:
            """The journal's 20 newest commands (any entry point) with their events, newest first."""
            entries = [
                JournalEntry(command=command, events=journal.events(command.id))
                for command in journal.commands(limit=20)
            ]
            return JournalView(path=str(journal.path), commands=entries).model_dump_json()

    @server.prompt(name="plan_format")
    def plan_format(command: str = "") -> str:
        """How to write a plan this server accepts: format, workflow, this world's names, the limits."""
        return plan_format_text(world=session.world(), limits=session.limits,
                                custom_actions=session.custom_actions, command=command)  # fmt: skip
