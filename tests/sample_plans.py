"""Plans used across the tests, in the wire format the LLM writes."""

from __future__ import annotations

from typing import Any


def action(
    action_type: str, description: str = "", duration: float | None = None, **parameters: Any
) -> dict[str, Any]:
    return {
        "action_type": action_type,
        "parameters": parameters,
        "description": description or action_type,
        "estimated_duration": duration,
    }


def kitchen_plan() -> dict[str, Any]:
    """The seed's command: go to the kitchen, pick up the red cup, bring it to the table."""
    return {
        "actions": [
            action("navigate", "go to the kitchen", 8.0, location_name="kitchen"),
            action("detect", "find the red cup", 2.0, object_type="cup", search_area="kitchen"),
            action("grasp", "pick up the red cup", 3.0, object_id="red_cup", object_type="cup"),
            action("navigate", "carry it to the table", 5.0, location_name="table"),
            action("place", "put it on the table", 3.0, location_name="table"),
        ],
        "reasoning": "navigate, find, grasp, carry, place",
        "estimated_total_time": 21.0,
    }


KITCHEN_COMMAND = "Go to the kitchen, pick up the red cup, and bring it to the table"
