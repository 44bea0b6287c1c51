"""The pip-only launcher: start every node of a :class:`LaunchSpec` as a child process and supervise them.

Runs until Ctrl-C (SIGINT), SIGTERM or SIGHUP; then stops every child that is still running (SIGINT, then
SIGKILL after a grace period) and returns. A node that dies on its own is reported and, with ``restart``
(the default), started again up to ``max_restarts`` times: the planner names the dead node in the running
command's FAILED status, and a (re)started planner stops the robot first. A node that exits with code 2
(bad parameters, unreadable world) is not restarted, nor one out of restarts: then the launch stops with
exit code 1. Each start and stop is printed with the child's PID, e.g.
``[launch] started bt_planner_sim (pid 4242)``.

Managed (lifecycle) nodes (``NodeSpec.managed``: the planner) start with ``autostart:=false``; the launcher
drives them through their ``~/change_state`` service: configure → activate once they are up (``on_started``
runs after that, so ``--command`` goes to an active planner), and deactivate → cleanup → shutdown before
their process is stopped. A managed node that fails to configure or activate stops the launch (exit 1).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from bt_planner.ros.launch_description import DOMAIN_ENV, LaunchSpec, NodeSpec
from bt_planner.ros.processes import ChildProcess

if TYPE_CHECKING:
    from bt_planner.ros.lifecycle_client import LifecycleClient

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
POLL_PERIOD_S = 0.2
LIFECYCLE_TIMEOUT_S = 60.0
"""How long a managed node may take to come up and to configure (it loads the world and the model)."""


def _launched(node: NodeSpec) -> NodeSpec:
    """A managed node as the launcher starts it: it waits for the launcher to drive its transitions."""
    if not node.managed:
        return node
    return node.model_copy(update={"parameters": {**node.parameters, "autostart": False}})


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
        restart: bool = True,
        max_restarts: int = 3,
    ) -> None:
        self.spec = spec
        self.grace_s = grace_s
        self.echo = echo
        self.restart = restart
        self.max_restarts = max_restarts
        self.restarts: dict[str, int] = {}
        self.on_death: Callable[[str, int | None], None] | None = None
        """Called with a node's name and exit code when it dies (e.g. to publish on node_events)."""
        self.children = [
            ChildProcess(
                node.label,
                _launched(node).argv(python),
                env=spec.node_env(node),
                log_path=log_dir / f"{node.label}.log" if log_dir is not None else None,
            )
            for node in spec.nodes
        ]
        self.managed = {node.label: node.fqn for node in spec.nodes if node.managed}
        """Child name -> fully qualified name of each managed node."""
        self._stop = threading.Event()
        self._lifecycle: LifecycleClient | None = None
        self._lifecycle_failed = False

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

    def _restart(self, child: ChildProcess) -> bool:
        """Report a child that exited; start it again if allowed. False: the launch must stop."""
        code = child.returncode
        self.echo(f"[launch] {child.name} (pid {child.pid}) exited with code {code}")
        if self.on_death is not None:
            self.on_death(child.name, code)
        count = self.restarts.get(child.name, 0)
        if not self.restart or code == 2 or count >= self.max_restarts:
            reason = (
                "restarts are off"
                if not self.restart
                else "startup error"
                if code == 2
                else "out of restarts"
            )
            self.echo(f"[launch] not restarting {child.name} ({reason}); stopping")
            return False
        self.restarts[child.name] = count + 1
        log_path = (
            child.log_path.with_suffix(f".restart{count + 1}.log") if child.log_path is not None else None
        )
        replacement = ChildProcess(child.name, child.argv, env=child.env, log_path=log_path).start()
        self.children[self.children.index(child)] = replacement
        self.echo(
            f"[launch] restarted {child.name} (pid {replacement.pid}), restart {count + 1} of {self.max_restarts}"
        )
        if child.name in self.managed:
            self._bring_up_later([child.name])
        return True

    # ---- managed (lifecycle) nodes ----------------------------------------------------------------

    def _client(self) -> LifecycleClient:
        if self._lifecycle is None:
            from bt_planner.ros.lifecycle_client import LifecycleClient

            os.environ.update(self.spec.env)  # join the nodes' ROS domain and discovery range
            domain = os.environ.get(DOMAIN_ENV, "")
            self._lifecycle = LifecycleClient(domain_id=int(domain) if domain.isdigit() else None)
        return self._lifecycle

    def bring_up(self, names: list[str]) -> bool:
        """Configure and activate these managed children; False (and the launch stops) if one fails."""
        client = self._client()
        for name in names:
            fqn = self.managed[name]
            if not client.wait_ready(fqn, timeout_s=LIFECYCLE_TIMEOUT_S, stop=self._stop):
                if not self._stop.is_set():
                    self.echo(
                        f"[launch] {name} did not offer {fqn}/change_state within {LIFECYCLE_TIMEOUT_S:g} s"
                    )
                    self._lifecycle_failed = True
                    self._stop.set()
                return False
            for transition in ("configure", "activate"):
                if not client.change(fqn, transition, timeout_s=LIFECYCLE_TIMEOUT_S):
                    self.echo(f"[launch] {name}: {transition} failed (see its log); stopping")
                    self._lifecycle_failed = True
                    self._stop.set()
                    return False
            self.echo(f"[launch] {name} is active")
        return True

    def _bring_up_later(self, names: list[str], then: Callable[[], None] | None = None) -> None:
        def run() -> None:
            if self.bring_up(names) and then is not None:
                then()

        threading.Thread(target=run, name="lifecycle-bring-up", daemon=True).start()

    def bring_down(self) -> None:
        """Deactivate, clean up and shut down every running managed child (reverse start order)."""
        if self._lifecycle is None:
            return
        for child in reversed(self.children):
            if child.name in self.managed and child.running():
                done = self._lifecycle.bring_down(self.managed[child.name])
                self.echo(f"[launch] {child.name}: {' → '.join(done) or 'no lifecycle transition'}")

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
            if self.managed:
                self._bring_up_later(list(self.managed), then=on_started)
            elif on_started is not None:
                on_started()
            while not self._stop.wait(POLL_PERIOD_S):
                exited = [child for child in self.children if not child.running()]
                if exited and not all(self._restart(child) for child in exited):
                    exit_code = 1
                    break
            if self._lifecycle_failed:
                exit_code = 1
        finally:
            try:
                self.bring_down()
            finally:
                self.stop()
                if self._lifecycle is not None:
                    self._lifecycle.close()
                for signum, handler in previous.items():
                    signal.signal(signum, handler)
        return exit_code
