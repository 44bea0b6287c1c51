"""A prompt in the seed's layout, for the prompt-size comparison.

The seed put three indented JSON dumps into its prompt: the response schema, the robot state and
the environment, each ``json.dumps(..., indent=2)``, around a short instruction and the command.
This rebuilds that layout from today's models (the instruction wording is ours). The schema is the
seed's loose wire format (parameters as a free object), which is smaller than today's typed schema,
so the comparison does not flatter the new prompt.
"""

from __future__ import annotations

import json
from typing import Any

from bt_planner.core.state import RobotState
from bt_planner.core.world import World

_WIRE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "actions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "action_type": {
                        "type": "string",
                        "enum": [
                            "move",
                            "grasp",
                            "place",
                            "speak",
                            "detect",
                            "navigate",
                            "wait",
                            "turn",
                            "custom",
                        ],
                    },
                    "parameters": {"type": "object"},
                    "description": {"type": "string"},
                    "estimated_duration": {"type": "number"},
                },
                "required": ["action_type", "parameters", "description", "estimated_duration"],
            },
        },
        "reasoning": {"type": "string"},
        "estimated_total_time": {"type": "number"},
    },
    "required": ["actions", "reasoning", "estimated_total_time"],
}

_INSTRUCTION = (
    "You are the task planner of a humanoid robot. Turn the user's command into a sequence of robot "
    "actions. The action types are move, grasp, place, speak, detect, navigate, wait, turn and custom. "
    "Answer with JSON that follows this schema:"
)


def seed_layout_prompt(
    command: str, state: RobotState, world: World, *, schema: dict[str, Any] | None = None
) -> list[str]:
    """System and user message texts in the seed's layout; ``schema`` defaults to the loose wire schema."""
    environment = world.model_dump(mode="json", exclude_none=True, exclude={"robot", "name"})
    system = f"{_INSTRUCTION}\n{json.dumps(schema or _WIRE_SCHEMA, indent=2)}"
    user = (
        f"Current robot state:\n{json.dumps(state.model_dump(mode='json'), indent=2)}\n\n"
        f"Environment:\n{json.dumps(environment, indent=2)}\n\n"
        f"Command: {command}"
    )
    return [system, user]
