"""The planner, unchanged, against llama-cpp-python's own OpenAI-compatible server on loopback.

The server is ``llama_cpp.server``'s own app, started through
``python -m bt_planner.backends.local.llama_server`` only so that its weights load in plain CPU
buffers (the bundled llama.cpp crashes on CPUs with AMX otherwise). It answers with the packaged
270M base model through a generic chat template, so plans are poor; the point is the protocol:
the server's replies parse, carry usage and model, and bad plans come back as reasons.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bt_planner.backends.local.model_file import packaged_model_path
from bt_planner.config import Settings
from bt_planner.core.issues import IssueCode
from bt_planner.planning.planner import LLMActionPlanner
from tests.sample_plans import KITCHEN_COMMAND

pytestmark = pytest.mark.llm_local

pytest.importorskip("llama_cpp.server.app", reason="needs llama-cpp-python[server]")

STARTUP_DEADLINE_S = 120.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
            return bool(response.status == 200 and json.load(response)["data"])
    except (urllib.error.URLError, OSError, ValueError):
        return False


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log_path = tmp_path_factory.mktemp("llama_server") / "server.log"
    command = [
        sys.executable, "-m", "bt_planner.backends.local.llama_server",
        "--model", str(packaged_model_path()), "--model_alias", "gemma-3-270m",
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + STARTUP_DEADLINE_S
        while not _answers(url):
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{_tail(log_path)}")
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer within {STARTUP_DEADLINE_S:g} s:\n{_tail(log_path)}")
            time.sleep(0.2)  # polling interval while waiting for /v1/models, not a settle-sleep
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:]


def _planner(url: str, **llm: object) -> LLMActionPlanner:
    llm_settings = {"base_url": url, "model": "gemma-3-270m", "max_tokens": 96, "max_repair_rounds": 0}
    settings = Settings(
        llm={**llm_settings, "timeout": 120.0, **llm}, retry={"max_attempts": 1}, cache={"enabled": False}
    )
    return LLMActionPlanner(settings)


def test_planner_speaks_to_llama_cpp_server_through_base_url(server_url):
    planner = _planner(server_url, structured_output="json_object")
    result = planner.plan(KITCHEN_COMMAND)
    assert result.backend == "openai"
    assert result.model == "gemma-3-270m"
    assert result.llm_calls == 1
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    assert result.raw_response
    assert all(issue.code is not IssueCode.LLM_ERROR for issue in result.issues), result.issues
    assert result.success or result.issues


def test_default_structured_output_ends_in_a_plan_or_a_reason(server_url):
    """llama_cpp.server answers ``response_format: json_schema`` with HTTP 500, not 400/422."""
    result = _planner(server_url).plan(KITCHEN_COMMAND)
    assert result.success or result.issues
    for issue in result.issues:
        if issue.code is IssueCode.LLM_ERROR:
            assert "response_format" in issue.message
