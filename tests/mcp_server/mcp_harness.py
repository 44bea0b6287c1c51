"""Starting ``bt-planner mcp`` as a real subprocess for the MCP tests, with a world that has something
too heavy and somewhere forbidden, planners pointed at the loopback fake OpenAI server."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from mcp import StdioServerParameters
from mcp.types import CallToolResult

from tests.fake_openai_server import FakeOpenAIServer

BT_PLANNER = str(Path(sys.executable).with_name("bt-planner"))

TEST_WORLD: dict[str, Any] = {
    "name": "mcp_kitchen",
    "locations": {
        "kitchen": {"position": [3.0, 2.0, 0.0], "description": "kitchen counter area"},
        "table": {"position": [5.0, 1.0, 0.0], "description": "dining table"},
    },
    "objects": {
        "red_cup": {"type": "cup", "color": "red", "position": [3.2, 2.1, 0.8], "weight_kg": 0.3},
        "cast_iron_pot": {"type": "pot", "color": "black", "position": [3.3, 1.8, 0.9], "weight_kg": 5.0},
    },
    "forbidden_zones": {"stairs": {"shape": "circle", "center": [0.0, -4.0], "radius": 1.0}},
    "robot": {"pose": {"x": 0.0, "y": 0.0, "z": 0.0, "yaw": 0.0}, "battery_percent": 85.0, "gripper": "open"},
}


def write_world(directory: Path) -> Path:
    path = directory / "mcp_world.yaml"
    path.write_text(yaml.safe_dump(TEST_WORLD), encoding="utf-8")
    return path


def server_env(llm: FakeOpenAIServer, **settings: str) -> dict[str, str]:
    """The subprocess's environment: no ambient keys, the fake server, no retries or repairs, no cache."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "BT_PLANNER_"))}
    env.update(
        OPENAI_BASE_URL=llm.url,
        BT_PLANNER_LLM__MODEL="fake-model",
        BT_PLANNER_LLM__MAX_REPAIR_ROUNDS="0",
        BT_PLANNER_RETRY__MAX_ATTEMPTS="1",
        BT_PLANNER_CACHE__ENABLED="false",
        BT_PLANNER_PLANNING__MODE="actions",
    )
    limits = {"calls_per_minute": "100000", "burst": "1000"}  # the polling tests poll fast
    env.update({f"BT_PLANNER_MCP__{key.upper()}": value for key, value in {**limits, **settings}.items()})
    return env


def stdio_params(world: Path, env: Mapping[str, str], *extra: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=BT_PLANNER, args=["mcp", "--world", str(world), *extra], env=dict(env)
    )


def structured(result: CallToolResult) -> dict[str, Any]:
    """A successful tool result's structured content (its text content is the same JSON)."""
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return dict(result.structured_content)


def error_text(result: CallToolResult) -> str:
    assert result.is_error
    return " ".join(getattr(block, "text", "") for block in result.content)


def dumps(data: Any) -> str:
    return json.dumps(data, sort_keys=True)
