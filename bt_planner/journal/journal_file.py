"""``Journal``: one SQLite file (WAL) holding every command, its events and exactly one terminal status.

Open it once per process::

    journal = Journal.open("missions.db")          # migrates, closes what a crashed process left open
    command_id = journal.begin_command("say hello", source="api")   # durable before it returns
    journal.record(command_id, "planning_started", {"attempt": 1})  # never blocks
    journal.end_command(command_id, CommandOutcome.SUCCEEDED, reason="")
    journal.close()

Writes go through one writer thread (``JournalWriter``); reads open their own connection, so any
thread may read while the mission runs. In the writing process a read first waits (briefly) for
what was queued before it, so it sees its own process's writes. On open, every command left open by a process that is no
longer running is closed ``aborted`` with the reason "process ended before the command finished".
Retention (``journal.max_commands``, ``journal.max_age_days``) drops the oldest ended commands
with their events, on open and every ``PRUNE_EVERY`` ended commands.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from bt_planner.config import JournalSettings
from bt_planner.errors import JournalError, JournalUnavailable
from bt_planner.journal.entries import ABORTED_REASON, CommandOutcome, JournalCommand, JournalEvent
from bt_planner.journal.journal_writer import JournalWriter, encode
from bt_planner.journal.migrations import SCHEMA_VERSION, migrate, schema_version

PRUNE_EVERY = 200
"""Apply retention after this many commands ended (and on open)."""

FailureListener = Callable[[str], None]

_READ_FLUSH_S = 2.0
"""How long a read in the writing process waits for the writer to commit what was queued before it."""
_INSERT_EVENT = "INSERT INTO events(command_id, run_id, kind, at, sim_time_s, data) VALUES (?, ?, ?, ?, ?, ?)"
_COMMAND_COLUMNS = (
    "c.id, c.run_id, c.mission_command_id, c.source, c.command, c.received_at, c.status, c.reason, "
    "c.ended_at, c.approval, (SELECT COUNT(*) FROM events e WHERE e.command_id = c.id)"
)


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Journal:
    """A journal file opened for writing by this process. Use ``Journal.open``; close it when done."""

    def __init__(self, path: Path, settings: JournalSettings) -> None:
        self.path = path
        self.settings = settings
        self.run_id = 0
        self._listeners: list[FailureListener] = []
        self._ended_since_prune = 0
        self._lock = threading.Lock()
        self._writer: JournalWriter | None = None
        self.recovered: list[int] = []
        """Ids of the commands this open closed as aborted."""

    # ---- opening ----------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        settings: JournalSettings | None = None,
        on_failure: FailureListener | None = None,
    ) -> Journal:
        """Open (or create) the journal at ``path``, migrate it, recover and prune, start the writer.

        Raises:
            JournalError: the file cannot be opened, is not a journal, or is newer than this code.
        """
        journal = cls(Path(path), settings if settings is not None else JournalSettings())
        if on_failure is not None:
            journal.on_failure(on_failure)
        journal._start()
        return journal

    @classmethod
    def read(cls, path: str | Path) -> Journal:
        """The journal at ``path`` for reading only: no writer, no recovery, nothing written.

        Raises:
            JournalError: there is no journal there, or its schema is not this bt_planner's.
        """
        file = Path(path)
        if not file.is_file():
            raise JournalError(f"no journal at {file}")
        try:
            with contextlib.closing(sqlite3.connect(file)) as connection:
                found = schema_version(connection)
        except sqlite3.DatabaseError as error:
            raise JournalError(f"cannot read journal {file}: {error}") from error
        if found != SCHEMA_VERSION:
            raise JournalError(
                f"journal {file} has schema version {found}, this bt_planner reads {SCHEMA_VERSION}: "
                "open it for writing once (bt-planner run --journal FILE) to migrate it, or upgrade bt_planner"
            )
        return cls(file, JournalSettings())

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10.0)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(f"PRAGMA synchronous={self.settings.synchronous.upper()}")
        connection.execute("PRAGMA foreign_keys=ON")
        if self.settings.max_size_mb is not None:
            page = int(connection.execute("PRAGMA page_size").fetchone()[0])
            pages = max(16, int(self.settings.max_size_mb * 1024 * 1024 / page))
            connection.execute(f"PRAGMA max_page_count={pages}")
        return connection

    def _start(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = self._connect()
            try:
                migrate(connection, path=str(self.path))
                self.recovered = self._recover(connection)
                cursor = connection.execute(
                    "INSERT INTO runs(pid, hostname, started_at) VALUES (?, ?, ?)",
                    (os.getpid(), socket.gethostname(), time.time()),
                )
                self.run_id = int(cursor.lastrowid or 0)
                self._prune(connection)
            finally:
                connection.close()
        except sqlite3.DatabaseError as error:
            raise JournalError(f"cannot open journal {self.path}: {error}") from error
        except OSError as error:
            raise JournalError(f"cannot create journal {self.path}: {error}") from error
        self._writer = JournalWriter(
            self._connect,
            queue_size=self.settings.queue_size,
            on_failure=self._failed,
            after_commit=self._after_commit,
        )

    def _recover(self, connection: sqlite3.Connection) -> list[int]:
        """Close as aborted every open command of a run whose process is gone (same host)."""
        host = socket.gethostname()
        dead = [
            run_id
            for run_id, pid in connection.execute(
                "SELECT id, pid FROM runs WHERE ended_at IS NULL AND hostname = ?", (host,)
            )
            if not _process_alive(int(pid))
        ]
        closed: list[int] = []
        now = time.time()
        for run_id in dead:
            connection.execute("BEGIN IMMEDIATE")
            ids = [row[0] for row in connection.execute(
                "SELECT id FROM commands WHERE run_id = ? AND status IS NULL ORDER BY id", (run_id,)
            )]  # fmt: skip
            for command_id in ids:
                connection.execute(
                    _INSERT_EVENT,
                    (command_id, self.run_id or run_id, "ended", now, None,
                     encode({"state": CommandOutcome.ABORTED, "reason": ABORTED_REASON, "recovered": True})),
                )  # fmt: skip
                connection.execute(
                    "UPDATE commands SET status = ?, reason = ?, ended_at = ? WHERE id = ?",
                    (CommandOutcome.ABORTED.value, ABORTED_REASON, now, command_id),
                )
            connection.execute("UPDATE runs SET ended_at = ? WHERE id = ?", (now, run_id))
            connection.execute("COMMIT")
            closed += ids
        return closed

    def _prune(self, connection: sqlite3.Connection) -> int:
        """Apply retention; how many commands were dropped."""
        dropped = 0
        connection.execute("BEGIN IMMEDIATE")
        if self.settings.max_age_days is not None:
            cutoff = time.time() - self.settings.max_age_days * 86400
            dropped += connection.execute(
                "DELETE FROM commands WHERE status IS NOT NULL AND ended_at < ?", (cutoff,)
            ).rowcount
            connection.execute("DELETE FROM events WHERE command_id IS NULL AND at < ?", (cutoff,))
        if self.settings.max_commands is not None:
            dropped += connection.execute(
                "DELETE FROM commands WHERE status IS NOT NULL AND id NOT IN "
                "(SELECT id FROM commands WHERE status IS NOT NULL ORDER BY id DESC LIMIT ?)",
                (self.settings.max_commands,),
            ).rowcount
        connection.execute("COMMIT")
        return dropped

    def _after_commit(self, connection: sqlite3.Connection) -> None:
        with self._lock:
            due = self._ended_since_prune >= PRUNE_EVERY
            if due:
                self._ended_since_prune = 0
        if due:
            self._prune(connection)

    # ---- failure ----------------------------------------------------------------------------

    def on_failure(self, listener: FailureListener) -> None:
        """Call ``listener(reason)`` once if the journal can no longer write (stop the robot there)."""
        self._listeners.append(listener)
        failure = self.failure
        if failure is not None:
            listener(failure)

    @property
    def failure(self) -> str | None:
        """Why the journal stopped writing; None while it works."""
        return self._writer.failure if self._writer is not None else None

    def _failed(self, reason: str) -> None:
        for listener in list(self._listeners):
            listener(f"journal {self.path}: {reason}")

    # ---- writing ----------------------------------------------------------------------------

    def _require_writer(self) -> JournalWriter:
        if self._writer is None:
            raise JournalUnavailable(f"journal {self.path} is closed")
        return self._writer

    def begin_command(
        self,
        command: str,
        *,
        source: str,
        mission_command_id: int | None = None,
        data: Mapping[str, Any] | None = None,
        timeout_s: float = 5.0,
    ) -> int:
        """Write the command's row and its ``received`` event; returns its journal id once durable.

        Raises:
            JournalUnavailable: the journal cannot write (the command must not run).
        """
        writer = self._require_writer()
        now = time.time()
        received = {"command": command, "source": source, **(data or {})}
        row: concurrent.futures.Future[int] = concurrent.futures.Future()
        event: concurrent.futures.Future[int] = concurrent.futures.Future()
        with self._lock:  # the two statements are consecutive on the writer's connection
            writer.put((
                "INSERT INTO commands(run_id, mission_command_id, source, command, received_at) VALUES (?, ?, ?, ?, ?)",
                (self.run_id, mission_command_id, source, command, now),
                row,
            ))  # fmt: skip
            writer.put((
                "INSERT INTO events(command_id, run_id, kind, at, sim_time_s, data) "
                "VALUES (last_insert_rowid(), ?, 'received', ?, NULL, ?)",
                (self.run_id, now, received),
                event,
            ))  # fmt: skip
        try:
            command_id = row.result(timeout=timeout_s)
            event.result(timeout=timeout_s)
        except concurrent.futures.TimeoutError:
            raise JournalUnavailable(
                f"journal {self.path} did not commit command {command!r} within {timeout_s:g} s"
            ) from None
        return command_id

    def record(
        self, command_id: int | None, kind: str, data: Mapping[str, Any], *, sim_time_s: float | None = None
    ) -> None:
        """Queue one event (``data`` may hold pydantic models; encoded on the writer thread). Never blocks.

        Raises:
            JournalUnavailable: the journal failed (the owner has been told through ``on_failure``).
        """
        self._require_writer().put(
            (_INSERT_EVENT, (command_id, self.run_id, kind, time.time(), sim_time_s, dict(data)))
        )

    def end_command(
        self,
        command_id: int,
        outcome: CommandOutcome,
        *,
        reason: str,
        data: Mapping[str, Any] | None = None,
        sim_time_s: float | None = None,
    ) -> None:
        """Queue the command's one terminal event and status (a second end of the same command is ignored)."""
        writer = self._require_writer()
        now = time.time()
        event = {"state": outcome, "reason": reason, **(data or {})}
        writer.put(
            (
                "INSERT INTO events(command_id, run_id, kind, at, sim_time_s, data) "
                "SELECT ?, ?, 'ended', ?, ?, ? WHERE EXISTS (SELECT 1 FROM commands WHERE id = ? AND status IS NULL)",
                (command_id, self.run_id, now, sim_time_s, event, command_id),
            )
        )
        writer.put(
            (
                "UPDATE commands SET status = ?, reason = ?, ended_at = ? WHERE id = ? AND status IS NULL",
                (outcome.value, reason, now, command_id),
            )
        )
        with self._lock:
            self._ended_since_prune += 1

    def note_approval(self, command_id: int, summary: str) -> None:
        """Queue the command's approval summary (``approved by alice via cli``) for listings."""
        self._require_writer().put(("UPDATE commands SET approval = ? WHERE id = ?", (summary, command_id)))

    def flush(self, *, timeout_s: float = 10.0) -> None:
        """Block until everything queued so far is durable."""
        self._require_writer().flush(timeout_s=timeout_s)

    def close(self) -> None:
        """Write what is queued, close this run's open commands as aborted, stop the writer."""
        writer, self._writer = self._writer, None
        if writer is None:
            return
        writer.close()
        if writer.failure is not None:
            return
        with contextlib.suppress(sqlite3.Error), contextlib.closing(self._connect()) as connection:
            now = time.time()
            connection.execute("BEGIN IMMEDIATE")
            for (command_id,) in list(
                connection.execute(
                    "SELECT id FROM commands WHERE run_id = ? AND status IS NULL", (self.run_id,)
                )
            ):
                reason = "the journal was closed before the command finished"
                connection.execute(
                    _INSERT_EVENT,
                    (command_id, self.run_id, "ended", now, None,
                     encode({"state": CommandOutcome.ABORTED, "reason": reason})),
                )  # fmt: skip
                connection.execute(
                    "UPDATE commands SET status = ?, reason = ?, ended_at = ? WHERE id = ?",
                    (CommandOutcome.ABORTED.value, reason, now, command_id),
                )
            connection.execute("UPDATE runs SET ended_at = ? WHERE id = ?", (now, self.run_id))
            connection.execute("COMMIT")

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ---- reading (any thread) ---------------------------------------------------------------

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A read connection; in the writing process, after what was queued before the read is committed."""
        writer = self._writer
        if writer is not None and writer.failure is None:
            with contextlib.suppress(JournalUnavailable):  # a stalled disk: read what is committed
                writer.flush(timeout_s=_READ_FLUSH_S)
        connection = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
        try:
            yield connection
        finally:
            connection.close()

    def commands(
        self, *, limit: int | None = 50, since: float | None = None, newest_first: bool = True
    ) -> list[JournalCommand]:
        """Commands received at or after ``since`` (Unix time), newest first unless told otherwise."""
        order = "DESC" if newest_first else "ASC"
        sql = f"SELECT {_COMMAND_COLUMNS} FROM commands c WHERE c.received_at >= ? ORDER BY c.id {order}"
        params: tuple[Any, ...] = (since if since is not None else 0.0,)
        if limit is not None:
            sql += " LIMIT ?"
            params += (limit,)
        with self._reading() as connection:
            return [_command(row) for row in connection.execute(sql, params)]

    def command(self, command_id: int) -> JournalCommand:
        """One command. Raises ``JournalError`` naming the id when there is none."""
        with self._reading() as connection:
            row = connection.execute(
                f"SELECT {_COMMAND_COLUMNS} FROM commands c WHERE c.id = ?", (command_id,)
            ).fetchone()
        if row is None:
            raise JournalError(f"journal {self.path} has no command {command_id}")
        return _command(row)

    def events(self, command_id: int | None = None, *, since_seq: int = 0) -> list[JournalEvent]:
        """The events of ``command_id`` in order (``None``: every event of the file, mission-wide ones too)."""
        with self._reading() as connection:
            if command_id is None:
                rows = connection.execute(
                    "SELECT seq, command_id, run_id, kind, at, sim_time_s, data FROM events WHERE seq > ? ORDER BY seq",
                    (since_seq,),
                )
            else:
                rows = connection.execute(
                    "SELECT seq, command_id, run_id, kind, at, sim_time_s, data FROM events "
                    "WHERE command_id = ? AND seq > ? ORDER BY seq",
                    (command_id, since_seq),
                )
            return [_event(row) for row in rows]


def _command(row: tuple[Any, ...]) -> JournalCommand:
    keys = ("id", "run_id", "mission_command_id", "source", "command", "received_at", "status", "reason",
            "ended_at", "approval", "events")  # fmt: skip
    return JournalCommand.model_validate(dict(zip(keys, row, strict=True)))


def _event(row: tuple[Any, ...]) -> JournalEvent:
    import json

    seq, command_id, run_id, kind, at, sim_time_s, data = row
    return JournalEvent(
        seq=seq,
        command_id=command_id,
        run_id=run_id,
        kind=kind,
        at=at,
        sim_time_s=sim_time_s,
        data=json.loads(data),
    )
