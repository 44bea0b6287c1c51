"""``bt-planner mcp``: serve the robot to MCP clients (desktop assistants, IDE agents, other planners).

stdio by default (the client starts this command); ``--transport http`` serves streamable HTTP on
127.0.0.1 with a bearer token. The robot is the simulator in ``--world``; tools plan, verify and
execute only through verified plans, with limits from the configuration. ``--ros`` commands a ROS
robot instead, through its planner node's typed interfaces (``--robot NAME``: the fleet robot in
namespace ``/NAME``); the node plans, verifies and executes with its own limits. stdout belongs to the
protocol on stdio: every message of this command goes to stderr.

``--journal FILE`` (or ``journal.path``) journals every run (source ``mcp``) and every tool call.
``--view`` serves the web viewer on 127.0.0.1, sharing the session's approval broker: that is
where an operator approves a plan waiting for approval, since approvals over MCP are off unless
``mcp.allow_approvals`` says otherwise (stdin belongs to the protocol, so there is no prompt).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
import yaml
from rich.console import Console

from bt_planner.cli.options import ConfigOption, ModeOption, WorldOption, load_settings, load_world
from bt_planner.errors import BackendUnavailable, BtPlannerError, JournalError
from bt_planner.journal import Journal
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.plans.custom_actions import CustomActionRegistry

if TYPE_CHECKING:
    from bt_planner.config import Settings
    from bt_planner.mcp_server.session_protocol import McpSession
    from bt_planner.viewer import ViewerServer

TransportOption = Annotated[
    Literal["stdio", "http"],
    typer.Option(
        "--transport", "-t", help="stdio (default) or http (streamable HTTP on loopback, bearer token)."
    ),
]
HostOption = Annotated[
    str | None, typer.Option("--host", help="HTTP bind address (loopback only). Default: mcp.http_host.")
]
PortOption = Annotated[
    int | None,
    typer.Option("--port", min=0, max=65535, help="HTTP port (0 picks a free one). Default: mcp.http_port."),
]
SpeedOption = Annotated[
    float | None,
    typer.Option(
        "--speed",
        "-s",
        min=0.0,
        help="Simulated seconds per wall second (0 = unpaced). Default: mcp.sim_speed.",
    ),
]

JournalOption = Annotated[
    Path | None,
    typer.Option(
        "--journal", help="Journal every run and tool call in this SQLite file. Default: journal.path."
    ),
]
ViewOption = Annotated[
    bool,
    typer.Option(
        "--view", help="Serve the web viewer on 127.0.0.1: the running tree, approve/reject buttons."
    ),
]
ViewPortOption = Annotated[int, typer.Option("--view-port", min=0, help="Viewer port (0 picks a free one).")]
RosOption = Annotated[
    bool,
    typer.Option(
        "--ros", help="Command a ROS robot through its planner node (plan_command, execute_command, ...)."
    ),
]
RobotOption = Annotated[
    str | None,
    typer.Option("--robot", help="With --ros: a fleet robot's name, its namespace (/NAME/plan_command)."),
]


def mcp(
    *,
    world: WorldOption = None,
    config: ConfigOption = None,
    mode: ModeOption = None,
    transport: TransportOption = "stdio",
    host: HostOption = None,
    port: PortOption = None,
    speed: SpeedOption = None,
    journal_path: JournalOption = None,
    view: ViewOption = False,
    view_port: ViewPortOption = 8765,
    ros: RosOption = False,
    robot: RobotOption = None,
) -> None:
    """Serve the simulated robot (or, with --ros, a ROS robot) over MCP: plan, verify, execute, e-stop.

    Exit codes: 0 the client disconnected, 2 usage or setup error.
    """
    err = Console(stderr=True)
    try:  # the MCP SDK is an optional extra: `bt-planner --help` works without it
        from bt_planner.mcp_server.robot_session import RobotSession
        from bt_planner.mcp_server.transports import serve_http, serve_stdio
    except ImportError as error:
        err.print(f"[red]the MCP server needs the mcp extra: pip install 'bt_planner[mcp]' ({error})[/red]")
        raise typer.Exit(2) from error
    _check_ros_options(ros=ros, robot=robot, view=view, err=err)
    try:
        settings = load_settings(config, mode=mode)
        the_world = load_world(world)
        overrides = {
            key: value
            for key, value in (("http_host", host), ("http_port", port), ("sim_speed", speed))
            if value is not None
        }
        if overrides:
            mcp_settings = settings.mcp.model_validate({**dict(settings.mcp), **overrides})
            settings = settings.model_copy(update={"mcp": mcp_settings})
        registry = CustomActionRegistry()
        planner = None if ros else LLMActionPlanner(settings, custom_actions=registry)
    except (OSError, ValueError, yaml.YAMLError, BackendUnavailable) as error:
        err.print(f"[red]cannot start the MCP server: {error}[/red]")
        raise typer.Exit(2) from error
    path = journal_path or settings.journal.path
    try:
        journal = Journal.open(path, settings=settings.journal) if path is not None else None
    except JournalError as error:
        err.print(f"[red]cannot start the MCP server: {error}[/red]")
        raise typer.Exit(2) from error
    with contextlib.ExitStack() as stack:
        if journal is not None:
            stack.enter_context(journal)
            err.print(f"journal: {journal.path}")
        viewer = stack.enter_context(_viewer(view_port, journal=journal, err=err)) if view else None
        session: McpSession
        if planner is None:
            session = _ros_session(settings, robot=robot, journal=journal, err=err)
        else:
            session = RobotSession(
                settings=settings,
                world=the_world,
                planner=planner,
                custom_actions=registry,
                journal=journal,
                approvals=viewer.approvals if viewer is not None else None,
                on_snapshot=viewer.publish if viewer is not None else None,
            )
        try:
            if transport == "http":
                serve_http(
                    session, on_ready=lambda url: typer.echo(f"MCP server (streamable HTTP): {url}", err=True)
                )
            else:
                serve_stdio(session)
        except BtPlannerError as error:
            err.print(f"[red]cannot serve: {error}[/red]")
            raise typer.Exit(2) from error
        except KeyboardInterrupt:
            pass


def _check_ros_options(*, ros: bool, robot: str | None, view: bool, err: Console) -> None:
    """Exit 2 for --robot without --ros, and for --view with --ros."""
    if robot is not None and not ros:
        err.print("[red]--robot names a ROS fleet robot: use it with --ros[/red]")
        raise typer.Exit(2)
    if ros and view:
        err.print("[red]--view serves the simulator's tree; for a ROS robot use bt-planner watch[/red]")
        raise typer.Exit(2)


def _ros_session(
    settings: Settings, *, robot: str | None, journal: Journal | None, err: Console
) -> McpSession:
    """The session on the planner node (of fleet robot ``robot``); exits 2 without rclpy or with a bad name."""
    try:
        from bt_planner.mcp_server.ros_session import RosSession
        from bt_planner.ros.fleet import NAME_PATTERN
    except ImportError as error:
        err.print(
            f"[red]--ros needs rclpy and bt_planner_msgs: pip install 'bt_planner[ros]' ({error})[/red]"
        )
        raise typer.Exit(2) from error
    if robot is not None and not NAME_PATTERN.match(robot):
        err.print(f"[red]--robot {robot!r}: a robot name is a letter, then letters, digits or _[/red]")
        raise typer.Exit(2)
    session = RosSession(settings=settings, robot=robot or "", journal=journal)
    err.print(f"MCP server on the ROS planner node in namespace {session.node.prefix or '/'}")
    return session


@contextlib.contextmanager
def _viewer(port: int, *, journal: Journal | None, err: Console) -> Iterator[ViewerServer]:
    """The web viewer on 127.0.0.1:``port`` with its own approval broker; exits 2 if the port is taken."""
    from bt_planner.tree.mission import ApprovalBroker
    from bt_planner.viewer import ViewerServer

    server = ViewerServer(port=port, approvals=ApprovalBroker(), journal=journal)
    try:
        server.start()
    except OSError as error:
        err.print(f"[red]cannot serve the viewer on port {port}: {error}[/red]")
        raise typer.Exit(2) from error
    err.print(f"viewer: {server.url} (approve or reject plans there)")
    try:
        yield server
    finally:
        server.stop()
