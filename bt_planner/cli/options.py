"""Options shared by several commands: world file, config file, JSON output."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bt_planner.config import Settings
from bt_planner.core.world import World, default_world

WorldOption = Annotated[
    Path | None, typer.Option("--world", "-w", help="World YAML file (default: the packaged kitchen world).")
]
ConfigOption = Annotated[
    Path | None, typer.Option("--config", "-c", help="Config YAML/TOML file (default: $BT_PLANNER_CONFIG).")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]


def load_world(path: Path | None) -> World:
    return World.load(path) if path is not None else default_world()


def load_settings(path: Path | None) -> Settings:
    return Settings.load(path)
