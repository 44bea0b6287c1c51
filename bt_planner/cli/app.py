"""The ``bt-planner`` entry point: registers one sub-command per module."""

from __future__ import annotations

import typer

from bt_planner.cli import eval_cmd, launch_cmd, plan_cmd, run_cmd, view_cmd, watch_cmd

app = typer.Typer(
    name="bt-planner",
    help="Command -> LLM plan -> verified -> py_trees behaviour tree -> robot.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Plan, verify and run robot tasks from plain-language commands."""


app.command("plan")(plan_cmd.plan)
app.command("run")(run_cmd.run)
app.command("eval")(eval_cmd.eval_suite)
app.command("launch")(launch_cmd.launch)
app.command("view")(view_cmd.view)
app.command("watch")(watch_cmd.watch)


def main() -> None:
    app()
