"""The world a node works in: a ``world_file`` parameter, or the packaged kitchen world when it is empty."""

from __future__ import annotations

from bt_planner.core.world import World, default_world


def load_world(world_file: str) -> World:
    """``World.load(world_file)``, or :func:`bt_planner.core.world.default_world` for an empty string."""
    return World.load(world_file) if world_file else default_world()
