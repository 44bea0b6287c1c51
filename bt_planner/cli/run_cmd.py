"""``bt-planner run "COMMAND"``: take a command through the mission tree on the simulated humanoid.

The command goes the way it goes on the ROS node: the ``Mission`` plans it (with the configured
model, or answers with ``--plan FILE``), verifies the plan against its world belief, executes it,
and re-plans from the belief with the failure context up to ``execution.max_replans`` times (not
with ``--plan``). ``MissionRunner`` ticks the mission and steps the simulator's clock.

The run is paced to the wall clock (``--speed 1`` is real time, ``--speed 0`` runs as fast as
possible and reads no clock); the simulated result is the same at any speed. On a terminal a
live view shows the plan with statuses and a progress bar. ``--json`` prints one JSON document
on every path, errors included.
"""

from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path
from typing import Annotated, Any, NoReturn

import py_trees
import typer
import yaml
from pydantic import ValidationError
from rich.console import Console
from rich.live import Live

from bt_planner.cli.approval_prompt import ApprovalPrompt
from bt_planner.cli.options import (
    ConfigOption,
    JsonOption,
    ModeOption,
    WorldOption,
    load_settings,
    load_world,
)
from bt_planner.cli.plan_cmd import render as render_plan_result
from bt_planner.cli.run_render import live_view, render_run, run_json, viewer_status
from bt_planner.config import ApprovalPolicy, Settings
from bt_planner.core.issues import Severity
from bt_planner.core.world import World
from bt_planner.errors import BackendUnavailable, Groot2Unavailable, JournalError, TreeXmlError
from bt_planner.execution import CommandReport, GivenPlanPlanner, MissionRunner
from bt_planner.groot2 import DEFAULT_PORT as GROOT2_PORT
from bt_planner.groot2 import Groot2Publisher
from bt_planner.journal import Journal
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan
from bt_planner.sim import RealTimePacer, SimulatedRobot
from bt_planner.snapshot import MissionContext, capture
from bt_planner.tree.action_outcome import ActionStatus
from bt_planner.tree.mission import ApprovalBroker, CommandPlanner, Mission, MissionState, MissionStatus
from bt_planner.viewer import ViewerServer

PlanOption = Annotated[
    Path | None,
    typer.Option(
        "--plan",
        "-p",
        help="Plan JSON file (a plan, or the output of `bt-planner plan --json`); skips the LLM, still verified.",
    ),
]
SpeedOption = Annotated[
    float,
    typer.Option(
        "--speed", "-s", min=0.0, help="Real-time factor: 1 = real time, 10 = 10x faster, 0 = no pacing."
    ),
]
ViewOption = Annotated[
    bool, typer.Option("--view", help="Serve the live web viewer (tree + map) on 127.0.0.1 during the run.")
]
ViewPortOption = Annotated[int, typer.Option("--view-port", min=0, help="Viewer port (0 picks a free one).")]
JournalOption = Annotated[
    Path | None,
    typer.Option(
        "--journal", help="Journal the command in this SQLite file (default: journal.path from the config)."
    ),
]
ApprovalOption = Annotated[
    str | None,
    typer.Option(
        "--approval",
        help="This command's approval policy, added to execution.approval: always, on_warnings, 'for_actions grasp'.",
    ),
]
TreeOption = Annotated[
    Path | None,
    typer.Option(
        "--tree",
        help="Mission tree XML (BehaviorTree.CPP v4, e.g. edited in Groot2) instead of trees/mission.xml.",
    ),
]
MaxTimeOption = Annotated[
    float, typer.Option("--max-sim-time", min=1.0, help="Stop the run after this many simulated seconds.")
]
Groot2Option = Annotated[
    bool, typer.Option("--groot2", help="Publish the running tree to Groot2 (monitor mode) on 127.0.0.1.")
]
Groot2PortOption = Annotated[
    int, typer.Option("--groot2-port", min=1, max=65534, help="Groot2 server port (also takes the next one).")
]

_REDRAWS_PER_S = 10
"""Live-view redraws per second of wall time when paced (counted in ticks, so no clock is read)."""


