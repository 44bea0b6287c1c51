"""The journal file: schema versions, durable commands, retention, and failures that stop the robot."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from bt_planner.errors import JournalError, JournalUnavailable
from bt_planner.journal import SCHEMA_VERSION, CommandOutcome, Journal
from bt_planner.journal.migrations import MIGRATIONS, migrate, schema_version
from tests.journal.journal_helpers import open_journal


def test_a_new_file_is_created_in_wal_mode_at_the_current_schema(tmp_path: Path) -> None:
    with open_journal(tmp_path / "sub" / "j.db") as journal:
        assert journal.run_id == 1
    connection = sqlite3.connect(tmp_path / "sub" / "j.db")
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert schema_version(connection) == SCHEMA_VERSION == len(MIGRATIONS)


def test_an_older_file_is_migrated_forward_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("BEGIN")
    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            connection.execute(statement)
    connection.execute("PRAGMA user_version = 1")
    connection.execute("COMMIT")
    connection.execute("INSERT INTO runs(pid, hostname, started_at, ended_at) VALUES (1, 'h', 0, 1)")
    connection.execute(
        "INSERT INTO commands(run_id, source, command, received_at, status) VALUES (1, 'api', 'x', 0, 'succeeded')"
    )
    connection.close()
    with open_journal(path, max_age_days=None) as journal:
        (command,) = journal.commands()
        assert command.command == "x" and command.approval is None  # the column version 2 added
    assert schema_version(sqlite3.connect(path)) == SCHEMA_VERSION


def test_a_file_from_a_newer_bt_planner_is_refused_with_both_versions(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    sqlite3.connect(path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    with pytest.raises(JournalError, match=rf"schema version {SCHEMA_VERSION + 5}.*up to {SCHEMA_VERSION}"):
        Journal.open(path)


def test_a_file_that_is_not_a_database_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not SQLite\n" * 100)
    with pytest.raises(JournalError, match=r"notes\.txt"):
        Journal.open(path)


def test_migrate_reports_the_version_it_found(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "m.db", isolation_level=None)
    assert migrate(connection, path="m.db") == 0
    assert migrate(connection, path="m.db") == SCHEMA_VERSION


def test_a_command_row_is_durable_when_begin_returns_and_ends_exactly_once(tmp_path: Path) -> None:
    with open_journal(tmp_path / "j.db") as journal:
        command_id = journal.begin_command("say hi", source="api")
        other = sqlite3.connect(tmp_path / "j.db")  # another connection sees it at once
        assert other.execute("SELECT command FROM commands WHERE id = ?", (command_id,)).fetchone() == (
            "say hi",
        )
        journal.record(command_id, "planning_started", {"attempt": 1}, sim_time_s=0.0)
        journal.end_command(command_id, CommandOutcome.SUCCEEDED, reason="")
        journal.end_command(command_id, CommandOutcome.FAILED, reason="a second end is ignored")
        journal.flush()
        command = journal.command(command_id)
        assert command.status is CommandOutcome.SUCCEEDED and command.reason == ""
        assert [e.kind for e in journal.events(command_id)] == ["received", "planning_started", "ended"]
        with pytest.raises(JournalError, match="no command 99"):
            journal.command(99)


def test_closing_marks_this_runs_open_commands_aborted(tmp_path: Path) -> None:
    journal = open_journal(tmp_path / "j.db")
    command_id = journal.begin_command("long job", source="api")
    journal.close()
    with open_journal(tmp_path / "j.db") as reopened:
        command = reopened.command(command_id)
        assert command.status is CommandOutcome.ABORTED
        assert command.reason == "the journal was closed before the command finished"


def test_retention_keeps_the_newest_ended_commands_and_their_events_only(tmp_path: Path) -> None:
    with open_journal(tmp_path / "j.db") as journal:
        ids = [journal.begin_command(f"c{i}", source="api") for i in range(6)]
        for command_id in ids[:5]:
            journal.end_command(command_id, CommandOutcome.SUCCEEDED, reason="")
        journal.flush()
    with open_journal(tmp_path / "j.db", max_commands=2) as journal:
        kept = {c.command: c.status for c in journal.commands()}
        assert kept == {"c4": CommandOutcome.SUCCEEDED, "c5": CommandOutcome.ABORTED}  # closing ended c5
        orphans = sqlite3.connect(tmp_path / "j.db").execute(
            "SELECT COUNT(*) FROM events WHERE command_id NOT IN (SELECT id FROM commands)"
        )
        assert orphans.fetchone()[0] == 0


def test_retention_by_age_drops_commands_that_ended_long_ago(tmp_path: Path) -> None:
    with open_journal(tmp_path / "j.db") as journal:
        old, new = (journal.begin_command(name, source="api") for name in ("old", "new"))
        for command_id in (old, new):
            journal.end_command(command_id, CommandOutcome.SUCCEEDED, reason="")
        journal.flush()
    connection = sqlite3.connect(tmp_path / "j.db")
    connection.execute("UPDATE commands SET ended_at = ended_at - 40 * 86400 WHERE id = ?", (old,))
    connection.commit()
    with open_journal(tmp_path / "j.db", max_age_days=30) as journal:
        assert [c.command for c in journal.commands()] == ["new"]


def test_a_full_file_fails_the_journal_once_and_says_why(tmp_path: Path) -> None:
    told: list[str] = []
    failed = threading.Event()

    def on_failure(reason: str) -> None:
        told.append(reason)
        failed.set()

    journal = open_journal(tmp_path / "j.db", max_size_mb=0.1)
    journal.on_failure(on_failure)
    command_id = journal.begin_command("fill it", source="api")
    blob = {"text": "x" * 4000}
    with pytest.raises(JournalUnavailable):
        for _ in range(200):
            journal.record(command_id, "filler", blob)
            journal.flush()
    assert failed.wait(10)
    assert len(told) == 1 and "database or disk is full" in told[0] and "j.db" in told[0]
    with pytest.raises(JournalUnavailable, match="full"):
        journal.begin_command("one more", source="api")
    journal.close()


def test_an_overflowing_queue_fails_the_journal_instead_of_dropping_events(tmp_path: Path) -> None:
    told: list[str] = []
    journal = open_journal(tmp_path / "j.db", queue_size=5)
    journal.on_failure(told.append)
    command_id = journal.begin_command("flood", source="api")
    with pytest.raises(JournalUnavailable, match="overflowed"):
        for index in range(100_000):
            journal.record(command_id, "flood", {"i": index})
    assert told and "overflowed (5 events waiting)" in told[0]
    journal.close()
