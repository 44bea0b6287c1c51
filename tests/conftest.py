"""Shared fixtures: a clean py_trees blackboard for every test, the packaged worlds, a simulated robot,
and a scripted OpenAI-compatible server on loopback with planners pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import py_trees
import pytest

from bt_planner.config import Settings
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import World, default_world, packaged_world
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.sim import SimulatedRobot
from tests.fake_openai_server import FakeOpenAIServer


@pytest.fixture(autouse=True)
def _no_ambient_llm_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's real key, server or config file."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "BT_PLANNER_CONFIG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _fresh_blackboard() -> Iterator[None]:
    """py_trees' blackboard is process-global: each test starts and ends with it empty.

    ``Blackboard.clear()`` drops the stored values, the key metadata, the registered clients and the
    activity stream (a test that wants one enables it itself).
    """
    py_trees.blackboard.Blackboard.clear()
    yield
    py_trees.blackboard.Blackboard.clear()


@pytest.fixture
def world() -> World:
    """The default world (the seed's kitchen): kitchen, table, the red cup; the robot at the origin, 85 %."""
    return default_world()


@pytest.fixture
def home_world() -> World:
    """The packaged ``home`` world."""
    return packaged_world("home")


@pytest.fixture
def sim_robot(world: World) -> SimulatedRobot:
    """A simulated robot in ``world`` (a test or module may override ``world``), its clock at 0."""
    return SimulatedRobot(world)


@pytest.fixture
def limits() -> SafetyLimits:
    """The default safety limits."""
    return SafetyLimits()


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as running:
        yield running


def settings_for(server: FakeOpenAIServer, **llm: Any) -> Settings:
    return Settings(
        llm={"base_url": server.url, "model": "fake-model", "timeout": 5.0, **llm},
        retry={"initial_wait_s": 0.01, "max_wait_s": 0.05, "jitter_s": 0.0, "total_timeout_s": 30.0},
    )


@pytest.fixture
def make_planner(server: FakeOpenAIServer) -> Callable[..., LLMActionPlanner]:
    def build(**llm: Any) -> LLMActionPlanner:
        return LLMActionPlanner(settings_for(server, **llm))

    return build
