"""Snapshot JSON in and out: the one place that decides the wire spelling (``"class"``, compact JSON)."""

from __future__ import annotations

from typing import Any

from bt_planner.snapshot.tree_snapshot import TreeSnapshot


def to_dict(snapshot: TreeSnapshot) -> dict[str, Any]:
    """The snapshot as JSON-ready data (wire key names)."""
    return snapshot.model_dump(mode="json", by_alias=True)


def to_json(snapshot: TreeSnapshot, *, indent: int | None = None) -> str:
    """The snapshot as JSON text: compact by default (one line, as published on the ROS topic)."""
    return snapshot.model_dump_json(by_alias=True, indent=indent)


def from_json(text: str | bytes) -> TreeSnapshot:
    """Parse and validate snapshot JSON; ``pydantic.ValidationError`` if it is not a version-1 snapshot."""
    return TreeSnapshot.model_validate_json(text)


def from_dict(data: dict[str, Any]) -> TreeSnapshot:
    """Validate already-parsed snapshot JSON data."""
    return TreeSnapshot.model_validate(data)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the snapshot format, for consumers in other languages."""
    return TreeSnapshot.model_json_schema(by_alias=True)
