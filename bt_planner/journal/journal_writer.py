"""``JournalWriter``: the one thread that writes the journal file, fed by a bounded queue.

Producers (the tick loop) only ``put`` a tuple; encoding and SQLite work happen here, many events
per transaction. ``put`` never blocks: when the queue is full, or when a write fails (disk full,
I/O error, the file's size cap), the writer turns *failed* with the reason, refuses everything
after, and calls ``on_failure`` once so the owner stops the robot. Nothing is dropped silently.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from pydantic_core import to_json

from bt_planner.errors import JournalUnavailable

_log = logging.getLogger(__name__)

BATCH = 512
"""At most this many queued operations per transaction."""

LINGER_S = 0.02
"""After the first event of a batch, gather more for up to this long (fewer commits and wake-ups);
a batch with a waiting caller (``call``, ``flush``) is committed at once."""

Operation = tuple[Any, ...]
"""``(sql, params)`` to execute, or ``(sql, params, future)`` whose future gets the row id after commit."""

_STOP = ("stop",)


def encode(data: Any) -> str:
    """``data`` (dicts, lists, pydantic models, enums) as compact JSON (pydantic-core's serialiser)."""
    return to_json(data).decode("utf-8")


class JournalWriter:
    """Runs ``(sql, params)`` operations in order on its own connection; see the module docs."""

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        *,
        queue_size: int,
        on_failure: Callable[[str], None],
        after_commit: Callable[[sqlite3.Connection], None] | None = None,
    ) -> None:
        self._queue: queue.Queue[Operation] = queue.Queue(maxsize=queue_size)
        self._queue_size = queue_size
        self._connect = connect
        self._on_failure = on_failure
        self._after_commit = after_commit
        self._failure: str | None = None
        self._failed_once = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="bt-planner-journal", daemon=True)
        self._thread.start()

    @property
    def failure(self) -> str | None:
        """Why the writer stopped accepting operations; None while it works."""
        return self._failure

    def put(self, operation: Operation) -> None:
        """Queue ``operation`` without blocking. Raises ``JournalUnavailable`` once the writer failed."""
        if self._failure is not None:
            raise JournalUnavailable(self._failure)
        try:
            self._queue.put_nowait(operation)
        except queue.Full:
            self._fail(
                f"the journal's write queue overflowed ({self._queue_size} events waiting): the disk "
                "cannot keep up; raise journal.queue_size or use a faster disk"
            )
            raise JournalUnavailable(self._failure or "journal queue overflowed") from None

    def call(self, sql: str, params: tuple[Any, ...], *, timeout_s: float) -> int:
        """Run one statement after everything queued, wait until it is committed; its row id."""
        future: concurrent.futures.Future[int] = concurrent.futures.Future()
        self.put((sql, params, future))
        try:
            return future.result(timeout=timeout_s)
        except concurrent.futures.TimeoutError:
            raise JournalUnavailable(
                f"the journal did not commit within {timeout_s:g} s (the disk is stalled or the queue is long)"
            ) from None

    def flush(self, *, timeout_s: float) -> None:
        """Block until everything queued so far is committed."""
        self.call("SELECT 1", (), timeout_s=timeout_s)

    def close(self, *, timeout_s: float = 10.0) -> None:
        """Write what is queued, then stop the thread."""
        if self._thread.is_alive():
            try:
                self._queue.put(_STOP, timeout=timeout_s)
            except queue.Full:
                return
            self._thread.join(timeout=timeout_s)

    def _fail(self, reason: str) -> None:
        with self._failed_once:
            if self._failure is not None:
                return
            self._failure = reason
        _log.error("journal failed: %s", reason)
        self._on_failure(reason)

    def _run(self) -> None:
        try:
            connection = self._connect()
        except sqlite3.Error as error:
            self._fail(f"cannot open the journal for writing: {error}")
            return
        stopping = False
        while not stopping:
            batch = [self._queue.get()]
            deadline = time.monotonic() + LINGER_S
            while len(batch) < BATCH and len(batch[-1]) < 3 and batch[-1] is not _STOP:
                left = deadline - time.monotonic()
                try:
                    batch.append(self._queue.get(timeout=left) if left > 0 else self._queue.get_nowait())
                except queue.Empty:
                    break
            if any(op is _STOP for op in batch):
                stopping = True
                batch = [op for op in batch if op is not _STOP]
            self._write(connection, batch)
        connection.close()

    def _write(self, connection: sqlite3.Connection, batch: list[Operation]) -> None:
        if self._failure is not None:
            self._refuse(batch, self._failure)
            return
        results: list[tuple[concurrent.futures.Future[int], int]] = []
        try:
            connection.execute("BEGIN IMMEDIATE")
            for operation in batch:
                sql, params = operation[0], operation[1]
                cursor = connection.execute(
                    sql, tuple(encode(p) if isinstance(p, dict) else p for p in params)
                )
                if len(operation) > 2:
                    results.append((operation[2], int(cursor.lastrowid or 0)))
            connection.execute("COMMIT")
            if self._after_commit is not None:
                self._after_commit(connection)
        except (sqlite3.Error, TypeError, ValueError) as error:
            if connection.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
            self._fail(f"the journal could not write {len(batch)} event(s): {error}")
            self._refuse(batch, self._failure or str(error))
            return
        for future, row_id in results:
            future.set_result(row_id)

    @staticmethod
    def _refuse(batch: list[Operation], reason: str) -> None:
        for operation in batch:
            if len(operation) > 2:
                operation[2].set_exception(JournalUnavailable(reason))
