"""Options shared by several commands: world file, config file, planning mode, JSON output, errors."""

from __future__ import annotations

import json
import traceback
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import yaml
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from bt_planner.config import PlanningMode, Settings
from bt_planner.core.world import World, default_world
from bt_planner.errors import BtPlannerError, SetupError

WorldOption = Annotated[
    Path | None, typer.Option("--world", "-w", help="World YAML file (default: the packaged kitchen world).")
]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help="Config YAML/TOML file (default: $BT_PLANNER_CONFIG).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]
ModeOption = Annotated[
    PlanningMode | None,
    typer.Option(
        "--mode",
        help="Who writes the steps: the model (actions), or the symbolic planner from the model's goals"
        " (goals); auto = goals for the embedded model. Default: planning.mode.",
    ),
]


def _problem(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}"
            for e in error.errors(include_url=False)
        )
    return str(error)


def load_world(path: Path | None) -> World:
    """The world file at ``path`` (default: the packaged kitchen); ``SetupError`` naming the file if unusable."""
    if path is None:
        return default_world()
    try:
        return World.load(path)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValidationError) as error:
        raise SetupError(f"world file {path}: {_problem(error)}") from error


def load_settings(path: Path | None, *, mode: PlanningMode | None = None) -> Settings:
    """Settings from ``path`` / ``$BT_PLANNER_CONFIG`` / the environment, with ``--mode`` applied on top."""
    try:
        settings = Settings.load(path)
    except (
        OSError,
        UnicodeDecodeError,
        ValueError,
    ) as error:  # pydantic, YAML and TOML errors are ValueErrors
        raise SetupError(f"configuration {path or '$BT_PLANNER_CONFIG'}: {_problem(error)}") from error
    if mode is not None:
        settings = settings.model_copy(
            update={"planning": settings.planning.model_copy(update={"mode": mode})}
        )
    return settings


def exit_with_error(error: BtPlannerError | str, *, json_output: bool, code: int = 2) -> NoReturn:
    """End the command with ``code``: ``{"success": false, "error": {...}}`` on stdout with ``--json``,
    else the message in red on stderr."""
    message = str(error)
    kind = type(error).__name__ if isinstance(error, BtPlannerError) else "Error"
    if json_output:
        payload: dict[str, Any] = {"success": False, "error": {"type": kind, "message": message}}
        typer.echo(json.dumps(payload))
    else:
        Console(stderr=True).print(f"[red]{message}[/red]", highlight=False)
    raise typer.Exit(code)


EXIT_OK = 0
"""Success."""
EXIT_FAILED = 1
"""No safe plan, or execution failed."""
EXIT_USAGE = 2
"""Bad arguments, configuration or input files."""
EXIT_INTERNAL = 3
"""A bug: an unexpected exception (a short message; the traceback only with ``--debug``)."""


def run_cli(app: typer.Typer, argv: list[str], *, prog_name: str = "bt-planner") -> int:
    """Run ``app`` on ``argv`` and return the exit code; unexpected exceptions become ``EXIT_INTERNAL``.

    ``--debug`` anywhere in ``argv`` is removed and prints the traceback of an internal error.
    With ``--json`` the error is a JSON object on stdout, as for every other error.
    """
    debug = "--debug" in argv
    args = [arg for arg in argv if arg != "--debug"]
    try:
        app(args=args, prog_name=prog_name)
    except SystemExit as done:
        code = done.code
        return code if isinstance(code, int) else (EXIT_OK if code is None else EXIT_FAILED)
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if debug:
            traceback.print_exc()
        message = f"internal error: {type(error).__name__}: {error}"[:500]
        hint = "" if debug else " (run with --debug for the traceback)"
        if "--json" in args:
            payload = {"success": False, "error": {"type": "InternalError", "message": message}}
            typer.echo(json.dumps(payload, ensure_ascii=True))
        else:
            Console(stderr=True).print(f"[red]{escape(message)}{hint}[/red]", highlight=False)
        return EXIT_INTERNAL
    return EXIT_OK
