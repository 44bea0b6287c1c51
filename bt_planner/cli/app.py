"""The ``bt-planner`` entry point: registers one sub-command per module."""

from __future__ import annotations

import sys

import typer

from bt_planner.cli import (
    eval_cmd,
    export_cmd,
    journal_cmd,
    launch_cmd,
    mcp_cmd,
    plan_cmd,
    run_cmd,
    send_cmd,
    view_cmd,
    watch_cmd,
)
from bt_planner.cli.options import run_cli

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
app.command("mcp")(mcp_cmd.mcp)
app.command("export")(export_cmd.export)
app.command("send")(send_cmd.send)
app.add_typer(journal_cmd.app, name="journal")


def main() -> None:
    """Exit codes: 0 success, 1 no safe plan / execution failed, 2 usage, 3 internal error (``--debug``)."""
    sys.exit(run_cli(app, sys.argv[1:]))
