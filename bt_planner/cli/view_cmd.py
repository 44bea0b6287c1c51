"""``bt-planner view``: serve the live tree viewer on 127.0.0.1, fed from ROS, another viewer or a file."""

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
from bt_planner.viewer.sources import SnapshotSource, open_source

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


def view(
    *,
    source: SourceOption = "ros",
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
    feed = open_cli_source(source, interval=interval, console=console)
    server = ViewerServer(port=port)
    try:
        server.start()
    except OSError as error:
        console.print(f"[red]cannot listen on 127.0.0.1:{port}: {error.strerror}[/red] (try --port 0)")
        raise typer.Exit(2) from None
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    feed.start(server.publish)
    console.print(
        f"viewer on [bold]{server.url}[/bold] - {feed.description} (Ctrl-C to stop)", highlight=False
    )
    if open_browser:
        webbrowser.open(server.url)
    try:
        while not stop.wait(timeout=1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        feed.stop()
        server.stop()
