"""Child processes we start and must stop: by PID, SIGINT first, SIGKILL if they do not exit in time.

Used by ``bt-planner launch`` (pip-only installs) and by the ROS tests. Every child gets
``BT_PLANNER_PARENT_PID`` in its environment; nodes started through :func:`bt_planner.ros.node_runtime.spin`
watch it and exit when their parent is gone, so a launcher or test run that dies hard leaves nothing behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

PARENT_PID_ENV = "BT_PLANNER_PARENT_PID"


class ChildProcess:
    """One child process: ``start()``, then ``stop()`` (or ``kill()``); safe to stop twice.

    The child runs in its own session, so a Ctrl-C in the terminal reaches only the parent, which then
    stops its children in order instead of all of them racing to exit at once.
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = dict(os.environ if env is None else env)
        self.env[PARENT_PID_ENV] = str(os.getpid())
        self.log_path = log_path
        self._popen: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def pid(self) -> int:
        if self._popen is None:
            raise RuntimeError(f"{self.name} was never started")
        return self._popen.pid

    @property
    def returncode(self) -> int | None:
        return None if self._popen is None else self._popen.poll()

    def running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def start(self) -> ChildProcess:
        """Start the process; its output goes to ``log_path`` if given, else to our stdout/stderr."""
        if self._popen is not None:
            raise RuntimeError(f"{self.name} was already started (pid {self._popen.pid})")
        if self.log_path is not None:
            self._log = self.log_path.open("wb")
        self._popen = subprocess.Popen(
            self.argv,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT if self._log is not None else None,
            start_new_session=True,
        )
        return self

    def signal(self, signum: int) -> None:
        """Send ``signum`` to this child's PID if it is still running."""
        if self.running():
            assert self._popen is not None
            self._popen.send_signal(signum)

    def wait(self, timeout_s: float) -> int | None:
        """The exit code, or None if still running after ``timeout_s``."""
        if self._popen is None:
            return None
        try:
            return self._popen.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, *, grace_s: float = 5.0) -> int | None:
        """SIGINT, wait up to ``grace_s``, then SIGKILL. Returns the exit code (None if never started)."""
        if self._popen is None:
            return None
        if self.running():
            self.signal(signal.SIGINT)
            if self.wait(grace_s) is None:
                self.kill()
        self._close_log()
        return self._popen.returncode

    def kill(self) -> None:
        """SIGKILL now and reap, e.g. to simulate a crashed robot."""
        if self._popen is not None and self.running():
            self._popen.kill()
            self._popen.wait()
        self._close_log()

    def output(self) -> str:
        """What the child printed so far (only when started with ``log_path``)."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def _close_log(self) -> None:
        if self._log is not None and (self._popen is None or self._popen.poll() is not None):
            self._log.close()
            self._log = None


def pid_alive(pid: int) -> bool:
    """Whether a process with this PID exists and is not a zombie (Linux ``/proc``, else ``kill -0``)."""
    proc = Path("/proc")
    if proc.is_dir():
        try:
            state = (proc / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return False
        return state != "Z"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_until_gone(pids: Sequence[int], timeout_s: float) -> list[int]:
    """Poll until none of ``pids`` is alive or the timeout passes; returns those still alive."""
    deadline = time.monotonic() + timeout_s
    alive = [pid for pid in pids if pid_alive(pid)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [pid for pid in alive if pid_alive(pid)]
    return alive
