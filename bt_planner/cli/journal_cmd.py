"""``bt-planner journal list | show ID | export [--since] | replay ID``: read the mission journal.

The journal file is ``--journal FILE``, else ``journal.path`` from the configuration. ``list``,
``show`` and ``export`` only read it (a running planner may keep writing). ``replay`` re-runs a
command's recorded plan on the simulator, from the robot state and world belief recorded when it
started executing, and compares the new outcome with the recorded one (exit 0: the same, 1: they
differ, 2: set-up error). ``--json`` prints JSON on every path, errors included.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from bt_planner.cli.options import ConfigOption, JsonOption, exit_with_error, load_settings
from bt_planner.config import ApprovalPolicy, Settings
from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.errors import BtPlannerError, JournalError, SetupError
from bt_planner.execution import GivenPlanPlanner, MissionRunner
from bt_planner.journal import Journal, JournalCommand, JournalEvent
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan
from bt_planner.sim import SimulatedRobot

app = typer.Typer(
    name="journal", help="List, show, export and replay journalled commands.", no_args_is_help=True
)

JournalFileOption = Annotated[
    Path | None,
    typer.Option("--journal", "-j", help="The journal file (default: journal.path from the config)."),
]
SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since", help="Only commands received since: an ISO date/time, or an age such as 30m, 2h, 7d."
    ),
]
_AGE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_since(text: str, *, now: float | None = None) -> float:
    """``--since`` as Unix time. Raises ``SetupError`` naming the value when it is neither form."""
    age = _AGE.match(text.strip())
    if age is not None:
        return (now if now is not None else time.time()) - float(age.group(1)) * _SECONDS[age.group(2)]
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise SetupError(
            f"--since {text!r}: give an ISO date or time (2026-12-01T08:00) or an age (30m, 2h, 7d)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # local time, like the listing
    return moment.timestamp()


def _open(journal_file: Path | None, config: Path | None) -> Journal:
    path = journal_file if journal_file is not None else load_settings(config).journal.path
    if path is None:
        raise SetupError("no journal: pass --journal FILE or set journal.path in the configuration")
    return Journal.read(path)


def _when(at: float | None) -> str:
    return (
        ""
        if at is None
        else datetime.fromtimestamp(at, tz=timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    )


def _dump(model: Any) -> Any:
    return json.loads(model.model_dump_json())


@app.command("list")
def list_commands(
    *,
    journal_file: JournalFileOption = None,
    config: ConfigOption = None,
    since: SinceOption = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many, newest first.")] = 50,
    json_output: JsonOption = False,
) -> None:
    """The newest journalled commands: id, when, source, command, status and reason."""
    try:
        journal = _open(journal_file, config)
        commands = journal.commands(limit=limit, since=parse_since(since) if since else None)
    except BtPlannerError as error:
        exit_with_error(error, json_output=json_output)
    if json_output:
        typer.echo(json.dumps([_dump(c) for c in commands]))
        return
    table = Table("id", "received", "source", "command", "status", "reason", "approval")
    for c in commands:
        table.add_row(str(c.id), _when(c.received_at), c.source, c.command, c.status.value if c.status else "open",
                      c.reason or "", c.approval or "")  # fmt: skip
    Console().print(table)


@app.command("show")
def show(
    command_id: Annotated[int, typer.Argument(help="The command's journal id (see `journal list`).")],
    *,
    journal_file: JournalFileOption = None,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """One command and every event it has, in order."""
    try:
        journal = _open(journal_file, config)
        command = journal.command(command_id)
        events = journal.events(command_id)
    except BtPlannerError as error:
        exit_with_error(error, json_output=json_output)
    if json_output:
        typer.echo(json.dumps({"command": _dump(command), "events": [_dump(e) for e in events]}))
        return
    console = Console()
    status = command.status.value if command.status else "open"
    console.print(f"[bold]command {command.id}[/bold] {command.command!r} from {command.source}: {status}")
    if command.reason:
        console.print(f"  {command.reason}")
    for event in events:
        console.print(
            f"  {event.seq:>6} {_when(event.at)} {event.kind:<18} {_summary(event)}", highlight=False
        )


def _summary(event: JournalEvent) -> str:
    data = event.data
    if "outcome" in data:
        outcome = data["outcome"]
        return (
            f"#{outcome['index']} {outcome['name']} {outcome['status']} {outcome.get('message', '')}".rstrip()
        )
    if "decision" in data:
        decision = data["decision"]
        return f"by {decision['by']} via {decision['via']} {decision.get('reason', '')}".rstrip()
    if "result" in data:
        result = data["result"]
        return f"backend={result['backend']} model={result['model']} success={result['success']} {result['timings']['total_ms']:.1f} ms"
    for key in ("reason", "state", "attempt"):
        if key in data:
            return f"{key}={data[key]}"
    return ""


@app.command("export")
def export(
    *,
    journal_file: JournalFileOption = None,
    config: ConfigOption = None,
    since: SinceOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Every command (oldest first) as JSON lines: one {"command": ..., "events": [...]} per line."""
    try:
        journal = _open(journal_file, config)
        commands = journal.commands(
            limit=None, since=parse_since(since) if since else None, newest_first=False
        )
    except BtPlannerError as error:
        exit_with_error(error, json_output=True)
    lines = (
        json.dumps({"command": _dump(c), "events": [_dump(e) for e in journal.events(c.id)]})
        for c in commands
    )
    if output is None:
        for line in lines:
            typer.echo(line)
    else:
        with output.open("w", encoding="utf-8") as handle:
            for line in lines:
                handle.write(line + "\n")