def load_plan_file(path: Path, custom_actions: CustomActionRegistry) -> Plan:
    """A plan from ``path``: bare wire format, or a ``PlanResult`` JSON with a ``plan`` key."""
    data: Any = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "actions" not in data and isinstance(data.get("plan"), dict):
        data = data["plan"]
    return Plan.model_validate(data, context={"custom_actions": custom_actions})


def _setup_error(message: str, *, command: str, json_output: bool, err: Console) -> NoReturn:
    """Report a usage or set-up problem (as JSON with ``--json``) and exit 2."""
    if json_output:
        typer.echo(json.dumps({"command": command, "success": False, "state": "error", "error": message}))
    err.print(f"[red]{message}[/red]")
    raise typer.Exit(2)


def _check_tree(
    tree_file: Path,
    *,
    planner: CommandPlanner,
    world: World,
    settings: Settings,
    registry: CustomActionRegistry,
    command: str,
    json_output: bool,
    err: Console,
) -> None:
    """Load ``--tree`` once before anything runs; a bad file is a setup error (exit 2) naming its line."""
    try:
        MissionRunner(
            planner=planner, robot=SimulatedRobot(world), world=world, limits=settings.safety,
            custom_actions=registry, tree_file=tree_file,
        ).close()  # fmt: skip
    except (TreeXmlError, OSError) as error:
        _setup_error(
            f"cannot load the mission tree: {error}", command=command, json_output=json_output, err=err
        )


def _planner(
    command: str,
    *,
    plan_file: Path | None,
    settings: Settings,
    registry: CustomActionRegistry,
    json_output: bool,
    err: Console,
) -> CommandPlanner:
    """The plan file's ``GivenPlanPlanner``, or the configured LLM planner; exits 2 when neither can be had."""
    if plan_file is not None:
        try:
            plan = load_plan_file(plan_file, registry)
        except (OSError, ValueError, ValidationError) as error:
            _setup_error(
                f"cannot read plan file {plan_file}: {error}",
                command=command,
                json_output=json_output,
                err=err,
            )
        return GivenPlanPlanner(plan, limits=settings.safety, custom_actions=registry)
    try:
        return LLMActionPlanner(settings, custom_actions=registry)
    except BackendUnavailable as error:
        _setup_error(str(error), command=command, json_output=json_output, err=err)


class _Watch:
    """Follows the run tick by tick: the terminal's live view and the web viewer, when they are on."""

    def __init__(
        self,
        *,
        command: str,
        robot: SimulatedRobot,
        viewer: ViewerServer | None,
        live: Live | None,
        redraw_every: int,
        groot2: Groot2Publisher | None = None,
    ) -> None:
        self.command = command
        self.groot2 = groot2
        self.robot = robot
        self.viewer = viewer
        self.live = live
        self.redraw_every = redraw_every
        self.visitor = py_trees.visitors.SnapshotVisitor()
        self.ticks = 0
        self._shown: MissionState | None = None

    def attach(self, mission: Mission) -> None:
        """Record which nodes each tick visits (for the viewer's highlighted path)."""
        if self.viewer is not None:
            mission.tree.visitors.append(self.visitor)
        if self.groot2 is not None:
            self.groot2.attach(mission.tree)  # statuses taken after every tick, served on its own thread

    def on_tick(self, mission: Mission) -> None:
        self.ticks += 1
        status = mission.status
        if self.viewer is not None:
            self.viewer.publish(self._snapshot(mission, status))
        if self.live is not None and (self.ticks % self.redraw_every == 0 or status.state is not self._shown):
            self.redraw(mission)

    def redraw(self, mission: Mission) -> None:
        """Draw the live view now."""
        if self.live is not None:
            status = mission.status
            self._shown = status.state
            self.live.update(live_view(status, mission.current_plan(), self.robot.now()), refresh=True)

    def _snapshot(self, mission: Mission, status: MissionStatus) -> Any:
        compiled = mission.current_plan()
        running = (
            [o.index for o in compiled.outcomes() if o.status is ActionStatus.RUNNING] if compiled else []
        )
        context = MissionContext(
            command=self.command,
            plan=status.plan.to_wire() if status.plan is not None else None,
            status=viewer_status(status.state),
            details=status.reason,
            action_index=running[0] if running else None,
            attempt=max(status.attempt, 1),
        )
        return capture(
            mission.root,
            tick=self.ticks,
            visited=self.visitor.visited,
            timestamp=self.robot.now(),
            mission=context,
            robot=self.robot.state(),
            world=self.robot.world_state(),
        )


