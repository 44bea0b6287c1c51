"""How ``bt-planner run`` shows a run: the live tree and progress bar, the outcomes and final world.

Also the ``--json`` document of a run and the mission status words the viewer's snapshots use.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group, RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from bt_planner.core.world import World
from bt_planner.execution import CommandReport, ExecutionReport
from bt_planner.tree.compiler import CompiledPlan
from bt_planner.tree.mission import MissionState, MissionStatus, planner_status_name


def viewer_status(state: MissionState) -> str:
    """``state`` in the planner-status vocabulary snapshots use (that of the ROS node's ``planner_status``)."""
    return planner_status_name(state)


def live_view(status: MissionStatus, compiled: CompiledPlan | None, sim_time_s: float) -> RenderableType:
    """The plan being executed (with statuses), a progress bar, the simulated time and the attempt."""
    import py_trees

    attempt = f", attempt {status.attempt}" if status.attempt > 1 else ""
    clock = f"simulated time {sim_time_s:6.1f} s{attempt}"
    if compiled is None or status.state in (MissionState.PLANNING, MissionState.REPLANNING):
        return Text(f"{status.state.value}: {clock}")
    tree = Text.from_ansi(py_trees.display.unicode_tree(compiled.root, show_status=True))
    progress = compiled.progress()
    bar = ProgressBar(total=1.0, completed=progress, width=40)
    return Group(tree, bar, Text(f"{progress:4.0%} of the plan done, {clock}"))


def _outcome_table(report: ExecutionReport) -> Table:
    table = Table(title="Actions", title_justify="left")
    for column in ("#", "action", "status", "start s", "took s", "message"):
        table.add_column(column)
    colours = {
        "succeeded": "green",
        "failed": "red",
        "cancelled": "yellow",
        "not_run": "dim",
        "running": "cyan",
    }
    for outcome in report.outcomes:
        colour = colours[outcome.status.value]
        start = f"{outcome.started_at:.1f}" if outcome.started_at is not None else ""
        took = f"{outcome.duration_s:.1f}" if outcome.duration_s is not None else ""
        table.add_row(
            str(outcome.index),
            outcome.name,
            f"[{colour}]{outcome.status.value}[/{colour}]",
            start,
            took,
            outcome.message,
        )
    return table


def _world_table(world: World) -> Table:
    table = Table(title="Final world", title_justify="left")
    for column in ("what", "where", "details"):
        table.add_column(column)
    robot = world.robot
    pose = robot.pose
    table.add_row(
        "robot",
        f"({pose.x:.2f}, {pose.y:.2f}) yaw {pose.yaw:.2f} rad",
        f"battery {robot.battery_percent:.1f} %, gripper {robot.gripper.value}"
        + (f" holding {robot.holding}" if robot.holding else ""),
    )
    for object_id, obj in world.objects.items():
        position = world.object_position(object_id)
        where = f"({position.x:.2f}, {position.y:.2f}, {position.z:.2f})"
        table.add_row(object_id, where + (f" at {obj.location}" if obj.location else ""), obj.type)
    return table


def render_run(run: CommandReport, console: Console) -> None:
    """The last plan's outcome per action, the final world state, what was said, and the verdict."""
    last = run.last
    if last is not None:
        console.print(_outcome_table(last))
        console.print(_world_table(last.final_world))
        for line in last.spoken:
            console.print(f"[cyan]said:[/cyan] {line}")
    replans = len(run.attempts) - 1
    after = f" after {replans} re-plan{'s' if replans != 1 else ''}" if replans > 0 else ""
    if run.success:
        console.print(f"[green]succeeded[/green] in {run.sim_time_s:.1f} simulated s{after}")
    else:
        console.print(
            f"[red]failed:[/red] {run.status.reason} (after {run.sim_time_s:.1f} simulated s{after})"
        )


def run_json(run: CommandReport) -> dict[str, Any]:
    """The ``--json`` document of a run.

    When a plan ran: the last run's ``ExecutionReport`` (per-action outcomes, timings, final world)
    plus ``earlier_attempts`` (why each earlier plan failed). When none ran: the planner's answer
    (a ``PlanResult``) when it was the refusal, else the mission's ``issues``. Always: ``command``,
    ``success``, ``state`` (succeeded, failed, rejected, cancelled) and ``reason``.
    """
    verdict = {
        "command": run.command,
        "success": run.success,
        "state": run.status.state.value,
        "reason": run.status.reason,
    }
    last = run.last
    if last is not None:
        earlier = [
            {"failure": a.failure, "failed_action_index": a.failed_action_index} for a in run.attempts[:-1]
        ]
        return {
            "command": run.command,
            "earlier_attempts": earlier,
            **last.model_dump(mode="json"),
            **verdict,
        }
    answer = run.plan_results[-1] if run.plan_results else None
    if answer is not None and not answer.success:
        return {**answer.model_dump(mode="json"), **verdict}
    return {**verdict, "issues": [issue.model_dump(mode="json") for issue in run.status.issues]}
