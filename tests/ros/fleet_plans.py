"""Scripted plans for the fleet tests, one per command, so concurrent planners each get their own."""

from __future__ import annotations

import json
from typing import Any

from tests.fake_openai_server import Scripted, plan_reply
from tests.sample_plans import KITCHEN_COMMAND, action, kitchen_plan

PLANS: dict[str, dict[str, Any]] = {
    KITCHEN_COMMAND: kitchen_plan(),
    # robot2 starts at (0, 1.5); its window lies behind it, 1 m or more from every drive of robot1's
    # kitchen plan and robot3's table plan, so a peer passing by never stands on its target.
    "walk to the window and greet": {
        "actions": [
            action("move", "walk", 4.0, x=-1.0, y=1.5),
            action("speak", "greet", 1.0, message="hello"),
        ],
        "reasoning": "walk, greet",
    },
    "go to the table and look left": {
        "actions": [
            action("navigate", "go", 6.0, location_name="table"),
            action("turn", "look", 2.0, angle=90),
        ],
        "reasoning": "go, turn",
    },
    "drive to where robot1 is": {
        "actions": [action("move", "drive", 3.0, x=0.0, y=0.0)],
        "reasoning": "drive onto the other robot",
    },
    "say hello": {"actions": [action("speak", "hi", 1.0, message="hello")], "reasoning": "greet"},
}


def reply_by_command(request: dict[str, Any]) -> Scripted:
    """Each planner gets the plan of its own command, whatever order the requests arrive in."""
    text = json.dumps(request["messages"])
    for command, plan in PLANS.items():
        if command in text:
            return plan_reply(plan)
    raise AssertionError(f"no scripted plan for {text[-200:]}")
