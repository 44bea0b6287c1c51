"""``bt-planner run "COMMAND"``: plan (or load a plan), verify, and execute it on the simulated humanoid.

The run is paced to the wall clock (``--speed 1`` is real time, ``--speed 0`` runs as fast as
possible); the simulated result is the same at any speed. On a terminal a live view shows the tree
with statuses and a progress bar.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.live import Live

from bt_planner.cli.options import ConfigOption, JsonOption, WorldOption, load_settings, load_world
from bt_planner.cli.plan_cmd import render as render_plan_result
from bt_planner.cli.run_render import live_view, render_report
from bt_planner.config import Settings
from bt_planner.core.issues import Severity
from bt_planner.core.world import World
from bt_planner.errors import BackendUnavailable
from bt_planner.execution import ExecutionReport, execute_plan
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.feedback import ExecutionFeedback
from bt_planner.plans.plan import Plan
from bt_planner.sim import RealTimePacer, SimulatedRobot
from bt_planner.snapshot import MissionContext, capture
from bt_planner.tree.compiler import CompiledPlan
from bt_planner.verification import Verifier
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
MaxTimeOption = Annotated[
    float, typer.Option("--max-sim-time", min=1.0, help="Stop the run after this many simulated seconds.")
]


def load_plan_file(path: Path, custom_actions: CustomActionRegistry) -> Plan:
    """A plan from ``path``: bare wire format, or a ``PlanResult`` JSON with a ``plan`` key."""
    data: Any = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "actions" not in data and isinstance(data.get("plan"), dict):
        data = data["plan"]
    return Plan.model_validate(data, context={"custom_actions": custom_actions})


def _obtain_plan(
    command: str,
    *,
    plan_file: Path | None,
    settings: Settings,
    world: World,
    registry: CustomActionRegistry,
    json_output: bool,
    err: Console,
) -> tuple[Plan, LLMActionPlanner | None]:
    """The verified plan to run and the planner that made it (None for a plan file); exits when there is none."""
    if plan_file is not None:
        try:
            plan = load_plan_file(plan_file, registry)
        except (OSError, ValueError, ValidationError) as error:
            err.print(f"[red]cannot read plan file {plan_file}:[/red] {error}")
            raise typer.Exit(2) from None
        issues = Verifier(settings.safety, registry).verify(plan, world.robot, world)
        errors = [issue for issue in issues if issue.severity is Severity.ERROR]
        for issue in issues:
            err.print(f"[{'red' if issue in errors else 'yellow'}]{issue}[/]")
        if errors:
            err.print("[red]the plan file failed verification; nothing was executed[/red]")
            raise typer.Exit(1)
        return plan, None
    try:
        planner = LLMActionPlanner(settings, custom_actions=registry)
    except BackendUnavailable as error:
        err.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from None
    result = planner.plan(command, world=world)
    if result.plan is None or not result.success:
        if json_output:
            typer.echo(result.model_dump_json(indent=2))
        else:
            render_plan_result(result, err)
        raise typer.Exit(1)
    return result.plan, planner


def _replan(
    planner: LLMActionPlanner, command: str, report: ExecutionReport, attempt: int, err: Console
) -> Plan | None:
    """A new verified plan from where the failed run left the robot, told which action failed and why."""
    feedback = ExecutionFeedback(
        previous_plan=report.plan,
        failed_action_index=report.failed_action_index if report.failed_action_index is not None else 0,
        reason=report.failure or "the run failed",
        attempt=attempt,
    )
    err.print(f"[yellow]attempt {attempt} failed:[/yellow] {report.failure}; re-planning")
    result = planner.plan(command, report.final_state, report.final_world, feedback=feedback)
    if result.plan is None or not result.success:
        render_plan_result(result, err)
        return None
    return result.plan


def _execute(
    plan: Plan,
    *,
    robot: SimulatedRobot,
    world: World,
    settings: Settings,
    registry: CustomActionRegistry,
    speed: float,
    max_sim_time: float,
    console: Console | None,
    viewer: ViewerServer | None = None,
    command: str = "",
) -> ExecutionReport:
    """Run ``plan`` on ``robot``, with a live view on ``console`` and ``viewer`` if given."""
    period = settings.execution.tick_period_s
    pacer = RealTimePacer(period_s=period, speed=speed) if speed > 0 else None
    ticks = [0]

    def publish(compiled: CompiledPlan) -> None:
        if viewer is None:
            return
        ticks[0] += 1
        failed = compiled.failed_index()
        mission = MissionContext(
            command=command,
            plan=plan.to_wire(),
            status="FAILED" if failed is not None else "EXECUTING",
            action_index=_running_index(compiled),
        )
        viewer.publish(
            capture(
                compiled.root, tick=ticks[0], mission=mission, robot=robot.state(), world=robot.world_state()
            )
        )

    if console is None:
        return execute_plan(
            plan, robot=robot, world=world, limits=settings.safety, custom_actions=registry,
            tick_period_s=period, max_sim_time_s=max_sim_time, pacer=pacer, on_tick=publish,
        )  # fmt: skip
    shown: list[CompiledPlan] = []
    last_draw = [0.0]
    with Live(console=console, refresh_per_second=10, transient=False) as live:

        def on_tick(compiled: CompiledPlan) -> None:
            publish(compiled)
            shown[:] = [compiled]
            now = time.monotonic()
            if now - last_draw[0] >= 0.05:
                live.update(live_view(compiled, robot.now()))
                last_draw[0] = now

        report = execute_plan(
            plan, robot=robot, world=world, limits=settings.safety, custom_actions=registry,
            tick_period_s=period, max_sim_time_s=max_sim_time, pacer=pacer, on_tick=on_tick,
        )  # fmt: skip
        if shown:
            live.update(live_view(shown[0], robot.now()))
    return report


def _running_index(compiled: CompiledPlan) -> int | None:
    running = [o.index for o in compiled.outcomes() if o.status.value == "running"]
    return running[0] if running else None


def _serve_until_interrupted(viewer: ViewerServer, console: Console) -> None:
    console.print(f"[dim]run finished; the viewer stays up at {viewer.url} - Ctrl-C to quit[/dim]")
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()


def _final_snapshot(viewer: ViewerServer, report: ExecutionReport, command: str) -> None:
    """Leave the viewer showing how the run ended (the last tick's tree stays as it was)."""
    update = viewer.hub.latest
    if update is None:
        return
    latest = update.snapshot
    status = "SUCCEEDED" if report.success else "FAILED"
    mission = (latest.mission or MissionContext(command=command)).model_copy(
        update={"status": status, "details": report.failure or "", "action_index": None}
    )
    viewer.publish(
        latest.model_copy(
            update={"mission": mission, "robot": report.final_state, "world": report.final_world}
        )
    )


def run(
    command: Annotated[str, typer.Argument(help="What the robot should do, in plain words.")],
    *,
    world: WorldOption = None,
    plan_file: PlanOption = None,
    config: ConfigOption = None,
    json_output: JsonOption = False,
    speed: SpeedOption = 1.0,
    max_sim_time: MaxTimeOption = 600.0,
    view: ViewOption = False,
    view_port: ViewPortOption = 8765,
) -> None:
    """Plan COMMAND (or load --plan), verify it, and execute it on the simulated humanoid.

    Exit codes: 0 succeeded, 1 no safe plan or execution failed, 2 usage or setup error.
    """
    console = Console()
    settings = load_settings(config)
    the_world = load_world(world)
    registry = CustomActionRegistry()
    err = Console(stderr=True)
    plan, planner = _obtain_plan(
        command, plan_file=plan_file, settings=settings, world=the_world, registry=registry,
        json_output=json_output, err=err,
    )  # fmt: skip
    live = console if (not json_output and console.is_terminal) else None
    with contextlib.ExitStack() as stack:
        viewer = stack.enter_context(ViewerServer(port=view_port)) if view else None
        if viewer is not None:
            err.print(f"viewer: {viewer.url}")
        robot = SimulatedRobot(the_world)
        attempts: list[ExecutionReport] = []
        while True:
            report = _execute(
                plan, robot=robot, world=robot.world_state(), settings=settings, registry=registry,
                speed=speed, max_sim_time=max_sim_time, console=live, viewer=viewer, command=command,
            )  # fmt: skip
            attempts.append(report)
            if report.success or planner is None or len(attempts) > settings.execution.max_replans:
                break
            next_plan = _replan(planner, command, report, len(attempts), err)
            if next_plan is None:
                break
            plan = next_plan
        if viewer is not None:
            _final_snapshot(viewer, report, command)
            if live is not None:
                _serve_until_interrupted(viewer, console)
    if json_output:
        earlier = [
            {"failure": a.failure, "failed_action_index": a.failed_action_index} for a in attempts[:-1]
        ]
        typer.echo(
            json.dumps(
                {"command": command, "earlier_attempts": earlier, **report.model_dump(mode="json")}, indent=2
            )
        )
    else:
        render_report(report, console)
    raise typer.Exit(0 if report.success else 1)
