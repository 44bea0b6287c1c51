"""``bt-planner run --groot2``: the run publishes to Groot2 on 127.0.0.1 and frees the ports after."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from typer.testing import CliRunner

from bt_planner.cli.app import app
from tests.groot2.monitor_client import free_port_pair
from tests.sample_plans import KITCHEN_COMMAND, kitchen_plan


def _plan(tmp_path: Path) -> str:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(kitchen_plan()), encoding="utf-8")
    return str(path)


def test_a_run_with_groot2_serves_on_the_port_and_releases_it(tmp_path: Path) -> None:
    port = free_port_pair()
    result = CliRunner().invoke(
        app,
        ["run", KITCHEN_COMMAND, "--plan", _plan(tmp_path), "--json", "--speed", "0",
         "--groot2", "--groot2-port", str(port)],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["success"] is True
    assert f"groot2: tcp://127.0.0.1:{port}" in result.stderr
    with socket.socket() as again, socket.socket() as next_one:  # both ports are free again
        again.bind(("127.0.0.1", port))
        next_one.bind(("127.0.0.1", port + 1))


def test_a_groot2_port_in_use_is_a_setup_error_in_json(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            app,
            ["run", KITCHEN_COMMAND, "--plan", _plan(tmp_path), "--json", "--speed", "0",
             "--groot2", "--groot2-port", str(port)],
        )  # fmt: skip
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["success"] is False and f"tcp://127.0.0.1:{port}" in report["error"]
