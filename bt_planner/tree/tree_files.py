"""Find the tree definitions shipped in ``trees/`` wherever bt_planner is installed.

Searched, in order:

1. ``$BT_PLANNER_TREES_PATH`` (folders separated by ``os.pathsep``) — your own definitions first;
2. the source checkout: ``<repo>/trees`` next to the ``bt_planner`` package (editable installs);
3. ROS installs: ``<prefix>/share/bt_planner/trees`` for each prefix of ``$AMENT_PREFIX_PATH``;
4. wheel installs: ``<prefix>/share/bt_planner/trees`` under this interpreter's prefixes
   (``setup.py`` installs ``trees/*`` there as data files).
"""

from __future__ import annotations

import os
import site
import sys
import sysconfig
from pathlib import Path

SHARE = Path("share") / "bt_planner" / "trees"


def tree_search_paths() -> list[Path]:
    """Every folder that may hold tree definitions, in priority order (existing or not, deduplicated)."""
    candidates: list[Path] = []
    candidates += [Path(p) for p in os.environ.get("BT_PLANNER_TREES_PATH", "").split(os.pathsep) if p]
    candidates.append(Path(__file__).resolve().parents[2] / "trees")
    candidates += [Path(p) / SHARE for p in os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep) if p]
    prefixes = [sys.prefix, sys.exec_prefix, sysconfig.get_path("data"), getattr(site, "USER_BASE", None)]
    candidates += [Path(p) / SHARE for p in prefixes if p]
    unique: list[Path] = []
    for path in candidates:
        if path not in unique:
            unique.append(path)
    return unique


def find_tree(name: str) -> Path:
    """The path of tree definition ``name`` (``"mission"`` or ``"mission.xml"``).

    Raises ``FileNotFoundError`` naming every folder searched.
    """
    filename = name if name.endswith(".xml") else f"{name}.xml"
    searched = tree_search_paths()
    for folder in searched:
        candidate = folder / filename
        if candidate.is_file():
            return candidate
    listing = "\n  ".join(str(p) for p in searched)
    raise FileNotFoundError(
        f"tree definition {filename!r} not found; searched:\n  {listing}\n"
        "Reinstall bt_planner (its trees/ folder is installed to share/bt_planner/trees) or point "
        "BT_PLANNER_TREES_PATH at a folder that contains it."
    )


def available_trees() -> dict[str, Path]:
    """Tree name -> path for every definition found (earlier folders win)."""
    found: dict[str, Path] = {}
    for folder in tree_search_paths():
        if folder.is_dir():
            for path in sorted(folder.glob("*.xml")):
                found.setdefault(path.stem, path)
    return found
