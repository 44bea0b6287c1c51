"""How ``bt-planner run`` shows a run: the live tree with a progress bar, then outcomes and the final world."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from bt_planner.core.world import World
from bt_planner.execution import ExecutionReport
from bt_planner.tree.compiler import CompiledPlan


def live_view(compiled: CompiledPlan, sim_time_s: float) -> RenderableType:
    import py_trees

    tree = Text.from_ansi(py_trees.display.unicode_tree(compiled.root, show_status=True))
    progress = compiled.progress()
    bar = ProgressBar(total=1.0, completed=progress, width=40)
    line = Text(f"{progress:4.0%} of the plan done, simulated time {sim_time_s:6.1f} s")
    return Group(tree, bar, line)


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


def render_report(report: ExecutionReport, console: Console) -> None:
    """Outcome per action, the verdict, the final world state and what was said."""
    console.print(_outcome_table(report))
    console.print(_world_table(report.final_world))
    for line in report.spoken:
        console.print(f"[cyan]said:[/cyan] {line}")
    if report.success:
        console.print(
            f"[green]succeeded[/green] in {report.sim_time_s:.1f} simulated s ({report.ticks} ticks)"
        )
    else:
        console.print(f"[red]failed:[/red] {report.failure} (after {report.sim_time_s:.1f} simulated s)")