def recorded_start(events: list[JournalEvent]) -> tuple[Plan, RobotState, World]:
    """The plan, robot state and world belief of the command's last recorded execution.

    Raises:
        JournalError: the command never started executing (nothing to replay).
    """
    executions = [e for e in events if e.kind == "executing"]
    if not executions:
        raise JournalError("the command never started executing: there is no recorded plan to replay")
    data = executions[-1].data
    context = {"custom_actions": CustomActionRegistry()}
    plan = Plan.model_validate(data["plan"], context=context)
    return plan, RobotState.model_validate(data["robot"]), World.model_validate(data["world"])


def _recorded_outcome(command: JournalCommand, events: list[JournalEvent]) -> dict[str, Any]:
    ended = [e for e in events if e.kind == "ended"]
    outcomes = ended[-1].data.get("outcomes", []) if ended else []
    return {
        "state": command.status.value if command.status else None,
        "reason": command.reason,
        "actions": [o["status"] for o in outcomes],
    }


@app.command("replay")
def replay(
    command_id: Annotated[int, typer.Argument(help="The command's journal id (see `journal list`).")],
    *,
    journal_file: JournalFileOption = None,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Run the command's recorded plan again on the simulator and compare the outcome with the record."""
    try:
        settings: Settings = load_settings(config)
        journal = _open(journal_file, config)
        command = journal.command(command_id)
        events = journal.events(command_id)
        plan, robot_state, world = recorded_start(events)
    except BtPlannerError as error:
        exit_with_error(error, json_output=json_output)
    start = world.model_copy(update={"robot": robot_state})
    robot = SimulatedRobot(start)
    execution = settings.execution.model_copy(
        update={"max_replans": 0, "approval": ApprovalPolicy(mode="never")}
    )
    with MissionRunner(
        planner=GivenPlanPlanner(plan, limits=settings.safety),
        robot=robot,
        world=start,
        limits=settings.safety,
        settings=execution,
    ) as runner:
        report = runner.run(command.command, source="replay")
    recorded = _recorded_outcome(command, events)
    outcomes = report.last.outcomes if report.last is not None else report.status.outcomes
    replayed = {"state": report.status.state.value, "reason": report.status.reason,
                "actions": [o.status.value for o in outcomes]}  # fmt: skip
    same = recorded["state"] == replayed["state"] and recorded["actions"] == replayed["actions"]
    if json_output:
        typer.echo(
            json.dumps({"journal_id": command_id, "recorded": recorded, "replayed": replayed, "same": same})
        )
    else:
        console = Console()
        console.print(f"recorded: {recorded['state']} {recorded['actions']} {recorded['reason'] or ''}")
        console.print(f"replayed: {replayed['state']} {replayed['actions']} {replayed['reason'] or ''}")
        console.print("[green]same outcome[/green]" if same else "[yellow]the outcome differs[/yellow]")
    raise typer.Exit(0 if same else 1)
