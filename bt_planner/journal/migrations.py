"""The journal file's schema, versioned with SQLite's ``user_version`` and migrated forward on open.

``MIGRATIONS[n]`` takes a file from version ``n`` to ``n + 1``; each runs in one transaction with
the version bump, so a file is always at exactly one version. A file newer than this code is
refused (an older bt_planner must not write into a schema it does not know).
"""

from __future__ import annotations

import sqlite3

from bt_planner.errors import JournalError

MIGRATIONS: tuple[str, ...] = (
    # 0 -> 1: processes, commands and their events.
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        pid INTEGER NOT NULL,
        hostname TEXT NOT NULL,
        started_at REAL NOT NULL,
        ended_at REAL
    );
    CREATE TABLE commands (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER NOT NULL REFERENCES runs(id),
        mission_command_id INTEGER,
        source TEXT NOT NULL,
        command TEXT NOT NULL,
        received_at REAL NOT NULL,
        status TEXT,
        reason TEXT,
        ended_at REAL
    );
    CREATE INDEX commands_open ON commands(status) WHERE status IS NULL;
    CREATE INDEX commands_received ON commands(received_at);
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        command_id INTEGER REFERENCES commands(id) ON DELETE CASCADE,
        run_id INTEGER NOT NULL,
        kind TEXT NOT NULL,
        at REAL NOT NULL,
        sim_time_s REAL,
        data TEXT NOT NULL
    );
    CREATE INDEX events_command ON events(command_id, seq);
    """,
    # 1 -> 2: the approval a command went through, for listing without reading its events.
    """
    ALTER TABLE commands ADD COLUMN approval TEXT;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(connection: sqlite3.Connection) -> int:
    """The file's ``user_version`` (0 for a new file)."""
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


def migrate(connection: sqlite3.Connection, *, path: str) -> int:
    """Bring the file to ``SCHEMA_VERSION``; returns the version it had. ``path`` is for messages.

    Raises:
        JournalError: the file is newer than this bt_planner, or a migration failed (nothing of
            that migration is kept).
    """
    found = schema_version(connection)
    if found > SCHEMA_VERSION:
        raise JournalError(
            f"journal {path} has schema version {found}, this bt_planner knows up to {SCHEMA_VERSION}: "
            "upgrade bt_planner or use another journal file"
        )
    for version in range(found, SCHEMA_VERSION):
        try:
            connection.execute("BEGIN IMMEDIATE")
            for statement in _statements(MIGRATIONS[version]):
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {version + 1}")
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            connection.execute("ROLLBACK")
            raise JournalError(f"cannot migrate journal {path} from version {version}: {error}") from error
    return found


def _statements(script: str) -> list[str]:
    return [part.strip() for part in script.split(";") if part.strip()]
