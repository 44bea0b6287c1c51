"""Build glue: the version lives in package.xml only, and ROS installs get their share/ files.

pyproject.toml holds all metadata; this file exists because colcon's ament_python build calls
setup.py and because the version must have one home that both pip and ROS read.
"""

from __future__ import annotations

import re
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent
PACKAGE = "bt_planner"


def _version() -> str:
    match = re.search(r"<version>([^<]+)</version>", (HERE / "package.xml").read_text(encoding="utf-8"))
    if match is None:
        raise RuntimeError("package.xml has no <version>")
    return match.group(1).strip()


def _share(folder: str) -> list[tuple[str, list[str]]]:
    files = sorted(str(p.relative_to(HERE)) for p in (HERE / folder).glob("*") if p.is_file())
    return [(f"share/{PACKAGE}/{folder}", files)] if files else []


setup(
    version=_version(),
    data_files=[
        ("share/ament_index/resource_index/packages", ["resource/bt_planner"]),
        (f"share/{PACKAGE}", ["package.xml"]),
        *_share("trees"),
        *_share("launch"),
    ],
)