def _narrate(status: MissionStatus, err: Console) -> None:
    """Tell the user on stderr when a failed plan is being re-planned."""
    if status.state is MissionState.REPLANNING:
        err.print(f"[yellow]attempt {status.attempt - 1}:[/yellow] {status.reason}; re-planning")


def _final_snapshot(viewer: ViewerServer, run: CommandReport) -> None:
    """Leave the viewer showing how the run ended (the last tick's tree stays as it was)."""
    update = viewer.hub.latest
    if update is None:
        return
    latest = update.snapshot
    mission = (latest.mission or MissionContext(command=run.command)).model_copy(
        update={"status": viewer_status(run.status.state), "details": run.status.reason, "action_index": None}
    )
    last = run.last
    changes: dict[str, Any] = {"mission": mission}
    if last is not None:
        changes.update(robot=last.final_state, world=last.final_world)
    viewer.publish(latest.model_copy(update=changes))


def _serve_until_interrupted(viewer: ViewerServer, console: Console) -> None:
    console.print(f"[dim]run finished; the viewer stays up at {viewer.url} - Ctrl-C to quit[/dim]")
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()


def _execute(
    command: str,
    *,
    planner: CommandPlanner,
    robot: SimulatedRobot,
    world: World,
    settings: Settings,
    registry: CustomActionRegistry,
    replans: bool,
    speed: float,
    max_sim_time: float,
    watch: _Watch,
    err: Console,
    journal: Journal | None = None,
    approval: ApprovalPolicy | None = None,
    tree_file: Path | None = None,
) -> CommandReport:
    """Take ``command`` through a fresh mission on ``robot`` (placed in ``world``), watched by ``watch``."""
    execution = settings.execution
    if not replans:
        execution = execution.model_copy(update={"max_replans": 0})
    pacer = RealTimePacer(period_s=execution.tick_period_s, speed=speed) if speed > 0 else None
    with MissionRunner(
        planner=planner,
        robot=robot,
        world=world,
        limits=settings.safety,
        settings=execution,
        custom_actions=registry,
        journal=journal,
        approvals=watch.viewer.approvals if watch.viewer is not None else None,
        tree_file=tree_file,
    ) as runner:
        runner.mission.add_listener(lambda status: _narrate(status, err))
        ApprovalPrompt(runner.mission.approvals, err=err)
        watch.attach(runner.mission)
        run = runner.run(
            command,
            max_sim_time_s=max_sim_time,
            pacer=pacer,
            on_tick=watch.on_tick,
            source="cli",
            approval=approval,
        )
        watch.redraw(runner.mission)
    return run


def _open_groot2(
    port: int, *, registry: CustomActionRegistry, command: str, json_output: bool, err: Console
) -> Groot2Publisher:
    """The Groot2 publisher on 127.0.0.1:``port``; exits 2 when it cannot bind (or pyzmq is missing)."""
    try:
        publisher = Groot2Publisher(port=port, tree_id="Mission", custom_actions=registry)
    except Groot2Unavailable as error:
        _setup_error(str(error), command=command, json_output=json_output, err=err)
    err.print(f"groot2: {publisher.address} (Groot2: Monitor, server port {port})")
    return publisher


def _open_journal(
    path: Path | None, settings: Settings, *, command: str, json_output: bool, err: Console
) -> Journal | None:
    """The journal at ``path`` (None: no journal); exits 2 when it cannot be opened."""
    if path is None:
        return None
    try:
        return Journal.open(path, settings=settings.journal)
    except JournalError as error:
        _setup_error(str(error), command=command, json_output=json_output, err=err)


def _report_planning(run: CommandReport, *, plan_file: Path | None, err: Console) -> None:
    """On stderr: a plan file's verification issues, or why the planner gave no (further) plan."""
    answer = run.plan_results[-1] if run.plan_results else None
    if plan_file is not None:
        for issue in run.plan_results[0].issues if run.plan_results else run.status.issues:
            err.print(f"[{'red' if issue.severity is Severity.ERROR else 'yellow'}]{issue}[/]")
        if run.status.state is MissionState.REJECTED:
            err.print("[red]the plan file failed verification; nothing was executed[/red]")
        elif run.last is None:
            err.print(f"[red]{run.status.reason}[/red]")
    elif answer is not None and not answer.success:
        render_plan_result(answer, err)
    elif run.last is None:
        err.print(f"[red]{run.status.reason}[/red]")


