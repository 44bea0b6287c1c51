"""Suites: a YAML file of tasks, found by path or by packaged name, with every world resolved.

Format (see README)::

    name: standard
    description: what the suite covers
    tasks:
      - id: kitchen-seed
        world: kitchen                 # packaged name, or a path relative to this file
        command: Go to the kitchen, pick up the red cup, and bring it to the table
        tags: [fetch, detect]
        goals:
          - {kind: object_at, object: red_cup, location: table}
          - {kind: holding, object: null}
        reference_plan:
          actions:
            - {action_type: navigate, parameters: {location_name: kitchen}}
            - ...
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bt_planner.core.world import World, packaged_world
from bt_planner.errors import SuiteError
from bt_planner.evaluation.task import Task
from bt_planner.plans.custom_actions import CustomActionRegistry

DEFAULT_SUITE = "standard"


class Suite(BaseModel):
    """The suite file as written."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    description: str = ""
    tasks: list[Task] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Suite:
        seen: set[str] = set()
        for task in self.tasks:
            if task.id in seen:
                raise ValueError(f"task id {task.id!r} appears twice")
            seen.add(task.id)
        return self


class LoadedSuite(BaseModel):
    """A suite with each task's world loaded; ``source`` says where the suite came from."""

    model_config = ConfigDict(frozen=True)

    suite: Suite
    worlds: dict[str, World]
    source: str

    def world_for(self, task: Task) -> World:
        """The task's world, with its starting robot state replaced when the task gives one."""
        world = self.worlds[task.world]
        return world if task.robot is None else world.model_copy(update={"robot": task.robot})


def _suites_dir() -> Any:
    return resources.files("bt_planner") / "data" / "suites"


def packaged_suite_names() -> list[str]:
    """Names of the suites shipped with the package, e.g. ``["standard"]``."""
    return sorted(p.name.removesuffix(".yaml") for p in _suites_dir().iterdir() if p.name.endswith(".yaml"))


def _is_path(spec: str) -> bool:
    return spec.endswith((".yaml", ".yml")) or "/" in spec or "\\" in spec


def _load_world(spec: str, *, base: Path | None, world_dirs: Sequence[Path]) -> World:
    try:
        if _is_path(spec):
            path = Path(spec)
            if not path.is_absolute() and base is not None:
                path = base / path
            if not path.is_file():
                raise SuiteError(f"world file not found: {path}")
            return World.load(path)
        for folder in world_dirs:
            candidate = folder / f"{spec}.yaml"
            if candidate.is_file():
                return World.load(candidate)
        return packaged_world(spec)
    except FileNotFoundError:
        searched = ", ".join(str(d) for d in world_dirs) or "no --world-dir"
        raise SuiteError(f"unknown world {spec!r}: not in {searched} nor among the packaged worlds") from None
    except (ValidationError, yaml.YAMLError) as error:
        raise SuiteError(f"world {spec!r} is invalid: {error}") from None


def parse_suite(text: str, *, custom_actions: CustomActionRegistry | None = None) -> Suite:
    """A suite from YAML text; custom steps in reference plans validate against ``custom_actions``."""
    try:
        data: Any = yaml.safe_load(text)
        return Suite.model_validate(data, context={"custom_actions": custom_actions})
    except yaml.YAMLError as error:
        raise SuiteError(f"suite is not valid YAML: {error}") from None
    except ValidationError as error:
        raise SuiteError(f"suite does not validate:\n{error}") from None


def load_suite(
    spec: str | Path = DEFAULT_SUITE,
    *,
    world_dirs: Sequence[Path] = (),
    custom_actions: CustomActionRegistry | None = None,
) -> LoadedSuite:
    """A suite by file path or packaged name, with worlds from ``world_dirs`` first, then the package."""
    path = Path(spec)
    if path.is_file():
        text, base, source = path.read_text(encoding="utf-8"), path.parent, str(path)
    elif not _is_path(str(spec)) and str(spec) in packaged_suite_names():
        text = (_suites_dir() / f"{spec}.yaml").read_text(encoding="utf-8")
        base, source = None, f"packaged:{spec}"
    else:
        known = ", ".join(packaged_suite_names())
        raise SuiteError(
            f"no suite file {str(spec)!r} and no packaged suite of that name (packaged: {known})"
        )
    suite = parse_suite(text, custom_actions=custom_actions)
    worlds: dict[str, World] = {}
    for task in suite.tasks:
        if task.world not in worlds:
            worlds[task.world] = _load_world(task.world, base=base, world_dirs=world_dirs)
    return LoadedSuite(suite=suite, worlds=worlds, source=source)
