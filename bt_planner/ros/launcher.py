"""The pip-only launcher: start every node of a :class:`LaunchSpec` as a child process and supervise them.

Runs until Ctrl-C (SIGINT), SIGTERM or SIGHUP, or until any node exits on its own; then stops every
child that is still running (SIGINT, then SIGKILL after a grace period) and returns. Each start and stop is
printed with the child's PID, e.g. ``[launch] started bt_planner_sim (pid 4242)``.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from bt_planner.ros.launch_description import LaunchSpec
from bt_planner.ros.processes import ChildProcess

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
POLL_PERIOD_S = 0.2


class Launcher:
    """Starts, watches and stops the nodes of one launch. ``run()`` does all three."""

    def __init__(
        self,
        spec: LaunchSpec,
        *,
        python: str | None = None,
        log_dir: Path | None = None,
        grace_s: float = 5.0,
        echo: Callable[[str], None] = print,
    ) -> None:
        self.spec = spec
        self.grace_s = grace_s
        self.echo = echo
        self.children = [
            ChildProcess(
                node.name,
                node.argv(python),
                env=spec.node_env(node),
                log_path=log_dir / f"{node.name}.log" if log_dir is not None else None,
            )
            for node in spec.nodes
        ]
        self._stop = threading.Event()

    @property
    def stopping(self) -> threading.Event:
        """Set once a stop was requested (by a signal or :meth:`request_stop`)."""
        return self._stop

    def request_stop(self) -> None:
        """Ask ``run()`` to stop every child and return (thread- and signal-safe)."""
        self._stop.set()

    def start(self) -> None:
        for child in self.children:
            child.start()
            self.echo(f"[launch] started {child.name} (pid {child.pid})")

    def stop(self) -> None:
        """Stop children in reverse start order, so the planner goes before the robot it commands."""
        for child in reversed(self.children):
            was_running = child.running()
            code = child.stop(grace_s=self.grace_s)
            if was_running:
                self.echo(f"[launch] stopped {child.name} (pid {child.pid}, exit code {code})")

    def run(self, *, on_started: Callable[[], None] | None = None) -> int:
        """Start all, wait for a stop signal or a child's exit, stop all. 0 when stopped on request.

        ``on_started`` runs once every child has been started (it must not block).
        """
        previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}

        def on_signal(signum: int, frame: FrameType | None) -> None:
            self._stop.set()

        for signum in STOP_SIGNALS:
            signal.signal(signum, on_signal)
        exit_code = 0
        try:
            self.start()
            if on_started is not None:
                on_started()
            while not self._stop.wait(POLL_PERIOD_S):
                exited = [child for child in self.children if not child.running()]
                if exited:
                    for child in exited:
                        self.echo(
                            f"[launch] {child.name} (pid {child.pid}) exited with code {child.returncode}"
                        )
                    exit_code = 1
                    break
        finally:
            self.stop()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        return exit_code
