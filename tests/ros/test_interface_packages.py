"""The interface packages in interfaces/: a fresh CMake generation gives the type hashes installed in the venv.

A type hash (RIHS01) is what DDS peers compare to decide two types match; it must not depend on the build.
Only the type-description step of rosidl is re-run (a few seconds), into a temporary build directory.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("rclpy")
pytest.importorskip("bt_planner_msgs")

pytestmark = pytest.mark.ros

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["bt_planner_msgs", "py_trees_ros_interfaces"]


def hashes(folder: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*.json")):
        for entry in json.loads(path.read_text(encoding="utf-8")).get("type_hashes", []):
            found[entry["type_name"]] = entry["hash_string"]
    return found


@pytest.mark.skipif(shutil.which("cmake") is None, reason="needs cmake")
@pytest.mark.parametrize("package", PACKAGES)
def test_type_hashes_are_the_same_after_a_rebuild(package, tmp_path):
    installed = hashes(Path(sys.prefix) / "share" / package)
    assert installed, f"{package} is not installed in {sys.prefix} (make interfaces)"
    subprocess.run(
        ["cmake", "-S", str(ROOT / "interfaces" / package), "-B", str(tmp_path), "-DSKBUILD=ON",
         f"-DPython_EXECUTABLE={sys.executable}"],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        ["cmake", "--build", str(tmp_path), "--target", f"{package}__rosidl_generator_type_description"],
        check=True, capture_output=True,
    )  # fmt: skip
    rebuilt = hashes(tmp_path / "rosidl_generator_type_description")
    assert rebuilt == installed
    assert all(h.startswith("RIHS01_") for h in rebuilt.values())


def test_the_action_and_its_constants_are_what_the_readme_documents():
    from bt_planner_msgs.action import ExecuteCommand
    from bt_planner_msgs.msg import PlannerStatus

    result = ExecuteCommand.Result
    assert (
        result.OUTCOME_SUCCEEDED,
        result.OUTCOME_FAILED,
        result.OUTCOME_REJECTED,
        result.OUTCOME_CANCELLED,
    ) == (0, 1, 2, 3)
    assert set(ExecuteCommand.Goal.get_fields_and_field_types()) == {"command", "world_file"}
    assert PlannerStatus.REJECTED == 8 and ExecuteCommand.Feedback().action_index == -1
