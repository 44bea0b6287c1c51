"""``bt-planner view`` as users run it: a real process serving a recording, stopped with Ctrl-C / SIGTERM."""

from __future__ import annotations

import http.client
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bt_planner.cli.app import app
from bt_planner.snapshot import TreeSnapshot, capture, from_json, to_json
from bt_planner.viewer import ViewerServer
from bt_planner.viewer.sources.event_stream import SseSource
from tests.snapshot_trees import kitchen_tree, kitchen_world, robot_at
from tests.viewer.test_server import Collector

CLI = [sys.executable, "-c", "from bt_planner.cli.app import main; main()"]


def recording(path: Path, ticks: int) -> list[TreeSnapshot]:
    tree = kitchen_tree()
    taken = []
    for tick in range(1, ticks + 1):
        tree.tick()
        taken.append(capture(tree.root, tick=tick, robot=robot_at(0.2 * tick, 0), world=kitchen_world()))
    path.write_text("".join(to_json(s) + "\n" for s in taken), encoding="utf-8")
    return taken


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_view_serves_a_recording_and_stops_cleanly(tmp_path: Path, stop_signal: signal.Signals):
    taken = recording(tmp_path / "run.jsonl", 3)
    process = subprocess.Popen(
        [*CLI, "view", "--source", str(tmp_path / "run.jsonl"), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()
        assert "viewer on http://127.0.0.1:" in banner and "snapshot file" in banner, banner
        url = banner.split("viewer on ", 1)[1].split(" ", 1)[0]
        port = int(url.rstrip("/").rsplit(":", 1)[1])

        collector = Collector()
        follower = SseSource(url)
        follower.start(collector)
        try:
            collector.wait_until(lambda received: any(s.tick == 3 for s in received))
        finally:
            follower.stop()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/api/snapshot")
        assert from_json(connection.getresponse().read()) == taken[-1]

        process.send_signal(stop_signal)
        assert process.wait(timeout=20) == 0, process.stderr.read() if process.stderr else ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    with pytest.raises(ConnectionRefusedError):
        http.client.HTTPConnection("127.0.0.1", port, timeout=5).request("GET", "/healthz")


def test_view_explains_a_busy_port_and_a_bad_source(tmp_path: Path):
    recording(tmp_path / "run.jsonl", 1)
    with ViewerServer(port=0) as busy:
        result = CliRunner().invoke(
            app, ["view", "--source", str(tmp_path / "run.jsonl"), "--port", str(busy.port)]
        )
    assert result.exit_code == 2 and "cannot listen on 127.0.0.1" in result.output
    bad = CliRunner().invoke(app, ["view", "--source", "ftp://example"])
    assert bad.exit_code == 2 and "no such snapshot file" in bad.output


def test_view_refuses_a_robot_name_that_is_no_namespace_and_robots_with_another_source(tmp_path: Path):
    bad = CliRunner().invoke(app, ["view", "--robot", "robot-1", "--port", "0"])
    assert bad.exit_code == 2 and "'robot-1'" in bad.output and "namespace" in bad.output
    recording(tmp_path / "run.jsonl", 1)
    mixed = CliRunner().invoke(app, ["view", "--robot", "robot1", "--source", str(tmp_path / "run.jsonl")])
    assert mixed.exit_code == 2 and "cannot be combined with --source" in " ".join(mixed.output.split())
