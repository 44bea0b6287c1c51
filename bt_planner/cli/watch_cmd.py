"""``bt-planner watch``: the live unicode tree in the terminal, from the same snapshot stream as the viewer."""

from __future__ import annotations

import queue
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.rule import Rule
from rich.text import Text

from bt_planner.cli.view_cmd import IntervalOption, SourceOption, open_cli_source
from bt_planner.snapshot import ChangeDetector, TreeSnapshot
from bt_planner.viewer.sources import SnapshotSource
from bt_planner.viewer.sources.json_lines import JsonLinesSource
from bt_planner.viewer.terminal import render


def _receive(feed: SnapshotSource) -> queue.Queue[TreeSnapshot]:
    """Start ``feed``; every snapshot that shows something new lands in the returned queue."""
    inbox: queue.Queue[TreeSnapshot] = queue.Queue()
    detector = ChangeDetector()

    def on_snapshot(snapshot: TreeSnapshot) -> None:
        if detector.changed(snapshot):
            inbox.put(snapshot)

    feed.start(on_snapshot)
    return inbox


def _newest(inbox: queue.Queue[TreeSnapshot], snapshot: TreeSnapshot) -> TreeSnapshot:
    """Skip to the newest queued snapshot: a live display has no use for stale ones."""
    try:
        while True:
            snapshot = inbox.get_nowait()
    except queue.Empty:
        return snapshot


def watch(
    *,
    source: SourceOption = "ros",
    blackboard: Annotated[bool, typer.Option("--blackboard", help="Also show blackboard values.")] = False,
    keys: Annotated[bool, typer.Option("--keys/--no-keys", help="Show each node's blackboard keys.")] = True,
    count: Annotated[
        int | None, typer.Option("--count", "-n", min=1, help="Exit after showing this many snapshots.")
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", min=0.0, help="Exit 1 if no snapshot arrives within this many s."),
    ] = None,
    interval: IntervalOption = 0.0,
) -> None:
    """Show the live tree in the terminal until Ctrl-C: redrawn in place, or every change printed when piped."""
    console = Console()
    feed = open_cli_source(source, interval=interval, console=console)
    waiting = Text(f"waiting for snapshots from {feed.description}…", style="dim")
    live = Live(waiting, console=console, auto_refresh=False) if console.is_terminal else None
    if live is None:
        console.print(f"watching {feed.description}", style="dim", highlight=False)
    inbox = _receive(feed)
    shown = 0
    started = time.monotonic()
    try:
        if live is not None:
            live.start()
        while count is None or shown < count:
            try:
                snapshot = inbox.get(timeout=0.5)
            except queue.Empty:
                if shown == 0 and timeout is not None and time.monotonic() - started > timeout:
                    console.print(f"[red]no snapshot from {feed.description} within {timeout:g} s[/red]")
                    raise typer.Exit(1) from None
                if isinstance(feed, JsonLinesSource) and feed.finished.is_set() and inbox.empty():
                    break  # the whole recording has been shown
                continue
            if live is not None:
                live.update(
                    render(_newest(inbox, snapshot), show_keys=keys, show_blackboard=blackboard), refresh=True
                )
            else:
                console.print(Rule(style="dim"))
                console.print(render(snapshot, show_keys=keys, show_blackboard=blackboard))
            shown += 1
    except KeyboardInterrupt:
        pass
    finally:
        if live is not None:
            live.stop()
        feed.stop()
