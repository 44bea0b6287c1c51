"""Shared fixtures: a scripted OpenAI-compatible server on loopback and planners pointed at it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bt_planner.config import Settings
from bt_planner.planning.planner import LLMActionPlanner
from tests.fake_openai_server import FakeOpenAIServer


@pytest.fixture(autouse=True)
def _no_ambient_llm_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's real key, server or config file."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "BT_PLANNER_CONFIG"):
        monkeypatch.delenv(name, raising=False)


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