def run(
    command: Annotated[str, typer.Argument(help="What the robot should do, in plain words.")],
    *,
    world: WorldOption = None,
    plan_file: PlanOption = None,
    config: ConfigOption = None,
    mode: ModeOption = None,
    json_output: JsonOption = False,
    speed: SpeedOption = 1.0,
    max_sim_time: MaxTimeOption = 600.0,
    view: ViewOption = False,
    view_port: ViewPortOption = 8765,
    journal_path: JournalOption = None,
    approval: ApprovalOption = None,
    tree_file: TreeOption = None,
    groot2: Groot2Option = False,
    groot2_port: Groot2PortOption = GROOT2_PORT,
) -> None:
    """Plan COMMAND (or load --plan), verify it, and execute it on the simulated humanoid.

    Exit codes: 0 succeeded, 1 no safe plan or execution failed, 2 usage or setup error.
    """
    console = Console()
    err = Console(stderr=True)
    try:
        settings = load_settings(config, mode=mode)
        the_world = load_world(world)
    except (OSError, ValueError, yaml.YAMLError) as error:
        _setup_error(f"cannot load the configuration or world: {error}", command=command,
                     json_output=json_output, err=err)  # fmt: skip
    try:
        override = ApprovalPolicy.model_validate(approval) if approval is not None else None
    except ValidationError as error:
        _setup_error(f"--approval {approval!r}: {error}", command=command, json_output=json_output, err=err)
    journal = _open_journal(journal_path or settings.journal.path, settings, command=command,
                            json_output=json_output, err=err)  # fmt: skip
    registry = CustomActionRegistry()
    planner = _planner(
        command, plan_file=plan_file, settings=settings, registry=registry, json_output=json_output, err=err
    )
    if tree_file is not None:
        _check_tree(tree_file, planner=planner, world=the_world, settings=settings, registry=registry,
                    command=command, json_output=json_output, err=err)  # fmt: skip
    terminal = not json_output and console.is_terminal
    period = settings.execution.tick_period_s
    redraw_every = max(1, round(speed / (_REDRAWS_PER_S * period))) if speed > 0 else _REDRAWS_PER_S
    serving: contextlib.AbstractContextManager[ViewerServer | None] = (
        ViewerServer(port=view_port, approvals=ApprovalBroker(), journal=journal)
        if view
        else contextlib.nullcontext()
    )
    publisher = _open_groot2(groot2_port, registry=registry, command=command, json_output=json_output,
                             err=err) if groot2 else None  # fmt: skip
    with serving as viewer, journal if journal is not None else contextlib.nullcontext(), \
            publisher if publisher is not None else contextlib.nullcontext():  # fmt: skip
        if viewer is not None:
            err.print(f"viewer: {viewer.url}")
        drawing: contextlib.AbstractContextManager[Live | None] = (
            Live(console=console, auto_refresh=False) if terminal else contextlib.nullcontext()
        )
        with drawing as live:
            robot = SimulatedRobot(the_world)
            watch = _Watch(command=command, robot=robot, viewer=viewer, live=live, redraw_every=redraw_every,
                           groot2=publisher)  # fmt: skip
            result = _execute(
                command, planner=planner, robot=robot, world=the_world, settings=settings, registry=registry,
                replans=plan_file is None, speed=speed, max_sim_time=max_sim_time, watch=watch, err=err,
                journal=journal, approval=override, tree_file=tree_file,
            )  # fmt: skip
        if viewer is not None:
            _final_snapshot(viewer, result)
            if terminal:
                _serve_until_interrupted(viewer, console)
    _report_planning(result, plan_file=plan_file, err=err)
    if json_output:
        typer.echo(json.dumps(run_json(result), indent=2))
    elif result.last is not None:
        render_run(result, console)
    raise typer.Exit(0 if result.success else 1)
