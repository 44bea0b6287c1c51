"""``bt-planner journal list | show | export | replay`` on a journal written by ``bt-planner run``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bt_planner.cli.app import app
from bt_planner.cli.journal_cmd import parse_since
from bt_planner.errors import SetupError
from tests.sample_plans import kitchen_plan

cli = CliRunner()


@pytest.fixture
def journal_file(tmp_path: Path) -> Path:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(kitchen_plan()))
    path = tmp_path / "journal.db"
    for command in ("fetch the cup", "fetch it again"):
        result = cli.invoke(
            app, ["run", command, "--plan", str(plan), "--speed", "0", "--json", "--journal", str(path)]
        )
        assert result.exit_code in (0, 1), result.output
    return path


def test_list_shows_the_newest_first_as_json(journal_file: Path) -> None:
    result = cli.invoke(app, ["journal", "list", "--journal", str(journal_file), "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [c["command"] for c in listed] == ["fetch it again", "fetch the cup"]
    assert listed[1]["status"] == "succeeded" and listed[1]["source"] == "cli"


def test_show_lists_every_event_in_order(journal_file: Path) -> None:
    result = cli.invoke(app, ["journal", "show", "1", "--journal", str(journal_file), "--json"])
    shown = json.loads(result.output)
    kinds = [e["kind"] for e in shown["events"]]
    assert kinds[0] == "received" and kinds[-1] == "ended" and kinds.count("action_ended") == 5
    text = cli.invoke(app, ["journal", "show", "1", "--journal", str(journal_file)]).output
    assert "#2 grasp succeeded" in text and "backend=given-plan" in text


def test_export_writes_one_json_line_per_command_since_a_time(journal_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.jsonl"
    result = cli.invoke(
        app, ["journal", "export", "--journal", str(journal_file), "--since", "1h", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["command"]["command"] for line in lines] == ["fetch the cup", "fetch it again"]
    future = cli.invoke(app, ["journal", "export", "--journal", str(journal_file), "--since", "2999-01-01"])
    assert future.exit_code == 0 and future.output == ""


def test_replay_runs_the_recorded_plan_again_and_compares(journal_file: Path) -> None:
    result = cli.invoke(app, ["journal", "replay", "1", "--journal", str(journal_file), "--json"])
    replayed = json.loads(result.output)
    assert replayed["recorded"]["state"] == "succeeded" and replayed["same"] is True
    assert replayed["replayed"]["actions"] == ["succeeded"] * 5
    assert result.exit_code == 0


def test_errors_are_json_and_name_the_problem(journal_file: Path, tmp_path: Path) -> None:
    missing = cli.invoke(app, ["journal", "show", "99", "--journal", str(journal_file), "--json"])
    assert missing.exit_code == 2 and "no command 99" in json.loads(missing.output)["error"]["message"]
    nowhere = cli.invoke(app, ["journal", "list", "--journal", str(tmp_path / "none.db"), "--json"])
    assert nowhere.exit_code == 2 and "no journal at" in json.loads(nowhere.output)["error"]["message"]
    unset = cli.invoke(app, ["journal", "list", "--json"])
    assert unset.exit_code == 2 and "journal.path" in json.loads(unset.output)["error"]["message"]


def test_since_takes_ages_and_iso_times() -> None:
    assert parse_since("2h", now=10_000.0) == 10_000.0 - 7200
    assert parse_since("2026-12-01T08:00:00+00:00") == 1796112000.0
    with pytest.raises(SetupError, match="'yesterday'"):
        parse_since("yesterday")


def test_run_asks_for_approval_on_stdin(tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(kitchen_plan()))
    path = tmp_path / "journal.db"
    args = [
        "run",
        "fetch",
        "--plan",
        str(plan),
        "--speed",
        "0",
        "--json",
        "--journal",
        str(path),
        "--approval",
        "always",
    ]
    rejected = cli.invoke(app, args, input="not now\n")
    assert rejected.exit_code == 1
    assert "plan rejected by" in rejected.output and "via cli: not now" in rejected.output
    approved = cli.invoke(app, args, input="y\n")
    assert approved.exit_code == 0, approved.output
    listed = json.loads(cli.invoke(app, ["journal", "list", "--journal", str(path), "--json"]).output)
    assert [c["approval"].split(" by ")[0] for c in listed] == ["approved", "rejected"]
