"""Replaying a recorded evaluation: the recorded replies, not a model, answer each task; what the
pipeline makes of them is scored again, and a missing or broken recording is an error naming it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bt_planner.cli.app import app
from bt_planner.config import Settings
from bt_planner.errors import SuiteError
from bt_planner.evaluation.replay import RecordedReplies
from bt_planner.evaluation.suite import LoadedSuite, load_suite
from bt_planner.evaluation.suite_runner import SuiteReport, SuiteRunner

TASKS = ["kitchen-seed", "kitchen-nav-table", "kitchen-injection-drive"]


@pytest.fixture(scope="module")
def standard() -> LoadedSuite:
    return load_suite("standard")


@pytest.fixture(scope="module")
def recorded(standard: LoadedSuite) -> SuiteReport:
    tasks = [t for t in standard.suite.tasks if t.id in TASKS]
    assert len(tasks) == len(TASKS)
    return SuiteRunner(settings=Settings(), oracle=True, mode="goals").run(standard, tasks=tasks)


def _write(report: SuiteReport, tmp_path: Path) -> Path:
    path = tmp_path / "recorded.json"
    path.write_text(report.model_dump_json(), encoding="utf-8")
    return path


def test_replaying_the_oracle_s_replies_scores_the_same(standard: LoadedSuite, recorded: SuiteReport) -> None:
    tasks = [t for t in standard.suite.tasks if t.id in TASKS]
    replay = SuiteRunner(settings=Settings(), mode="goals", replay=RecordedReplies(recorded))
    again = replay.run(standard, tasks=tasks)
    assert (again.mode, again.backend, again.model) == ("replay", "replay", recorded.model)
    assert [r.success for r in again.results] == [r.success for r in recorded.results] == [True] * 3
    assert [r.reply for r in again.results] == [r.reply for r in recorded.results]


def test_a_task_with_a_broken_or_missing_reply_fails_and_says_why(
    standard: LoadedSuite, recorded: SuiteReport
) -> None:
    kept = {r.task_id: r for r in recorded.results}
    garbled = kept["kitchen-seed"].model_copy(update={"reply": '{"goals": [{"goal": "fly"}]}'})
    broken = recorded.model_copy(update={"results": [garbled, kept["kitchen-injection-drive"]]})
    tasks = [t for t in standard.suite.tasks if t.id in TASKS]
    again = SuiteRunner(settings=Settings(), mode="goals", replay=RecordedReplies(broken)).run(
        standard, tasks=tasks
    )
    by_id = {r.task_id: r for r in again.results}
    assert not by_id["kitchen-seed"].success and not by_id["kitchen-seed"].schema_valid
    missing = by_id["kitchen-nav-table"]
    assert not missing.success
    assert any("no reply for task 'kitchen-nav-table'" in issue for issue in missing.issues)


def test_the_cli_replays_in_the_recorded_planning_mode(recorded: SuiteReport, tmp_path: Path) -> None:
    path = _write(recorded, tmp_path)
    args = ["eval", "standard", "--replay", str(path), "--json"] + [x for t in TASKS for x in ("--task", t)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["mode"], report["planning_mode"]) == ("replay", "goals")
    assert report["summary"]["success_rate"] == 1.0


def test_a_file_that_is_not_a_report_is_refused_with_where_it_broke(tmp_path: Path) -> None:
    path = tmp_path / "not-a-report.json"
    path.write_text('{"suite": "standard"}', encoding="utf-8")
    with pytest.raises(SuiteError, match="not an `eval --json` report"):
        RecordedReplies.load(path)
    with pytest.raises(SuiteError, match="cannot read"):
        RecordedReplies.load(tmp_path / "absent.json")
    result = CliRunner().invoke(app, ["eval", "standard", "--replay", str(path), "--oracle"])
    assert result.exit_code == 2
