"""``bt-planner watch``: the unicode tree rendering, and the command following a live viewer or a recording."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import py_trees
from rich.console import Console
from typer.testing import CliRunner

from bt_planner.cli.app import app
from bt_planner.snapshot import TreeSnapshot, capture, to_json
from bt_planner.viewer import ViewerServer
from bt_planner.viewer.terminal import render
from tests.sample_plans import KITCHEN_COMMAND
from tests.snapshot_trees import STEP_NAMES, kitchen_tree, kitchen_world, mission, robot_at


def text_of(snapshot: TreeSnapshot, **options: bool) -> str:
    console = Console(record=True, width=160, color_system=None, file=io.StringIO())
    console.print(render(snapshot, **options))
    return console.export_text()


def kitchen_snapshots(ticks: int) -> list[TreeSnapshot]:
    tree = kitchen_tree(ticks=2)
    taken = []
    for tick in range(1, ticks + 1):
        tree.tick()
        taken.append(
            capture(
                tree.root,
                tick=tick,
                mission=mission("EXECUTING", action_index=0),
                robot=robot_at(0.5 * tick, 0.0, holding="red_cup" if tick > 2 else None),
                world=kitchen_world(),
            )
        )
    return taken


def test_render_draws_the_unicode_tree_with_markers_status_and_feedback():
    text = text_of(kitchen_snapshots(1)[0])
    lines = text.splitlines()
    assert lines[0].startswith(KITCHEN_COMMAND) and "EXECUTING" in lines[0] and "tick 1" in lines[0]
    assert lines[1] == "[o] Mission [*]"
    assert "├── [-] Run [*]" in text
    assert "-^- Not cancelled [✓] -- failure -> success" in text
    assert "--> Cancelled? [✕] -- failure" in text
    assert "--> Navigate to kitchen [*] -- step 0: 1/2  {r /robot/pose, w /mission/action_index}" in text
    assert "--> Place on table [-]" in text
    assert "└── --> Report failure [-]" in text
    assert "robot (0.50, 0.00) m, heading 0°, battery 80%, gripper open" in text
    names_in_order = [line for line in lines if any(name in line for name in STEP_NAMES)]
    assert [next(n for n in STEP_NAMES if n in line) for line in names_in_order] == list(STEP_NAMES)


def test_render_options_hide_keys_and_show_blackboard_values():
    snapshot = kitchen_snapshots(1)[0]
    plain = text_of(snapshot, show_keys=False)
    assert "/robot/pose" not in plain
    with_values = text_of(snapshot, show_blackboard=True)
    assert "blackboard" in with_values and "/mission/action_index" in with_values
    bare = text_of(capture(py_trees.behaviours.Running("Only")))
    assert "--> Only [-]" in bare and "robot" not in bare


def test_watch_follows_a_viewer_stream_until_count():
    first, second = kitchen_snapshots(2)
    with ViewerServer(port=0) as server:
        server.publish(first)
        publisher = threading.Thread(
            target=lambda: server.wait_delivered(1, timeout=20) and server.publish(second), daemon=True
        )
        publisher.start()
        result = CliRunner().invoke(app, ["watch", "--source", server.url, "--count", "2", "--timeout", "20"])
        publisher.join(timeout=5)
    assert result.exit_code == 0, result.output
    assert "watching event stream http://127.0.0.1:" in result.output
    assert result.output.count("[o] Mission [*]") == 2
    assert "step 0: 1/2" in result.output  # first snapshot
    assert "--> Detect cup [*] -- step 1: 1/2" in result.output  # second snapshot


def test_watch_replays_a_recording_and_stops_at_its_end(tmp_path: Path):
    taken = kitchen_snapshots(3)
    recording = tmp_path / "run.jsonl"
    recording.write_text("".join(to_json(s) + "\n" for s in taken), encoding="utf-8")
    result = CliRunner().invoke(app, ["watch", "--source", str(recording), "--no-keys", "--blackboard"])
    assert result.exit_code == 0, result.output
    assert [f"tick {n}" in result.output for n in (1, 2, 3)] == [True, True, True]
    assert "holding red_cup" in result.output
    assert "{r /robot/pose" not in result.output and "blackboard" in result.output


def test_watch_reports_a_silent_source_and_a_missing_file(tmp_path: Path):
    with ViewerServer(port=0) as silent:
        result = CliRunner().invoke(app, ["watch", "--source", silent.url, "--timeout", "0.3"])
    assert result.exit_code == 1
    assert "no snapshot from event stream" in result.output
    missing = CliRunner().invoke(app, ["watch", "--source", str(tmp_path / "nothing.jsonl")])
    assert missing.exit_code == 2 and "no such snapshot file" in missing.output
