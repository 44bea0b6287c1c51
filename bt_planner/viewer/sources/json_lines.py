"""Replay snapshots from a JSON-lines file (or stdin): one snapshot JSON per line, blank lines ignored.

Handy for recordings (``ros2 topic echo --field data`` output, or snapshots a test saved) and for
looking at a run after the fact. Lines that are not valid snapshots are logged and skipped.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError

from bt_planner.snapshot import from_json
from bt_planner.viewer.sources.protocol import SnapshotCallback

_log = logging.getLogger(__name__)


class JsonLinesSource:
    """Reads ``path`` (stdin when None) on a thread; ``interval`` seconds between snapshots paces a replay."""

    def __init__(self, path: Path | None, *, interval: float = 0.0) -> None:
        self._path = path
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.finished = threading.Event()
        """Set once every line has been read (or the source was stopped)."""

    @property
    def description(self) -> str:
        return f"snapshot file {self._path}" if self._path is not None else "snapshots on stdin"

    def start(self, on_snapshot: SnapshotCallback) -> None:
        self._thread = threading.Thread(
            target=self._run, args=(on_snapshot,), name="snapshot-file", daemon=True
        )
        self._thread.start()

    def _run(self, on_snapshot: SnapshotCallback) -> None:
        try:
            if self._path is None:
                self._replay(sys.stdin, on_snapshot)
            else:
                with self._path.open(encoding="utf-8") as stream:
                    self._replay(stream, on_snapshot)
        finally:
            self.finished.set()

    def _replay(self, stream: TextIO, on_snapshot: SnapshotCallback) -> None:
        first = True
        for number, line in enumerate(stream, start=1):
            if self._stop.is_set():
                return
            if not line.strip():
                continue
            try:
                snapshot = from_json(line)
            except ValidationError as error:
                _log.warning("line %d is not a snapshot: %s", number, error.errors()[0]["msg"])
                continue
            if not first and self._interval > 0 and self._stop.wait(self._interval):
                return
            first = False
            on_snapshot(snapshot)

    def stop(self) -> None:
        self._stop.set()
        if (
            self._thread is not None
            and self._thread is not threading.current_thread()
            and self._path is not None
        ):
            self._thread.join(timeout=5)
