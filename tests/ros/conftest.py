"""Fixtures for tests that run real ROS 2 nodes in real processes, on loopback only.

* ``ros_domain``: a ROS_DOMAIN_ID in 1..101 held for the test with an exclusive file lock, so parallel test
  runs on one machine (other engineers, CI) never share a DDS domain.
* ``ros_env``: the environment for node processes: that domain, LOCALHOST discovery, the scripted LLM server
  as ``OPENAI_BASE_URL``, and fast retries. The test process itself joins the same domain through ``probe``.
* ``probe``: an rclpy node in the test process to publish and to wait for messages (bounded waits, no sleeps).
* ``start_node``: starts a node from a :class:`NodeSpec` as a child process; every child is stopped by PID at
  teardown (SIGINT, then SIGKILL), pass or fail, and its log is printed so failures show what the node said.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bt_planner.ros.launch_description import NodeSpec
from bt_planner.ros.processes import ChildProcess
from tests.fake_openai_server import FakeOpenAIServer

if TYPE_CHECKING:
    from tests.ros.probe import Probe

DOMAIN_RANGE = range(1, 102)
LOCK_DIR = Path(tempfile.gettempdir()) / "bt_planner_ros_domains"


@pytest.fixture
def ros_domain() -> Iterator[int]:
    """A ROS domain id no other process using this scheme holds; released when the test ends."""
    with hold_domain() as domain:
        yield domain


@contextlib.contextmanager
def hold_domain() -> Iterator[int]:
    """Hold a free ROS domain id (exclusive file lock) for the ``with`` block; for module-scoped stacks too."""
    LOCK_DIR.mkdir(exist_ok=True)
    count = len(DOMAIN_RANGE)
    start = os.getpid() % count
    for offset in range(count):
        domain = DOMAIN_RANGE[(start + offset) % count]
        handle = (LOCK_DIR / f"{domain}.lock").open("w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            yield domain
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
        return
    pytest.fail(
        f"every ROS domain id in {DOMAIN_RANGE.start}..{DOMAIN_RANGE.stop - 1} is held by another run"
    )


@pytest.fixture
def ros_env(ros_domain: int, server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for node processes (and, via monkeypatch, this process): loopback-only DDS."""
    return node_env(ros_domain, server, monkeypatch)


def node_env(domain: int, server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """``ros_env`` for any scope: joins this process to ``domain`` (via ``monkeypatch``), returns the nodes' env."""
    network = {"ROS_DOMAIN_ID": str(domain), "ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST"}
    for name, value in network.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("ROS_STATIC_PEERS", raising=False)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BT_PLANNER_", "OPENAI_"))}
    env.update(network)
    env.update(
        {
            "PYTHONUNBUFFERED": "1",
            "RCUTILS_COLORIZED_OUTPUT": "0",
            "OPENAI_BASE_URL": server.url,
            "OPENAI_API_KEY": "test-key",
            "BT_PLANNER_LLM__MODEL": "fake-model",
            "BT_PLANNER_LLM__TIMEOUT": "5",
            "BT_PLANNER_LLM__MAX_REPAIR_ROUNDS": "0",
            "BT_PLANNER_RETRY__MAX_ATTEMPTS": "1",
            "BT_PLANNER_CACHE__ENABLED": "false",
        }
    )
    return env


@pytest.fixture
def probe(ros_env: dict[str, str], ros_domain: int) -> Iterator[Probe]:
    from tests.ros.probe import Probe  # needs rclpy: test modules importorskip it first

    running = Probe(domain_id=ros_domain)
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def start_node(ros_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., ChildProcess]]:
    started: list[ChildProcess] = []

    def start(spec: NodeSpec, *, env: dict[str, str] | None = None) -> ChildProcess:
        child = ChildProcess(
            spec.label, spec.argv(), env={**ros_env, **(env or {})}, log_path=tmp_path / f"{spec.label}.log"
        )
        started.append(child.start())
        return child

    try:
        yield start
    finally:
        for child in reversed(started):
            child.stop(grace_s=5.0)
        for child in started:
            print(f"----- {child.name} (pid {child.pid}, exit {child.returncode}) -----\n{child.output()}")


class ModuleRos:
    """What ``module_ros`` shares across a module's tests: domain, scripted LLM server, probe, node starter."""

    def __init__(
        self, *, domain: int, env: dict[str, str], server: FakeOpenAIServer, probe: Probe, log_dir: Path
    ):
        self.domain = domain
        self.env = env
        self.server = server
        self.probe = probe
        self.log_dir = log_dir
        self.started: list[ChildProcess] = []

    def start(self, spec: NodeSpec) -> ChildProcess:
        child = ChildProcess(
            spec.label, spec.argv(), env=self.env, log_path=self.log_dir / f"{spec.label}.log"
        )
        self.started.append(child.start())
        return child


@pytest.fixture(scope="module")
def module_ros(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleRos]:
    """Like ``ros_env`` + ``probe`` + ``start_node``, once per module: start one node pair for all its tests."""
    from tests.ros.probe import Probe  # needs rclpy: test modules importorskip it first

    with hold_domain() as domain, FakeOpenAIServer() as server, pytest.MonkeyPatch.context() as patch:
        env = node_env(domain, server, patch)
        probe = Probe(domain_id=domain)
        shared = ModuleRos(
            domain=domain, env=env, server=server, probe=probe, log_dir=tmp_path_factory.mktemp("ros-logs")
        )
        try:
            yield shared
        finally:
            for child in reversed(shared.started):
                child.stop(grace_s=5.0)
            probe.close()
            for child in shared.started:
                print(
                    f"----- {child.name} (pid {child.pid}, exit {child.returncode}) -----\n{child.output()}"
                )
