"""``bt-planner view``: serve the live tree viewer on 127.0.0.1, fed from ROS, another viewer or a file.

``--robot NAME`` (repeatable) and ``--discover`` make it a fleet viewer: each robot's snapshots come from
its own namespace (``/NAME/tree_snapshot``) and the page shows a robot selector.
"""

from __future__ import annotations

import signal
import threading
import webbrowser
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console

from bt_planner.errors import SourceUnavailable
from bt_planner.viewer.server import DEFAULT_PORT, ViewerServer
from bt_planner.viewer.sources import FleetSource, SnapshotSource, open_fleet_source, open_source

SOURCE_HELP = (
    "Where snapshots come from: 'ros' or 'ros:TOPIC' (the planner node's snapshot topic), "
    "'http://127.0.0.1:PORT' (another viewer or `run --view`), or a JSON-lines FILE ('-' for stdin)."
)
SourceOption = Annotated[str, typer.Option("--source", "-s", help=SOURCE_HELP)]
IntervalOption = Annotated[
    float, typer.Option("--interval", min=0.0, help="Seconds between snapshots when replaying a file.")
]


def open_cli_source(spec: str, *, interval: float, console: Console) -> SnapshotSource:
    """The source for a CLI ``--source``; prints why and exits 2 when it cannot be opened."""
    try:
        return open_source(spec, replay_interval=interval)
    except (SourceUnavailable, ValueError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None


def _open_fleet_feed(source: str, robots: list[str], *, discover: bool, console: Console) -> FleetSource:
    if source != "ros":
        console.print(
            f"[red]--robot/--discover read each robot's ROS namespace; they cannot be combined with "
            f"--source {source}[/red]"
        )
        raise typer.Exit(2)
    try:
        return open_fleet_source(robots, discover=discover)
    except (SourceUnavailable, ValueError) as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None


def view(
    *,
    source: SourceOption = "ros",
    robots: Annotated[
        list[str] | None,
        typer.Option(
            "--robot",
            "-r",
            help="A fleet robot to show (its namespace, e.g. robot1); repeat for more. The page gets a "
            "robot selector.",
        ),
    ] = None,
    discover: Annotated[
        bool,
        typer.Option(
            "--discover",
            help="Also show every ROS namespace that publishes bt_planner snapshots (/NAME/tree_snapshot), "
            "as it appears.",
        ),
    ] = False,
    port: Annotated[
        int, typer.Option("--port", "-p", min=0, max=65535, help="Port (0 picks a free one).")
    ] = (DEFAULT_PORT),
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the page in the default browser.")
    ] = False,
    interval: IntervalOption = 0.0,
) -> None:
    """Serve the live behaviour-tree viewer on http://127.0.0.1:PORT/ until Ctrl-C."""
    console = Console()
    named = [robot.strip("/") for robot in robots or []]
    fleet: FleetSource | None = None
    single: SnapshotSource | None = None
    feed: SnapshotSource | FleetSource
    if named or discover:
        feed = fleet = _open_fleet_feed(source, named, discover=discover, console=console)
    else:
        feed = single = open_cli_source(source, interval=interval, console=console)
    server = ViewerServer(port=port, robots=named)
    try:
        server.start()
    except OSError as error:
        console.print(f"[red]cannot listen on 127.0.0.1:{port}: {error.strerror}[/red] (try --port 0)")
        raise typer.Exit(2) from None
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Both stop the viewer, even when the parent left SIGINT ignored or blocked (a background job, a
    # supervisor): a server that cannot be stopped with Ctrl-C is worse than one that ignores nohup.
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)
    previous = {signum: signal.signal(signum, on_signal) for signum in stop_signals}
    if fleet is not None:
        fleet.start(lambda robot, snapshot: server.publish(snapshot, robot=robot), on_robot=server.add_robot)
    elif single is not None:
        single.start(server.publish)
    console.print(
        f"viewer on [bold]{server.url}[/bold] - {feed.description} (Ctrl-C to stop)", highlight=False
    )
    if open_browser:
        webbrowser.open(server.url)
    try:
        stop.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        feed.stop()
        server.stop()
