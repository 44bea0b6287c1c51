"""``bt-planner send "COMMAND"``: an ``execute_command`` action client with a live progress bar.

Works against any bt_planner planner node (``bt-planner launch``, ``ros2 launch bt_planner bt.launch.py``,
a fleet robot with ``--robot NAME``). Ctrl-C cancels the goal and waits for its CANCELED result; a second
Ctrl-C gives up waiting. ``--json`` prints one JSON object per feedback message, then the result.

Exit codes: 0 the goal succeeded; 1 it failed, was aborted or cancelled; 2 bad arguments, no ROS, or no
planner node serving the action within ``--server-timeout``.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from bt_planner.cli.options import EXIT_FAILED, EXIT_OK, EXIT_USAGE, JsonOption, exit_with_error
from bt_planner.errors import BtPlannerError

if TYPE_CHECKING:
    from bt_planner.ros.command_action_client import CommandActionClient, CommandFeedback, CommandResult

CANCEL_WAIT_S = 10.0
"""How long to wait for the CANCELED result after Ctrl-C before giving up."""
POLL_S = 0.1


class _Interrupts:
    """Counts SIGINTs while installed (the first cancels the goal, the second stops waiting)."""

    def __init__(self) -> None:
        self.count = 0
        self.event = threading.Event()
        self._previous: object = None

    def __enter__(self) -> _Interrupts:
        self._previous = signal.signal(signal.SIGINT, self._on_signal)
        return self

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.count += 1
        self.event.set()

    def __exit__(self, *exc: object) -> None:
        signal.signal(signal.SIGINT, self._previous)  # type: ignore[arg-type]


class _Display:
    """Feedback → a rich progress bar (or JSON lines); called on the ROS thread."""

    def __init__(self, *, json_output: bool, console: Console) -> None:
        self.json_output = json_output
        self.console = console
        self._lock = threading.Lock()
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.fields[status]}[/bold]"),
            BarColumn(),
            TextColumn("{task.completed:.1f}/{task.total:.0f}"),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
            disable=json_output,
        )
        self.task: TaskID = self.progress.add_task("waiting for the planner", total=1, status="SENT")

    def on_feedback(self, feedback: CommandFeedback) -> None:
        if self.json_output:
            with self._lock:
                typer.echo(json.dumps({"feedback": feedback.model_dump(mode="json")}))
            return
        count = max(feedback.action_count, 1)
        done = feedback.action_index + feedback.progress if feedback.action_index >= 0 else 0.0
        title = feedback.action_title or feedback.message
        what = f"{feedback.action_index + 1}. {title}" if feedback.action_index >= 0 else title
        self.progress.update(
            self.task, total=count, completed=min(done, count), description=what[:80], status=feedback.status
        )

    def note(self, text: str) -> None:
        if not self.json_output:
            self.console.print(text, highlight=False)


def _render(result: CommandResult, console: Console) -> None:
    colour = "green" if result.succeeded else "red"
    code = "" if result.error_code == "NONE" else f" ({result.error_code})"
    console.print(
        f"[{colour}]{result.goal_status}[/{colour}] outcome {result.outcome}{code}: {result.message}"
    )
    steps = (result.executed_plan or {}).get("actions") or []
    if steps:
        listed = ", ".join(str(step.get("action_type")) for step in steps)
        console.print(f"[dim]plan ({len(steps)} steps, {result.attempts} attempt(s)):[/dim] {listed}")


def _follow(
    client: CommandActionClient, display: _Display, interrupts: _Interrupts, *, timeout_s: float
) -> CommandResult | None:
    """Wait for the result; Ctrl-C or ``timeout_s`` (0: none) cancels the goal and waits for it to end."""
    deadline = time.monotonic() + timeout_s if timeout_s > 0 else None
    cancel_deadline: float | None = None
    while True:
        result = client.wait(POLL_S)
        if result is not None or client.rejected:
            return result
        now = time.monotonic()
        over_time = deadline is not None and now > deadline
        if cancel_deadline is None and (interrupts.count or over_time):
            why = "Ctrl-C" if interrupts.count else f"no result within {timeout_s:g} s"
            display.note(f"[yellow]{why}: cancelling the goal...[/yellow]")
            client.cancel()
            cancel_deadline = now + CANCEL_WAIT_S
            interrupts.count = min(interrupts.count, 1)
        elif cancel_deadline is not None and (interrupts.count > 1 or now > cancel_deadline):
            return None


def send(
    command: Annotated[str, typer.Argument(help="What the robot should do, in plain words.")],
    *,
    robot: Annotated[
        str | None,
        typer.Option("--robot", help="A fleet robot's name: its namespace (/NAME/execute_command)."),
    ] = None,
    world_file: Annotated[
        str, typer.Option("--world-file", help="Abort unless the node plans in this world file.")
    ] = "",
    server_timeout: Annotated[
        float, typer.Option("--server-timeout", min=0.1, help="Seconds to wait for a planner node.")
    ] = 10.0,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.0, help="Cancel the goal after this many seconds (0: never).")
    ] = 0.0,
    json_output: JsonOption = False,
) -> None:
    """Send COMMAND to a planner node's execute_command action and follow it; Ctrl-C cancels it."""
    from bt_planner.ros.availability import require_ros
    from bt_planner.ros.fleet import NAME_PATTERN

    if robot is not None and not NAME_PATTERN.match(robot):
        exit_with_error(
            f"--robot {robot!r}: a robot name is a letter, then letters, digits or _", json_output=json_output
        )
    try:
        require_ros()
    except BtPlannerError as error:
        exit_with_error(error, json_output=json_output, code=EXIT_USAGE)
    from bt_planner.ros.command_action_client import CommandActionClient

    console = Console()
    client = CommandActionClient(namespace=robot or "")
    try:
        if not client.wait_for_server(server_timeout):
            exit_with_error(
                f"no planner node serves {client.name} within {server_timeout:g} s (same ROS_DOMAIN_ID? "
                "started with bt-planner launch?)",
                json_output=json_output,
                code=EXIT_USAGE,
            )
        display = _Display(json_output=json_output, console=console)
        with _Interrupts() as interrupts, display.progress:
            client.send(command, world_file=world_file, on_feedback=display.on_feedback)
            result = _follow(client, display, interrupts, timeout_s=timeout)
    finally:
        client.close()
    if result is None:
        message = (
            f"{client.name} refused the goal"
            if client.rejected
            else "gave up waiting for the result of the cancelled goal"
        )
        exit_with_error(message, json_output=json_output, code=EXIT_FAILED)
    if json_output:
        typer.echo(json.dumps({"success": result.succeeded, "result": result.model_dump(mode="json")}))
    else:
        _render(result, console)
    raise typer.Exit(EXIT_OK if result.succeeded else EXIT_FAILED)
