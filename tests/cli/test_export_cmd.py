"""``bt-planner export`` and ``bt-planner run --tree``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bt_planner.cli.app import app
from bt_planner.tree.tree_files import find_tree
from tests.sample_plans import KITCHEN_COMMAND, kitchen_plan


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_plan_file_exports_btcpp_xml_to_stdout_and_file(tmp_path: Path) -> None:
    plan = write(tmp_path / "plan.json", kitchen_plan())
    code, out, _ = invoke("export", "--plan", str(plan), "--format", "btcpp")
    assert code == 0
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<root BTCPP_format="4"')
    assert '<Navigate name="#1 navigate kitchen" location_name="kitchen" />' in out
    target = tmp_path / "plan.xml"
    code, out, _ = invoke("export", "--plan", str(plan), "-o", str(target), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["success"] is True and report["actions"] == 5 and report["format"] == "btcpp"
    assert target.read_text(encoding="utf-8") == report["xml"]


def test_export_errors_are_json_with_json(tmp_path: Path) -> None:
    code, out, _ = invoke("export", "--plan", str(tmp_path / "missing.json"), "--json")
    assert code == 2
    error = json.loads(out)
    assert error["success"] is False and "cannot read plan file" in error["error"]["message"]
    code, out, _ = invoke("export", "--json")
    assert code == 2 and "either a COMMAND" in json.loads(out)["error"]["message"]


def test_run_with_a_copy_of_the_mission_tree_succeeds(tmp_path: Path) -> None:
    tree = tmp_path / "mission.xml"
    tree.write_text(find_tree("mission").read_text(encoding="utf-8"), encoding="utf-8")
    plan = write(tmp_path / "plan.json", kitchen_plan())
    code, out, _ = invoke(
        "run", KITCHEN_COMMAND, "--plan", str(plan), "--tree", str(tree), "--json", "--speed", "0"
    )
    assert code == 0 and json.loads(out)["success"] is True


def test_run_with_a_bad_tree_is_a_setup_error_naming_the_line(tmp_path: Path) -> None:
    tree = tmp_path / "mission.xml"
    tree.write_text(
        '<root BTCPP_format="4">\n<BehaviorTree ID="Mission">\n<Teleport/>\n</BehaviorTree></root>',
        encoding="utf-8",
    )
    plan = write(tmp_path / "plan.json", kitchen_plan())
    code, out, _ = invoke(
        "run", KITCHEN_COMMAND, "--plan", str(plan), "--tree", str(tree), "--json", "--speed", "0"
    )
    assert code == 2
    message = json.loads(out)["error"]
    assert "line 3: <Teleport>: unknown node 'Teleport'" in message
