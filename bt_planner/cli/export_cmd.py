"""``bt-planner export``: a plan (JSON file, or planned from a command) as BehaviorTree.CPP v4 XML.

The plan is compiled for the simulated robot in ``--world`` (timeouts depend on where it starts)
and written as BT.CPP v4 XML with a ``<TreeNodesModel>``, which BT.CPP and Groot2 load. ``--json``
prints ``{"success": true, "format": ..., "actions": N, "xml": ...}`` (or the error) instead.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from bt_planner.cli.options import (
    ConfigOption,
    JsonOption,
    ModeOption,
    WorldOption,
    exit_with_error,
    load_settings,
    load_world,
)
from bt_planner.cli.run_cmd import load_plan_file
from bt_planner.errors import BtPlannerError, SetupError
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan
from bt_planner.sim import SimulatedRobot
from bt_planner.tree.compiler import compile_plan
from bt_planner.tree.xml_export import tree_to_xml


class TreeFormat(str, Enum):
    """Output dialects (one for now)."""

    BTCPP = "btcpp"


def export(
    command: Annotated[
        str | None, typer.Argument(help="Plan this command first (skip it when giving --plan).")
    ] = None,
    *,
    plan_file: Annotated[
        Path | None,
        typer.Option("--plan", help="Plan JSON file (a plan, or the output of `bt-planner plan --json`)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the XML here instead of stdout.")
    ] = None,
    tree_format: Annotated[
        TreeFormat, typer.Option("--format", help="btcpp: BehaviorTree.CPP v4 / Groot2 XML.")
    ] = TreeFormat.BTCPP,
    world: WorldOption = None,
    config: ConfigOption = None,
    mode: ModeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Export a plan's behaviour tree as BT.CPP v4 XML (exit 1: no safe plan; 2: usage or setup error)."""
    registry = CustomActionRegistry()
    try:
        the_world = load_world(world)
        if (command is None) == (plan_file is None):
            raise SetupError("give either a COMMAND to plan or --plan FILE, not both and not neither")
        plan: Plan
        if plan_file is not None:
            try:
                plan = load_plan_file(plan_file, registry)
            except (OSError, ValueError, ValidationError) as error:
                raise SetupError(f"cannot read plan file {plan_file}: {error}") from error
        else:
            assert command is not None
            result = LLMActionPlanner(load_settings(config, mode=mode)).plan(command, world=the_world)
            if not result.success or result.plan is None:
                reasons = "; ".join(str(issue) for issue in result.issues) or "no plan"
                exit_with_error(f"no safe plan for {command!r}: {reasons}", json_output=json_output, code=1)
            plan = result.plan
        compiled = compile_plan(
            plan, robot=SimulatedRobot(the_world), world=the_world, limits=load_settings(config).safety,
            custom_actions=registry,
        )  # fmt: skip
        xml = tree_to_xml(compiled.root, custom_actions=registry)
        compiled.release()
        if output is not None:
            try:
                output.write_text(xml, encoding="utf-8")
            except OSError as error:
                raise SetupError(f"cannot write {output}: {error}") from error
    except BtPlannerError as error:
        exit_with_error(error, json_output=json_output)
    except ValueError as error:
        exit_with_error(str(error), json_output=json_output)
    if json_output:
        payload = {
            "success": True,
            "format": tree_format.value,
            "actions": len(plan.actions),
            "output": str(output) if output is not None else None,
            "xml": xml,
        }
        typer.echo(json.dumps(payload, indent=2))
    elif output is None:
        typer.echo(xml, nl=False)
