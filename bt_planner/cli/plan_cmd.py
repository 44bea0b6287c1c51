"""``bt-planner plan "COMMAND"``: plan (and verify) one command, print the plan or why there is none."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bt_planner.cli.options import (
    ConfigOption,
    JsonOption,
    ModeOption,
    WorldOption,
    exit_with_error,
    load_settings,
    load_world,
)
from bt_planner.errors import BtPlannerError
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.planning.result import PlanResult
from bt_planner.plans.task_goals import describe_goal


def render(result: PlanResult, console: Console) -> None:
    """A readable table of the plan, its issues, and who answered how fast."""
    if result.plan is not None:
        table = Table(title=f"Plan for: {result.command}", title_justify="left")
        for column in ("#", "action", "parameters", "description", "est. s"):
            table.add_column(column)
        for index, action in enumerate(result.plan.actions):
            params = ", ".join(
                f"{k}={v}" for k, v in action.parameters.model_dump(mode="json", exclude_none=True).items()
            )
            duration = f"{action.estimated_duration:g}" if action.estimated_duration is not None else ""
            table.add_row(str(index), action.action_type.value, params, action.description, duration)
        console.print(table)
        if result.plan.reasoning:
            console.print(f"[dim]reasoning:[/dim] {result.plan.reasoning}")
    for issue in result.issues:
        colour = "red" if issue.severity.value == "error" else "yellow"
        console.print(f"[{colour}]{issue}[/{colour}]")
    if result.goals is not None:
        listed = ", ".join(describe_goal(goal) for goal in result.goals.goals) or "none"
        console.print(f"[dim]goals:[/dim] {listed}")
    verdict = "[green]plan accepted[/green]" if result.success else "[red]no safe plan[/red]"
    cached = " (cached)" if result.cache_hit else ""
    console.print(
        f"{verdict} - {result.mode} mode, backend {result.backend}, model {result.model}, "
        f"{result.timings.total_ms / 1000:.2f} s{cached}, {result.llm_calls} LLM call(s), "
        f"{result.usage.total_tokens} tokens"
    )


def plan(
    command: Annotated[str, typer.Argument(help="What the robot should do, in plain words.")],
    world: WorldOption = None,
    config: ConfigOption = None,
    mode: ModeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Plan one command and verify it; exit code 1 when no safe plan was found, 2 for a setup error."""
    console = Console()
    try:
        the_world = load_world(world)
        planner = LLMActionPlanner(load_settings(config, mode=mode))
    except BtPlannerError as error:
        exit_with_error(error, json_output=json_output)
    result = planner.plan(command, world=the_world)
    if json_output:
        typer.echo(result.model_dump_json(indent=2))
    else:
        render(result, console)
    raise typer.Exit(0 if result.success else 1)
